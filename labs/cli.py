"""The `aie-bridge` command. Each lab adds its subcommands through a `register(subparsers)`
function in its own `cli` module, listed in SUBCOMMAND_MODULES; imports stay lazy so that
`aie-bridge --version` does not load torch.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from labs import __version__

SUBCOMMAND_MODULES = [
    "labs.content.cli",
    "labs.whiteboard.cli",
    "labs.mcp.cli",
    "labs.costsim.cli",
    "labs.llm.cli",
    "labs.retrieval.cli",
    "labs.evals.cli",
    "labs.study.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aie-bridge",
        description="AIE Bridge: interview prep and system-design labs for AI engineering.",
    )
    parser.add_argument("--version", action="version", version=f"aie-bridge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
