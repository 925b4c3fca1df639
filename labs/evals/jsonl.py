"""JSONL files of the eval sandbox: one pydantic model a line, every bad line reported by its
number ("line 3: field label: ...") while the good ones are kept."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def parse_jsonl(text: str, model: type[M], extra: dict | None = None
                ) -> tuple[list[tuple[int, M]], list[str]]:
    """(line number, row) for each valid line, and one message per bad line.

    >>> from pydantic import BaseModel
    >>> class Row(BaseModel):
    ...     id: str
    >>> parse_jsonl('{"id": "a"}\\n\\n[1]\\n{"x": 1}', Row)
    ([(1, Row(id='a'))], ['line 3: expected a JSON object', 'line 4: field id: Field required'])
    """
    rows, errors = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: not valid JSON ({e.msg})")
            continue
        if not isinstance(raw, dict):
            errors.append(f"line {n}: expected a JSON object")
            continue
        try:
            rows.append((n, model.model_validate({**raw, **(extra or {})})))
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            errors.append(f"line {n}: field {where}: {first['msg']}")
    return rows, errors
