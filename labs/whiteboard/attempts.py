"""Attempts, drafts, history and flashcards for the whiteboard, in the progress store.

`submit()` is the one path the page, the mock interview and the CLI use: it saves the
attempt (answer, prompt, mode, questions asked with their times, phase times), then grades
it, then stores the grade, then turns missed rubric items into flashcards. A grader that
fails leaves the attempt saved with `error` set and raises `GradingFailed` holding its id.

Also: drafts autosaved per learner and prompt, the history with its score trend, two
attempts side by side per rubric item (both as rows and as plotly figures; plotly is
imported inside the functions that draw).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from labs.store.db import Store
from labs.store.models import DesignAttempt, DesignAttemptWorkshop, DesignDraft, utcnow
from labs.whiteboard.grader import Grade
from labs.whiteboard.models import DesignPrompt
from labs.whiteboard.rubric import ITEM_TITLES, LEVELS

MODULE_ID = "system-design"


class GradingFailed(Exception):
    """The attempt was saved but could not be graded; `attempt_id` finds it again."""

    def __init__(self, message: str, attempt_id: int):
        super().__init__(message)
        self.attempt_id = attempt_id


def save_attempt(store: Store, learner_id: int, prompt_id: str, answer_text: str, *,
                 mode: str = "whiteboard", answer_json: str | None = None,
                 questions: Sequence[dict] = (), phases: dict | None = None,
                 workshop_id: int | None = None) -> int:
    """Store the attempt before anything grades it; returns its id."""
    with store.session() as s:
        row = DesignAttempt(learner_id=learner_id, prompt_id=prompt_id, mode=mode,
                            answer_text=answer_text, answer_json=answer_json,
                            questions_json=json.dumps(list(questions)),
                            phases_json=json.dumps(phases or {}))
        s.add(row)
        s.flush()
        if workshop_id is not None:
            s.add(DesignAttemptWorkshop(attempt_id=row.id, workshop_id=workshop_id))
        return int(row.id)  # type: ignore[arg-type]


def record_grade(store: Store, attempt_id: int, grade: Grade) -> None:
    with store.session() as s:
        row = s.get(DesignAttempt, attempt_id)
        if row is None:
            raise KeyError(f"no attempt {attempt_id}")
        row.grade_json = grade.model_dump_json()
        row.total, row.level, row.provider = grade.total, grade.level, grade.provider
        row.graded_at, row.error = utcnow(), None
        s.add(row)


def record_error(store: Store, attempt_id: int, message: str) -> None:
    with store.session() as s:
        row = s.get(DesignAttempt, attempt_id)
        if row is not None:
            row.error = message[:300]
            s.add(row)


def cards_from_misses(store: Store, learner_id: int, prompt: DesignPrompt, grade: Grade) -> int:
    """One flashcard per rubric item under half marks (once per prompt and item)."""
    from labs.curriculum.practice import add_custom_card

    n = 0
    for item in grade.missed():
        front = f"{prompt.title}: {ITEM_TITLES.get(item.id, item.id)} — what should you cover?"
        back = item.feedback or "Review this part of the rubric."
        if item.id == "trap":
            back = f"The trap: {prompt.trap.strip()}"
        add_custom_card(store, learner_id, card_id=f"rubric-{prompt.id}-{item.id}"[:96],
                        module_id=MODULE_ID, source="rubric-miss", front=front, back=back)
        n += 1
    return n


def submit(store: Store, learner_id: int, prompt: DesignPrompt, answer_text: str, *,
           mode: str = "whiteboard", answer_json: str | None = None,
           questions: Sequence[dict] = (), phases: dict | None = None, config: Any = None,
           embedder: Any = None, workshop_id: int | None = None) -> tuple[int, Grade]:
    """Save, grade, store the grade, make flashcards. Returns (attempt id, grade)."""
    from labs.whiteboard.service import grade_answer

    if not answer_text.strip():
        raise ValueError("The answer is empty: write or paste something to grade.")
    attempt_id = save_attempt(store, learner_id, prompt.id, answer_text, mode=mode,
                              answer_json=answer_json, questions=questions, phases=phases,
                              workshop_id=workshop_id)
    try:
        g = grade_answer(prompt, answer_text, config=config, mode=mode, questions_asked=questions,
                  embedder=embedder, learner_id=learner_id)
    except Exception as e:  # any grader failure: the attempt stays saved
        msg = f"{type(e).__name__}: {e}"
        record_error(store, attempt_id, msg)
        raise GradingFailed(f"Your answer is saved (attempt {attempt_id}) but grading failed: "
                            f"{e}", attempt_id) from e
    record_grade(store, attempt_id, g)
    cards_from_misses(store, learner_id, prompt, g)
    return attempt_id, g


@dataclass(frozen=True)
class AttemptRow:
    id: int
    prompt_id: str
    mode: str
    created_at: Any
    total: int | None
    level: str | None
    provider: str | None
    error: str | None
    answer_text: str
    questions: list[dict]
    phases: dict
    grade: Grade | None


def _row(a: DesignAttempt) -> AttemptRow:
    return AttemptRow(int(a.id), a.prompt_id, a.mode, a.created_at, a.total, a.level,  # type: ignore[arg-type]
                      a.provider, a.error, a.answer_text, json.loads(a.questions_json or "[]"),
                      json.loads(a.phases_json or "{}"),
                      Grade.model_validate_json(a.grade_json) if a.grade_json else None)


def history(store: Store, learner_id: int, prompt_id: str | None = None) -> list[AttemptRow]:
    """The learner's attempts, oldest first (optionally for one prompt)."""
    with store.session() as s:
        q = select(DesignAttempt).where(DesignAttempt.learner_id == learner_id)
        if prompt_id:
            q = q.where(DesignAttempt.prompt_id == prompt_id)
        return [_row(a) for a in s.exec(q.order_by(col(DesignAttempt.created_at),
                                                   col(DesignAttempt.id)))]


