"""AppTest of the whiteboard, the interviewer panel, the mock interview and the 90-second
drill (fragments are not run by AppTest; their clock logic is tested in the engine tests)."""

from __future__ import annotations

import pytest

from labs.whiteboard.loader import load_prompt
from tests.conftest import page_test

pytestmark = pytest.mark.slow


def _wb(embedder):
    at = page_test("app_pages/whiteboard.py", timeout=180)
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="wb_prompt").set_value("docs-chatbot").run()
    return at, "wb_docs-chatbot_"


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_the_whiteboard_draws_the_architecture_and_grades_the_fields(embedder):
    at, K = _wb(embedder)
    at.text_area(key=K + "q_read_write").input("Read-only: it answers and cites, no writes.")
    at.multiselect(key=K + "boxes").set_value(["client", "retrieval", "llm-call"]).run()
    at.button(key=K + "chain").click().run()
    assert at.text_area(key=K + "edges").value == "Client -> Retrieval\nRetrieval -> LLM call"
    at.text_area(key=K + "edges").input('Client -> Retrieval\nClient -> "Nowhere"').run()
    assert any("no node called" in c.value for c in at.caption)
    assert at.get("graphviz_chart")
    at.text_area(key=K + "eval_plan").input(
        "A golden set of 300 questions scored for faithfulness by an LLM judge on every "
        "release, as a regression gate.")
    at.button(key="wb_grade").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Graded by"] == "offline rubric grader v2"
    assert int(metrics["Total"].split("/")[0]) > 0
    assert any("Grade (attempt" in s.value for s in at.subheader)
    assert any("calibration" in e.label for e in at.expander)  # how far to trust the grade


def test_a_pasted_markdown_answer_is_graded_and_the_draft_survives_a_new_session(embedder):
    at, K = _wb(embedder)
    at.text_area(key=K + "free").input(load_prompt("docs-chatbot").reference_answers.strong)
    at.run()
    at.button(key="wb_grade").click().run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Level signal"] == "L6"
    again, _ = _wb(embedder)  # a new browser session of the same learner
    assert again.text_area(key=K + "free").value.startswith("## Clarifying questions")


def test_grading_an_empty_whiteboard_says_what_to_do(embedder):
    at, _ = _wb(embedder)
    at.button(key="wb_grade").click().run()
    assert not at.exception
    assert any("empty" in w.value for w in at.warning)


def test_the_interviewer_panel_answers_and_declines(embedder):
    at, _ = _wb(embedder)
    p = load_prompt("docs-chatbot")
    at.text_input(key="wb_ask_q").input("How often do the docs change?")
    _button(at, "Ask").click().run()
    assert any(p.hidden_requirements.freshness.answer in t.value for t in at.text)
    at.text_input(key="wb_ask_q").input("What's your favourite colour?")
    _button(at, "Ask").click().run()
    assert any("declined" in c.value for c in at.caption)


def test_the_mock_interview_runs_phases_announces_the_change_and_reports(embedder):
    at = page_test("app_pages/mock_interview.py", timeout=180)
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="mock_prompt").set_value("docs-chatbot")
    at.button(key="mock_start").click().run()
    assert any("Clarify" in s.value for s in at.subheader)
    at.text_input(key="mock_ask_q").input("What's the latency budget?")
    _button(at, "Ask").click().run()
    at.button(key="mock_next").click().run()  # → design
    p = load_prompt("docs-chatbot")
    assert not any(p.requirement_change.announcement in w.value for w in at.warning)
    at.button(key="mock_next").click().run()  # → deep dive: the change is announced
    assert any(p.requirement_change.announcement in w.value for w in at.warning)
    at.text_area(key="mock_answer").input(
        p.reference_answers.ok + "\nFor the new budget we stream and add a semantic cache.")
    at.button(key="mock_finish").click().run()
    assert not at.exception, at.exception
    assert any("Final report" in s.value for s in at.subheader)
    flags = " ".join(e.value for e in at.error)
    assert "Finished in" in flags  # an interview done in seconds is flagged
    labels = [i.label for i in at.expander]
    assert any("Responded to the requirement change" in x for x in labels)


def test_the_drill_counts_words_and_checks_the_six_beats():
    at = page_test("app_pages/drill.py", timeout=60)
    at.run()
    assert not at.exception, at.exception
    at.button(key="drill_start").click().run()
    script = ("The goal is a docs chatbot; assuming read-only users. The architecture is hybrid "
              "RAG with BM25 and vectors. The bottleneck is retrieval quality. The trade-off "
              "is latency against quality: a reranker costs 80 ms. The eval plan is a golden "
              "set scored for faithfulness. In short, I'd start with the eval harness.")
    at.text_area(key="drill_script").input(script)
    at.button(key="drill_check").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Words"] == str(len(script.split()))
    assert any("6 of 6 beats present, in order" in s.value for s in at.success)


def test_the_drill_says_when_a_beat_is_only_named_inside_another_beats_sentence():
    at = page_test("app_pages/drill.py", timeout=60)
    at.run()
    at.button(key="drill_start").click().run()
    script = ("The goal is a docs chatbot, and the bottleneck is retrieval quality. The "
              "architecture is hybrid RAG with BM25 and vectors.")
    at.text_area(key="drill_script").input(script)
    at.button(key="drill_check").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("beat")
    shared = table[table["words"].str.startswith("0: only named")]
    assert len(shared) >= 1 and shared["present"].all()


def test_an_llm_grade_far_from_the_offline_grade_is_flagged_on_the_page(embedder, llm_server):
    from labs.whiteboard.rubric import ITEM_MAX

    at, K = _wb(embedder)
    at.sidebar.selectbox(key="llm_provider").set_value("openai-compatible").run()
    at.sidebar.text_input(key="llm_base_url").input(llm_server.openai_url)
    at.sidebar.button(key="llm_use").click().run()
    llm_server.responder = lambda req: {"items": [
        {"id": i, "score": m, "evidence": "", "feedback": "great"} for i, m in ITEM_MAX.items()
        if i != "requirement_change"]}  # a model that gives everything full marks
    at.text_area(key=K + "free").input(load_prompt("docs-chatbot").reference_answers.weak)
    at.button(key="wb_grade").click().run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Graded by"].startswith("llm:openai-compatible:")
    assert any("disagree by more than one band" in w.value for w in at.warning)
