"""Load the eval sandbox's bundled data and the learner's labels."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, StrictInt
from sqlmodel import select

from labs.content import CONTENT_DIR, load_yaml_model
from labs.evals.jsonl import parse_jsonl
from labs.evals.models import EvalItems, SimilarityPairs
from labs.store import Store
from labs.store.models import EvalLabel

EVALS_DIR = CONTENT_DIR / "evals"


def load_items(path: Path = EVALS_DIR / "items.yaml") -> EvalItems:
    return load_yaml_model(EvalItems, path)


def load_pairs(path: Path = EVALS_DIR / "similarity_pairs.yaml") -> SimilarityPairs:
    return load_yaml_model(SimilarityPairs, path)


SCALES = {"1-5": [1, 2, 3, 4, 5], "pass-fail": [0, 1]}


def save_label(store: Store, learner_id: int, answer_id: str, scale: str, label: int) -> None:
    if scale not in SCALES or label not in SCALES[scale]:
        raise ValueError(f"label {label} is not on the {scale} scale")

    def write(s):
        row = s.exec(select(EvalLabel).where(EvalLabel.learner_id == learner_id,
                                             EvalLabel.answer_id == answer_id,
                                             EvalLabel.scale == scale)).first()
        row = row or EvalLabel(learner_id=learner_id, answer_id=answer_id, scale=scale, label=0)
        row.label = label
        s.add(row)

    store.write(write)


class LabelLine(BaseModel):
    """One line of a labels file."""

    answer_id: str
    label: StrictInt


def parse_labels(text: str, scale: str, known_ids: set[str]) -> tuple[dict[str, int], list[str]]:
    """A labels file: one `{"answer_id", "label"}` a line. Bad lines are reported by number
    and the rest kept.

    >>> text = '{"answer_id": "a", "label": 4}\\n{"answer_id": "a", "label": 9}'
    >>> parse_labels(text, "1-5", {"a"})
    ({'a': 4}, ['line 2: label 9 is not on the 1-5 scale'])
    """
    rows, errors = parse_jsonl(text, LabelLine)
    out: dict[str, int] = {}
    for n, row in rows:
        if row.answer_id not in known_ids:
            errors.append(f"line {n}: unknown answer id {row.answer_id!r}")
        elif row.label not in SCALES[scale]:
            errors.append(f"line {n}: label {row.label!r} is not on the {scale} scale")
        else:
            out[row.answer_id] = row.label
    errors.sort(key=lambda e: int(e.split(":")[0].removeprefix("line ")))  # in file order
    return out, errors


def labels(store: Store, learner_id: int, scale: str) -> dict[str, int]:
    with store.session() as s:
        return {r.answer_id: r.label for r in s.exec(select(EvalLabel).where(
            EvalLabel.learner_id == learner_id, EvalLabel.scale == scale))}
