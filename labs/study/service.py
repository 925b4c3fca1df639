"""Study use cases over the store: the learner's profile, their plan toward an interview
date, today's flashcard queue and reviews under that plan, mastery and "study next", and
fitting fsrs parameters to the learner's own reviews. The page, the review page, the home
page and `aie-bridge study` all call these."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from fsrs import Card, ReviewLog
from sqlmodel import select

from labs.curriculum.loader import Curriculum
from labs.curriculum.practice import RATINGS, DueCard, due_cards, review_card
from labs.store.db import Store
from labs.store.models import (
    CardState,
    DesignAttempt,
    ModuleProgress,
    QuizAttempt,
    ReviewEntry,
    StudyProfile,
    utcnow,
)
from labs.study import mastery as mastery_model
from labs.study.planner import (
    DEFAULT_MAX_PER_DAY,
    DEFAULT_RETENTION,
    Plan,
    PlanCard,
    cap_due,
    describe,
    plan,
    scheduler,
)

MAX_PER_DAY_LIMIT = 1000
OPTIMIZER_MIN_REVIEWS = 512  # fsrs's Optimizer returns its defaults below this many reviews


@dataclass(frozen=True)
class Settings:
    interview_date: date | None = None
    retention: float = DEFAULT_RETENTION
    max_per_day: int = DEFAULT_MAX_PER_DAY
    parameters: tuple[float, ...] | None = None


def validate(interview_date: date | None, retention: float, max_per_day: int,
             today: date | None = None) -> None:
    """Raise ValueError with a message a learner can act on."""
    today = today or utcnow().date()
    if interview_date is not None and interview_date < today:
        raise ValueError(f"The interview date {interview_date} is in the past (today is "
                         f"{today}).")
    if not 0.7 <= retention <= 0.99:
        raise ValueError("Desired recall on the day must be between 0.70 and 0.99.")
    if not 1 <= max_per_day <= MAX_PER_DAY_LIMIT:
        raise ValueError(f"The daily cap must be between 1 and {MAX_PER_DAY_LIMIT} cards.")


def settings(store: Store, learner_id: int) -> Settings:
    with store.session() as s:
        row = s.get(StudyProfile, learner_id)
    if row is None:
        return Settings()
    params = tuple(json.loads(row.fsrs_parameters_json)) if row.fsrs_parameters_json else None
    return Settings(row.interview_date, row.retention, row.max_per_day, params)


def save_settings(store: Store, learner_id: int, *, interview_date: date | None,
                  retention: float, max_per_day: int,
                  parameters: list[float] | None | str = "keep") -> Settings:
    """Validate, then store; `parameters="keep"` leaves fitted parameters as they are."""
    validate(interview_date, retention, max_per_day)

    def write(s) -> None:  # type: ignore[no-untyped-def]
        row = s.get(StudyProfile, learner_id) or StudyProfile(learner_id=learner_id)
        row.interview_date, row.retention, row.max_per_day = (
            interview_date, float(retention), int(max_per_day))
        if parameters != "keep":
            row.fsrs_parameters_json = json.dumps(parameters) if parameters else None
        row.updated_at = utcnow()
        s.add(row)

    store.write(write)
    return settings(store, learner_id)


def learner_scheduler(prefs: Settings):  # type: ignore[no-untyped-def]
    """The learner's fsrs scheduler: their retention and parameters; fuzz off while an
    interview date is set (the plan promises days), on otherwise as fsrs recommends."""
    return scheduler(prefs.retention, prefs.parameters, fuzz=prefs.interview_date is None)


def plan_cards(store: Store, curriculum: Curriculum, learner_id: int) -> list[PlanCard]:
    """Every card the learner will be tested on: the deck and their own mistake cards."""
    card_module = curriculum.card_module()
    with store.session() as s:
        states = {c.card_id: c for c in s.exec(
            select(CardState).where(CardState.learner_id == learner_id))}
    out = [PlanCard(cid, card_module[cid], _card(states.get(cid))) for cid in curriculum.cards()]
    out += [PlanCard(c.card_id, c.module_id or "system-design", _card(c))
            for c in states.values() if c.front is not None]
    return out


def _card(state: CardState | None) -> Card | None:
    if state is None or state.fsrs_json is None:
        return None
    card = Card.from_json(state.fsrs_json)
    card.due = state.due  # a plan may have pulled the due in
    return card


def _today_counts(store: Store, learner_id: int, now: datetime) -> tuple[int, int]:
    """(cards shown today, new cards introduced today)."""
    start = datetime.combine(now.date(), time(0), tzinfo=UTC)
    with store.session() as s:
        shown = set(s.exec(select(ReviewEntry.card_id).where(
            ReviewEntry.learner_id == learner_id, ReviewEntry.reviewed_at >= start)))
        earlier = set(s.exec(select(ReviewEntry.card_id).where(
            ReviewEntry.learner_id == learner_id, ReviewEntry.reviewed_at < start)))
    return len(shown), len(shown - earlier)


def _plan_inputs(store: Store, curriculum: Curriculum, learner_id: int, *,
                 interview_date: date | None, retention: float | None,
                 max_per_day: int | None, now: datetime) -> tuple[list[PlanCard], dict]:
    prefs = settings(store, learner_id)
    interview = interview_date or prefs.interview_date
    if interview is None:
        raise ValueError("Set an interview date first: the plan counts back from it.")
    shown, introduced = _today_counts(store, learner_id, now)
    order = mastery_model.weakest_first(module_mastery(store, curriculum, learner_id, now=now))
    return plan_cards(store, curriculum, learner_id), dict(
        today=now.date(), interview=interview, retention=retention or prefs.retention,
        max_per_day=max_per_day or prefs.max_per_day, parameters=prefs.parameters,
        module_order=order, now=now, shown_today=shown, introduced_today=introduced)


def plan_for(store: Store, curriculum: Curriculum, learner_id: int, *,
             interview_date: date | None = None, retention: float | None = None,
             max_per_day: int | None = None, now: datetime | None = None) -> Plan:
    """The learner's plan, with any setting overridden (to preview a change before saving)."""
    cards, kwargs = _plan_inputs(store, curriculum, learner_id, interview_date=interview_date,
                                 retention=retention, max_per_day=max_per_day,
                                 now=now or utcnow())
    return plan(cards, **kwargs)


