"""Quiz attempts, fsrs flashcard scheduling and module progress, against the real content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from labs.curriculum.loader import load_curriculum
from labs.curriculum.practice import (
    NEW_CARDS_PER_DAY,
    due_cards,
    mark_lesson_read,
    module_statuses,
    quiz_attempts,
    record_quiz_answer,
    review_card,
)
from labs.store import Store, get_or_create_learner
from labs.store.models import CardState


@pytest.fixture(scope="module")
def cur():
    return load_curriculum()


@pytest.fixture
def env(cur):
    store = Store()
    return store, cur, get_or_create_learner(store, "Ada").id


def test_right_and_wrong_answers_are_both_stored_with_explanations(env):
    store, cur, lid = env
    q = cur.quizzes["rag"].questions[0]
    wrong = (q.answer + 1) % len(q.options)
    right = record_quiz_answer(store, cur, lid, q.id, q.answer)
    missed = record_quiz_answer(store, cur, lid, q.id, wrong)
    assert right.correct and not missed.correct
    assert missed.chosen_explanation == q.options[wrong].explanation
    assert missed.answer_explanation == q.options[q.answer].explanation
    assert [(a.question_id, a.correct) for a in quiz_attempts(store, lid)] == [
        (q.id, True), (q.id, False)]


def test_a_missed_question_becomes_a_flashcard_once(env):
    store, cur, lid = env
    q = cur.quizzes["evals"].questions[1]
    wrong = (q.answer + 1) % len(q.options)
    record_quiz_answer(store, cur, lid, q.id, wrong)
    record_quiz_answer(store, cur, lid, q.id, wrong)
    with store.session() as s:
        cards = s.exec(select(CardState).where(CardState.source == "quiz-miss")).all()
    assert [c.card_id for c in cards] == [f"miss-{q.id}"]
    due = due_cards(store, cur, lid)
    assert due[0].card_id == f"miss-{q.id}" and due[0].front == q.prompt
    assert q.options[q.answer].text in due[0].back


def test_unknown_question_or_option_is_refused(env):
    store, cur, lid = env
    with pytest.raises(KeyError, match="unknown question"):
        record_quiz_answer(store, cur, lid, "no-such-q", 0)
    with pytest.raises(ValueError, match="does not exist"):
        record_quiz_answer(store, cur, lid, cur.quizzes["rag"].questions[0].id, 17)


def test_review_moves_the_due_date_forward_by_rating(env):
    store, cur, lid = env
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    first, second = cur.decks["mcp"].cards[:2]
    again = review_card(store, cur, lid, first.id, "Again", now=now)
    easy = review_card(store, cur, lid, second.id, "Easy", now=now)
    assert now < again < easy
    assert easy - now >= timedelta(days=1)
    queue_ids = [c.card_id for c in due_cards(store, cur, lid, now=now)]
    assert first.id not in queue_ids and second.id not in queue_ids
    later = [c.card_id for c in due_cards(store, cur, lid, now=again + timedelta(seconds=1))]
    assert later[0] == first.id


def test_new_cards_are_capped_per_day(env):
    store, cur, lid = env
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    queue = due_cards(store, cur, lid, now=now)
    assert len(queue) == NEW_CARDS_PER_DAY and all(c.is_new for c in queue)
    for c in queue[:5]:
        review_card(store, cur, lid, c.card_id, "Easy", now=now)
    assert len(due_cards(store, cur, lid, now=now)) == NEW_CARDS_PER_DAY - 5


def test_bad_rating_is_refused(env):
    store, cur, lid = env
    with pytest.raises(ValueError, match="Again, Hard, Good, Easy"):
        review_card(store, cur, lid, cur.decks["rag"].cards[0].id, "Perfect")


def test_module_progress_counts_lesson_quiz_and_cards(env):
    store, cur, lid = env
    quiz = cur.quizzes["rag"]
    mark_lesson_read(store, lid, "rag")
    for q in quiz.questions:
        record_quiz_answer(store, cur, lid, q.id, q.answer)
    status = next(s for s in module_statuses(store, cur, lid) if s.module_id == "rag")
    assert status.lesson_read and status.questions_correct == len(quiz.questions)
    assert status.percent == pytest.approx(100 * 2 / 3, abs=0.1)
