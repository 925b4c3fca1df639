"""`aie-bridge content check` gathers every lab's own checks. A lab registers by having a
`content_check` module with `CHECKS: list[(name, check)]`, where `check(root)` returns a
one-line summary or raises ContentError; the list below names those modules, imported only
when the check runs (as labs/cli.py does for subcommands), so this layer imports no lab."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from labs.content import ContentError

CHECK_MODULES = [
    "labs.curriculum.content_check",
    "labs.retrieval.content_check",
    "labs.evals.content_check",
    "labs.whiteboard.content_check",
    "labs.costsim.content_check",
]

Check = Callable[[Path], str]


def registered_checks() -> list[tuple[str, Check]]:
    return [check for name in CHECK_MODULES for check in importlib.import_module(name).CHECKS]


def run_checks(root: Path) -> tuple[list[str], list[str]]:
    """(summaries, problems) over every registered check; one failing check does not stop
    the others."""
    summaries: list[str] = []
    problems: list[str] = []
    for name, check in registered_checks():
        try:
            summaries.append(check(root))
        except ContentError as e:
            problems += [f"{name}: {p}" for p in e.problems]
        except (OSError, ValueError) as e:
            problems.append(f"{name}: {e}")
    return summaries, problems
