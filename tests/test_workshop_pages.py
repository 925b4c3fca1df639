"""AppTest of the workshop pages: the instructor creates, watches and exports; a learner
joins, answers and sees only their own results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from labs.curriculum.loader import load_curriculum
from labs.store import Store
from labs.workshop import create_workshop, join_workshop
from tests.conftest import join, no_exceptions, open_dashboard, page_test
from tests.test_workshop import answer_as

PASS = "correct horse battery"


def _workshop(store):
    now = datetime.now(UTC)
    return create_workshop(store, title="Evals clinic", passphrase=PASS, module_ids=["evals"],
                           starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))


def test_instructor_creates_a_workshop_and_gets_a_join_code():
    at = page_test("app_pages/workshop_instructor.py").run()
    no_exceptions(at)
    at.text_input(key="wsi_title").input("RAG clinic")
    at.multiselect(key="wsi_modules").select("rag")
    at.text_input(key="wsi_pass1").input(PASS)
    at.text_input(key="wsi_pass2").input(PASS)
    at.button(key="FormSubmitter:wsi_create-Create workshop").click().run()
    no_exceptions(at)
    code = at.session_state["wsi_created_code"]
    assert len(code) == 6 and any(code in m.value for m in at.markdown)


def test_instructor_passphrases_must_match_and_be_long_enough():
    at = page_test("app_pages/workshop_instructor.py").run()
    at.text_input(key="wsi_title").input("RAG clinic")
    at.text_input(key="wsi_pass1").input("short")
    at.text_input(key="wsi_pass2").input("short")
    at.button(key="FormSubmitter:wsi_create-Create workshop").click().run()
    assert any("at least 8" in e.value for e in at.error)


def test_wrong_passphrase_does_not_open_the_dashboard():
    ws = _workshop(Store())
    at = page_test("app_pages/workshop_instructor.py").run()
    open_dashboard(at, ws.code, "guessing games")
    assert any("Wrong instructor passphrase" in e.value for e in at.error)
    assert "wsi_access" not in at.session_state


def test_instructor_watches_submissions_and_exports_csv():
    store = Store()
    cur = load_curriculum()
    ws = _workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    q = cur.quizzes["evals"].questions[0]
    answer_as(store, cur, sam, q.id, (q.answer + 1) % len(q.options))
    at = page_test("app_pages/workshop_instructor.py").run()
    open_dashboard(at, ws.code.lower(), PASS)
    no_exceptions(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Learners joined"] == "1" and metrics["Quiz answers"] == "1"
    assert q.prompt in set(at.table[0].value["question"])  # a wrapping table, not cut off
    export = at.get("download_button")[0]
    assert export.proto.label == "Export submissions (CSV)"


def test_learner_joins_answers_and_sees_only_their_own_results():
    store = Store()
    cur = load_curriculum()
    ws = _workshop(store)
    _, kim = join_workshop(store, ws.code, "Kim")
    q = cur.quizzes["evals"].questions[0]
    answer_as(store, cur, kim, q.id, q.answer)  # someone else's answer

    at = page_test("app_pages/workshop_join.py").run()
    no_exceptions(at)
    join(at, ws.code, "Sam")
    no_exceptions(at)
    assert at.session_state["ws_display_name"] == "Sam"
    assert any("No answers yet" in i.value for i in at.info)

    at.switch_page("app_pages/modules.py")
    at.query_params["module"] = "evals"
    at.run()
    at.radio(key=f"quiz_choice_{q.id}").set_value(q.answer)
    at.button(key=f"quiz_check_{q.id}").click().run()
    at.switch_page("app_pages/workshop_join.py")
    at.run()
    no_exceptions(at)
    assert [m.value for m in at.metric] == ["1 / 1"]  # Sam's answer, not Kim's
    assert len(at.table[0].value) == 1


def test_joining_with_a_wrong_code_is_refused_clearly():
    at = page_test("app_pages/workshop_join.py").run()
    join(at, "QQQQQQ", "Sam")
    no_exceptions(at)
    assert any("No workshop has that join code" in e.value for e in at.error)


def test_a_reload_on_any_page_keeps_the_workshop_membership():
    store = Store()
    cur = load_curriculum()
    ws = _workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    q = cur.quizzes["evals"].questions[1]
    at = page_test("app_pages/modules.py")  # a fresh session, as after a browser reload
    at.query_params["module"] = "evals"
    at.query_params["member"] = sam.token
    at.run()
    no_exceptions(at)
    assert at.session_state["ws_display_name"] == "Sam"
    at.radio(key=f"quiz_choice_{q.id}").set_value(q.answer)
    at.button(key=f"quiz_check_{q.id}").click().run()
    from labs.workshop import own_results

    assert [a.question_id for a in own_results(store, sam)] == [q.id]


def test_a_forged_member_link_is_refused_and_dropped():
    at = page_test("app_pages/modules.py")
    at.query_params["member"] = "not-a-real-token"
    at.run()
    no_exceptions(at)
    assert any("not valid" in w.value for w in at.warning)
    assert "ws_display_name" not in at.session_state
