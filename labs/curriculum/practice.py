"""Quizzes, spaced-repetition flashcards and module progress for one learner.

Scheduling is fsrs' (the default parameters); this module only stores its cards and logs.
A wrong quiz answer becomes a flashcard for that learner: the question on the front, the
right option and why on the back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from fsrs import Card, Rating, Scheduler
from sqlmodel import col, func, select

from labs.curriculum.loader import Curriculum
from labs.store.db import Store
from labs.store.models import (
    CardState,
    DecisionAnswer,
    ModuleProgress,
    QuizAttempt,
    ReviewEntry,
    utcnow,
)

T = TypeVar("T")
RATINGS = {"Again": Rating.Again, "Hard": Rating.Hard, "Good": Rating.Good, "Easy": Rating.Easy}
NEW_CARDS_PER_DAY = 20
_scheduler = Scheduler()


@dataclass(frozen=True)
class AttemptResult:
    correct: bool
    chosen: int
    answer: int
    chosen_explanation: str
    answer_explanation: str


def learner_order(learner_id: int, salt: str, items: list[T]) -> list[T]:
    """`items` in an order that looks random but is the same for this learner every time.

    Quiz options and decision scenarios are shown this way, so file order (where the key sits,
    which method a run of scenarios favours) tells the learner nothing, and a reload does not
    reshuffle a question mid-answer.

    >>> learner_order(1, "q", [0, 1, 2, 3]) == learner_order(1, "q", [0, 1, 2, 3])
    True
    >>> sorted(learner_order(1, "q", [0, 1, 2, 3]))
    [0, 1, 2, 3]
    """
    def key(item: T) -> bytes:
        return hashlib.blake2b(f"{learner_id}:{salt}:{item}".encode(), digest_size=8).digest()
    return sorted(items, key=key)


def attempt_result(curriculum: Curriculum, question_id: str, chosen: int) -> AttemptResult:
    """The verdict and explanations for one choice, stored or not."""
    question = curriculum.questions()[question_id]
    return AttemptResult(
        correct=chosen == question.answer, chosen=chosen, answer=question.answer,
        chosen_explanation=question.options[chosen].explanation,
        answer_explanation=question.options[question.answer].explanation,
    )


def record_quiz_answer(
    store: Store, curriculum: Curriculum, learner_id: int, question_id: str, chosen: int,
    *, workshop_id: int | None = None,
) -> AttemptResult:
    """Store the attempt first, then (if wrong) make sure a review card exists for it."""
    question = curriculum.questions().get(question_id)
    if question is None:
        raise KeyError(f"unknown question id {question_id!r}")
    if not 0 <= chosen < len(question.options):
        raise ValueError(f"option {chosen} does not exist; choose 0..{len(question.options) - 1}")
    module_id = next(m for m, q in curriculum.quizzes.items() if question in q.questions)
    correct = chosen == question.answer
    store.write(lambda s: s.add(QuizAttempt(
        learner_id=learner_id, module_id=module_id, question_id=question_id, chosen=chosen,
        correct=correct, workshop_id=workshop_id)))
    if not correct:
        right = question.options[question.answer]
        add_custom_card(
            store, learner_id, card_id=f"miss-{question_id}", module_id=module_id,
            source="quiz-miss", front=question.prompt,
            back=f"{right.text}\n\n{right.explanation}",
        )
    return attempt_result(curriculum, question_id, chosen)


def add_custom_card(
    store: Store, learner_id: int, *, card_id: str, module_id: str | None, source: str,
    front: str, back: str,
) -> None:
    """Create a learner-specific card once; a second miss leaves the existing schedule alone."""
    with store.session() as s:
        existing = s.exec(select(CardState).where(
            CardState.learner_id == learner_id, CardState.card_id == card_id)).first()
        if existing is None:
            s.add(CardState(learner_id=learner_id, card_id=card_id, module_id=module_id,
                            source=source, front=front, back=back))


@dataclass(frozen=True)
class DueCard:
    card_id: str
    module_id: str | None
    front: str
    back: str
    source: str
    is_new: bool
    due: datetime


def due_cards(
    store: Store, curriculum: Curriculum, learner_id: int, *, now: datetime | None = None,
    module_id: str | None = None, new_per_day: int = NEW_CARDS_PER_DAY,
) -> list[DueCard]:
    """Reviews due now (oldest first), then new deck cards up to `new_per_day` a day."""
    now = now or utcnow()
    cards = curriculum.cards()
    card_module = curriculum.card_module()
    with store.session() as s:
        states = {c.card_id: c for c in s.exec(
            select(CardState).where(CardState.learner_id == learner_id))}
        first_review = func.min(ReviewEntry.reviewed_at)
        start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        introduced_today = sum(card_id in cards for card_id in s.exec(
            select(ReviewEntry.card_id).where(ReviewEntry.learner_id == learner_id)
            .group_by(ReviewEntry.card_id).having(first_review >= start_of_day)))
    out: list[DueCard] = []
    for st in sorted(states.values(), key=lambda c: c.due):
        if st.due > now or (module_id and st.module_id != module_id):
            continue
        if st.front is not None:  # a card made from the learner's own mistake
            front, back = st.front, st.back or ""
        elif st.card_id in cards:
            front, back = cards[st.card_id].front, cards[st.card_id].back
        else:
            continue  # a deck card removed from content/ since it was scheduled
        out.append(DueCard(st.card_id, st.module_id, front, back, st.source,
                           is_new=st.fsrs_json is None, due=st.due))
    budget = max(0, new_per_day - introduced_today)
    for cid, card in cards.items():
        if budget == 0:
            break
        if cid in states or (module_id and card_module[cid] != module_id):
            continue
        out.append(DueCard(cid, card_module[cid], card.front, card.back, "deck", True, now))
        budget -= 1
    return out


def review_card(
    store: Store, curriculum: Curriculum, learner_id: int, card_id: str, rating: str,
    *, now: datetime | None = None, scheduler: Scheduler | None = None,
    adjust: Callable[[Card], Card] | None = None,
) -> datetime:
    """Apply one Again/Hard/Good/Easy review with fsrs; returns the next due time (UTC).

    `scheduler` is the learner's (their retention and parameters; fsrs's defaults when None);
    `adjust` may move the resulting due, as a study plan aimed at an interview date does."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {', '.join(RATINGS)}")
    now = now or utcnow()
    with store.session() as s:
        st = s.exec(select(CardState).where(
            CardState.learner_id == learner_id, CardState.card_id == card_id)).first()
        if st is None:
            if card_id not in curriculum.cards():
                raise KeyError(f"unknown flashcard id {card_id!r}")
            st = CardState(learner_id=learner_id, card_id=card_id,
                           module_id=curriculum.card_module()[card_id])
        card = Card.from_json(st.fsrs_json) if st.fsrs_json else Card(due=now)
        card, log = (scheduler or _scheduler).review_card(card, RATINGS[rating],
                                                          review_datetime=now)
        if adjust is not None:
            card = adjust(card)
        st.fsrs_json = card.to_json()
        st.due = card.due.astimezone(UTC)
        st.reviews += 1
        s.add(st)
        s.add(ReviewEntry(learner_id=learner_id, card_id=card_id, rating=int(RATINGS[rating]),
                          reviewed_at=now, log_json=log.to_json()))
        return st.due


