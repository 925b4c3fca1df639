"""Every call is recorded with its tokens and its genai-prices cost; unknown models are
"cost unknown"; the exact-match cache answers repeats; offline runs are labelled."""

from __future__ import annotations

import csv
import io

import pytest
from pydantic import BaseModel

from labs import llm
from labs.llm import gateway
from labs.llm.accounting import price
from labs.llm.providers import Usage
from tests.conftest import llm_calls as calls

BOTH = pytest.mark.parametrize("provider", ["anthropic", "openai"])


class Grade(BaseModel):
    score: int


def test_price_matches_a_worked_example_from_the_price_table():
    # claude-haiku-4-5: $1 / M input, $0.10 / M cache read, $5 / M output
    # 100 input tokens of which 40 cached, 20 output:
    # 60 * 1e-6 + 40 * 0.1e-6 + 20 * 5e-6 = 0.000060 + 0.000004 + 0.000100 = 0.000164
    usage = Usage(input_tokens=100, output_tokens=20, cached_tokens=40)
    assert price(usage, "claude-haiku-4-5", provider_id="anthropic") == pytest.approx(0.000164)


def test_an_unknown_model_has_no_price_rather_than_a_guess():
    assert price(Usage(input_tokens=10, output_tokens=10), "my-local-llama-q4") is None


@BOTH
def test_tokens_latency_and_cost_are_recorded_per_call(llm_server, provider):
    llm_server.push_text("an answer", input_tokens=100, output_tokens=20, cached_tokens=40)
    cfg = llm_server.config(provider)
    done = llm.complete_with_meta("q", feature="whiteboard.grade", learner_id=7, config=cfg)
    (row,) = calls()
    assert (row.provider, row.model, row.feature, row.learner_id) == (
        provider, cfg.model, "whiteboard.grade", 7)
    assert (row.input_tokens, row.output_tokens, row.cached_tokens) == (100, 20, 40)
    expected = price(Usage(100, 20, 40), cfg.model, provider_id=provider)
    assert expected and row.cost_usd == pytest.approx(expected) == done.cost_usd
    assert row.latency_ms > 0 and row.ok and not row.cache_hit and row.id == done.call_id


def test_a_model_genai_prices_does_not_know_is_recorded_as_cost_unknown(llm_server):
    llm_server.push_text("local answer")
    cfg = llm_server.config("openai-compatible", model="my-finetune-q4")
    done = llm.complete_with_meta("q", feature="retrieval.hyde", config=cfg)
    assert done.cost_usd is None and calls()[-1].cost_usd is None
    assert llm.cost_unknown_count() == 1
    summary = llm.spend_summary()
    assert summary["unknown"] == 1 and summary["by_feature"][0]["unknown"] == 1


@BOTH
def test_the_cache_answers_an_identical_request_without_calling_the_server(llm_server,
                                                                          provider):
    llm_server.push_text("first and only answer")
    cfg = llm_server.config(provider)
    first = llm.complete_with_meta("same question", feature="evals.judge", config=cfg)
    again = llm.complete_with_meta("same question", feature="evals.judge", config=cfg)
    assert again.output == first.output == "first and only answer"
    assert again.cached and not first.cached and len(llm_server.requests) == 1
    assert [c.cache_hit for c in calls()] == [False, True] and calls()[1].cost_usd == 0
    assert llm.cache_stats() == {"entries": 1, "hits": 1}


def test_the_cache_key_covers_the_messages_model_and_schema(llm_server):
    cfg = llm_server.config("openai")
    llm.complete("question A", feature="t.c", config=cfg)
    llm.complete("question B", feature="t.c", config=cfg)
    llm.complete("question A", feature="t.c", config=cfg.replace(model="gpt-4.1-mini"))
    llm_server.push_structured({"score": 3})
    assert llm.complete("question A", feature="t.c", config=cfg, schema=Grade).score == 3
    assert len(llm_server.requests) == 4


def test_structured_answers_come_back_from_the_cache_validated(llm_server):
    cfg = llm_server.config("anthropic")
    llm_server.push_structured({"score": 4})
    llm.complete("grade", feature="whiteboard.grade", config=cfg, schema=Grade)
    again = llm.complete_with_meta("grade", feature="whiteboard.grade", config=cfg,
                                   schema=Grade)
    assert again.cached and again.output == Grade(score=4)


