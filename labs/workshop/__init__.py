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
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, select

from labs.curriculum.loader import Curriculum
from labs.curriculum.practice import AttemptResult, record_quiz_answer
from labs.store import Store, get_or_create_learner
from labs.store.learners import clean_name
from labs.store.models import (
    DesignAttempt,
    DesignAttemptWorkshop,
    QuizAttempt,
    Workshop,
    WorkshopMember,
    utcnow,
)
from labs.workshop import throttle
from labs.workshop.names import name_key
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


def _aware(dt: datetime) -> datetime:
    """Times read back from a database without time zones are UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def is_running(ws: Workshop, now: datetime | None = None) -> bool:
    return _aware(ws.starts_at) <= (now or utcnow()) <= _aware(ws.ends_at)


def workshop_prompt_ids(store: Store, workshop_id: int | None) -> list[str]:
    """The design prompts of the learner's workshop, in the instructor's order (the whiteboard
    lists them first); [] outside a workshop."""
    if workshop_id is None:
        return []
    with store.session() as s:
        ws = s.get(Workshop, workshop_id)
    return prompt_ids_of(ws) if ws is not None else []


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


def _client_keys(prefix: str, client: str | None) -> list[str]:
    return [f"{prefix}:client:{client}"] if client else []


def find_workshop(store: Store, code: str, *, client: str | None = None) -> Workshop:
    """The workshop with this join code. Failed lookups back off per client and server-wide,
    so codes cannot be enumerated (`client` is the caller's address, when known)."""
    if not normalise_code(code):
        raise WorkshopError("Enter the six-character join code your instructor gave you.")
    keys = _client_keys("code", client)
    try:
        throttle.check(store, throttle.CODE_LOOKUP, keys)
        throttle.check(store, throttle.CODE_LOOKUP_ALL, ["code:all"])
    except throttle.TooManyAttempts as e:
        raise WorkshopError(str(e)) from e
    with store.session() as s:
        ws = s.exec(select(Workshop).where(Workshop.code == normalise_code(code))).first()
    if ws is None:
        throttle.fail(store, throttle.CODE_LOOKUP, keys)
        throttle.fail(store, throttle.CODE_LOOKUP_ALL, ["code:all"])
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


def open_as_instructor(store: Store, code: str, passphrase: str, *,
                       client: str | None = None) -> InstructorAccess:
    """Passphrase attempts back off per workshop and per client after a few failures; while
    a key waits even the right passphrase is refused, with how long to wait."""
    ws = find_workshop(store, code, client=client)
    keys = [f"pass:ws:{ws.id}", *_client_keys("pass", client)]
    try:
        throttle.check(store, throttle.PASSPHRASE, keys)
    except throttle.TooManyAttempts as e:
        raise AccessDenied(str(e)) from e
    if not verify_passphrase(passphrase, ws.passphrase_hash):
        throttle.fail(store, throttle.PASSPHRASE, keys)
        raise AccessDenied("Wrong instructor passphrase for this workshop.")
    throttle.clear(store, keys)
    return InstructorAccess(ws, _GRANT)


def join_workshop(
    store: Store, code: str, display_name: str, *, now: datetime | None = None,
    client: str | None = None,
) -> tuple[Workshop, WorkshopMember]:
    """Join by code and name. The name is normalised (labs.store.learners.clean_name) and
    refused when it is, or looks like, one already taken in the workshop."""
    now = now or utcnow()
    ws = find_workshop(store, code, client=client)
    if now < _aware(ws.starts_at):
        raise WorkshopError(f"This workshop opens at {ws.starts_at:%Y-%m-%d %H:%M} UTC.")
    if now > _aware(ws.ends_at):
        raise WorkshopError("This workshop has ended; its join code no longer works.")
    name, key = clean_name(display_name), name_key(display_name)
    with store.session() as s:
        taken = s.exec(select(WorkshopMember).where(
            WorkshopMember.workshop_id == ws.id,
            or_(WorkshopMember.name_key == key, WorkshopMember.display_name == name))).first()
    if taken is not None:
        raise WorkshopError(f"Someone in this workshop already goes by {taken.display_name!r} "
                            "(or a name that looks the same); pick another name, or reopen "
                            "your own link to continue as yourself.")
    # Each membership gets its own learner row, so two workshops' "Sam" never share work.
    learner = get_or_create_learner(store, f"{name[:60]} · {ws.code} · {secrets.token_hex(3)}")
    member = WorkshopMember(workshop_id=ws.id, learner_id=learner.id, display_name=name,
                            name_key=key, token=secrets.token_urlsafe(24))
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
    store: Store, curriculum: Curriculum, learner_id: int, question_id: str, chosen: int,
    *, workshop_id: int | None = None, now: datetime | None = None,
) -> AttemptResult:
    """Every quiz answer given inside a workshop (module page, live question, CLI): stored
    like any answer, and attached to the workshop only while it runs and only when the
    learner is one of its members. An answer given after the end is kept, unattached."""
    attach = None
    if workshop_id is not None:
        with store.session() as s:
            ws = s.get(Workshop, workshop_id)
            member = s.exec(select(WorkshopMember).where(
                WorkshopMember.workshop_id == workshop_id,
                WorkshopMember.learner_id == learner_id)).first()
        if ws is not None and member is not None and is_running(ws, now):
            attach = workshop_id
    return record_quiz_answer(store, curriculum, learner_id, question_id, chosen,
                              workshop_id=attach)


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


