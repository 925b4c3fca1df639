"""The whiteboard's check for `aie-bridge content check`: the design prompts."""

from __future__ import annotations

from pathlib import Path

from labs.content import ContentError


def check_prompts(root: Path) -> str:
    from labs.whiteboard.loader import PromptError, load_prompts

    try:
        prompts = load_prompts(root / "whiteboard" / "prompts")
    except PromptError as e:
        raise ContentError(e.problems) from e
    return f"{len(prompts)} design prompts"


CHECKS = [("design prompts", check_prompts)]
