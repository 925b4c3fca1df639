"""`aie-bridge evals reference --pairs FILE.jsonl --json`: reference metrics for a file of
predictions, per item and overall. `aie-bridge evals judge --items FILE.jsonl [--provider P]
[--samples k] --json`: a judge's 1-5 score per answer and, when the lines carry labels, its
agreement with them. Bad lines are reported by number and the rest still run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    evals = sub.add_parser("evals", help="the eval-pyramid sandbox")
    esub = evals.add_subparsers(dest="evals_command", metavar="ACTION", required=True)
    ref = esub.add_parser("reference", help="EM, F1, BLEU, chrF and ROUGE for a pairs file")
    ref.add_argument("--pairs", type=Path, required=True,
                     help='JSONL, one {"id", "prediction", "references": [...]} a line')
    ref.add_argument("--json", action="store_true", help="print JSON")
    ref.set_defaults(func=_reference)
    jd = esub.add_parser("judge", help="score answers with the judge; agreement with labels")
    jd.add_argument("--items", type=Path, required=True,
                    help='JSONL, one {"id", "question", "reference", "candidate"} a line, '
                         'optional "key_points" and "label" (1-5)')
    jd.add_argument("--provider", help="offline (the rubric judge), anthropic[:model], "
                    "openai[:model] or openai-compatible[:model]; default: the configured LLM")
    jd.add_argument("--samples", type=int, default=1,
                    help="judge each item k times (an LLM's run-to-run spread)")
    jd.add_argument("--json", action="store_true", help="print JSON")
    jd.set_defaults(func=_judge)


def _reference(args: argparse.Namespace) -> int:
    from labs.evals.reference import score_file

    if not args.pairs.is_file():
        print(f"error: {args.pairs}: no such file", file=sys.stderr)
        return 1
    try:
        result = score_file(args.pairs)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for err in result.errors:
        print(f"error: {args.pairs}: {err}", file=sys.stderr)
    if args.json:
        print(json.dumps({"items": result.items, "overall": result.overall,
                          "intervals": result.intervals, "errors": result.errors}, indent=2))
    else:
        for item in result.items:
            print(f"{item['id']}: EM {item['exact_match']:.0f}  F1 {item['f1']:.3f}  "
                  f"BLEU {item['bleu']:.1f}  chrF {item['chrf']:.1f}  "
                  f"ROUGE-L {item['rougeL']:.3f}")
        if result.overall:
            o = result.overall
            print(f"overall ({o['items']} items): EM {o['exact_match']:.3f}  F1 {o['f1']:.3f}  "
                  f"BLEU {o['bleu']:.1f}  chrF {o['chrf']:.1f}  ROUGE-L {o['rougeL']:.3f}")
            for key, ci in result.intervals.items():
                print(f"  95% interval {key:<12} [{ci['low']:.3f}, {ci['high']:.3f}]")
    if not result.items:
        print("error: no valid lines to score", file=sys.stderr)
        return 1
    return 1 if result.errors else 0


def _judge(args: argparse.Namespace) -> int:
    import os

    from labs import llm
    from labs.evals.judge import make_judge
    from labs.evals.judgefile import MAX_SAMPLES, judge_lines, parse_lines

    if not args.items.is_file():
        print(f"error: {args.items}: no such file", file=sys.stderr)
        return 1
    if not 1 <= args.samples <= MAX_SAMPLES:
        print(f"error: --samples must be between 1 and {MAX_SAMPLES}", file=sys.stderr)
        return 1
    try:
        text = args.items.read_text(encoding="utf-8")
        env = {**os.environ, "AIE_BRIDGE_LLM": args.provider} if args.provider else None
        cfg = llm.current_config(env=env)
    except UnicodeDecodeError as e:
        print(f"error: {args.items} is not UTF-8 text (byte {e.start})", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    lines, errors = parse_lines(text)
    judge = make_judge(cfg, cache=False if args.samples > 1 else None)
    result = judge_lines(lines, judge, samples=args.samples)
    result["errors"] = errors + result["errors"]
    for err in result["errors"]:
        print(f"error: {args.items}: {err}", file=sys.stderr)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"judge: {result['judge']}")
        for row in result["items"]:
            label = f" (label {row['label']})" if "label" in row else ""
            print(f"{row['id']}: {row['score']}{label}")
            for reason in row["reasons"]:
                print(f"    {reason}")
        ag = result["agreement"]
        if "spearman" in ag:
            rho = "n/a" if ag["spearman"] is None else f"{ag['spearman']:.3f}"
            print(f"agreement over {ag['n']} labelled items: Spearman {rho}, weighted kappa "
                  f"{ag['weighted_kappa']:.3f}, kappa {ag['kappa']:.3f}")
    if not result["items"]:
        print("error: no valid lines to judge", file=sys.stderr)
        return 1
    return 1 if result["errors"] else 0
