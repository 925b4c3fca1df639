"""Workshop abuse and rough edges, one test per reproduced defect: names rendered as Markdown,
formula injection in the CSV, unthrottled passphrases and join codes, look-alike names, the
design export and the learner's page, the whiteboard's prompt order and the prompt picker."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import timedelta

import pytest
from sqlmodel import select

from labs.curriculum.loader import load_curriculum
from labs.store import Store
from labs.store.learners import clean_name
from labs.store.models import WorkshopMember, utcnow
from labs.workshop import (
    AccessDenied,
    WorkshopError,
    dashboard,
    export_csv,
    join_workshop,
    open_as_instructor,
    throttle,
)
from labs.workshop.names import literal, name_key
from tests.conftest import no_exceptions, open_dashboard, page_test
from tests.test_workshop import NOW, PASS, answer_as, make_workshop

HOSTILE = "![x](http://h/p.png) [Session expired: log in](http://e) <b>hi</b>"


@pytest.fixture(scope="module")
def cur():
    return load_curriculum()


def test_a_markdown_and_html_name_is_shown_as_literal_text_on_the_dashboard():
    store = Store()
    ws = make_workshop(store)
    join_workshop(store, ws.code, HOSTILE)
    at = page_test("app_pages/workshop_instructor.py").run()
    open_dashboard(at, ws.code, PASS)
    no_exceptions(at)
    joined = next(c.value for c in at.caption if c.value.startswith("Joined:"))
    assert joined == "Joined: " + literal(HOSTILE)  # every mark escaped, nothing to load


def test_the_learners_own_page_and_sidebar_show_the_name_literally():
    store = Store()
    ws = make_workshop(store)
    _, member = join_workshop(store, ws.code, "**Boss** :red[x]")
    at = page_test("app_pages/workshop_join.py")
    at.query_params["member"] = member.token
    at.run()
    no_exceptions(at)
    texts = [c.value for c in at.caption] + [m.value for m in at.sidebar.markdown]
    assert any(literal("**Boss** :red[x]") in t for t in texts)
    assert not any("**Boss**" in t for t in texts)


def test_the_literal_escape_leaves_plain_names_readable():
    assert literal("Ana María") == "Ana María"
    assert literal("a_b") == "a\\_b"


def test_csv_cells_that_start_a_formula_are_neutralised(cur):
    store = Store()
    ws = make_workshop(store)
    for name in ('=HYPERLINK("http://evil","x")', "@SUM(A1:A9)", "+1", "-2", "\tTab"):
        _, m = join_workshop(store, ws.code, name)
        q = cur.quizzes["rag"].questions[0]
        answer_as(store, cur, m, q.id, q.answer)
    rows = list(csv.reader(io.StringIO(export_csv(store, cur, open_as_instructor(
        store, ws.code, PASS)))))
    learners = [r[1] for r in rows[1:]]
    assert learners == ["'=HYPERLINK(\"http://evil\",\"x\")", "'@SUM(A1:A9)", "'+1", "'-2",
                        "Tab"]  # the tab is white space the name normaliser trims
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r"))
                   for r in rows for cell in r)


def test_after_five_wrong_passphrases_even_the_right_one_waits(monkeypatch):
    store = Store()
    ws = make_workshop(store)
    for _ in range(5):
        with pytest.raises(AccessDenied, match="Wrong instructor passphrase"):
            open_as_instructor(store, ws.code, "guess guess", client="203.0.113.9")
    with pytest.raises(AccessDenied, match=r"Too many passphrase attempts: try again in \d+ s"):
        open_as_instructor(store, ws.code, PASS, client="203.0.113.9")
    with pytest.raises(AccessDenied, match="Too many"):  # the workshop itself is guarded too
        open_as_instructor(store, ws.code, PASS, client="198.51.100.1")
    later = utcnow() + timedelta(seconds=3)
    monkeypatch.setattr(throttle, "utcnow", lambda: later)
    assert open_as_instructor(store, ws.code, PASS, client="203.0.113.9").workshop_id == ws.id


def test_passphrase_waits_double_and_follow_one_client_across_workshops():
    store = Store()
    a, b = make_workshop(store), make_workshop(store)
    keys = [f"pass:ws:{a.id}", "pass:client:203.0.113.9"]
    now = utcnow()
    for _ in range(7):
        throttle.fail(store, throttle.PASSPHRASE, keys, now=now)
    with pytest.raises(throttle.TooManyAttempts) as e:
        throttle.check(store, throttle.PASSPHRASE, keys, now=now)
    assert e.value.seconds == 8  # 2 s after the 5th failure, 4 after the 6th, 8 after the 7th
    with pytest.raises(AccessDenied, match="Too many"):
        open_as_instructor(store, b.code, PASS, client="203.0.113.9")


def test_join_code_guessing_backs_off_per_client():
    store = Store()
    ws = make_workshop(store)
    for _ in range(throttle.CODE_LOOKUP.free):
        with pytest.raises(WorkshopError, match="No workshop has that join code"):
            join_workshop(store, "QQQQQQ", "Sam", client="203.0.113.9")
    with pytest.raises(WorkshopError, match=r"Too many join-code attempts: try again in \d+ s"):
        join_workshop(store, ws.code, "Sam", client="203.0.113.9")
    assert join_workshop(store, ws.code, "Kim", client="198.51.100.1")[1].display_name == "Kim"


def test_join_code_guessing_from_many_clients_backs_off_server_wide(monkeypatch):
    monkeypatch.setattr(throttle, "CODE_LOOKUP_ALL", throttle.Policy("join-code attempts on "
                                                                     "this server", 3, 1, 60))
    store = Store()
    for i in range(3):
        with pytest.raises(WorkshopError, match="No workshop"):
            join_workshop(store, "QQQQQQ", "Sam", client=f"198.51.100.{i}")
    with pytest.raises(WorkshopError, match="Too many join-code attempts on this server"):
        join_workshop(store, "QQQQQQ", "Sam", client="198.51.100.200")


def test_the_back_off_holds_across_store_instances_as_on_two_replicas(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, two = Store(url), Store(url)
    ws = make_workshop(one)
    for _ in range(5):
        with pytest.raises(AccessDenied):
            open_as_instructor(one, ws.code, "guess guess")
    with pytest.raises(AccessDenied, match="Too many"):
        open_as_instructor(two, ws.code, PASS)


@pytest.mark.parametrize("impostor", ["alice", "ALICE ", "A\u200blice", "\u202eAlice",
                                      "Alice\u2066", "Ａｌｉｃｅ", "\u0410lice", "Al\u0456ce"])
def test_look_alike_names_cannot_sit_beside_alice(impostor):
    store = Store()
    ws = make_workshop(store)
    join_workshop(store, ws.code, "Alice")
    with pytest.raises(WorkshopError, match="already goes by 'Alice'"):
        join_workshop(store, ws.code, impostor)


def test_names_are_stored_normalised():
    store = Store()
    ws = make_workshop(store)
    _, member = join_workshop(store, ws.code, "  Bo\u200bb\u202e  \u00a0Ｓmith ")
    assert member.display_name == "Bob Smith" == clean_name(member.display_name)
    assert name_key("ＡLICE") == name_key("\u0430lice") == "alice"
    with pytest.raises(ValueError, match="empty"):
        clean_name("\u200b\u202e")


def test_a_v3_database_gets_name_keys_even_with_old_case_duplicates(tmp_path):
    path = tmp_path / "v3.db"
    store = Store(f"sqlite:///{path}")
    ws = make_workshop(store)
    join_workshop(store, ws.code, "Sam")
    store.engine.dispose()
    with sqlite3.connect(path) as conn:  # back to the v3 shape, with a case duplicate
        conn.execute("DROP INDEX ux_workshop_member_name_key")
        conn.execute("ALTER TABLE workshop_member DROP COLUMN name_key")
        conn.execute("INSERT INTO workshop_member (workshop_id, learner_id, display_name, token,"
                     " joined_at) SELECT workshop_id, learner_id, 'sam', 'tok2', joined_at"
                     " FROM workshop_member")
        conn.execute("UPDATE schema_info SET version = 3")
    again = Store(f"sqlite:///{path}")
    with again.session() as s:
        keys = [m.name_key for m in s.exec(select(WorkshopMember).order_by(WorkshopMember.id))]
    assert keys[0] == "sam" and keys[1].startswith("sam#")
    with pytest.raises(WorkshopError, match="already goes by"):
        join_workshop(again, ws.code, "SAM")


def _graded_attempt(store, member, prompt_id="docs-chatbot"):
    """A stored, graded design attempt (the grade as the whiteboard records it)."""
    from labs.whiteboard.attempts import record_grade, save_attempt
    from labs.whiteboard.grader import Grade, ItemGrade

    attempt = save_attempt(store, member.learner_id, prompt_id, "=cmd|' /C calc'!A0",
                           workshop_id=member.workshop_id)
    grade = Grade(prompt_id=prompt_id, total=41, level="L4", provider="offline", model="rubric",
                  items=[ItemGrade(id="retrieval", title="Retrieval", score=6, max=20),
                         ItemGrade(id="evals", title="Eval plan", score=15, max=20)])
    record_grade(store, attempt, grade)
    return grade


def test_the_export_has_a_row_per_rubric_item_naming_the_grader(cur):
    store = Store()
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    _graded_attempt(store, sam)
    rows = list(csv.DictReader(io.StringIO(export_csv(store, cur, open_as_instructor(
        store, ws.code, PASS)))))
    assert [(r["kind"], r["item"], r["score"], r["max"], r["grader"]) for r in rows] == [
        ("design", "total", "41", "100", "offline rubric grader v2"),
        ("design-item", "Retrieval", "6", "20", "offline rubric grader v2"),
        ("design-item", "Eval plan", "15", "20", "offline rubric grader v2")]


def test_the_dashboard_names_the_grader_of_each_design_score(cur):
    store = Store()
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    _graded_attempt(store, sam)
    board = dashboard(store, cur, open_as_instructor(store, ws.code, PASS),
                      prompt_titles={"docs-chatbot": "Docs chatbot"})
    assert board.design_table == [{"learner": "Sam", "prompt": "Docs chatbot",
                                   "time (UTC)": board.design_table[0]["time (UTC)"],
                                   "score": "41 (L4)", "graded by": "offline rubric grader v2"}]
    assert board.missed_rubric_items == {"Retrieval": 1}
    at = page_test("app_pages/workshop_instructor.py").run()
    open_dashboard(at, ws.code, PASS)
    shown = next(t.value for t in at.table if "graded by" in t.value)
    assert list(shown["graded by"]) == [literal("offline rubric grader v2")]


def test_the_learners_page_lists_their_design_attempts():
    store = Store()
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    _graded_attempt(store, sam)
    at = page_test("app_pages/workshop_join.py")
    at.query_params["member"] = sam.token
    at.run()
    no_exceptions(at)
    table = next(t.value for t in at.table if "graded by" in t.value)
    assert list(table["score"]) == ["41 (L4)"] and list(table["prompt"]) == ["docs-chatbot"]


def test_the_instructors_prompt_picker_shows_titles_not_ids():
    from labs.whiteboard.loader import load_prompts

    at = page_test("app_pages/workshop_instructor.py").run()
    options = at.multiselect(key="wsi_prompts").options
    titles = {p.title for p in load_prompts().values()}
    assert options and set(options) <= titles


@pytest.mark.slow
def test_the_whiteboard_opens_on_the_workshops_prompt():
    store = Store()
    ws = make_workshop(store, prompt_ids=["ticket-rag-100m", "llm-search"])
    _, sam = join_workshop(store, ws.code, "Sam")
    at = page_test("app_pages/whiteboard.py", timeout=180)
    at.query_params["member"] = sam.token
    at.run()
    no_exceptions(at)
    picker = at.selectbox(key="wb_prompt")
    assert picker.value == "ticket-rag-100m"
    from labs.whiteboard.loader import load_prompt

    assert picker.options[:2] == [load_prompt(i).title for i in ("ticket-rag-100m", "llm-search")]


def test_help_first_lists_low_recent_accuracy_and_idle_learners_with_the_reason(cur):
    store = Store()
    ws = make_workshop(store)
    _, sam = join_workshop(store, ws.code, "Sam")
    _, kim = join_workshop(store, ws.code, "Kim")
    _, ada = join_workshop(store, ws.code, "Ada")
    qs = cur.quizzes["rag"].questions[:4]
    for q in qs:
        answer_as(store, cur, sam, q.id, (q.answer + 1) % len(q.options))
        answer_as(store, cur, kim, q.id, q.answer)
    from labs.store import set_last_module

    set_last_module(store, ada.learner_id, "evals")
    access = open_as_instructor(store, ws.code, PASS)
    now_board = dashboard(store, cur, access)
    assert now_board.help_first == [{"learner": "Sam", "reason": "0 of the last 4 answers right"}]
    later = dashboard(store, cur, access, now=NOW + timedelta(hours=1, minutes=30))
    reasons = {r["learner"]: r["reason"] for r in later.help_first}
    assert [r["learner"] for r in later.help_first][0] == "Sam"
    assert "module for" in reasons["Ada"] and "with no answer" in reasons["Ada"]
    assert reasons["Kim"].startswith("no answer or submission for")


@pytest.mark.slow
def test_the_back_off_holds_across_two_replicas_sharing_postgresql(postgres_url):
    one, two = Store(postgres_url), Store(postgres_url)
    ws = make_workshop(one)
    for _ in range(5):
        with pytest.raises(AccessDenied, match="Wrong"):
            open_as_instructor(one, ws.code, "guess guess", client="203.0.113.50")
    with pytest.raises(AccessDenied, match="Too many"):
        open_as_instructor(two, ws.code, PASS, client="198.51.100.50")
