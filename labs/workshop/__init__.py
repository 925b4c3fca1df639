"""Instructor-led workshops: create with a passphrase, join by code, watch the room, export CSV.

Access rules live here, not in the pages: the dashboard and the export need the instructor's
passphrase; a learner's view is built from their own rows only. What the dashboard shows is
computed by plain functions (`dashboard`), so it is tested without Streamlit's fragments.
Whiteboard grades join the dashboard through `labs.whiteboard`'s attempt table when present.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from labs.curriculum.loader import Curriculum
from labs.curriculum.practice import AttemptResult, record_quiz_answer
from labs.store import Store, get_or_create_learner
from labs.store.learners import clean_name
from labs.store.models import QuizAttempt, Workshop, WorkshopMember, utcnow
from labs.workshop.security import (
    hash_passphrase,
    new_join_code,
    normalise_code,
    verify_passphrase,
)


class WorkshopError(ValueError):
    """A refusal the person can act on: wrong code, expired workshop, name taken."""


class AccessDenied(WorkshopError):
    """Wrong passphrase, or a learner reaching for someone else's work."""


def module_ids_of(ws: Workshop) -> list[str]:
    return list(json.loads(ws.module_ids))


def prompt_ids_of(ws: Workshop) -> list[str]:
    return list(json.loads(ws.prompt_ids))


def is_running(ws: Workshop, now: datetime | None = None) -> bool:
    return ws.starts_at <= (now or utcnow()) <= ws.ends_at


def create_workshop(
    store: Store, *, title: str, passphrase: str, starts_at: datetime, ends_at: datetime,
    module_ids: list[str], prompt_ids: list[str] | None = None,
    curriculum: Curriculum | None = None,
) -> Workshop:
    title = " ".join(title.split())
    if not title:
        raise WorkshopError("Give the workshop a title.")
    if ends_at <= starts_at:
        raise WorkshopError("The workshop must end after it starts.")
    if curriculum is not None:
        unknown = sorted(set(module_ids) - {m.id for m in curriculum.modules})
        if unknown:
            raise WorkshopError(f"Unknown module id(s): {', '.join(unknown)}")
    pw_hash = hash_passphrase(passphrase)  # raises ValueError when too short
    for _ in range(10):
        ws = Workshop(code=new_join_code(), title=title[:120], module_ids=json.dumps(module_ids),
                      prompt_ids=json.dumps(prompt_ids or []), starts_at=starts_at,
                      ends_at=ends_at, passphrase_hash=pw_hash)
        try:
            with store.session() as s:
                s.add(ws)
                s.flush()
                s.refresh(ws)
            return ws
        except IntegrityError:
            continue  # a code collision: draw again
    raise WorkshopError("Could not draw a free join code; try again.")


def find_workshop(store: Store, code: str) -> Workshop:
    if not normalise_code(code):
        raise WorkshopError("Enter the six-character join code your instructor gave you.")
    with store.session() as s:
        ws = s.exec(select(Workshop).where(Workshop.code == normalise_code(code))).first()
    if ws is None:
        raise WorkshopError("No workshop has that join code. Check it with your instructor.")
    return ws


_GRANT = object()


class InstructorAccess:
    """Proof that the passphrase was given; the dashboard and the export require one."""

    def __init__(self, workshop: Workshop, grant: object):
        if grant is not _GRANT:
            raise AccessDenied("Instructor access is granted only by the passphrase.")
        self.workshop = workshop

    @property
    def workshop_id(self) -> int:
        assert self.workshop.id is not None
        return self.workshop.id


def _require(access: object) -> int:
    if not isinstance(access, InstructorAccess):
        raise AccessDenied("Only the workshop's instructor can open the dashboard or export.")
    return access.workshop_id


def open_as_instructor(store: Store, code: str, passphrase: str) -> InstructorAccess:
    ws = find_workshop(store, code)
    if not verify_passphrase(passphrase, ws.passphrase_hash):
        raise AccessDenied("Wrong instructor passphrase for this workshop.")
    return InstructorAccess(ws, _GRANT)


def join_workshop(
    store: Store, code: str, display_name: str, *, now: datetime | None = None,
) -> tuple[Workshop, WorkshopMember]:
    """Join by code and name; a name already taken in the workshop is refused."""
    now = now or utcnow()
    ws = find_workshop(store, code)
    if now < ws.starts_at:
        raise WorkshopError(f"This workshop opens at {ws.starts_at:%Y-%m-%d %H:%M} UTC.")
    if now > ws.ends_at:
        raise WorkshopError("This workshop has ended; its join code no longer works.")
    name = clean_name(display_name)
    with store.session() as s:
        taken = s.exec(select(WorkshopMember).where(
            WorkshopMember.workshop_id == ws.id, WorkshopMember.display_name == name)).first()
    if taken is not None:
        raise WorkshopError(f"Someone in this workshop already goes by {name!r}; pick another "
                            "name, or reopen your own link to continue as yourself.")
    # Each membership gets its own learner row, so two workshops' "Sam" never share work.
    learner = get_or_create_learner(store, f"{name} · {ws.code} · {secrets.token_hex(3)}")
    member = WorkshopMember(workshop_id=ws.id, learner_id=learner.id, display_name=name,
                            token=secrets.token_urlsafe(24))
    try:
        with store.session() as s:
            s.add(member)
            s.flush()
            s.refresh(member)
    except IntegrityError as e:
        raise WorkshopError(f"Someone just joined as {name!r}; pick another name.") from e
    return ws, member


def resume_membership(store: Store, token: str) -> tuple[Workshop, WorkshopMember]:
    with store.session() as s:
        member = s.exec(select(WorkshopMember).where(WorkshopMember.token == token)).first()
        ws = s.get(Workshop, member.workshop_id) if member else None
    if member is None or ws is None:
        raise WorkshopError("That workshop link is not valid any more; join again with the code.")
    return ws, member


