"""The whiteboard's check for `aie-bridge content check`: the design prompts (a PromptError is
a ContentError, naming each file and field)."""

from __future__ import annotations

from pathlib import Path


def check_prompts(root: Path) -> str:
    from labs.whiteboard.loader import load_prompts

    return f"{len(load_prompts(root / 'whiteboard' / 'prompts'))} design prompts"


CHECKS = [("design prompts", check_prompts)]
