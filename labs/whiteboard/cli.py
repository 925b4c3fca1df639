"""`aie-bridge grade --prompt ID --answer FILE [FILE …] [--provider …] [--json]`,
`aie-bridge grade calibrate [--provider P] [--samples k] [--set DIR] [--json]` and
`aie-bridge whiteboard check|prompts`.

An answer file is free-form Markdown or a saved attempt (JSON); a `questions_asked` log in it
is ignored (only the app's interviewer log counts). Several files are graded in one process
(the model loads once); `--json` prints one object per file, as a list when more than one:
{"prompt_id", "total", "level", "grader", "items": [...], "notes", "ignored_lines", "file"}.
`calibrate` grades the calibration set (content/whiteboard/calibration/) and prints ordering
accuracy, the share of adversarial answers below ok, the mean band error and time per grade.
`--learner NAME` also saves the attempt (before grading) under
that learner, with flashcards for missed items. Errors print one `error:` line, exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from labs.llm.config import PROVIDERS


def register(sub: argparse._SubParsersAction) -> None:
    g = sub.add_parser("grade", help="grade system-design answers against a prompt's rubric, "
                                     "or `grade calibrate` to measure the grader")
    g.add_argument("action", nargs="?", choices=("calibrate",),
                   help="calibrate: grade the calibration set and report the grader's accuracy")
    g.add_argument("--prompt", help="the design prompt id, e.g. docs-chatbot")
    g.add_argument("--answer", nargs="+", type=Path, default=[],
                   help="Markdown answers, or saved attempts (JSON): one or more files")
    g.add_argument("--samples", type=int, default=1,
                   help="calibrate: grade each answer k times and report the spread")
    g.add_argument("--save", action="store_true",
                   help="calibrate: also write the report the Whiteboard page shows")
    g.add_argument("--set", type=Path, default=None,
                   help="calibrate: a folder of calibration files (default: the shipped set)")
    g.add_argument("--provider", choices=PROVIDERS, default="offline",
                   help="offline (default: the deterministic rubric grader) or an LLM")
    g.add_argument("--mode", choices=("whiteboard", "mock"), default="whiteboard",
                   help="mock also grades the response to the requirement change")
    g.add_argument("--learner", help="save the attempt under this learner's name")
    g.add_argument("--json", action="store_true", help="print JSON")
    g.set_defaults(func=_grade)

    wb = sub.add_parser("whiteboard", help="the design prompts")
    wsub = wb.add_subparsers(dest="whiteboard_command", metavar="ACTION", required=True)
    c = wsub.add_parser("check", help="validate the design prompt files")
    c.add_argument("--dir", type=Path, default=None, help="prompts folder to check")
    c.set_defaults(func=_check)
    p = wsub.add_parser("prompts", help="list the design prompts")
    p.set_defaults(func=_list)


def _err(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 1


def _grade(args: argparse.Namespace) -> int:
    from labs.whiteboard.answer import read_answer_file
    from labs.whiteboard.loader import PromptError, load_prompt
    from labs.whiteboard.service import config_for, grade_answer, grader_for

    if args.action == "calibrate":
        return _calibrate(args)
    if not args.prompt or not args.answer:
        return _err("give --prompt ID and --answer FILE [FILE …] (or `grade calibrate`)")
    try:
        prompt = load_prompt(args.prompt)
        config = config_for(args.provider)
    except KeyError as e:
        return _err(str(e.args[0]))
    except (PromptError, ValueError) as e:
        return _err(str(e))
    grader = grader_for(config)
    results: list[dict] = []
    failed = 0
    for path in args.answer:
        try:
            text, _logged = read_answer_file(path)  # a log in a file is not the app's log
            if args.learner:
                from labs.store import Store, get_or_create_learner
                from labs.whiteboard.attempts import submit

                store = Store()
                me = get_or_create_learner(store, args.learner)
                attempt_id, g = submit(store, me.id, prompt, text, mode=args.mode,  # type: ignore[arg-type]
                                       config=config)
            else:
                attempt_id = None
                g = grade_answer(prompt, text, grader=grader, mode=args.mode)
        except Exception as e:  # a bad file, GradingFailed, StoreError: one line, no traceback
            failed += 1
            results.append({"file": str(path), "error": str(e)})
            print(f"error: {path}: {e}", file=sys.stderr)
            continue
        out = {**g.public(), "file": str(path)}
        if _logged:
            out["ignored_lines"] = [*out["ignored_lines"], "questions_asked in the file "
                                    "ignored: only the interviewer log the app recorded counts"]
        if attempt_id:
            out["attempt_id"] = attempt_id
        results.append(out)
        if not args.json:
            _print_report(prompt.title, g, out, attempt_id)
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results, ensure_ascii=False,
                         indent=2))
    return 1 if failed == len(args.answer) else 0


def _print_report(title: str, g, out: dict, attempt_id: int | None) -> None:
    print(f"{out['file']}\n{title}\ntotal {g.total}/100 · level {g.level} · graded by "
          f"{g.grader}" + (f" · saved as attempt {attempt_id}" if attempt_id else ""))
    for note in g.notes:
        print(f"note: {note}")
    for i in g.items:
        print(f"\n[{i.score:g}/{i.max:g}] {i.title}\n  {i.feedback}")
        if i.evidence:
            print(f"  evidence: {i.evidence}")
    if out["ignored_lines"]:
        print(f"\nignored lines ({len(out['ignored_lines'])}):")
        for line in out["ignored_lines"]:
            print(f"  {line}")
    print()


def _calibrate(args: argparse.Namespace) -> int:
    from labs.llm import LLMError, LLMUnavailable
    from labs.whiteboard.calibration import CalibrationError, calibrate, load_set
    from labs.whiteboard.service import config_for, grade_answer, grader_for

    if args.samples < 1 or args.samples > 20:
        return _err("--samples must be between 1 and 20")
    try:
        items = load_set(args.set)
        grader = grader_for(config_for(args.provider), cache=False if args.samples > 1 else None)
        report = calibrate(lambda p, t: grade_answer(p, t, grader=grader, mode=args.mode),
                           items, samples=args.samples, grader_name=grader.name)
    except (CalibrationError, ValueError, LLMUnavailable, LLMError) as e:
        return _err(str(e))
    if args.save:
        from labs.whiteboard.views import REPORT_FILE

        REPORT_FILE.write_text(json.dumps(report, indent=1, default=str) + "\n",
                               encoding="utf-8")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"grader {report['grader']} · {report['answers']} answers on {report['prompts']} "
          f"prompts · {report['samples']} sample(s) each")
    print(f"ordering accuracy (strong > ok > weak): {report['ordering_accuracy']:.0%}")
    print(f"adversarial answers below ok: {report['adversarial_below_ok']:.0%}")
    print(f"mean absolute band error: {report['mean_abs_band_error']:.2f} levels")
    print(f"CPU per grade: {report['mean_cpu_ms_per_grade']:.0f} ms · max spread "
          f"{report['max_spread']} points")
    for kind, k in report["per_kind"].items():
        print(f"  {kind:13s} n={k['n']:2d} mean {k['mean_total']:5.1f} max {k['max_total']:3d}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from labs.whiteboard.loader import main

    return main([str(args.dir)] if args.dir else [])


def _list(args: argparse.Namespace) -> int:
    from labs.whiteboard.loader import PromptError, load_prompts

    try:
        prompts = load_prompts()
    except PromptError as e:
        return _err("; ".join(e.problems))
    for p in prompts.values():
        print(f"{p.id:28s} {p.title}")
    return 0