@dataclass(frozen=True)
class DesignRow:
    """A design attempt of the workshop, with the grader that produced its score."""

    attempt_id: int
    learner_id: int
    prompt_id: str
    created_at: datetime
    total: int | None
    level: str | None
    grader: str  # "offline/rubric", "anthropic/claude-…", or "not graded: <why>"
    items: list[dict]  # [{"id", "title", "score", "max"}] per rubric item

    @property
    def missed_items(self) -> list[str]:
        """Titles of the rubric items under half marks."""
        return [i["title"] for i in self.items if i["score"] < i["max"] / 2]


def grader_of(attempt: DesignAttempt, grade: dict | None) -> str:
    """Who scored it: a `grader` column or grade field when the whiteboard records one, else
    the provider and model the grade carries."""
    if named := getattr(attempt, "grader", None) or (grade or {}).get("grader"):
        return str(named)
    if grade is None:
        return f"not graded: {attempt.error}" if attempt.error else "not graded yet"
    return f"{grade.get('provider') or attempt.provider or '?'}/{grade.get('model') or '?'}"


def design_rows(store: Store, workshop_id: int, learner_id: int | None = None) -> list[DesignRow]:
    """Whiteboard attempts submitted in the workshop (optionally one learner's), oldest first."""
    q = (select(DesignAttempt).join(DesignAttemptWorkshop,
                                    DesignAttemptWorkshop.attempt_id == DesignAttempt.id)
         .where(DesignAttemptWorkshop.workshop_id == workshop_id))
    if learner_id is not None:
        q = q.where(DesignAttempt.learner_id == learner_id)
    with store.session() as s:
        rows = s.exec(q.order_by(col(DesignAttempt.created_at), col(DesignAttempt.id))).all()
    out = []
    for a in rows:
        grade = json.loads(a.grade_json) if a.grade_json else None
        items = [{"id": i["id"], "title": i.get("title", i["id"]), "score": float(i["score"]),
                  "max": float(i["max"])} for i in (grade or {}).get("items", [])]
        out.append(DesignRow(int(a.id), a.learner_id, a.prompt_id, a.created_at,  # type: ignore[arg-type]
                             a.total, a.level, grader_of(a, grade), items))
    return out


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
    design_table: list[dict] = field(default_factory=list)  # learner, prompt, score, grader
    help_first: list[dict] = field(default_factory=list)  # learner, reason


def _members(store: Store, workshop_id: int) -> list[WorkshopMember]:
    with store.session() as s:
        return list(s.exec(select(WorkshopMember).where(
            WorkshopMember.workshop_id == workshop_id).order_by(col(WorkshopMember.joined_at))))


def _quiz_rows(store: Store, workshop_id: int) -> list[QuizAttempt]:
    with store.session() as s:
        return list(s.exec(select(QuizAttempt).where(QuizAttempt.workshop_id == workshop_id)
                           .order_by(col(QuizAttempt.created_at))))


