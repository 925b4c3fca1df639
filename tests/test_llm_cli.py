"""`aie-bridge llm status | export | clear-cache`."""

from __future__ import annotations

import csv

from labs import llm
from labs.cli import main


def test_status_offline_says_so_and_how_to_configure(capsys):
    assert main(["llm", "status"]) == 0
    out = capsys.readouterr().out
    assert "provider: offline" in out and "ANTHROPIC_API_KEY" in out


def test_status_sends_one_prompt_and_reports_that_the_provider_answers(llm_server,
                                                                      monkeypatch, capsys):
    monkeypatch.setenv("AIE_BRIDGE_LLM", "openai-compatible:llama3.2")
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.openai_url)
    llm_server.push_text("ok")
    assert main(["llm", "status"]) == 0
    out = capsys.readouterr().out
    assert "openai-compatible:llama3.2" in out and "answers:" in out and "'ok'" in out
    assert len(llm_server.requests) == 1


def test_status_fails_with_exit_1_when_the_provider_does_not_answer(llm_server, monkeypatch,
                                                                   capsys):
    monkeypatch.setenv("AIE_BRIDGE_LLM", "openai-compatible:llama3.2")
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.openai_url)
    llm_server.push_error(404, message="model 'llama3.2' not found, try pulling it first")
    assert main(["llm", "status"]) == 1
    out = capsys.readouterr().out
    assert "error: " in out and "HTTP 404" in out and "try pulling it first" in out


def test_status_no_check_sends_nothing(llm_server, monkeypatch, capsys):
    monkeypatch.setenv("AIE_BRIDGE_LLM", "openai-compatible:x")
    monkeypatch.setenv("OPENAI_BASE_URL", llm_server.openai_url)
    assert main(["llm", "status", "--no-check"]) == 0
    assert llm_server.requests == []


def test_a_nonsense_provider_is_a_one_line_error(monkeypatch, capsys):
    monkeypatch.setenv("AIE_BRIDGE_LLM", "gemini:pro")
    assert main(["llm", "status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Unknown LLM provider 'gemini'") and "Traceback" not in err


def test_export_writes_the_call_log_and_clear_cache_empties_it(llm_server, tmp_path, capsys):
    cfg = llm_server.config("anthropic")
    llm.complete("q", feature="evals.judge", config=cfg)
    llm.complete("q", feature="evals.judge", config=cfg)
    out = tmp_path / "calls.csv"
    assert main(["llm", "export", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["cache_hit"] for r in rows] == ["False", "True"]
    assert main(["llm", "clear-cache"]) == 0
    assert "dropped 1 cached answers" in capsys.readouterr().out


def test_export_to_an_unwritable_place_is_a_clear_error(tmp_path, capsys):
    assert main(["llm", "export", "--out", str(tmp_path / "no" / "such" / "dir.csv")]) == 1
    assert "error: cannot write" in capsys.readouterr().err
