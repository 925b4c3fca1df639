"""Load and validate the design prompts under content/whiteboard/prompts/.

`load_prompts()` returns every prompt by id or raises PromptError naming each bad file and
field; `load_prompt(id)` fetches one. The files are small (a dozen, a few KB each), so this
reads them each call; callers cache if they need to. Run it on a folder to check a draft:
`python -m labs.whiteboard.loader content/whiteboard/prompts`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

from labs.content import ContentError, format_validation
from labs.whiteboard.models import DesignPrompt

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "content" / "whiteboard" / "prompts"


class PromptError(ContentError):
    """One or more prompt files failed to load; `problems` names each file and field."""


def load_prompt_file(path: Path) -> DesignPrompt:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PromptError([f"{path.name}: cannot read: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise PromptError([f"{path.name}: expected a mapping at the top level"])
    try:
        prompt = DesignPrompt.model_validate(raw)
    except ValidationError as exc:
        raise PromptError(format_validation(path, exc, short=True)) from exc
    if prompt.id != path.stem:
        raise PromptError([f"{path.name}: id {prompt.id!r} does not match the file name"])
    return prompt


def load_prompts(folder: Path | None = None) -> dict[str, DesignPrompt]:
    """Every prompt in the folder by id, sorted by id; all problems reported at once."""
    folder = folder or PROMPTS_DIR
    prompts: dict[str, DesignPrompt] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            p = load_prompt_file(path)
        except PromptError as exc:
            problems.extend(exc.problems)
            continue
        prompts[p.id] = p
    if problems:
        raise PromptError(problems)
    return prompts


def load_prompt(prompt_id: str, folder: Path | None = None) -> DesignPrompt:
    folder = folder or PROMPTS_DIR
    path = folder / f"{prompt_id}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
        raise KeyError(f"unknown prompt id {prompt_id!r} (known: {known})")
    return load_prompt_file(path)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else PROMPTS_DIR
    try:
        prompts = load_prompts(folder)
    except PromptError as exc:
        for p in exc.problems:
            print(f"error: {p}", file=sys.stderr)
        return 1
    print(f"ok: {len(prompts)} prompts ({', '.join(prompts)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
