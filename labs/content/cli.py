"""`aie-bridge content check`: validate everything under content/ (each lab's checks, see
`labs.content.check`) and say what is wrong, file and field; `aie-bridge content fingerprint`
writes the track fingerprint the originality check reads."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labs.content import CONTENT_DIR
from labs.content.originality import FINGERPRINT, fingerprint


def register(sub: argparse._SubParsersAction) -> None:
    content = sub.add_parser("content", help="work with the curriculum and lab data in content/")
    csub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate every content file")
    check.add_argument("--root", type=Path, default=CONTENT_DIR, help="content folder to check")
    check.set_defaults(func=_check)
    fp = csub.add_parser("fingerprint", help="write the track's 9-word-run fingerprint, which "
                         "content check uses to find copied sentences")
    fp.add_argument("--track", type=Path, required=True, help="the source track, plain text")
    fp.add_argument("--root", type=Path, default=CONTENT_DIR, help="content folder to write into")
    fp.set_defaults(func=_fingerprint)


def _fingerprint(args: argparse.Namespace) -> int:
    try:
        text = args.track.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        print(f"error: cannot read the track {args.track}: {e}", file=sys.stderr)
        return 1
    hashes = fingerprint(text).lines()
    out = args.root / FINGERPRINT
    out.write_text("# word runs of the source track (length, blake2b 8-byte hash); made by "
                   "`aie-bridge content fingerprint`\n" + "\n".join(hashes) + "\n",
                   encoding="utf-8")
    print(f"wrote {len(hashes)} run hashes to {out}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from labs.content.check import run_checks

    summary, problems = run_checks(args.root)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {args.root}", file=sys.stderr)
        return 1
    print("content OK: " + "; ".join(summary))
    return 0