def submit_quiz_answer(
    store: Store, curriculum: Curriculum, member: WorkshopMember, question_id: str, chosen: int,
    *, now: datetime | None = None,
) -> AttemptResult:
    """A quiz answer inside the workshop: attached to it while it runs, kept even after."""
    ws = _get(store, member.workshop_id)
    now = now or utcnow()
    return record_quiz_answer(store, curriculum, member.learner_id, question_id, chosen,
                              workshop_id=ws.id if is_running(ws, now) else None)


def _get(store: Store, workshop_id: int) -> Workshop:
    with store.session() as s:
        ws = s.get(Workshop, workshop_id)
    if ws is None:
        raise WorkshopError(f"Unknown workshop {workshop_id}.")
    return ws


@dataclass
class MissedQuestion:
    question_id: str
    prompt: str
    wrong: int
    total: int
    wrong_options: Counter = field(default_factory=Counter)  # option text → times chosen


@dataclass
class Dashboard:
    workshop: Workshop
    learners: list[str]
    quiz_attempts: int
    quiz_accuracy_by_learner: dict[str, float]
    missed_questions: list[MissedQuestion]
    design_submissions: dict[str, int]  # prompt id → submissions
    design_scores: dict[str, list[float]]  # prompt id → totals
    missed_rubric_items: Counter


def _members(store: Store, workshop_id: int) -> list[WorkshopMember]:
    with store.session() as s:
        return list(s.exec(select(WorkshopMember).where(
            WorkshopMember.workshop_id == workshop_id).order_by(col(WorkshopMember.joined_at))))


def _quiz_rows(store: Store, workshop_id: int) -> list[QuizAttempt]:
    with store.session() as s:
        return list(s.exec(select(QuizAttempt).where(QuizAttempt.workshop_id == workshop_id)
                           .order_by(col(QuizAttempt.created_at))))


def design_rows(store: Store, workshop_id: int) -> list[dict]:
    """Whiteboard attempts of the workshop as plain dicts (prompt, learner, total, missed items)."""
    from labs.whiteboard.attempts import workshop_attempts

    return workshop_attempts(store, workshop_id)


def dashboard(store: Store, curriculum: Curriculum, access: InstructorAccess) -> Dashboard:
    workshop_id = _require(access)
    ws = _get(store, workshop_id)
    members = _members(store, workshop_id)
    name_of = {m.learner_id: m.display_name for m in members}
    attempts = _quiz_rows(store, workshop_id)
    questions = curriculum.questions()

    per_learner: dict[str, list[bool]] = {}
    for a in attempts:
        per_learner.setdefault(name_of.get(a.learner_id, "?"), []).append(a.correct)
    missed: dict[str, MissedQuestion] = {}
    for a in attempts:
        q = questions.get(a.question_id)
        mq = missed.setdefault(a.question_id, MissedQuestion(
            a.question_id, q.prompt if q else a.question_id, 0, 0))
        mq.total += 1
        if not a.correct:
            mq.wrong += 1
            text = q.options[a.chosen].text if q and a.chosen < len(q.options) else str(a.chosen)
            mq.wrong_options[text] += 1
    ranked = sorted((m for m in missed.values() if m.wrong),
                    key=lambda m: (-m.wrong, m.question_id))

    subs: Counter = Counter()
    scores: dict[str, list[float]] = {}
    rubric_misses: Counter = Counter()
    for row in design_rows(store, workshop_id):
        subs[row["prompt_id"]] += 1
        if row.get("total") is not None:
            scores.setdefault(row["prompt_id"], []).append(float(row["total"]))
        rubric_misses.update(row.get("missed_items", []))
    return Dashboard(
        workshop=ws, learners=[m.display_name for m in members], quiz_attempts=len(attempts),
        quiz_accuracy_by_learner={n: sum(v) / len(v) for n, v in per_learner.items()},
        missed_questions=ranked, design_submissions=dict(subs), design_scores=scores,
        missed_rubric_items=rubric_misses,
    )


EXPORT_COLUMNS = ["kind", "learner", "time_utc", "module_or_prompt", "item", "answer", "correct",
                  "score"]


def export_csv(store: Store, curriculum: Curriculum, access: InstructorAccess) -> str:
    """Submissions and scores of one workshop. Only display names: no tokens, hashes or keys."""
    workshop_id = _require(access)
    members = _members(store, workshop_id)
    name_of = {m.learner_id: m.display_name for m in members}
    questions = curriculum.questions()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(EXPORT_COLUMNS)
    for a in _quiz_rows(store, workshop_id):
        q = questions.get(a.question_id)
        answer = q.options[a.chosen].text if q and a.chosen < len(q.options) else str(a.chosen)
        w.writerow(["quiz", name_of.get(a.learner_id, "?"),
                    f"{a.created_at:%Y-%m-%d %H:%M:%S}", a.module_id, a.question_id,
                    answer, int(a.correct), ""])
    for row in design_rows(store, workshop_id):
        w.writerow(["design", name_of.get(row["learner_id"], "?"),
                    f"{row['created_at']:%Y-%m-%d %H:%M:%S}", row["prompt_id"], "total",
                    row.get("level") or "", "", "" if row["total"] is None else row["total"]])
    return buf.getvalue()


def own_results(store: Store, member: WorkshopMember) -> list[QuizAttempt]:
    """A learner's own attempts in their workshop: the only rows a learner view reads."""
    with store.session() as s:
        return list(s.exec(select(QuizAttempt).where(
            QuizAttempt.learner_id == member.learner_id,
            QuizAttempt.workshop_id == member.workshop_id).order_by(col(QuizAttempt.created_at))))
