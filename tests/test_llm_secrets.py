"""The key-never-written rule: plant a recognisable key, drive every gateway path (answers,
structured output, repair, streaming, cache hits, retries, timeouts, a server that echoes
the key in its error, a broken stream, the connection check, the CLI and the CSV export),
then search the database files, every log record, all console output and the export."""

from __future__ import annotations

import logging
import uuid

import pytest
from pydantic import BaseModel

from labs import llm
from labs.cli import main as cli_main
from labs.llm.accounting import default_store


class Verdict(BaseModel):
    winner: int


def exercise_every_path(server, cfg) -> list[str]:
    """Run each path once; return every error message the gateway raised."""
    messages: list[str] = []

    def attempt(fn):
        try:
            fn()
        except (llm.LLMError, llm.LLMUnavailable) as e:
            messages.append(str(e))
            messages.append(getattr(e, "cause", ""))

    key = cfg.api_key
    server.push_text("plain")
    attempt(lambda: llm.complete("plain", feature="t.plain", config=cfg))
    attempt(lambda: llm.complete("plain", feature="t.plain", config=cfg))  # cache hit
    server.push_structured({"winner": 1})
    attempt(lambda: llm.complete("judge", feature="evals.judge", schema=Verdict, config=cfg))
    server.push_structured({"winner": "x"}).push_structured({"winner": "y"})
    attempt(lambda: llm.complete("bad", feature="evals.judge", schema=Verdict, config=cfg))
    server.push_stream(["a", "b"])
    attempt(lambda: list(llm.complete("s", feature="t.stream", stream=True, config=cfg)))
    server.push_stream(["a", "b", "c"], break_after=1)
    attempt(lambda: list(llm.complete("s2", feature="t.stream", stream=True, config=cfg)))
    server.push_error(429, retry_after="0").push_error(500).push_text("ok")
    attempt(lambda: llm.complete("retry", feature="t.retry", config=cfg))
    for _ in range(4):
        server.push_error(500)
    attempt(lambda: llm.complete("fail", feature="t.retry", config=cfg))
    # servers do echo keys: OpenAI's 401 says "Incorrect API key provided: sk-...".
    server.push_error(401, message=f"Incorrect API key provided: {key}")
    attempt(lambda: llm.complete("auth", feature="t.auth", config=cfg))
    server.push_error(400, message=f"bad request from key {key}")
    attempt(lambda: llm.complete("bad", feature="t.auth", config=cfg))
    server.push_slow(0.6).push_slow(0.6)
    attempt(lambda: llm.complete("slow", feature="t.timeout",
                                 config=cfg.replace(timeout=0.2, max_retries=1)))
    attempt(lambda: llm.complete("x", feature="t.conn", config=cfg.replace(
        base_url="http://127.0.0.1:9", max_retries=0)))
    check = llm.check_connection(cfg)
    messages.append(check.message)
    server.push_error(401, message=f"Incorrect API key provided: {key}")
    messages.append(llm.check_connection(cfg).message)
    return messages


@pytest.mark.parametrize("provider,env_key,prefix", [
    ("anthropic", "ANTHROPIC_API_KEY", "sk-ant-TESTKEY-"),
    ("openai", "OPENAI_API_KEY", "sk-TESTKEY-"),
])
def test_a_planted_key_is_never_written_anywhere(llm_server, provider, env_key, prefix,
                                                 monkeypatch, caplog, capfd, tmp_path):
    key = prefix + uuid.uuid4().hex
    caplog.set_level(logging.DEBUG)  # every logger, the SDKs' and httpx's included
    monkeypatch.setenv(env_key, key)
    monkeypatch.setenv("AIE_BRIDGE_LLM", f"{provider}:")
    base_env = "ANTHROPIC_BASE_URL" if provider == "anthropic" else "OPENAI_BASE_URL"
    base = llm_server.anthropic_url if provider == "anthropic" else llm_server.openai_url
    monkeypatch.setenv(base_env, base)
    cfg = llm.current_config()
    assert cfg.api_key == key  # the key really is in play
    cfg = cfg.replace(backoff_base=0.001, backoff_max=0.01, timeout=3.0)

    errors = exercise_every_path(llm_server, cfg)
    # the key was sent to the server: the paths above really used it
    sent = [r.headers.get("x-api-key", "") + r.headers.get("authorization", "")
            for r in llm_server.requests]
    assert any(key in s for s in sent)

    monkeypatch.setenv("AIE_BRIDGE_LLM_TIMEOUT", "3")
    assert cli_main(["llm", "status"]) == 0
    export = tmp_path / "calls.csv"
    assert cli_main(["llm", "export", "--out", str(export)]) == 0
    out, err = capfd.readouterr()

    assert len(errors) > 10 and "[redacted]" in " ".join(errors)
    store = default_store()
    db_file = store.url.removeprefix("sqlite:///")
    db_bytes = b"".join(p.read_bytes() for p in tmp_path.rglob("*")
                        if p.is_file() and p.name.startswith(db_file.rsplit("/", 1)[-1]))
    assert len(db_bytes) > 0
    logs = "\n".join(r.getMessage() + " " + repr(r.args) for r in caplog.records)
    assert "HTTP Request" in logs or "llm" in logs  # logging was really captured
    secret_fragment = key[len(prefix):]
    for where, text in [("errors", "\n".join(errors)), ("logs", logs), ("stdout", out),
                        ("stderr", err), ("export", export.read_text())]:
        assert key not in text and secret_fragment not in text, f"key found in {where}"
    assert key.encode() not in db_bytes and secret_fragment.encode() not in db_bytes
    assert "calls" in out and "answers" in out
