"""`aie-bridge evals reference --pairs FILE.jsonl --json`: reference metrics for a file of
predictions, per item and overall; bad lines are reported by number and the rest scored."""

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
                          "errors": result.errors}, indent=2))
    else:
        for item in result.items:
            print(f"{item['id']}: EM {item['exact_match']:.0f}  F1 {item['f1']:.3f}  "
                  f"BLEU {item['bleu']:.1f}  chrF {item['chrf']:.1f}  "
                  f"ROUGE-L {item['rougeL']:.3f}")
        if result.overall:
            o = result.overall
            print(f"overall ({o['items']} items): EM {o['exact_match']:.3f}  F1 {o['f1']:.3f}  "
                  f"BLEU {o['bleu']:.1f}  chrF {o['chrf']:.1f}  ROUGE-L {o['rougeL']:.3f}")
    if not result.items:
        print("error: no valid lines to score", file=sys.stderr)
        return 1
    return 1 if result.errors else 0
