"""The gateway against the local wire-level server, through the real anthropic and openai
SDKs: plain text, structured output, retries, Retry-After, timeouts, repair, streaming."""

from __future__ import annotations

import socket
import time

import pytest
from pydantic import BaseModel

from labs import llm
from labs.llm import gateway
from tests.conftest import llm_calls as calls

BOTH = pytest.mark.parametrize("provider", ["anthropic", "openai"])


class Verdict(BaseModel):
    winner: int
    reason: str


@BOTH
def test_plain_text_goes_through_the_real_sdk_to_the_right_endpoint(llm_server, provider):
    llm_server.push_text("Recall@K counts relevant hits in the top K.")
    cfg = llm_server.config(provider)
    out = llm.complete([{"role": "system", "content": "Be brief."},
                        {"role": "user", "content": "Define recall@K"}],
                       feature="retrieval.hyde", config=cfg, temperature=0)
    assert out == "Recall@K counts relevant hits in the top K."
    (req,) = llm_server.requests
    body = req.body
    assert body["model"] == cfg.model
    assert body.get("temperature") == (None if provider == "anthropic" else 0)
    if provider == "anthropic":
        assert req.path == "/v1/messages"
        assert cfg.api_key in (req.headers.get("x-api-key"), req.headers.get("authorization",
                                                                              "")[7:])
        assert req.headers["anthropic-version"]
        assert body["system"] == "Be brief."  # the system turn moves to Anthropic's field
        assert body["messages"] == [{"role": "user", "content": "Define recall@K"}]
    else:
        assert req.path == "/v1/chat/completions"
        assert req.headers["authorization"] == f"Bearer {cfg.api_key}"
        assert body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_anthropic_structured_output_forces_the_schema_tool(llm_server):
    llm_server.push_structured({"winner": 2, "reason": "cites the source"})
    out = llm.complete("Which answer is better?", schema=Verdict, feature="evals.judge",
                       config=llm_server.config("anthropic"))
    assert out == Verdict(winner=2, reason="cites the source")
    body = llm_server.requests[0].body
    assert body["tool_choice"] == {"type": "tool", "name": "Verdict"}
    assert body["tools"][0]["input_schema"]["required"] == ["winner", "reason"]


def test_openai_structured_output_sends_a_strict_json_schema(llm_server):
    llm_server.push_structured({"winner": 1, "reason": "shorter"})
    out = llm.complete("Which?", schema=Verdict, feature="evals.judge",
                       config=llm_server.config("openai"))
    assert out.winner == 1
    fmt = llm_server.requests[0].body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False


@BOTH
def test_429_and_500_are_retried_until_an_answer_arrives(llm_server, provider):
    llm_server.push_error(429).push_error(500).push_text("third time lucky")
    done = llm.complete_with_meta("hi", feature="t.retry", config=llm_server.config(provider))
    assert done.output == "third time lucky"
    assert done.attempts == 3 and len(llm_server.requests) == 3
    assert calls()[-1].attempts == 3 and calls()[-1].ok


@BOTH
def test_retry_after_is_honoured_over_the_backoff(llm_server, provider):
    llm_server.push_error(429, retry_after="0.4").push_text("ok")
    llm.complete("hi", feature="t.retry", config=llm_server.config(provider, backoff_base=0.001))
    first, second = llm_server.requests
    assert second.at - first.at >= 0.4  # the backoff alone would have waited ~1 ms


@BOTH
def test_a_retry_after_longer_than_the_cap_fails_at_once_and_says_so(llm_server, provider):
    llm_server.push_error(429, retry_after="120")
    with pytest.raises(llm.LLMError, match="asks to wait 120s"):
        llm.complete("hi", feature="t.retry", config=llm_server.config(provider))
    assert len(llm_server.requests) == 1


@BOTH
def test_the_last_failure_becomes_a_clear_error_after_every_retry(llm_server, provider):
    for _ in range(3):
        llm_server.push_error(503)
    cfg = llm_server.config(provider, max_retries=2)
    with pytest.raises(llm.LLMError) as info:
        llm.complete("hi", feature="t.retry", config=cfg)
    assert "failed after 3 attempts: HTTP 503 (service unavailable)" in str(info.value)
    assert info.value.attempts == 3 and len(llm_server.requests) == 3
    row = calls()[-1]
    assert not row.ok and row.error == "HTTP 503 (service unavailable)" and row.attempts == 3


