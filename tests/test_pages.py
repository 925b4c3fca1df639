"""AppTest for every page of the foundation: it renders, and its main interaction works."""

from __future__ import annotations

import sqlite3

from sqlmodel import select

from labs.curriculum.loader import load_curriculum
from labs.store import Store
from labs.store.models import CardState, QuizAttempt
from tests.conftest import no_exceptions, page_test


def test_home_shows_learning_path_due_cards_and_what_to_study_next():
    at = page_test().run()
    no_exceptions(at)
    assert at.title[0].value == "AIE Bridge"
    labels = [m.label for m in at.metric]
    assert "Flashcards due today" in labels
    links = [p.label for p in at.get("page_link")]
    assert any("Read module: The DE-to-AIE shape map" in label for label in links)
    assert any(c.value.startswith("Why: ") for c in at.caption)


def test_sidebar_display_name_is_kept_across_restarts():
    at = page_test().run()
    at.sidebar.text_input(key="profile_name").set_value("Grace Hopper").run()
    no_exceptions(at)
    again = page_test().run()  # a new session, as after a restart
    assert again.sidebar.text_input(key="profile_name").value == "Grace Hopper"


def test_sidebar_rejects_an_empty_name():
    at = page_test().run()
    at.sidebar.text_input(key="profile_name").set_value("   ").run()
    assert any("cannot be empty" in e.value for e in at.sidebar.error)


def test_quiz_answered_right_and_wrong_records_two_attempts():
    cur = load_curriculum()
    q = cur.quizzes["shape-map"].questions[0]
    wrong = (q.answer + 1) % len(q.options)
    at = page_test("app_pages/modules.py").run()
    no_exceptions(at)
    at.radio(key=f"quiz_choice_{q.id}").set_value(q.answer)
    at.button(key=f"quiz_check_{q.id}").click().run()
    assert any("Right." in s.value for s in at.success)
    at.radio(key=f"quiz_choice_{q.id}").set_value(wrong)
    at.button(key=f"quiz_check_{q.id}").click().run()
    assert any(q.options[wrong].explanation in e.value for e in at.error)
    assert any(q.options[q.answer].explanation in i.value for i in at.info)
    with Store().session() as s:
        attempts = s.exec(select(QuizAttempt)).all()
    assert [(a.question_id, a.correct) for a in attempts] == [(q.id, True), (q.id, False)]


def test_checking_without_a_choice_asks_for_one():
    q = load_curriculum().quizzes["shape-map"].questions[0]
    at = page_test("app_pages/modules.py").run()
    at.button(key=f"quiz_check_{q.id}").click().run()
    assert any("Pick an option" in w.value for w in at.warning)


def test_module_page_follows_the_query_param_and_marks_the_lesson_read():
    at = page_test("app_pages/modules.py")
    at.query_params["module"] = "mcp"
    at.run()
    no_exceptions(at)
    assert at.selectbox(key="mod_select").value == "mcp"
    at.button(key="mod_mark_read").click().run()
    assert any("marked this lesson as read" in s.value for s in at.success)


def test_unknown_module_in_the_link_gets_a_message():
    at = page_test("app_pages/modules.py")
    at.query_params["module"] = "nope"
    at.run()
    no_exceptions(at)
    assert any("no module called" in w.value for w in at.warning)


def test_flashcard_review_moves_its_due_date():
    at = page_test("app_pages/review.py").run()
    no_exceptions(at)
    at.button(key="review_show").click().run()
    at.button(key="review_good").click().run()
    no_exceptions(at)
    with Store().session() as s:
        (state,) = s.exec(select(CardState)).all()
    assert state.reviews == 1 and state.fsrs_json
    assert any("The last card comes back in about" in c.value for c in at.caption)


def test_decision_trainer_shows_the_explanation_for_every_method():
    cur = load_curriculum()
    at = page_test("app_pages/decision_trainer.py").run()
    no_exceptions(at)
    shown = at.selectbox(key="dt_scenario").value
    first = next(s for s in cur.trainer.scenarios if s.id == shown)
    wrong = next(m.id for m in cur.trainer.methods if m.id != first.best)
    at.radio(key=f"dt_choice_{first.id}").set_value(wrong)
    at.button(key="dt_check").click().run()
    assert any("Not here" in e.value for e in at.error)
    assert not at.dataframe, "a dataframe cuts the explanations off; they are a wrapping table"
    table = at.table[0].value
    assert len(table) == len(cur.trainer.methods)
    assert first.explanations[wrong] in set(table["why"])


def test_corrupt_database_shows_a_clear_message_not_a_traceback(isolated_data_dir):
    isolated_data_dir.mkdir(parents=True)
    (isolated_data_dir / "aie-bridge.db").write_bytes(b"garbage" * 500)
    at = page_test().run()
    no_exceptions(at)
    assert any("progress store is unavailable" in e.value and "not a database" in e.value
               for e in at.error)


def test_every_built_page_renders_without_exception():
    from app.nav import built_pages

    for spec in built_pages():
        at = page_test(spec.path).run()
        no_exceptions(at)


def test_database_file_is_written_in_wal_mode(isolated_data_dir):
    page_test().run()
    with sqlite3.connect(isolated_data_dir / "aie-bridge.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_lesson_shows_one_section_at_a_time_and_next_moves_on():
    mod = load_curriculum().module("rag")
    at = page_test("app_pages/modules.py")
    at.query_params["module"] = "rag"
    at.run()
    no_exceptions(at)
    text = "\n".join(m.value for m in at.markdown)
    assert "What RAG is for" in text and "Choosing a vector database" not in text
    assert len(at.get("graphviz_chart")) == 0
    at.button(key="lesson_next").click().run()
    no_exceptions(at)
    assert len(at.get("graphviz_chart")) == 1  # the indexing pipeline section holds the diagram
    assert mod.body.count("```dot") == 1
