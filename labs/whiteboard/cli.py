"""`aie-bridge grade --prompt ID --answer FILE [--provider …] [--json]` and
`aie-bridge whiteboard check|prompts`.

The answer file is free-form Markdown or a saved attempt (JSON). `--json` prints
{"total", "level", "items": [{"id", "score", "max", "evidence", "feedback"}], "provider"};
otherwise a readable report. `--learner NAME` also saves the attempt (before grading) under
that learner, with flashcards for missed items. Errors print one `error:` line, exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from labs.llm.config import PROVIDERS


def register(sub: argparse._SubParsersAction) -> None:
    g = sub.add_parser("grade", help="grade a system-design answer against a prompt's rubric")
    g.add_argument("--prompt", required=True, help="the design prompt id, e.g. docs-chatbot")
    g.add_argument("--answer", required=True, type=Path,
                   help="a Markdown answer, or a saved attempt (JSON)")
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
    from labs.llm import LLMError, LLMUnavailable
    from labs.whiteboard.answer import AnswerFileError, read_answer_file
    from labs.whiteboard.loader import PromptError, load_prompt
    from labs.whiteboard.service import config_for, grade

    try:
        prompt = load_prompt(args.prompt)
        text, asked = read_answer_file(args.answer)
        config = config_for(args.provider)
    except KeyError as e:
        return _err(str(e.args[0]))
    except (AnswerFileError, PromptError, ValueError) as e:
        return _err(str(e))
    try:
        if args.learner:
            from labs.store import Store, get_or_create_learner
            from labs.whiteboard.attempts import submit

            store = Store()
            me = get_or_create_learner(store, args.learner)
            attempt_id, g = submit(store, me.id, prompt, text, mode=args.mode,  # type: ignore[arg-type]
                                   questions=asked, config=config)
        else:
            attempt_id = None
            g = grade(prompt, text, config=config, mode=args.mode, questions_asked=asked)
    except (LLMUnavailable, LLMError) as e:
        return _err(str(e))
    except Exception as e:  # GradingFailed, StoreError: a one-line message, never a traceback
        return _err(str(e))
    if args.json:
        print(json.dumps(g.public(), ensure_ascii=False, indent=2))
        return 0
    print(f"{prompt.title}\ntotal {g.total}/100 · level {g.level} · graded by {g.provider}"
          + (f" · saved as attempt {attempt_id}" if attempt_id else ""))
    for i in g.items:
        print(f"\n[{i.score:g}/{i.max:g}] {i.title}\n  {i.feedback}")
        if i.evidence:
            print(f"  evidence: {i.evidence}")
    if g.ignored_lines:
        print(f"\nignored {len(g.ignored_lines)} line(s) addressed to the grader")
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
