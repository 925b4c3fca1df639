"""The bottom layer under every lab's content: where content/ is, the base field types, the
one YAML-plus-model loader and the one error shape (`ContentError`: a list of problems, each
naming the file and, where known, the field). Every lab imports this; it imports no lab.

`aie-bridge content check` runs each lab's own checks, registered in `labs.content.check`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    """Content models refuse unknown fields (a typo in a key is an error, not ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ContentError(Exception):
    """One or more content problems, each naming the file and, where known, the field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def format_validation(path: Path, err: ValidationError, short: bool = False) -> list[str]:
    """One line per problem: "path: field a.b: message", or with `short` (a folder of files
    reported together, as the design prompts are) "name.yaml: a.b: message"."""
    out = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or ("(root)" if short else "(file)")
        out.append(f"{path.name}: {loc}: {e['msg']}" if short else
                   f"{path}: field {loc}: {e['msg']}")
    return out


def read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ContentError([f"{path}: file is missing"]) from e
    except UnicodeDecodeError as e:
        raise ContentError([f"{path}: not UTF-8 text ({e.reason} at byte {e.start})"]) from e
    except yaml.YAMLError as e:
        raise ContentError([f"{path}: invalid YAML: {e}"]) from e


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], path: Path, data: object) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise ContentError(format_validation(path, e)) from e


def load_yaml_model(model: type[M], path: Path) -> M:
    """One YAML file validated by `model`, or a ContentError naming the file and field."""
    return validate(model, path, read_yaml(path))


__all__ = ["CONTENT_DIR", "ContentError", "Id", "Strict", "Text", "format_validation",
           "load_yaml_model", "read_yaml", "validate"]
