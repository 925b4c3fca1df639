"""`aie-bridge content check`: validate content/ and say what is wrong, file and field."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labs.curriculum.loader import CONTENT_DIR, ContentError, load_curriculum


def register(sub: argparse._SubParsersAction) -> None:
    content = sub.add_parser("content", help="work with the curriculum in content/")
    csub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate every content file")
    check.add_argument("--root", type=Path, default=CONTENT_DIR, help="content folder to check")
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    try:
        cur = load_curriculum(args.root)
    except ContentError as e:
        for problem in e.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(e.problems)} problem(s) in {args.root}", file=sys.stderr)
        return 1
    n_q = sum(len(q.questions) for q in cur.quizzes.values())
    n_c = sum(len(d.cards) for d in cur.decks.values())
    print(f"content OK: {len(cur.modules)} modules, {n_q} quiz questions, {n_c} flashcards, "
          f"{len(cur.trainer.scenarios)} decision scenarios")
    return 0