@BOTH
def test_a_rejected_key_is_not_retried_and_the_message_says_check_the_key(llm_server, provider):
    llm_server.push_error(401, message="invalid x-api-key")
    with pytest.raises(llm.LLMError, match="Check the API key"):
        llm.complete("hi", feature="t.auth", config=llm_server.config(provider))
    assert len(llm_server.requests) == 1


@BOTH
def test_a_reply_slower_than_the_timeout_is_abandoned_and_retried(llm_server, provider):
    llm_server.push_slow(2.0).push_text("in time")
    cfg = llm_server.config(provider, timeout=0.3, max_retries=1)
    assert llm.complete("hi", feature="t.timeout", config=cfg) == "in time"
    first, second = llm_server.requests
    assert 0.3 <= second.at - first.at < 1.5  # gave up after the timeout, not the slow reply


@BOTH
def test_a_timeout_on_every_attempt_is_reported_as_a_timeout(llm_server, provider):
    llm_server.push_slow(1.0).push_slow(1.0)
    cfg = llm_server.config(provider, timeout=0.25, max_retries=1)
    with pytest.raises(llm.LLMError, match="timed out after 0.25s") as info:
        llm.complete("hi", feature="t.timeout", config=cfg)
    assert info.value.cause == "timed out after 0.25s"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@BOTH
def test_connection_errors_are_retried_then_reported(llm_server, provider):
    port = _closed_port()
    url = f"http://127.0.0.1:{port}" + ("/v1" if provider == "openai" else "")
    cfg = llm_server.config(provider, base_url=url, max_retries=2)
    with pytest.raises(llm.LLMError, match="could not connect") as info:
        llm.complete("hi", feature="t.conn", config=cfg)
    assert info.value.attempts == 3


def test_backoff_doubles_with_up_to_half_again_of_jitter_and_is_capped():
    cfg = llm.LLMConfig(backoff_base=1.0, backoff_max=10.0)
    for attempt, base in [(1, 1.0), (2, 2.0), (3, 4.0)]:
        waits = [gateway.backoff(attempt, cfg) for _ in range(200)]
        assert min(waits) >= base and max(waits) <= base * 1.5
        assert len(set(waits)) > 100  # jittered, not a constant
    assert gateway.backoff(10, cfg) == 10.0
    assert gateway.backoff(1, cfg, retry_after=7.0) == 7.0


