"""Live questions: the instructor pushes one quiz question to the room, learners answer within
an optional timer, the answers arrive on the instructor's screen, then the reveal.

The state is rows in the store (`live_question`, `live_answer`), read by every screen on a
short poll, so it works the same across sessions, processes and replicas. Each learner
answers once; the answer is also stored as an ordinary quiz answer through
`labs.workshop.submit_quiz_answer`, so it counts on the dashboard, the learner's results and
their flashcards like any other. Pushing a new question ends the previous one.

Leaves out: server push (the screens poll, see BENCHMARKS.md for the latency it gives).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from labs.curriculum.loader import Curriculum
from labs.store import Store
from labs.store.models import LiveAnswer, LiveQuestion, WorkshopMember, utcnow
from labs.workshop import (
    InstructorAccess,
    WorkshopError,
    _get,
    _require,
    is_running,
    quiz_choices,
    submit_quiz_answer,
)

MAX_SECONDS = 3600


@dataclass(frozen=True)
class LiveView:
    """What one screen shows of the room's live question."""

    live_id: int
    question_id: str
    prompt: str
    options: list[str]
    seconds_left: int | None  # None: no timer
    accepting: bool  # answers are still taken
    revealed: bool
    answered: int  # learners who answered (the instructor's view; 0 in a learner's)
    joined: int  # the instructor's view; 0 in a learner's
    correct: int | None = None  # only once revealed
    explanation: str | None = None  # only once revealed
    counts: list[int] = field(default_factory=list)  # per option; the instructor's view only
    my_choice: int | None = None  # the learner's view only


def _aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def push_live_question(store: Store, curriculum: Curriculum, access: InstructorAccess,
                       question_id: str, *, seconds: int | None = None,
                       now: datetime | None = None) -> int:
    """Show `question_id` (from the workshop's modules) to the room now; returns its live id."""
    workshop_id = _require(access)
    ws = _get(store, workshop_id)
    now = now or utcnow()
    if not is_running(ws, now):
        raise WorkshopError("The workshop is not running: live questions go out only during it.")
    if question_id not in quiz_choices(curriculum, ws):
        raise WorkshopError(f"{question_id!r} is not a quiz question of this workshop's modules.")
    if seconds is not None and not 5 <= seconds <= MAX_SECONDS:
        raise WorkshopError(f"A timer runs from 5 to {MAX_SECONDS} seconds (or none at all).")
    row = LiveQuestion(workshop_id=workshop_id, question_id=question_id, pushed_at=now,
                       closes_at=now + timedelta(seconds=seconds) if seconds else None)

    def write(s):  # type: ignore[no-untyped-def]
        for old in s.exec(select(LiveQuestion).where(LiveQuestion.workshop_id == workshop_id,
                                                     col(LiveQuestion.revealed_at).is_(None))):
            old.closes_at = min(_aware(old.closes_at) or now, now)  # ends, unrevealed
            s.add(old)
        s.add(row)
        s.flush()
        return int(row.id)  # type: ignore[arg-type]

    return store.write(write)


def _current(store: Store, workshop_id: int) -> LiveQuestion | None:
    with store.session() as s:
        return s.exec(select(LiveQuestion).where(LiveQuestion.workshop_id == workshop_id)
                      .order_by(col(LiveQuestion.id).desc())).first()


def _accepting(row: LiveQuestion, now: datetime) -> bool:
    closes = _aware(row.closes_at)
    return row.revealed_at is None and (closes is None or now < closes)


def answer_live_question(store: Store, curriculum: Curriculum, member: WorkshopMember,
                         live_id: int, chosen: int, *, now: datetime | None = None) -> None:
    """One answer per learner, while the question is the room's current one and open."""
    now = now or utcnow()
    row = _current(store, member.workshop_id)
    if row is None or row.id != live_id:
        raise WorkshopError("That question is no longer live: the instructor moved on.")
    if not _accepting(row, now):
        raise WorkshopError("Time is up for this question: answers are closed.")
    question = curriculum.questions()[row.question_id]
    if not 0 <= chosen < len(question.options):
        raise WorkshopError("Pick one of the options.")
    try:
        with store.session() as s:
            s.add(LiveAnswer(live_id=live_id, learner_id=member.learner_id, chosen=chosen,
                             answered_at=now))
    except IntegrityError as e:
        raise WorkshopError("You already answered this question.") from e
    submit_quiz_answer(store, curriculum, member.learner_id, row.question_id, chosen,
                       workshop_id=member.workshop_id, now=now)


def reveal_live_question(store: Store, access: InstructorAccess, live_id: int, *,
                         now: datetime | None = None) -> None:
    """Close answers and show everyone the right option and why."""
    workshop_id = _require(access)
    now = now or utcnow()

    def write(s):  # type: ignore[no-untyped-def]
        row = s.get(LiveQuestion, live_id)
        if row is None or row.workshop_id != workshop_id:
            raise WorkshopError("No such live question in this workshop.")
        if row.revealed_at is None:
            row.revealed_at = now
            s.add(row)

    store.write(write)


def _view(store: Store, curriculum: Curriculum, workshop_id: int, now: datetime, *,
          learner_id: int | None) -> LiveView | None:
    """One short read: the current question and either the room's answers (instructor) or only
    this learner's own (a learner's page polls every second, so it reads as little as it can)."""
    with store.session() as s:
        row = s.exec(select(LiveQuestion).where(LiveQuestion.workshop_id == workshop_id)
                     .order_by(col(LiveQuestion.id).desc())).first()
        if row is None:
            return None
        answers = select(LiveAnswer).where(LiveAnswer.live_id == row.id)
        if learner_id is not None:
            answers = answers.where(LiveAnswer.learner_id == learner_id)
        found = list(s.exec(answers))
        joined = 0 if learner_id is not None else s.exec(
            select(func.count()).select_from(WorkshopMember).where(
                WorkshopMember.workshop_id == workshop_id)).one()
    q = curriculum.questions()[row.question_id]
    closes = _aware(row.closes_at)
    left = None if closes is None else max(0, math.ceil((closes - now).total_seconds()))
    revealed = row.revealed_at is not None
    counts = [0] * len(q.options)
    for a in found:
        counts[a.chosen] += 1
    return LiveView(
        live_id=int(row.id), question_id=q.id, prompt=q.prompt,  # type: ignore[arg-type]
        options=[o.text for o in q.options], seconds_left=left,
        accepting=_accepting(row, now), revealed=revealed,
        answered=len(found) if learner_id is None else 0, joined=int(joined),
        correct=q.answer if revealed else None,
        explanation=q.options[q.answer].explanation if revealed else None,
        counts=counts if learner_id is None else [],
        my_choice=found[0].chosen if learner_id is not None and found else None)


def learner_view(store: Store, curriculum: Curriculum, member: WorkshopMember,
                 now: datetime | None = None) -> LiveView | None:
    """The room's current live question as this learner sees it (no one else's answers)."""
    return _view(store, curriculum, member.workshop_id, now or utcnow(),
                 learner_id=member.learner_id)


def instructor_view(store: Store, curriculum: Curriculum, access: InstructorAccess,
                    now: datetime | None = None) -> LiveView | None:
    """The current live question with its answer distribution so far."""
    return _view(store, curriculum, _require(access), now or utcnow(), learner_id=None)
