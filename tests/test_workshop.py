"""Workshops: passphrases, join codes, access control, exports, and concurrent writers on
SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from labs.curriculum.loader import load_curriculum
from labs.store import Store
from labs.store.models import QuizAttempt, Workshop
from labs.workshop import (
    EXPORT_COLUMNS,
    AccessDenied,
    InstructorAccess,
    WorkshopError,
    create_workshop,
    dashboard,
    export_csv,
    join_workshop,
    open_as_instructor,
    own_results,
    resume_membership,
    submit_quiz_answer,
)
from labs.workshop.security import CODE_ALPHABET, hash_passphrase, verify_passphrase

PASS = "correct horse battery"
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def cur():
    return load_curriculum()


def answer_as(store: Store, cur, member, question_id: str, chosen: int, **kw):
    """A member's quiz answer through the one workshop submission function."""
    return submit_quiz_answer(store, cur, member.learner_id, question_id, chosen,
                              workshop_id=member.workshop_id, **kw)


def make_workshop(store: Store, **kw) -> Workshop:
    args = dict(title="RAG clinic", passphrase=PASS, starts_at=NOW - timedelta(hours=1),
                ends_at=NOW + timedelta(hours=2), module_ids=["rag", "evals"],
                prompt_ids=["docs-chatbot"])
    args.update(kw)
    return create_workshop(store, **args)


def test_join_code_is_short_and_unambiguous():
    ws = make_workshop(Store())
    assert len(ws.code) == 6 and set(ws.code) <= set(CODE_ALPHABET)
    assert not set(ws.code) & set("0O1IL5S8B")


def test_passphrase_is_stored_only_as_an_scrypt_hash(isolated_data_dir):
    ws = make_workshop(Store())
    assert ws.passphrase_hash.startswith("scrypt$") and PASS not in ws.passphrase_hash
    raw = b"".join(p.read_bytes() for p in isolated_data_dir.glob("aie-bridge.db*"))
    assert PASS.encode() not in raw
    assert verify_passphrase(PASS, ws.passphrase_hash)
    assert not verify_passphrase(PASS + "!", ws.passphrase_hash)
    with pytest.raises(ValueError, match="at least 8"):
        hash_passphrase("short")


def test_wrong_passphrase_is_refused_and_codes_are_forgiving_about_case():
    store = Store()
    ws = make_workshop(store)
    with pytest.raises(AccessDenied, match="Wrong instructor passphrase"):
        open_as_instructor(store, ws.code, "not the passphrase")
    access = open_as_instructor(store, f" {ws.code.lower()[:3]}-{ws.code.lower()[3:]} ", PASS)
    assert access.workshop_id == ws.id


def test_a_learner_cannot_forge_instructor_access(cur):
    store = Store()
    ws = make_workshop(store)
    _, member = join_workshop(store, ws.code, "Sam")
    with pytest.raises(AccessDenied):
        InstructorAccess(ws, object())
    with pytest.raises(AccessDenied, match="Only the workshop's instructor"):
        dashboard(store, cur, member)  # a membership is not instructor access
    with pytest.raises(AccessDenied):
        export_csv(store, cur, member)


def test_wrong_expired_and_not_yet_open_codes_are_refused_clearly():
    store = Store()
    with pytest.raises(WorkshopError, match="No workshop has that join code"):
        join_workshop(store, "ZZZZZZ", "Sam")
    ended = make_workshop(store, starts_at=NOW - timedelta(days=2), ends_at=NOW - timedelta(days=1))
    with pytest.raises(WorkshopError, match="has ended"):
        join_workshop(store, ended.code, "Sam")
    later = make_workshop(store, starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=2))
    with pytest.raises(WorkshopError, match="opens at"):
        join_workshop(store, later.code, "Sam")


def test_bad_workshop_definitions_are_refused(cur):
    store = Store()
    with pytest.raises(WorkshopError, match="end after it starts"):
        make_workshop(store, ends_at=NOW - timedelta(days=3))
    with pytest.raises(WorkshopError, match="Unknown module"):
        make_workshop(store, module_ids=["rag", "nope"], curriculum=cur)
    with pytest.raises(WorkshopError, match="title"):
        make_workshop(store, title="   ")


def test_a_taken_name_is_refused_and_the_link_resumes_the_same_learner():
    store = Store()
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    with pytest.raises(WorkshopError, match="already goes by 'Sam'"):
        join_workshop(store, ws.code, " sam ".title())
    _, again = resume_membership(store, sam.token)
    assert again.learner_id == sam.learner_id
    with pytest.raises(WorkshopError, match="not valid"):
        resume_membership(store, "forged-token")