def mark_lesson_read(store: Store, learner_id: int, module_id: str) -> None:
    with store.session() as s:
        row = s.exec(select(ModuleProgress).where(
            ModuleProgress.learner_id == learner_id, ModuleProgress.module_id == module_id)).first()
        row = row or ModuleProgress(learner_id=learner_id, module_id=module_id)
        row.lesson_read_at = row.lesson_read_at or utcnow()
        s.add(row)


@dataclass(frozen=True)
class ModuleStatus:
    module_id: str
    title: str
    lesson_read: bool
    questions_correct: int
    questions_total: int
    cards_reviewed: int
    cards_total: int

    @property
    def percent(self) -> float:
        """Equal thirds: the lesson read, quiz questions answered right, deck cards reviewed."""
        quiz = self.questions_correct / self.questions_total if self.questions_total else 0
        cards = self.cards_reviewed / self.cards_total if self.cards_total else 0
        return round(100 * (float(self.lesson_read) + quiz + cards) / 3, 1)


def module_statuses(store: Store, curriculum: Curriculum, learner_id: int) -> list[ModuleStatus]:
    with store.session() as s:
        read = {p.module_id for p in s.exec(select(ModuleProgress).where(
            ModuleProgress.learner_id == learner_id,
            col(ModuleProgress.lesson_read_at).is_not(None)))}
        right = {a.question_id for a in s.exec(select(QuizAttempt).where(
            QuizAttempt.learner_id == learner_id, QuizAttempt.correct == True))}  # noqa: E712
        reviewed = {c.card_id for c in s.exec(select(CardState).where(
            CardState.learner_id == learner_id, CardState.reviews > 0))}
    out = []
    for m in curriculum.modules:
        qids = {q.id for q in curriculum.quizzes[m.id].questions}
        cids = {c.id for c in curriculum.decks[m.id].cards}
        out.append(ModuleStatus(m.id, m.title, m.id in read, len(qids & right), len(qids),
                                len(cids & reviewed), len(cids)))
    return out


