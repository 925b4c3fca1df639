"""A provider that rate-limits shows up on the page: `ui.llm_waits()` around every page's LLM
calls shows each retry wait as it starts and leaves what the waits added up to after the call.

Each page test points the app at tests/llm_server.py, which answers the first request with a
429 and `Retry-After: 1` and the next normally; the gateway's sleep is patched, so nothing
waits for real."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from labs.llm import gateway
from tests.conftest import no_exceptions, page_test

MODEL = "claude-haiku-4-5"
SUMMARY = f"Waited 1.0 s for anthropic:{MODEL} (HTTP 429 (rate limited); retried once)"
NOTE = f"anthropic:{MODEL}: HTTP 429 (rate limited); retrying in 1.0s (attempt 2)"


@pytest.fixture
def limited(llm_server, monkeypatch):
    """The app's LLM is the local server, whose first answer is a 429 asking for 1 s."""
    slept: list[float] = []
    monkeypatch.setattr(gateway, "sleep", slept.append)
    cfg = llm_server.config("anthropic")
    monkeypatch.setenv("AIE_BRIDGE_LLM", f"anthropic:{cfg.model}")
    monkeypatch.setenv("ANTHROPIC_API_KEY", cfg.api_key)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", cfg.base_url)
    llm_server.push_error(429, retry_after="1")
    llm_server.slept = slept
    return llm_server


def assert_wait_shown(at, llm_server) -> None:
    """One status block on the page: the summary as its label, the wait's sentence inside."""
    no_exceptions(at)
    shown = [s for s in at.status if s.label.startswith("Waited")]
    assert [s.label for s in shown] == [SUMMARY]
    assert NOTE in [m.value for m in shown[0].markdown]
    assert llm_server.slept == [1.0]
    assert llm_server.requests[0].at < llm_server.requests[1].at  # retried, and answered


def _one_call() -> None:
    import streamlit as st

    from app import ui
    from labs import llm

    try:
        with ui.llm_waits():
            st.text(llm.complete("hi", feature="t.waits", config=ui.llm_config(), cache=False))
    except llm.LLMError as e:
        st.error(str(e))
    st.text("after the call")


def test_the_helper_shows_the_wait_and_leaves_the_summary(limited):
    limited.push_text("fine")
    at = AppTest.from_function(_one_call, default_timeout=30).run()
    assert_wait_shown(at, limited)
    assert at.status[0].state == "complete" and at.status[0].proto.expanded is False
    assert [t.value for t in at.text] == ["fine", "after the call"]


def test_the_helper_draws_nothing_when_no_call_waited(llm_server, monkeypatch):
    monkeypatch.setenv("AIE_BRIDGE_LLM", f"anthropic:{MODEL}")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", llm_server.anthropic_url)
    llm_server.push_text("fine")
    at = AppTest.from_function(_one_call, default_timeout=30).run()
    no_exceptions(at)
    assert not at.status and [t.value for t in at.text] == ["fine", "after the call"]


def test_a_call_that_gives_up_leaves_what_it_waited_beside_the_error(limited, monkeypatch):
    monkeypatch.setenv("AIE_BRIDGE_LLM_WAIT_BUDGET", "1.5")
    limited.push_error(429, retry_after="1")  # a second 1 s wait would pass the budget
    at = AppTest.from_function(_one_call, default_timeout=30).run()
    no_exceptions(at)
    (status,) = at.status
    assert status.label == SUMMARY and status.state == "error"
    assert any("wait budget" in e.value and "try again in about 1s" in e.value
               for e in at.error)


def test_the_spend_playground_shows_the_wait_of_its_streamed_call(limited):
    limited.push_stream(["Tenants ", "share ", "one bill."])
    at = page_test("app_pages/spend.py").run()
    at.button(key="spend_send").click().run()
    assert_wait_shown(at, limited)
    assert any("Tenants share one bill." in m.value for m in at.markdown)


