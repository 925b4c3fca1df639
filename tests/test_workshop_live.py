"""Live questions in a workshop: the rules in labs.workshop.live, and one instructor session
with two learner sessions running a question end to end (push, answer, distribution, reveal)
through the pages, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from labs.curriculum.loader import load_curriculum
from labs.store import Store
from labs.store.models import QuizAttempt
from labs.workshop import WorkshopError, join_workshop, open_as_instructor
from labs.workshop.live import (
    answer_live_question,
    instructor_view,
    learner_view,
    push_live_question,
    reveal_live_question,
)
from tests.conftest import no_exceptions, open_dashboard, page_test
from tests.test_workshop import NOW, PASS, make_workshop


@pytest.fixture(scope="module")
def cur():
    return load_curriculum()


def _room(store, cur):
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    _, kim = join_workshop(store, ws.code, "Kim")
    return ws, open_as_instructor(store, ws.code, PASS), sam, kim


def test_learners_see_neither_the_answer_nor_the_room_until_the_reveal(cur):
    store = Store()
    ws, access, sam, kim = _room(store, cur)
    q = cur.quizzes["rag"].questions[0]
    live_id = push_live_question(store, cur, access, q.id)
    wrong = (q.answer + 1) % len(q.options)
    answer_live_question(store, cur, sam, live_id, wrong)
    answer_live_question(store, cur, kim, live_id, q.answer)
    seen = learner_view(store, cur, sam)
    assert seen.prompt == q.prompt and seen.my_choice == wrong
    assert seen.correct is None and seen.explanation is None and seen.counts == []
    board = instructor_view(store, cur, access)
    assert board.answered == 2 and board.counts[wrong] == 1 and board.counts[q.answer] == 1
    reveal_live_question(store, access, live_id)
    after = learner_view(store, cur, sam)
    assert after.revealed and after.correct == q.answer
    assert after.explanation == q.options[q.answer].explanation
    with pytest.raises(WorkshopError, match="closed"):
        answer_live_question(store, cur, sam, live_id, q.answer)


def test_one_answer_per_learner_stored_as_a_workshop_quiz_answer(cur):
    store = Store()
    ws, access, sam, _ = _room(store, cur)
    q = cur.quizzes["evals"].questions[0]
    live_id = push_live_question(store, cur, access, q.id)
    answer_live_question(store, cur, sam, live_id, q.answer)
    with pytest.raises(WorkshopError, match="already answered"):
        answer_live_question(store, cur, sam, live_id, q.answer)
    with store.session() as s:
        rows = s.exec(select(QuizAttempt)).all()
    assert [(r.question_id, r.workshop_id, r.learner_id) for r in rows] == [
        (q.id, ws.id, sam.learner_id)]


def test_the_timer_closes_answers_and_a_new_push_ends_the_old_question(cur):
    store = Store()
    _, access, sam, kim = _room(store, cur)
    q1, q2 = cur.quizzes["rag"].questions[:2]
    first = push_live_question(store, cur, access, q1.id, seconds=30, now=NOW)
    assert learner_view(store, cur, sam, now=NOW + timedelta(seconds=10)).seconds_left == 20
    with pytest.raises(WorkshopError, match="Time is up"):
        answer_live_question(store, cur, sam, first, q1.answer, now=NOW + timedelta(seconds=31))
    second = push_live_question(store, cur, access, q2.id)
    with pytest.raises(WorkshopError, match="no longer live"):
        answer_live_question(store, cur, kim, first, q1.answer)
    assert learner_view(store, cur, kim).live_id == second


def test_only_questions_of_the_workshops_modules_and_sane_timers_are_pushed(cur):
    store = Store()
    _, access, _, _ = _room(store, cur)
    outside = cur.quizzes["mcp"].questions[0]  # the workshop has rag and evals
    with pytest.raises(WorkshopError, match="not a quiz question of this workshop"):
        push_live_question(store, cur, access, outside.id)
    with pytest.raises(WorkshopError, match="timer"):
        push_live_question(store, cur, access, cur.quizzes["rag"].questions[0].id, seconds=1)


def _learner_session(token: str):
    at = page_test("app_pages/workshop_join.py")
    at.query_params["member"] = token  # the learner's bookmarked link
    return at.run()


def _live_end_to_end(store: Store, cur) -> None:
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    _, kim = join_workshop(store, ws.code, "Kim")
    learners = [_learner_session(sam.token), _learner_session(kim.token)]
    for at in learners:
        no_exceptions(at)
        assert not any("Live question" in m.value for m in at.markdown)

    teacher = page_test("app_pages/workshop_instructor.py").run()
    open_dashboard(teacher, ws.code, PASS)
    q = cur.quizzes["evals"].questions[1]
    teacher.selectbox(key="wsi_live_q").set_value(q.id)
    teacher.number_input(key="wsi_live_secs").set_value(120)
    teacher.button(key="wsi_live_push").click().run()
    no_exceptions(teacher)
    live_id = instructor_view(store, cur, open_as_instructor(store, ws.code, PASS)).live_id

    wrong = (q.answer + 1) % len(q.options)
    for at, choice in zip(learners, (q.answer, wrong), strict=True):
        at.run()  # the page's poll
        assert any(q.prompt in m.value for m in at.markdown)
        at.radio(key=f"ws_live_choice_{live_id}").set_value(choice)
        at.button(key=f"ws_live_send_{live_id}").click().run()
        no_exceptions(at)
        assert any("Your answer is in" in i.value for i in at.info)

    teacher.run()
    assert any("2 of 2 learners answered" in c.value for c in teacher.caption)
    view = instructor_view(store, cur, open_as_instructor(store, ws.code, PASS))
    assert view.counts[q.answer] == 1 and view.counts[wrong] == 1
    teacher.button(key=f"wsi_reveal_{live_id}").click().run()
    no_exceptions(teacher)
    assert any("Revealed" in s.value for s in teacher.success)

    explanation = q.options[q.answer].explanation
    for at in learners:
        at.run()
        no_exceptions(at)
        assert any(explanation in s.value for s in at.success)
    with store.session() as s:
        stored = s.exec(select(QuizAttempt).where(QuizAttempt.workshop_id == ws.id)).all()
    assert sorted(a.correct for a in stored) == [False, True]


@pytest.mark.slow
def test_a_live_question_runs_end_to_end_for_two_learners_on_sqlite(cur):
    _live_end_to_end(Store(), cur)


@pytest.mark.slow
def test_a_live_question_runs_end_to_end_for_two_learners_on_postgresql(
        cur, postgres_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", postgres_url)  # the pages' store, as in a deployment
    _live_end_to_end(Store(postgres_url), cur)
