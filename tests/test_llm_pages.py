"""AppTest for the Spend page and the sidebar's LLM panel."""

from __future__ import annotations

import uuid

from labs import llm
from labs.store import Store, get_or_create_learner
from tests.conftest import no_exceptions, page_test

SPEND = "app_pages/spend.py"


def _shown_text(at) -> str:
    """Every piece of text the page shows (not the widgets' own typed values)."""
    parts: list[str] = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "success", "warning",
                 "error", "toast", "text", "code", "json", "exception"):
        for el in at.get(kind):
            parts.append(str(getattr(el, "value", "")))
    for m in at.metric:
        parts += [m.label, str(m.value), str(m.proto.help)]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    return "\n".join(parts)


def test_the_spend_page_with_no_calls_says_so_and_how_to_get_some():
    at = page_test(SPEND).run()
    no_exceptions(at)
    assert at.title[0].value == "LLM spend"
    assert any("No LLM calls yet" in i.value and "offline" in i.value for i in at.info)


def test_the_spend_page_attributes_cost_and_says_cost_unknown_honestly(llm_server):
    grace = get_or_create_learner(Store(), "Grace")
    priced = llm_server.config("anthropic")
    local = llm_server.config("openai-compatible", model="my-local-q4")
    llm_server.push_text("a", input_tokens=1000, output_tokens=200)
    llm.complete("q1", feature="evals.judge", learner_id=grace.id, config=priced)
    llm.complete("q1", feature="evals.judge", learner_id=grace.id, config=priced)  # cached
    llm.complete("q2", feature="retrieval.hyde", config=local)

    at = page_test(SPEND).run()
    no_exceptions(at)
    metrics = {m.label: m.value for m in at.metric}
    expected = llm.spend_summary()["cost_usd"]
    assert expected > 0 and metrics["Known cost"] == f"${expected:,.4f}"
    assert (metrics["Calls"], metrics["Cache hits"], metrics["Cost unknown"]) == ("3", "1", "1")
    assert any("cost unknown" in w.value for w in at.warning)
    assert [t.label for t in at.tabs] == ["By feature", "By learner", "By day"]
    table = at.dataframe[0].value
    assert set(table["feature"]) == {"evals.judge", "retrieval.hyde"}
    assert "cost unknown" in set(table["cost"]) and "Grace" in set(table["learner"])
    assert list(table["cache hit"]).count(True) == 1


def test_the_spend_page_clears_the_cache(llm_server):
    llm.complete("q", feature="t.c", config=llm_server.config("openai"))
    at = page_test(SPEND).run()
    at.button(key="spend_clear").click().run()
    no_exceptions(at)
    assert llm.cache_stats()["entries"] == 0


def test_the_sidebar_panel_is_offline_by_default():
    at = page_test(SPEND).run()
    assert any("Offline: no LLM is configured" in i.value for i in at.sidebar.info)
    assert at.sidebar.button(key="llm_test").disabled


def test_the_sidebar_panel_shows_the_environment_config_without_its_key(monkeypatch):
    key = "sk-ant-TESTKEY-" + uuid.uuid4().hex
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    at = page_test(SPEND).run()
    no_exceptions(at)
    assert any("anthropic:claude-haiku-4-5" in s.value and "from env" in s.value
               for s in at.sidebar.success)
    assert key not in _shown_text(at)


def test_a_session_key_pasted_in_the_panel_is_used_tested_and_never_shown(llm_server):
    key = "sk-TESTKEY-" + uuid.uuid4().hex
    at = page_test(SPEND).run()
    at.sidebar.selectbox(key="llm_provider").set_value("openai-compatible").run()
    at.sidebar.text_input(key="llm_model_openai-compatible").input("my-local-q4")
    at.sidebar.text_input(key="llm_base_url").input(llm_server.openai_url)
    at.sidebar.text_input(key="llm_key_openai-compatible").input(key)
    at.sidebar.button(key="llm_use").click().run()
    no_exceptions(at)
    status = " ".join(s.value for s in at.sidebar.success)
    assert "openai-compatible:my-local-q4" in status and "key set" in status
    assert "from session" in status

    at.sidebar.button(key="llm_test").click().run()
    no_exceptions(at)
    assert any("answered" in s.value for s in at.sidebar.success)
    (req,) = llm_server.requests
    assert req.headers["authorization"] == f"Bearer {key}"  # the pasted key was used
    assert key not in _shown_text(at)

    again = page_test(SPEND).run()  # a new session does not inherit it
    assert any("Offline" in i.value for i in again.sidebar.info)


def test_the_panel_reports_a_provider_that_does_not_answer(llm_server):
    at = page_test(SPEND).run()
    at.sidebar.selectbox(key="llm_provider").set_value("openai-compatible").run()
    at.sidebar.text_input(key="llm_base_url").input(llm_server.openai_url)
    at.sidebar.button(key="llm_use").click().run()
    llm_server.push_error(404, message="model 'llama3.2' not found")
    at.sidebar.button(key="llm_test").click().run()
    no_exceptions(at)
    assert any("HTTP 404" in e.value and "Check the model name" in e.value
               for e in at.sidebar.error)


def test_the_panel_refuses_anthropic_without_any_key():
    at = page_test(SPEND).run()
    at.sidebar.selectbox(key="llm_provider").set_value("anthropic").run()
    at.sidebar.button(key="llm_use").click().run()
    assert any("needs an API key" in e.value for e in at.sidebar.error)
    assert any("Offline" in i.value for i in at.sidebar.info)


def test_reset_returns_to_the_environment_settings(llm_server):
    at = page_test(SPEND).run()
    at.sidebar.selectbox(key="llm_provider").set_value("openai-compatible").run()
    at.sidebar.button(key="llm_use").click().run()
    assert at.sidebar.success
    at.sidebar.button(key="llm_reset").click().run()
    assert any("Offline" in i.value for i in at.sidebar.info)


def _use_local_server(at, llm_server):
    at.sidebar.selectbox(key="llm_provider").set_value("openai-compatible").run()
    at.sidebar.text_input(key="llm_base_url").input(llm_server.openai_url)
    at.sidebar.button(key="llm_use").click().run()


def test_the_try_box_streams_an_answer_and_records_it_as_a_playground_call(llm_server):
    at = page_test(SPEND).run()
    assert at.button(key="spend_send").disabled  # offline: nothing to send to
    _use_local_server(at, llm_server)
    llm_server.push_stream(["Tenants ", "share ", "one bill."])
    at.text_area(key="spend_prompt").input("why attribute?")
    at.button(key="spend_send").click().run()
    no_exceptions(at)
    assert any("Tenants share one bill." in m.value for m in at.markdown)
    assert any("openai-compatible:llama3.2" in c.value and "cost unknown" in c.value
               for c in at.caption)
    assert llm_server.requests[0].body["stream"] is True
    assert "llm.playground" in set(at.dataframe[0].value["feature"])


def test_the_try_box_shows_a_failing_provider_as_an_error(llm_server):
    at = page_test(SPEND).run()
    _use_local_server(at, llm_server)
    llm_server.push_error(401, message="no such key")
    at.button(key="spend_send").click().run()
    no_exceptions(at)
    assert any("Check the API key" in e.value for e in at.error)