def test_the_sidebar_connection_test_shows_its_wait(limited):
    limited.push_text("ok")
    at = page_test("app_pages/spend.py").run()
    at.sidebar.button(key="llm_test").click().run()
    no_exceptions(at)
    assert [s.label for s in at.sidebar.status] == [SUMMARY]
    assert any("answered" in s.value for s in at.sidebar.success)


def test_the_whiteboard_interviewer_shows_the_wait_of_its_classification(limited):
    limited.push_structured({"dimension": "freshness"})
    at = page_test("app_pages/whiteboard.py", timeout=60).run()
    at.text_input(key="wb_ask_q").input("How fresh does the data need to be?")
    at.button(key="FormSubmitter:wb_ask_form-Ask").click().run()
    assert_wait_shown(at, limited)
    assert any("matched freshness by" in c.value for c in at.caption)


@pytest.mark.slow
def test_the_whiteboard_llm_grade_shows_the_wait(limited, embedder):
    from labs.whiteboard.loader import load_prompt
    from labs.whiteboard.rubric import ITEM_MAX

    limited.responder = lambda req: {"items": [
        {"id": i, "score": 0, "evidence": "", "feedback": "thin"} for i in ITEM_MAX]}
    at = page_test("app_pages/whiteboard.py", timeout=180).run()
    at.selectbox(key="wb_prompt").set_value("docs-chatbot").run()
    at.text_area(key="wb_docs-chatbot_free").input(
        load_prompt("docs-chatbot").reference_answers.weak)
    at.button(key="wb_grade").click().run()
    assert_wait_shown(at, limited)
    assert {m.label: m.value for m in at.metric}["Graded by"].startswith("llm:anthropic:")


def test_the_eval_judge_shows_the_wait_of_its_calls(limited):
    limited.responder = lambda req: {"score": 3, "reasons": ["partly right"]}
    at = page_test("app_pages/evals.py", timeout=120).run()
    at.button(key="eval_judge_run").click().run()
    assert_wait_shown(at, limited)
    assert any("Judged by anthropic:" in c.value for c in at.caption)


def _rewrite(query: str) -> None:
    from types import SimpleNamespace

    from app import retrieval_parts

    index = SimpleNamespace(dense=lambda text, k: [])  # HyDE's search side is not the point
    retrieval_parts.rewrite_panel(query, index, 5, None)


def test_the_retrieval_rewrite_shows_the_wait_of_its_llm_call(limited):
    limited.push_text("A webhook signature expires after five minutes.")
    at = AppTest.from_function(_rewrite, args=("What does E-4013 mean?",),
                               default_timeout=30).run()
    at.button(key="ret_run_hyde").click().run()
    assert_wait_shown(at, limited)
    assert any("five minutes" in t.value for t in at.text)


def _rerank(query: str) -> None:
    from types import SimpleNamespace

    from app import retrieval_parts

    hits = [SimpleNamespace(doc_id=d, rank=r, score=1.0 / r, unit=None)
            for r, d in enumerate(["signatures", "retries", "limits"], start=1)]
    index = SimpleNamespace(search=lambda text, mode, n: hits[:n],
                            context=lambda h: f"The {h.doc_id} page of the API reference.")
    retrieval_parts.rerank_panel(query, index, {}, None)


def test_the_retrieval_llm_rerank_shows_the_wait_of_its_call(limited):
    limited.responder = lambda req: {"order": [2, 1, 3]}
    at = AppTest.from_function(_rerank, args=("Why was my webhook retried?",),
                               default_timeout=30).run()
    at.radio(key="ret_rerank_kind").set_value("llm").run()
    at.button(key="ret_rerank_go").click().run()
    assert_wait_shown(at, limited)
    table = at.dataframe[0].value
    assert list(table["doc"]) == ["retries", "signatures", "limits"]
    assert any("Reranked by LLM rerank" in c.value for c in at.caption)