def test_the_cache_can_be_turned_off_per_config_and_per_call(llm_server):
    cfg = llm_server.config("openai", cache=False)
    llm.complete("q", feature="t.c", config=cfg)
    llm.complete("q", feature="t.c", config=cfg)
    llm.complete("q", feature="t.c", config=cfg.replace(cache=True), cache=False)
    assert len(llm_server.requests) == 3
    assert llm.cache_stats()["entries"] == 0


def test_a_streamed_answer_is_cached_and_replayed(llm_server):
    cfg = llm_server.config("anthropic")
    llm_server.push_stream(["to", "kens"])
    assert "".join(llm.complete("s", feature="t.s", stream=True, config=cfg)) == "tokens"
    replay = llm.complete("s", feature="t.s", stream=True, config=cfg)
    assert list(replay) == ["tokens"] and replay.completion.cached
    assert len(llm_server.requests) == 1


def test_clearing_the_cache_sends_the_next_request_again(llm_server):
    cfg = llm_server.config("openai")
    llm.complete("q", feature="t.c", config=cfg)
    assert llm.cache_clear() == 1
    llm.complete("q", feature="t.c", config=cfg)
    assert len(llm_server.requests) == 2


def test_failed_calls_are_recorded_with_a_short_cause(llm_server):
    llm_server.push_error(500).push_error(500)
    with pytest.raises(llm.LLMError):
        llm.complete("q", feature="evals.judge", config=llm_server.config("openai",
                                                                          max_retries=1))
    row = calls()[-1]
    assert not row.ok and row.error == "HTTP 500 (server error)" and row.cost_usd == 0


def test_an_offline_feature_runs_its_registered_implementation_labelled_offline(
        llm_server, monkeypatch):
    monkeypatch.setattr(gateway, "_offline", {})

    def rubric_grader(messages, schema):
        return {"score": len(messages[-1]["content"]) % 5}

    llm.register_offline("whiteboard.grade", rubric_grader)
    done = llm.complete_with_meta("abcdefg", feature="whiteboard.grade", schema=Grade)
    assert done.output == Grade(score=2) and done.offline and done.provider == "offline"
    assert done.label == "offline (deterministic, no LLM)"
    row = calls()[-1]
    assert (row.provider, row.model, row.cost_usd) == ("offline", "rubric_grader", 0.0)
    assert llm_server.requests == []  # nothing pretended to be an LLM


def test_an_offline_feature_without_an_implementation_says_how_to_configure_one(monkeypatch):
    monkeypatch.setattr(gateway, "_offline", {})
    with pytest.raises(llm.LLMUnavailable) as info:
        llm.complete("q", feature="retrieval.multiquery")
    message = str(info.value)
    assert "retrieval.multiquery" in message and "ANTHROPIC_API_KEY" in message
    assert "sidebar" in message


def test_spend_summary_groups_cost_by_feature_learner_and_day(llm_server):
    cfg = llm_server.config("anthropic", cache=False)
    for feature, learner in [("evals.judge", 1), ("evals.judge", 2), ("whiteboard.grade", 1)]:
        llm_server.push_text("x", input_tokens=1000, output_tokens=100)
        llm.complete("q", feature=feature, learner_id=learner, config=cfg)
    s = llm.spend_summary()
    one = price(Usage(1000, 100), "claude-haiku-4-5", provider_id="anthropic")
    assert s["calls"] == 3 and s["cost_usd"] == pytest.approx(3 * one)
    by_feature = {r["key"]: r for r in s["by_feature"]}
    assert by_feature["evals.judge"]["calls"] == 2
    assert by_feature["evals.judge"]["cost_usd"] == pytest.approx(2 * one)
    assert {r["key"]: r["calls"] for r in s["by_learner"]} == {1: 2, 2: 1}
    assert len(s["by_day"]) == 1 and s["by_day"][0]["cost_usd"] == pytest.approx(3 * one)


def test_the_csv_export_leaves_an_unknown_cost_empty(llm_server):
    llm.complete("q", feature="t.x", config=llm_server.config("openai-compatible",
                                                              model="mystery-7b"))
    rows = list(csv.DictReader(io.StringIO(llm.export_calls_csv())))
    assert len(rows) == 1 and rows[0]["cost_usd"] == "" and rows[0]["model"] == "mystery-7b"