def workshop_attempts(store: Store, workshop_id: int) -> list[dict[str, Any]]:
    """A workshop's design attempts for its dashboard: prompt, learner, total, level, time,
    `grader` (which grader produced the score, e.g. "offline rubric grader v2" or
    "llm:anthropic:claude-haiku-4-5") and the titles of the rubric items under half marks."""
    with store.session() as s:
        rows = s.exec(select(DesignAttempt).join(
            DesignAttemptWorkshop, DesignAttemptWorkshop.attempt_id == DesignAttempt.id)
            .where(DesignAttemptWorkshop.workshop_id == workshop_id)
            .order_by(col(DesignAttempt.created_at))).all()
    out = []
    for a in rows:
        g = Grade.model_validate_json(a.grade_json) if a.grade_json else None
        out.append({"attempt_id": a.id, "prompt_id": a.prompt_id, "learner_id": a.learner_id,
                    "mode": a.mode, "created_at": a.created_at, "total": a.total,
                    "level": a.level, "provider": a.provider,
                    "grader": (g.grader if g else None) or a.provider,
                    "missed_items": [i.title for i in g.missed()] if g else []})
    return out


def compare(a: Grade, b: Grade) -> list[dict[str, Any]]:
    """Per rubric item: both scores (as a share of the max) and the change from a to b."""
    by_a, by_b = {i.id: i for i in a.items}, {i.id: i for i in b.items}
    rows = []
    for item_id in {**by_a, **by_b}:
        ia, ib = by_a.get(item_id), by_b.get(item_id)
        rows.append({"item": ITEM_TITLES.get(item_id, item_id),
                     "a": ia.score if ia else None, "b": ib.score if ib else None,
                     "max": (ia or ib).max,  # type: ignore[union-attr]
                     "change": (ib.score - ia.score) if ia and ib else None})
    return rows


def trend_figure(rows: Sequence[AttemptRow]):
    """Total score per attempt (in order), one line per prompt."""
    import plotly.graph_objects as go

    fig = go.Figure()
    graded = [r for r in rows if r.total is not None]
    for pid in dict.fromkeys(r.prompt_id for r in graded):
        pts = [r for r in graded if r.prompt_id == pid]
        fig.add_trace(go.Scatter(x=[f"#{r.id}" for r in pts], y=[r.total for r in pts],
                                 mode="lines+markers", name=pid,
                                 text=[f"{r.created_at:%Y-%m-%d %H:%M} · {r.level} · {r.provider}"
                                       for r in pts],
                                 hovertemplate="%{x}: %{y}<br>%{text}<extra></extra>"))
    for y, name in LEVELS[:-1]:  # the bands' floors; the lowest is 0
        fig.add_hline(y=y, line_dash="dot", line_color="grey", annotation_text=name)
    fig.update_layout(yaxis={"range": [0, 100], "title": "total"}, xaxis_title="attempt",
                      height=320, margin={"t": 20, "b": 30})
    return fig


def compare_figure(a: AttemptRow, b: AttemptRow):
    """Two attempts side by side, per rubric item, as a share of each item's max."""
    import plotly.graph_objects as go

    assert a.grade is not None and b.grade is not None
    rows = compare(a.grade, b.grade)
    fig = go.Figure()
    for key, name in (("a", f"#{a.id}"), ("b", f"#{b.id}")):
        fig.add_trace(go.Bar(y=[r["item"] for r in rows], orientation="h", name=name,
                             x=[(r[key] or 0) / r["max"] for r in rows],
                             text=[f"{r[key]:g}/{r['max']:g}" if r[key] is not None else "–"
                                   for r in rows]))
    fig.update_layout(barmode="group", xaxis={"range": [0, 1], "title": "share of max"},
                      height=420, margin={"t": 20, "b": 30}, yaxis={"autorange": "reversed"})
    return fig


def save_draft(store: Store, learner_id: int, prompt_id: str, draft: dict) -> None:
    """Upsert the learner's draft for this prompt."""
    payload = json.dumps(draft)
    with store.session() as s:
        row = s.exec(select(DesignDraft).where(DesignDraft.learner_id == learner_id,
                                               DesignDraft.prompt_id == prompt_id)).first()
        if row is None:
            row = DesignDraft(learner_id=learner_id, prompt_id=prompt_id, draft_json=payload)
        elif row.draft_json == payload:
            return
        row.draft_json, row.updated_at = payload, utcnow()
        s.add(row)


def load_draft(store: Store, learner_id: int, prompt_id: str) -> dict | None:
    with store.session() as s:
        row = s.exec(select(DesignDraft).where(DesignDraft.learner_id == learner_id,
                                               DesignDraft.prompt_id == prompt_id)).first()
    if row is None:
        return None
    try:
        data = json.loads(row.draft_json)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