def quiz_attempts(store: Store, learner_id: int, module_id: str | None = None) -> list[QuizAttempt]:
    with store.session() as s:
        q = select(QuizAttempt).where(QuizAttempt.learner_id == learner_id)
        if module_id:
            q = q.where(QuizAttempt.module_id == module_id)
        return list(s.exec(q.order_by(col(QuizAttempt.created_at))))


def last_answers(store: Store, learner_id: int, module_id: str) -> dict[str, int]:
    """The option each question was last answered with, so a reload can show it again."""
    return {a.question_id: a.chosen for a in quiz_attempts(store, learner_id, module_id)}


def record_decision(
    store: Store, curriculum: Curriculum, learner_id: int, scenario_id: str, chosen: str,
) -> bool:
    """Store one decision-trainer answer; returns whether it picked the winning method."""
    scenario = next((s for s in curriculum.trainer.scenarios if s.id == scenario_id), None)
    if scenario is None:
        raise KeyError(f"unknown scenario id {scenario_id!r}")
    if chosen not in {m.id for m in curriculum.trainer.methods}:
        raise ValueError(f"unknown method {chosen!r}")
    correct = chosen == scenario.best
    store.write(lambda s: s.add(DecisionAnswer(
        learner_id=learner_id, scenario_id=scenario_id, chosen=chosen, best=scenario.best,
        correct=correct)))
    return correct


def decision_answers(store: Store, learner_id: int) -> list[DecisionAnswer]:
    with store.session() as s:
        return list(s.exec(select(DecisionAnswer).where(DecisionAnswer.learner_id == learner_id)
                           .order_by(col(DecisionAnswer.created_at), col(DecisionAnswer.id))))


@dataclass(frozen=True)
class MethodAccuracy:
    method_id: str
    name: str
    scenarios: int  # scenarios this method wins
    answered: int  # of those, answered at least once
    right: int  # of those, answered right the last time

    @property
    def accuracy(self) -> float | None:
        return self.right / self.answered if self.answered else None


def decision_accuracy(
    store: Store, curriculum: Curriculum, learner_id: int,
) -> list[MethodAccuracy]:
    """Per method: of the scenarios it wins, how many the learner last answered right.

    The latest answer per scenario counts, so a second try that corrects a mistake shows.
    """
    trainer = curriculum.trainer
    last = {a.scenario_id: a for a in decision_answers(store, learner_id)}
    out = []
    for m in trainer.methods:
        won = [s.id for s in trainer.scenarios if s.best == m.id]
        answered = [last[sid] for sid in won if sid in last]
        out.append(MethodAccuracy(m.id, m.name, len(won), len(answered),
                                  sum(a.chosen == a.best for a in answered)))
    return out