def dashboard(store: Store, curriculum: Curriculum, access: InstructorAccess,
              *, now: datetime | None = None, prompt_titles: dict[str, str] | None = None,
              ) -> Dashboard:
    workshop_id = _require(access)
    ws = _get(store, workshop_id)
    members = _members(store, workshop_id)
    name_of = {m.learner_id: m.display_name for m in members}
    attempts = _quiz_rows(store, workshop_id)
    questions = curriculum.questions()
    titles = prompt_titles or {}

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
            mq.wrong_options[_option_text(q, a.chosen)] += 1
    ranked = sorted((m for m in missed.values() if m.wrong),
                    key=lambda m: (-m.wrong, m.question_id))

    subs: Counter = Counter()
    scores: dict[str, list[float]] = {}
    rubric_misses: Counter = Counter()
    table = []
    designs = design_rows(store, workshop_id)
    for row in designs:
        subs[row.prompt_id] += 1
        if row.total is not None:
            scores.setdefault(row.prompt_id, []).append(float(row.total))
        rubric_misses.update(row.missed_items)
        table.append({"learner": name_of.get(row.learner_id, "?"),
                      "prompt": titles.get(row.prompt_id, row.prompt_id),
                      "time (UTC)": f"{row.created_at:%H:%M:%S}",
                      "score": "" if row.total is None else f"{row.total} ({row.level})",
                      "graded by": row.grader})
    from labs.workshop.views import help_first

    return Dashboard(
        workshop=ws, learners=[m.display_name for m in members], quiz_attempts=len(attempts),
        quiz_accuracy_by_learner={n: sum(v) / len(v) for n, v in per_learner.items()},
        missed_questions=ranked, design_submissions=dict(subs), design_scores=scores,
        missed_rubric_items=rubric_misses, design_table=table,
        help_first=help_first(store, members, attempts, designs, now=now,
                              module_titles={m.id: m.title for m in curriculum.modules}),
    )


def _option_text(q, chosen: int) -> str:  # type: ignore[no-untyped-def]
    return q.options[chosen].text if q and 0 <= chosen < len(q.options) else str(chosen)


EXPORT_COLUMNS = ["kind", "learner", "time_utc", "module_or_prompt", "item", "answer", "correct",
                  "score", "max", "grader"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """OWASP's rule against formula injection: a cell that starts with = + - @ tab or CR is
    prefixed with a single quote, so a spreadsheet shows it as text instead of running it.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell(-3), csv_cell("Sam")
    ("'=HYPERLINK(1)", "'-3", 'Sam')
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def export_csv(store: Store, curriculum: Curriculum, access: InstructorAccess) -> str:
    """Submissions and scores of one workshop: one row per quiz answer, one per design attempt
    (its total) and one per rubric item of it, each naming the grader. Only display names: no
    tokens, hashes or keys. Every cell goes through `csv_cell`."""
    workshop_id = _require(access)
    name_of = {m.learner_id: m.display_name for m in _members(store, workshop_id)}
    questions = curriculum.questions()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(EXPORT_COLUMNS)

    def row(*cells: object) -> None:
        w.writerow([csv_cell(c) for c in cells])

    for a in _quiz_rows(store, workshop_id):
        row("quiz", name_of.get(a.learner_id, "?"), f"{a.created_at:%Y-%m-%d %H:%M:%S}",
            a.module_id, a.question_id, _option_text(questions.get(a.question_id), a.chosen),
            int(a.correct), "", "", "")
    for d in design_rows(store, workshop_id):
        who, when = name_of.get(d.learner_id, "?"), f"{d.created_at:%Y-%m-%d %H:%M:%S}"
        row("design", who, when, d.prompt_id, "total", d.level or "", "",
            "" if d.total is None else d.total, 100, d.grader)
        for i in d.items:
            row("design-item", who, when, d.prompt_id, i["title"], "", "", f"{i['score']:g}",
                f"{i['max']:g}", d.grader)
    return buf.getvalue()


def own_results(store: Store, member: WorkshopMember) -> list[QuizAttempt]:
    """A learner's own attempts in their workshop: the only rows a learner view reads."""
    with store.session() as s:
        return list(s.exec(select(QuizAttempt).where(
            QuizAttempt.learner_id == member.learner_id,
            QuizAttempt.workshop_id == member.workshop_id).order_by(col(QuizAttempt.created_at))))


def own_design_attempts(store: Store, member: WorkshopMember) -> list[DesignRow]:
    """A learner's own design attempts in their workshop, with score and grader."""
    return design_rows(store, member.workshop_id, learner_id=member.learner_id)


def quiz_choices(curriculum: Curriculum, ws: Workshop) -> dict[str, str]:
    """The questions an instructor may push live: id → "module: question", in module order."""
    wanted = set(module_ids_of(ws))
    return {q.id: f"{m.title}: {q.prompt}" for m in curriculum.modules if m.id in wanted
            for q in curriculum.quizzes[m.id].questions}
