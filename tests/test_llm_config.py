"""Which LLM is configured: session over environment over secrets.toml, else offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.llm import LLMConfig, current_config, is_offline
from labs.llm.config import read_secrets


def test_nothing_configured_means_offline(tmp_path: Path):
    cfg = current_config(env={}, secrets=[tmp_path / "none.toml"])
    assert cfg.provider == "offline" and is_offline(cfg) and cfg.source == "default"


def test_an_anthropic_key_in_the_environment_picks_anthropic_with_a_default_model(tmp_path):
    cfg = current_config(env={"ANTHROPIC_API_KEY": "sk-ant-x"}, secrets=[])
    assert (cfg.provider, cfg.model, cfg.api_key, cfg.source) == (
        "anthropic", "claude-haiku-4-5", "sk-ant-x", "env")


def test_aie_bridge_llm_chooses_provider_and_model():
    cfg = current_config(env={"AIE_BRIDGE_LLM": "openai:gpt-4o-mini", "OPENAI_API_KEY": "k",
                              "ANTHROPIC_API_KEY": "a"}, secrets=[])
    assert (cfg.provider, cfg.model, cfg.api_key) == ("openai", "gpt-4o-mini", "k")


def test_a_base_url_alone_means_a_local_openai_compatible_server():
    cfg = current_config(env={"OPENAI_BASE_URL": "http://localhost:8000/v1",
                              "AIE_BRIDGE_LLM": "vllm:qwen2.5-7b"}, secrets=[])
    assert (cfg.provider, cfg.model, cfg.base_url, cfg.api_key) == (
        "openai-compatible", "qwen2.5-7b", "http://localhost:8000/v1", None)
    assert not is_offline(cfg)


def test_ollama_without_a_url_uses_its_default_port():
    cfg = LLMConfig(provider="ollama", model="llama3.2")
    assert cfg.provider == "openai-compatible" and cfg.base_url == "http://localhost:11434/v1"


def test_secrets_toml_is_read_top_level_or_under_an_llm_table(tmp_path: Path):
    top = tmp_path / "a.toml"
    top.write_text('OPENAI_API_KEY = "sk-from-secrets"\n')
    table = tmp_path / "b.toml"
    table.write_text('[llm]\nAIE_BRIDGE_LLM = "openai:gpt-4.1-mini"\n')
    cfg = current_config(env={}, secrets=[top, table])
    assert (cfg.provider, cfg.model, cfg.api_key, cfg.source) == (
        "openai", "gpt-4.1-mini", "sk-from-secrets", "secrets")


def test_the_environment_wins_over_secrets(tmp_path: Path):
    f = tmp_path / "s.toml"
    f.write_text('ANTHROPIC_API_KEY = "from-file"\n')
    cfg = current_config(env={"ANTHROPIC_API_KEY": "from-env"}, secrets=[f])
    assert cfg.api_key == "from-env"


def test_a_broken_secrets_file_is_skipped(tmp_path: Path):
    f = tmp_path / "s.toml"
    f.write_bytes(b"\xff\xfe not toml [[[")
    assert read_secrets([f]) == {}


def test_a_session_config_wins_over_everything():
    session = LLMConfig(provider="openai", api_key="sess", source="session")
    assert current_config(session, env={"ANTHROPIC_API_KEY": "a"}) is session


def test_an_unknown_provider_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown LLM provider 'gemini'"):
        current_config(env={"AIE_BRIDGE_LLM": "gemini:pro"}, secrets=[])


def test_the_config_never_shows_its_key():
    cfg = LLMConfig(provider="anthropic", api_key="sk-ant-SECRET-123")
    for shown in (repr(cfg), str(cfg), cfg.describe(), cfg.label):
        assert "SECRET" not in shown
    assert "key set" in cfg.describe()


def test_the_process_environment_is_read_by_default(monkeypatch):
    monkeypatch.setenv("AIE_BRIDGE_LLM", "anthropic:claude-sonnet-4-5")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    monkeypatch.chdir("/")
    assert current_config().label == "anthropic:claude-sonnet-4-5"