def plan_report(store: Store, curriculum: Curriculum, learner_id: int, *,
                interview_date: date | None = None, retention: float | None = None,
                max_per_day: int | None = None, now: datetime | None = None
                ) -> tuple[Plan, dict]:
    """The plan and its JSON shape (days, predicted retention overall and by module, fits,
    message), as `aie-bridge study plan --json` prints it and the page draws it."""
    now = now or utcnow()
    if interview_date is not None or retention is not None or max_per_day is not None:
        prefs = settings(store, learner_id)
        validate(interview_date or prefs.interview_date, retention or prefs.retention,
                 max_per_day or prefs.max_per_day, today=now.date())
    cards, kwargs = _plan_inputs(store, curriculum, learner_id, interview_date=interview_date,
                                 retention=retention, max_per_day=max_per_day, now=now)
    p = plan(cards, **kwargs)
    message = describe(p, lambda cap: plan(cards, **{**kwargs, "max_per_day": cap}))
    return p, {"interview_date": p.interview.isoformat(), "retention_target": p.retention,
               "max_per_day": p.max_per_day, "days": [d.as_dict() for d in p.days],
               "predicted_retention": {"overall": p.overall,
                                       "by_module": p.retention_by_module()},
               "fits": p.fits, "message": message}


def today_queue(store: Store, curriculum: Curriculum, learner_id: int, *,
                now: datetime | None = None, module_id: str | None = None) -> list[DueCard]:
    """Today's cards: fsrs's due reviews and 20 new a day without a date; with an interview
    date, exactly today's part of the plan (at-risk reviews first, then new cards, weakest
    modules first, within the daily cap)."""
    now = now or utcnow()
    prefs = settings(store, learner_id)
    if prefs.interview_date is None or prefs.interview_date <= now.date():
        return due_cards(store, curriculum, learner_id, now=now, module_id=module_id)
    today = plan_for(store, curriculum, learner_id, now=now).days[0]
    available = {c.card_id: c for c in due_cards(store, curriculum, learner_id, now=now,
                                                 module_id=module_id, new_per_day=10**6)}
    return [available[c] for c in today.review + today.new if c in available]


def review(store: Store, curriculum: Curriculum, learner_id: int, card_id: str, rating: str,
           *, now: datetime | None = None) -> datetime:
    """One review on the learner's scheduler, its due capped for the interview day."""
    now = now or utcnow()
    prefs = settings(store, learner_id)
    sched = learner_scheduler(prefs)
    interview = prefs.interview_date
    adjust = None
    if interview is not None and interview > now.date():
        def adjust(card: Card) -> Card:
            return cap_due(sched, card, interview, prefs.retention, now.date())
    return review_card(store, curriculum, learner_id, card_id, rating, now=now,
                       scheduler=sched, adjust=adjust)