def test_learners_see_only_their_own_answers_and_the_dashboard_sees_the_room(cur):
    store = Store()
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    _, kim = join_workshop(store, ws.code, "Kim")
    q = cur.quizzes["rag"].questions[0]
    wrong = (q.answer + 1) % len(q.options)
    answer_as(store, cur, sam, q.id, wrong)
    answer_as(store, cur, kim, q.id, wrong)
    answer_as(store, cur, kim, q.id, q.answer)
    assert [a.learner_id for a in own_results(store, sam)] == [sam.learner_id]
    assert {a.learner_id for a in own_results(store, kim)} == {kim.learner_id}

    board = dashboard(store, cur, open_as_instructor(store, ws.code, PASS))
    assert board.learners == ["Sam", "Kim"] and board.quiz_attempts == 3
    top = board.missed_questions[0]
    assert (top.question_id, top.wrong, top.total) == (q.id, 2, 3)
    assert top.wrong_options == {q.options[wrong].text: 2}
    assert board.quiz_accuracy_by_learner == {"Sam": 0.0, "Kim": 0.5}


def test_answers_after_the_workshop_ends_are_kept_but_not_attached(cur):
    store = Store()
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    q = cur.quizzes["rag"].questions[1]
    answer_as(store, cur, sam, q.id, q.answer, now=NOW + timedelta(hours=3))
    assert own_results(store, sam) == []
    with store.session() as s:
        assert s.exec(select(func.count()).select_from(QuizAttempt)).one() == 1


def test_export_holds_submissions_but_no_secrets(cur):
    store = Store()
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    q = cur.quizzes["evals"].questions[0]
    answer_as(store, cur, sam, q.id, q.answer)
    text = export_csv(store, cur, open_as_instructor(store, ws.code, PASS))
    lines = text.strip().splitlines()
    assert lines[0] == ",".join(EXPORT_COLUMNS)
    assert lines[1].startswith("quiz,Sam,") and q.id in lines[1]
    for secret in (PASS, ws.passphrase_hash, sam.token, "scrypt$"):
        assert secret not in text


def hammer(store: Store, cur, ws: Workshop, writers: int = 30, each: int = 20) -> list[str]:
    """`writers` threads join and submit `each` answers; returns the errors learners would see."""
    questions = [q for quiz in cur.quizzes.values() for q in quiz.questions]
    errors: list[str] = []
    start = threading.Barrier(writers)

    def learner(i: int) -> None:
        try:
            _, member = join_workshop(store, ws.code, f"Learner {i:02d}")
            start.wait()
            for n in range(each):
                q = questions[(i * each + n) % len(questions)]
                answer_as(store, cur, member, q.id, n % len(q.options))
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=learner, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def _count(store: Store, ws: Workshop) -> int:
    with store.session() as s:
        return s.exec(select(func.count()).select_from(QuizAttempt)
                      .where(QuizAttempt.workshop_id == ws.id)).one()


@pytest.mark.slow
def test_thirty_concurrent_writers_on_sqlite_lose_nothing(cur):
    store = Store()
    ws = make_workshop(store)
    errors = hammer(store, cur, ws)
    assert errors == [] and _count(store, ws) == 600


@pytest.mark.slow
def test_thirty_concurrent_writers_on_postgresql_lose_nothing(cur, postgres_url):
    store = Store(postgres_url)
    ws = make_workshop(store)
    errors = hammer(store, cur, ws)
    assert errors == [] and _count(store, ws) == 600
    assert open_as_instructor(store, ws.code, PASS).workshop_id == ws.id


@pytest.mark.slow
def test_design_submissions_reach_the_dashboard_and_the_export(cur, embedder):
    from labs.whiteboard.attempts import submit
    from labs.whiteboard.loader import load_prompt

    store = Store()
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    prompt = load_prompt("docs-chatbot")
    _, grade = submit(store, sam.learner_id, prompt, prompt.reference_answers.weak,
                      embedder=embedder, workshop_id=ws.id)
    access = open_as_instructor(store, ws.code, PASS)
    board = dashboard(store, cur, access)
    assert board.design_submissions == {"docs-chatbot": 1}
    assert board.design_scores == {"docs-chatbot": [float(grade.total)]}
    assert sum(board.missed_rubric_items.values()) == len(grade.missed()) > 0
    rows = list(csv.DictReader(io.StringIO(export_csv(store, cur, access))))
    total = next(r for r in rows if r["kind"] == "design")
    assert (total["learner"], total["score"], total["grader"]) == (
        "Sam", str(grade.total), grade.grader)
    assert len([r for r in rows if r["kind"] == "design-item"]) == len(grade.items)
    assert board.design_table[0]["graded by"] == grade.grader