def test_retries_sleep_the_backoff_between_attempts(llm_server, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(gateway, "sleep", waits.append)
    llm_server.push_error(500).push_error(500).push_text("ok")
    cfg = llm_server.config("openai", backoff_base=1.0, backoff_max=100.0)
    llm.complete("hi", feature="t.retry", config=cfg)
    assert len(waits) == 2 and 1.0 <= waits[0] <= 1.5 and 2.0 <= waits[1] <= 3.0


@BOTH
def test_invalid_structured_output_gets_one_repair_turn(llm_server, provider):
    llm_server.push_structured({"winner": "the first one"})
    llm_server.push_structured({"winner": 1, "reason": "more specific"})
    done = llm.complete_with_meta("Which?", schema=Verdict, feature="evals.judge",
                                  config=llm_server.config(provider))
    assert done.output == Verdict(winner=1, reason="more specific") and done.repaired
    repair = llm_server.requests[1].body["messages"]
    assert repair[-2]["role"] == "assistant" and "the first one" in repair[-2]["content"]
    assert "winner" in repair[-1]["content"] and "reason" in repair[-1]["content"]
    row = calls()[-1]
    assert row.repaired and row.input_tokens == 24  # both requests' tokens are counted


@BOTH
def test_a_second_invalid_output_raises_structured_output_error(llm_server, provider):
    llm_server.push_structured({"nope": 1}).push_structured({"still": "wrong"})
    with pytest.raises(llm.StructuredOutputError, match="does not match Verdict twice"):
        llm.complete("Which?", schema=Verdict, feature="evals.judge",
                     config=llm_server.config(provider))
    assert len(llm_server.requests) == 2
    assert calls()[-1].error == "invalid structured output"


def test_openai_content_that_is_not_json_is_repaired(llm_server):
    llm_server.push_text("Sure! The winner is {winner: 1").push_structured(
        {"winner": 1, "reason": "r"})
    assert llm.complete("Which?", schema=Verdict, feature="evals.judge",
                        config=llm_server.config("openai")).winner == 1


def test_a_compatible_server_without_json_schema_falls_back_to_json_mode(llm_server):
    llm_server.push_error(400, message="response_format json_schema is not supported")
    llm_server.push_structured({"winner": 2, "reason": "r"})
    cfg = llm_server.config("openai-compatible", model="qwen-local-test")
    assert llm.complete("Which?", schema=Verdict, feature="evals.judge", config=cfg).winner == 2
    second = llm_server.requests[1].body
    assert second["response_format"] == {"type": "json_object"}
    assert '"winner"' in second["messages"][0]["content"]  # the schema is in the prompt
    llm_server.push_structured({"winner": 1, "reason": "r"})
    llm.complete("Again?", schema=Verdict, feature="evals.judge", config=cfg)
    assert llm_server.requests[2].body["response_format"] == {"type": "json_object"}


@BOTH
def test_streaming_yields_the_pieces_in_order_and_records_usage(llm_server, provider):
    llm_server.push_stream(["Hy", "DE ", "writes ", "a fake answer"], input_tokens=30,
                           output_tokens=9)
    pieces = llm.complete("HyDE?", feature="retrieval.hyde", stream=True,
                          config=llm_server.config(provider))
    assert list(pieces) == ["Hy", "DE ", "writes ", "a fake answer"]
    assert pieces.completion.output == "HyDE writes a fake answer"
    assert (pieces.completion.input_tokens, pieces.completion.output_tokens) == (30, 9)
    row = calls()[-1]
    assert row.streamed and row.output_tokens == 9 and row.cost_usd > 0


@BOTH
def test_streaming_retries_a_429_before_the_first_piece(llm_server, provider):
    llm_server.push_error(429, retry_after="0").push_stream(["fine"])
    pieces = llm.complete("x", feature="t.stream", stream=True,
                          config=llm_server.config(provider))
    assert "".join(pieces) == "fine" and pieces.completion.attempts == 2


@BOTH
def test_a_stream_that_breaks_midway_is_reported_not_restarted(llm_server, provider):
    llm_server.push_stream(["one ", "two ", "three"], break_after=1)
    pieces = llm.complete("x", feature="t.stream", stream=True,
                          config=llm_server.config(provider))
    got = []
    with pytest.raises(llm.LLMError, match="stream broke"):
        for p in pieces:
            got.append(p)
    assert got == ["one "] and len(llm_server.requests) == 1
    assert not calls()[-1].ok


def test_streaming_with_a_schema_is_refused():
    with pytest.raises(ValueError, match="structured output is not streamed"):
        llm.complete("x", feature="t.s", schema=Verdict, stream=True)


def test_a_responder_can_play_a_judge_that_always_prefers_the_first_answer(llm_server):
    llm_server.responder = lambda req: {"winner": 1, "reason": "position bias"}
    cfg = llm_server.config("anthropic", cache=False)
    verdicts = [llm.complete(f"pair {i}", schema=Verdict, feature="evals.judge", config=cfg)
                for i in range(3)]
    assert [v.winner for v in verdicts] == [1, 1, 1]


def test_missing_key_raises_unavailable_naming_the_variable(llm_server):
    cfg = llm_server.config("anthropic", api_key=None)
    with pytest.raises(llm.LLMUnavailable, match="ANTHROPIC_API_KEY"):
        llm.complete("x", feature="t.key", config=cfg)
    assert llm_server.requests == []


@pytest.mark.parametrize("messages", [[], "", [{"role": "robot", "content": "x"}],
                                      [{"role": "user", "content": 3}],
                                      [{"role": "system", "content": "only a system turn"}]])
def test_malformed_messages_are_refused_with_a_clear_message(messages):
    with pytest.raises(ValueError, match="message"):
        llm.complete(messages, feature="t.bad")


def test_a_feature_name_must_be_a_short_dotted_name():
    with pytest.raises(ValueError, match="dotted name"):
        llm.complete("x", feature="Not A Feature!")


@BOTH
@pytest.mark.parametrize("body", [b"<html>502 from a proxy</html>", b'{"unexpected": true}',
                                  b'{"content": 5, "choices": "x"}'])
def test_a_reply_that_is_not_the_api_shape_is_a_clear_error(llm_server, provider, body):
    llm_server.push_raw(body)
    with pytest.raises(llm.LLMError, match="not a valid response of this API"):
        llm.complete("x", feature="t.raw", config=llm_server.config(provider))
    assert len(llm_server.requests) == 1 and not calls()[-1].ok


def test_max_tokens_must_be_positive():
    with pytest.raises(ValueError, match="max_tokens"):
        llm.complete("x", feature="t.x", max_tokens=0)


def test_retry_after_is_read_in_seconds_milliseconds_or_as_an_http_date():
    from email.utils import formatdate

    from labs.llm.providers import parse_retry_after

    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    in_30s = parse_retry_after({"retry-after": formatdate(time.time() + 30, usegmt=True)})
    assert 27 <= in_30s <= 30
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_a_stream_the_reader_abandons_is_still_recorded(llm_server):
    llm_server.push_stream(["a", "b", "c"])
    pieces = llm.complete("x", feature="t.stream", stream=True,
                          config=llm_server.config("openai"))
    assert next(pieces) == "a"
    pieces.close()
    row = calls()[-1]
    assert not row.ok and row.error == "stream abandoned by the reader after 1 pieces"


# --- the wait budget: a rate limit never holds a learner for minutes ---------------------

@BOTH
def test_a_429_asking_for_60s_gives_up_at_once_within_the_default_budget(llm_server, provider,
                                                                         monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(gateway, "sleep", waits.append)
    for _ in range(4):
        llm_server.push_error(429, retry_after="60")
    with pytest.raises(llm.LLMError, match=r"asks to wait 60s.*wait budget.*try again"):
        llm.complete("hi", feature="t.retry", config=llm_server.config(provider))
    assert sum(waits) <= llm.LLMConfig().wait_budget and len(llm_server.requests) == 1


def test_the_budget_is_shared_by_all_the_retries_of_one_call(llm_server, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(gateway, "sleep", waits.append)
    for _ in range(4):
        llm_server.push_error(429, retry_after="8")
    with pytest.raises(llm.LLMError, match=r"16s of 20s used.*try again in about 8s"):
        llm.complete("hi", feature="t.retry",
                     config=llm_server.config("openai", wait_budget=20.0))
    assert waits == [8.0, 8.0] and len(llm_server.requests) == 3


def test_each_wait_is_announced_to_the_listener_before_it_starts(llm_server, monkeypatch):
    heard: list[gateway.Wait] = []
    heard_when_sleeping: list[int] = []
    monkeypatch.setattr(gateway, "sleep", lambda s: heard_when_sleeping.append(len(heard)))
    llm_server.push_error(429, retry_after="2").push_text("ok")
    with gateway.on_wait(heard.append):
        llm.complete("hi", feature="t.retry", config=llm_server.config("anthropic"))
    assert len(heard) == 1 and "retrying in 2.0s (attempt 2)" in str(heard[0])
    assert heard_when_sleeping == [1]  # the learner reads the note while the wait runs
    assert (heard[0].cause, heard[0].seconds) == ("HTTP 429 (rate limited)", 2.0)


def test_the_wait_summary_adds_up_every_wait_of_the_block():
    w = gateway.Wait("openai:gpt-4o-mini", "HTTP 429 (rate limited)", 2.0, 2)
    assert gateway.wait_summary([w]) == ("Waited 2.0 s for openai:gpt-4o-mini "
                                         "(HTTP 429 (rate limited); retried once)")
    late = gateway.Wait("openai:gpt-4o-mini", "timed out after 5s", 0.5, 3)
    assert gateway.wait_summary([w, late]) == (
        "Waited 2.5 s for openai:gpt-4o-mini (HTTP 429 (rate limited), timed out after 5s; "
        "retried 2 times)")


def test_streaming_respects_the_wait_budget_before_the_first_piece(llm_server, monkeypatch):
    monkeypatch.setattr(gateway, "sleep", lambda s: None)
    llm_server.push_error(429, retry_after="30").push_stream(["late"])
    with pytest.raises(llm.LLMError, match="wait budget"):
        "".join(llm.complete("x", feature="t.stream", stream=True,
                             config=llm_server.config("openai", wait_budget=5.0)))


def test_the_wait_budget_is_read_from_the_environment():
    from labs.llm.config import config_from_settings

    cfg = config_from_settings({"AIE_BRIDGE_LLM": "openai:gpt-4o-mini",
                                "AIE_BRIDGE_LLM_WAIT_BUDGET": "3"}, "env")
    assert cfg.wait_budget == 3.0
    with pytest.raises(ValueError):
        llm.LLMConfig(wait_budget=-1)