def rating_previews(store: Store, learner_id: int, card_id: str, *,
                    now: datetime | None = None) -> dict[str, datetime]:
    """When the card would come back after each rating, as the rating buttons show it."""
    now = now or utcnow()
    prefs = settings(store, learner_id)
    sched = scheduler(prefs.retention, prefs.parameters)  # no fuzz: a preview must not wobble
    with store.session() as s:
        st = s.exec(select(CardState).where(CardState.learner_id == learner_id,
                                            CardState.card_id == card_id)).first()
    base = _card(st) or Card(due=now)
    out = {}
    for name, rating in RATINGS.items():
        card, _ = sched.review_card(Card.from_dict(base.to_dict()), rating, review_datetime=now)
        out[name] = card.due
    return out


def module_mastery(store: Store, curriculum: Curriculum, learner_id: int, *,
                   now: datetime | None = None) -> list[mastery_model.ModuleMastery]:
    now = now or utcnow()
    prefs = settings(store, learner_id)
    sched = scheduler(prefs.retention, prefs.parameters)
    card_module = curriculum.card_module()
    with store.session() as s:
        attempts = list(s.exec(select(QuizAttempt).where(QuizAttempt.learner_id == learner_id)
                               .order_by(QuizAttempt.created_at)))
        states = list(s.exec(select(CardState).where(CardState.learner_id == learner_id)))
        grades = [g for g in s.exec(select(DesignAttempt.grade_json).where(
            DesignAttempt.learner_id == learner_id)) if g]
        read = set(s.exec(select(ModuleProgress.module_id).where(
            ModuleProgress.learner_id == learner_id,
            ModuleProgress.lesson_read_at.is_not(None))))  # type: ignore[union-attr]
    answers: dict[str, list[bool]] = {}
    for a in attempts:
        answers.setdefault(a.module_id, []).append(a.correct)
    recall: dict[str, list[float]] = {}
    for st in states:
        if st.card_id in card_module and st.fsrs_json:
            recall.setdefault(card_module[st.card_id], []).append(
                float(sched.get_card_retrievability(_card(st), now)))
    return mastery_model.module_mastery(
        [(m.id, m.title) for m in curriculum.modules], answers, recall,
        {m: len(d.cards) for m, d in curriculum.decks.items()},
        mastery_model.rubric_records(grades), read)


def study_next(store: Store, curriculum: Curriculum, learner_id: int, *,
               now: datetime | None = None) -> list[mastery_model.NextStep]:
    """The home page's ranked "what to do next", each with why."""
    now = now or utcnow()
    queue = today_queue(store, curriculum, learner_id, now=now)
    prefs = settings(store, learner_id)
    message, fits = None, True
    if prefs.interview_date is not None and prefs.interview_date > now.date():
        p = plan_for(store, curriculum, learner_id, now=now)
        fits = p.fits
        if not fits:
            message = (f"{len(p.below_target)} cards would be under {p.retention:.0%} on "
                       f"{p.interview.isoformat()} at {p.max_per_day} a day")
    return mastery_model.next_steps(
        module_mastery(store, curriculum, learner_id, now=now),
        due_reviews=sum(not c.is_new for c in queue), due_new=sum(c.is_new for c in queue),
        plan_message=message, plan_fits=fits, now=now)


def review_logs(store: Store, learner_id: int) -> list[ReviewLog]:
    with store.session() as s:
        rows = list(s.exec(select(ReviewEntry).where(ReviewEntry.learner_id == learner_id)))
    return [ReviewLog.from_json(r.log_json) for r in rows]


def counted_reviews(logs: list[ReviewLog]) -> int:
    """Reviews fsrs's optimizer learns from: those on a later day than the card's previous."""
    by_card: dict[Any, list[ReviewLog]] = {}
    for log in logs:
        by_card.setdefault(log.card_id, []).append(log)
    n = 0
    for history in by_card.values():
        history.sort(key=lambda x: x.review_datetime)
        n += sum((b.review_datetime - a.review_datetime).days > 0
                 for a, b in zip(history, history[1:], strict=False))
    return n


def fit_parameters(store: Store, learner_id: int) -> list[float]:
    """fsrs's optimizer on the learner's own review log (torch; a few seconds)."""
    logs = review_logs(store, learner_id)
    if counted_reviews(logs) < OPTIMIZER_MIN_REVIEWS:
        raise ValueError(f"Fitting needs {OPTIMIZER_MIN_REVIEWS} reviews on separate days; "
                         f"you have {counted_reviews(logs)}.")
    from fsrs import Optimizer

    return [float(x) for x in Optimizer(logs).compute_optimal_parameters()]
