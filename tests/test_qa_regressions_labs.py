"""Regressions found in a user-eyed QA pass over the lab and practice pages (retrieval, MCP
explorer, whiteboard, mock interview, drill): each test names what a learner saw, and checks
it no longer happens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labs.retrieval import compare
from labs.retrieval.engine import Hit
from tests.conftest import no_exceptions, page_test
from tests.retrieval_helpers import make_beir


def _hits(*ids: str) -> list[Hit]:
    return [Hit(d, 1.0 / (i + 1), i + 1) for i, d in enumerate(ids)]


def test_the_three_lists_fit_one_table_with_a_row_per_rank():
    # seen: three dataframes side by side at 1400 px hid the other lists' rank columns
    rows = compare.grid({"dense": _hits("a", "b", "c"), "bm25": _hits("c"),
                         "hybrid": _hits("c", "a")}, {"c": 1})
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert rows[0] == {"rank": 1, "dense": "a", "bm25": "✓ c",
                       "hybrid": "✓ c · dense ▲2 · bm25 ="}
    assert rows[1]["bm25"] == "" and rows[2]["hybrid"] == ""  # shorter lists leave blanks


def test_misses_say_not_in_top_k_rather_than_none():
    ev_runs = {"dense": {"q": _hits("x", "a")}, "bm25": {"q": _hits("x")}}
    from labs.retrieval.corpus import Query
    from labs.retrieval.engine import Evaluation

    per = {m: {"q": {"ndcg@10": 0.5}} for m in ev_runs}
    ev = Evaluation(2, {m: {"ndcg@10": 0.5} for m in ev_runs}, per, ev_runs, 1, 0)
    row = compare.misses(ev, {"q": Query("q", "t", {"a": 1}, "paraphrase")},
                         missing="not in top 2")[0]
    assert row["dense first hit"] == 2 and row["bm25 first hit"] == "not in top 2"


def _beir_with_a_miss(root: Path) -> Path:
    folder = make_beir(root)
    # no word shared with d5 ("A cat sleeps most of the day"): BM25 cannot find it
    with (folder / "queries.jsonl").open("a") as f:
        f.write(json.dumps({"_id": "q5", "text": "feline nap habits"}) + "\n")
    with (folder / "qrels" / "test.tsv").open("a") as f:
        f.write("q5\td5\t1\n")
    return folder


@pytest.mark.slow
def test_retrieval_page_shows_one_readable_table_and_misses_in_words(tmp_path, embedder):
    at = page_test("app_pages/retrieval.py", timeout=180).run()
    at.radio(key="ret_source").set_value("BEIR folder").run()
    at.text_input(key="ret_beir_path").input(str(_beir_with_a_miss(tmp_path / "b"))).run()
    at.button(key="ret_build").click().run()
    at.selectbox(key="ret_pick").set_value("q1").run()
    no_exceptions(at)
    grid = at.table[0].value
    assert list(grid.columns) == ["rank", "Dense (MiniLM + FAISS)", "BM25 (bm25s)", "Hybrid"]
    assert grid.iloc[0]["BM25 (bm25s)"] == "✓ d1"
    at.slider(key="ret_metric_k").set_value(3).run()
    at.button(key="ret_evaluate").click().run()
    no_exceptions(at)
    miss = next(d.value for d in at.dataframe if "bm25 first hit" in d.value.columns)
    assert "q5" in set(miss["query"])
    cells = {str(v) for c in miss.columns if c.endswith("first hit") for v in miss[c]}
    assert "not in top 3" in cells and "None" not in cells and "nan" not in cells


def test_mock_interview_explains_the_structure_and_fills_a_template(embedder):
    # seen: one blank Markdown box and no word on what the answer should contain
    from app.whiteboard_parts import answer_template
    from labs.whiteboard.text import sentences

    at = page_test("app_pages/mock_interview.py", timeout=120).run()
    assert any("five parts" in i.value for i in at.info)
    at.button(key="mock_start").click().run()
    at.button(key="mock_template").click().run()
    no_exceptions(at)
    text = at.text_area(key="mock_answer").value
    for part in ("Clarifying questions", "Architecture", "Bottleneck", "Trade-offs",
                 "Eval plan", "How fresh must the data be?"):
        assert part in text
    assert sentences(answer_template()) == []  # the untouched template earns nothing
    at.button(key="mock_finish").click().run()  # grading it would end the round at 0
    assert any("Nothing to grade yet" in w.value for w in at.warning)
    assert "mock_result" not in at.session_state
    at.text_area(key="mock_answer").input("My own answer").run()
    at.button(key="mock_template").click().run()
    assert at.text_area(key="mock_answer").value == "My own answer"  # never pasted over
    assert any("not pasted over" in c.value for c in at.caption)


@pytest.mark.slow
def test_an_mcp_call_the_form_refused_does_not_show_the_previous_answer_as_its_own():
    # seen: an empty query said "Not sent" and, under it, "search_curriculum answered" with
    # the results of the call before
    at = page_test("app_pages/mcp_explorer.py", timeout=120).run()
    at.button(key="mcp_connect").click().run()
    client = at.session_state["mcp_client"]
    try:
        call = next(b for b in at.button if b.label == "Call tool")
        at.text_input(key="mcp_arg_search_curriculum_query").set_value("tool annotations")
        call.click().run()
        no_exceptions(at)
        assert any('"query": "tool annotations"' in s.value for s in at.success)
        at.text_input(key="mcp_arg_search_curriculum_query").set_value("")
        next(b for b in at.button if b.label == "Call tool").click().run()
        no_exceptions(at)
        assert any("Not sent" in e.value for e in at.error)
        assert not any("answered" in s.value for s in at.success)
        assert "mcp_last_result" not in at.session_state
    finally:
        client.close()


@pytest.mark.slow
def test_whiteboard_diagram_runs_down_the_column_and_history_names_the_attempts(embedder):
    # seen: eight boxes left to right in the side column shrank to unreadable text; the
    # history had a column of "None" errors; the comparison's columns were "a" and "b"
    at = page_test("app_pages/whiteboard.py", timeout=180).run()
    at.selectbox(key="wb_prompt").set_value("docs-chatbot").run()
    K = "wb_docs-chatbot_"
    at.multiselect(key=K + "boxes").set_value(["client", "retrieval", "llm-call"]).run()
    assert not at.exception, at.exception
    at.text_area(key=K + "eval_plan").input("A golden set of 300 questions scored for "
                                            "faithfulness on every release.").run()
    at.button(key="wb_grade").click().run()
    at.text_area(key=K + "bottleneck").input("Retrieval recall under tenant filters.").run()
    at.button(key="wb_grade").click().run()
    no_exceptions(at)
    history = next(d.value for d in at.dataframe if "attempt" in d.value.columns)
    assert len(history) == 2 and "grading error" not in history.columns
    side = next(d.value for d in at.dataframe if "item" in d.value.columns
                and "max" in d.value.columns and "score" not in d.value.columns)
    assert {"#1", "#2", "change #1 → #2"} <= set(side.columns)
    report = next(d.value for d in at.dataframe if "score" in d.value.columns)
    assert report["share"].between(0, 100).all()  # shown as whole percents, not "26.67%"
    assert report["share"].max() > 1  # on the 0–100 scale the percent format expects


def _leave_and_come_back(at, page: str):
    """Visit the Modules page, then come back: Streamlit drops the widgets it did not draw."""
    at.switch_page("app_pages/modules.py").run()
    return at.switch_page(page).run()


@pytest.mark.slow
def test_whiteboard_fields_survive_a_visit_to_another_page_and_the_draft_is_not_wiped(
        embedder):
    # seen: after Modules and back, every field was blank and autosave wiped the draft
    from labs.store import Store, most_recent_learner
    from labs.whiteboard.attempts import load_draft

    at = page_test("app_pages/whiteboard.py", timeout=120).run()
    at.selectbox(key="wb_prompt").set_value("docs-chatbot").run()
    K = "wb_docs-chatbot_"
    at.text_area(key=K + "q_read_write").input("Read-only: it answers, no writes.").run()
    at.multiselect(key=K + "boxes").set_value(["client", "retrieval"]).run()
    _leave_and_come_back(at, "app_pages/whiteboard.py")
    no_exceptions(at)
    assert at.selectbox(key="wb_prompt").value == "docs-chatbot"
    assert at.text_area(key=K + "q_read_write").value == "Read-only: it answers, no writes."
    assert at.multiselect(key=K + "boxes").value == ["client", "retrieval"]
    store = Store()
    draft = load_draft(store, most_recent_learner(store).id, "docs-chatbot")
    assert draft and draft["q_read_write"].startswith("Read-only")


def test_a_mock_answer_survives_a_visit_to_another_page():
    # seen: mid-interview, a look at the Modules page emptied the answer box
    at = page_test("app_pages/mock_interview.py", timeout=60).run()
    at.button(key="mock_start").click().run()
    at.text_area(key="mock_answer").input("Retrieval first, then a reranker.").run()
    _leave_and_come_back(at, "app_pages/mock_interview.py")
    no_exceptions(at)
    assert at.text_area(key="mock_answer").value == "Retrieval first, then a reranker."


def test_a_drill_script_survives_a_visit_to_another_page():
    # seen: the typed 90-second script was gone after a look at the Modules page
    at = page_test("app_pages/drill.py", timeout=60).run()
    at.text_area(key="drill_script").input("The goal is a docs assistant.").run()
    _leave_and_come_back(at, "app_pages/drill.py")
    no_exceptions(at)
    assert at.text_area(key="drill_script").value == "The goal is a docs assistant."


@pytest.mark.slow
def test_the_mock_report_shows_the_interviewers_answers_whole(embedder):
    # seen: the report's "Questions asked" cut each answer at one line
    at = page_test("app_pages/mock_interview.py", timeout=180).run()
    at.selectbox(key="mock_prompt").set_value("docs-chatbot")
    at.button(key="mock_start").click().run()
    at.text_input(key="mock_ask_q").input("How fresh does the data need to be?")
    next(b for b in at.button if b.label == "Ask").click().run()
    answer = at.session_state["mock_asked"][-1]["answer"]
    at.text_area(key="mock_answer").input("Read-only docs assistant with hybrid retrieval, "
                                          "a golden set and a release gate.")
    at.button(key="mock_finish").click().run()
    no_exceptions(at)
    table = at.table[0].value
    assert list(table.columns) == ["at", "question", "dimension", "answer"]
    assert table.iloc[0]["answer"] == answer


@pytest.mark.slow
def test_a_query_bm25_cannot_match_says_why_its_column_is_empty(tmp_path, embedder):
    # seen: "the of and is" left the BM25 column blank with no word of explanation
    at = page_test("app_pages/retrieval.py", timeout=180).run()
    at.radio(key="ret_source").set_value("BEIR folder").run()
    at.text_input(key="ret_beir_path").input(str(make_beir(tmp_path / "b"))).run()
    at.button(key="ret_build").click().run()
    at.text_input(key="ret_query_(type your own)").input("the of and is").run()
    no_exceptions(at)
    assert at.table[0].value["BM25 (bm25s)"].eq("").all()
    assert any("BM25 found nothing" in w.value for w in at.warning)


@pytest.mark.slow
def test_retrieval_settings_and_query_survive_a_visit_to_another_page(tmp_path, embedder):
    # seen: back from Modules, the sliders were at their defaults and the page said the
    # index was out of date
    at = page_test("app_pages/retrieval.py", timeout=180).run()
    at.radio(key="ret_source").set_value("BEIR folder").run()
    at.text_input(key="ret_beir_path").input(str(make_beir(tmp_path / "b"))).run()
    at.slider(key="ret_size").set_value(64).run()
    at.button(key="ret_build").click().run()
    at.selectbox(key="ret_pick").set_value("q1").run()
    _leave_and_come_back(at, "app_pages/retrieval.py")
    no_exceptions(at)
    assert at.radio(key="ret_source").value == "BEIR folder"
    assert at.slider(key="ret_size").value == 64
    assert at.selectbox(key="ret_pick").value == "q1"
    assert not any("settings changed" in w.value for w in at.warning)
    assert at.table[0].value.iloc[0]["BM25 (bm25s)"] == "✓ d1"


@pytest.mark.slow
def test_an_mcp_prompt_without_its_argument_is_not_sent_and_the_ids_are_listed():
    # seen: "error 0: Missing required arguments: {'prompt_id'}" with no hint of the ids, and
    # "None" in the id column of every notification
    at = page_test("app_pages/mcp_explorer.py", timeout=120).run()
    at.selectbox(key="mcp_mode").set_value("legacy").run()  # a 2025-era session
    at.button(key="mcp_connect").click().run()
    client = at.session_state["mcp_client"]
    try:
        at.selectbox(key="mcp_prompt_name").set_value("mock_interview").run()
        assert any("prompt_id is one of" in c.value and "docs-chatbot" in c.value
                   for c in at.caption)
        sent = len(client.log)
        at.button(key="mcp_get_prompt").click().run()
        no_exceptions(at)
        assert any("Not sent" in e.value and "prompt_id" in e.value for e in at.error)
        assert len(client.log) == sent  # nothing crossed the wire
        log = next(d.value for d in at.dataframe if "direction" in d.value.columns)
        assert "None" not in set(log["id"]) and "" in set(log["id"])
    finally:
        client.close()


def test_an_empty_corpus_choice_says_what_to_do_for_that_source():
    # seen: "Choose a corpus with at least one document" with the upload box right above it
    at = page_test("app_pages/retrieval.py", timeout=60).run()
    at.radio(key="ret_source").set_value("Upload files").run()
    at.checkbox(key="ret_with_bundled").uncheck().run()
    no_exceptions(at)
    assert any("Upload at least one document" in i.value for i in at.info)
    at.radio(key="ret_source").set_value("BEIR folder").run()
    assert any("path of a BEIR folder" in i.value for i in at.info)
