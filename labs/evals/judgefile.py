"""Judge a file of answers and measure the judge against the labels in it: the one use case
behind `aie-bridge evals judge --items FILE` and the page's judge calibration.

A line is `{"id", "question", "reference", "candidate"}` with optional `key_points` (the
rubric; else the reference is split into claims) and `label` (a person's 1-5 score). With
labels, the output carries the judge's agreement with them: Spearman, Cohen's kappa
(quadratic weighted and unweighted) and the confusion matrix. With `samples` > 1 and a judge
whose answers can vary (an LLM), each item is judged that many times: the spread per item and
the share of items whose score changed between samples.

Bad lines are reported by line number and the rest still run.

Left out: per-rater labels in the same file (the page's multi-rater upload covers that).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict

from pydantic import BaseModel, ConfigDict, Field

from labs import llm
from labs.evals.human import agreement
from labs.evals.jsonl import parse_jsonl
from labs.evals.judge import Judge, JudgeItem
from labs.evals.models import EvalItems

SCALE = [1, 2, 3, 4, 5]
MAX_SAMPLES = 10


class JudgeLine(BaseModel):
    model_config = ConfigDict(extra="allow")  # e.g. "kind", kept and echoed back

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    reference: str = Field(min_length=1)
    candidate: str
    key_points: list[str] = Field(default_factory=list, max_length=12)
    label: int | None = Field(default=None, ge=1, le=5)
    line: int = 0  # where it came from


def parse_lines(text: str) -> tuple[list[JudgeLine], list[str]]:
    """JSONL to lines; "line N: what is wrong" for each bad one, the others kept.

    >>> ok, bad = parse_lines('{"id": "a", "question": "q", "reference": "r", "candidate": "c"}'
    ...                       '\\n{"id": "b"}\\nnot json')
    >>> [x.id for x in ok], bad[0], bad[1][:24]
    (['a'], 'line 2: field question: Field required', 'line 3: not valid JSON (')
    """
    rows, errors = parse_jsonl(text, JudgeLine)
    out, seen = [], set()
    for n, line in rows:
        if line.id in seen:
            errors.append(f"line {n}: duplicate id {line.id!r}")
            continue
        seen.add(line.id)
        out.append(line.model_copy(update={"line": n}))
    errors.sort(key=lambda e: int(e.split()[1].rstrip(":")))
    return out, errors


def lines_from_items(items: EvalItems) -> list[JudgeLine]:
    """The sandbox's own labelled answers as judge lines (the calibration set)."""
    return [JudgeLine(id=a.id, question=i.question, reference=i.references[0],
                      candidate=a.text, key_points=list(i.key_points), label=a.label,
                      kind=a.kind.value)
            for i in items.items for a in i.answers]


def judge_lines(lines: list[JudgeLine], judge: Judge, samples: int = 1,
                progress=None) -> dict:
    """`{"judge", "items", "agreement", "errors", ...}` for the lines; see the module doc."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be between 1 and {MAX_SAMPLES}")
    repeat = samples if getattr(judge, "samples_vary", True) else 1
    items, errors, cost = [], [], 0.0
    for done, line in enumerate(lines, start=1):
        jitem = JudgeItem(line.question, list(line.key_points), line.reference)
        scores, reasons = [], []
        try:
            for _ in range(repeat):
                j = judge.absolute(jitem, line.candidate)
                scores.append(j.verdict.score)  # type: ignore[union-attr]
                reasons = reasons or list(j.verdict.reasons)  # type: ignore[union-attr]
                cost += j.cost_usd or 0.0
        except (llm.LLMError, llm.LLMUnavailable) as e:
            errors.append(f"line {line.line}: the judge failed on {line.id!r}: {e}")
            continue
        row = {"id": line.id, "score": round(sum(scores) / len(scores)), "reasons": reasons}
        if repeat > 1:
            row |= {"samples": scores, "spread": max(scores) - min(scores)}
        if line.label is not None:
            row["label"] = line.label
        extra = {k: v for k, v in (line.model_extra or {}).items() if k not in row}
        items.append(row | extra)
        if progress:
            progress(done, len(lines))
    out: dict = {"judge": judge.label, "items": items, "agreement": agreement_of(items),
                 "errors": errors, "cost_usd": round(cost, 6)}
    if samples > 1:
        out["sampling"] = ({"samples": repeat, "changed_share": (
            sum(r["spread"] > 0 for r in items) / len(items) if items else 0.0),
            "max_spread": max((r["spread"] for r in items), default=0)} if repeat > 1 else
            {"samples": 1, "note": f"{judge.label} is deterministic: every sample is the same"})
    return out


def agreement_of(items: list[dict]) -> dict:
    """Agreement of scores with labels, overall and per kind when the items carry one."""
    labelled = [r for r in items if r.get("label") is not None]
    if len(labelled) < 2:
        return {"n": len(labelled), "note": "fewer than two labelled items"}
    a = agreement([r["label"] for r in labelled], [r["score"] for r in labelled], SCALE)
    out = {k: v for k, v in asdict(a).items()}
    kinds = defaultdict(list)
    for r in labelled:
        if "kind" in r:
            kinds[r["kind"]].append(r)
    if kinds:
        out["by_kind"] = {k: {"n": len(rs), "mean_label": sum(r["label"] for r in rs) / len(rs),
                              "mean_score": sum(r["score"] for r in rs) / len(rs),
                              "exact_share": sum(r["label"] == r["score"] for r in rs) / len(rs)}
                          for k, rs in sorted(kinds.items())}
    return out
