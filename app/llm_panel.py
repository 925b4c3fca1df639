"""The sidebar's LLM panel and the session's LLM config.

`session_config()` is what every page passes to `labs.llm` as `config=`: the provider,
model and key chosen in this panel for this browser session, else the environment /
secrets.toml, else offline. A key pasted here lives in `st.session_state` only: it is
never saved, logged or shown again (the field is a password field and the status line
says only "key set").
"""

from __future__ import annotations

import os

import streamlit as st

from app import ui
from labs import llm
from labs.llm.providers import PROVIDERS

LABELS = {"offline": "Offline (deterministic engines only)", "anthropic": "Anthropic",
          "openai": "OpenAI", "openai-compatible": "OpenAI-compatible (Ollama, vLLM, LM Studio)"}
SESSION_KEY = "llm_session"  # {"provider", "model", "base_url", "api_key", "cache"}


def _configured() -> tuple[llm.LLMConfig, str | None]:
    """The environment / secrets.toml config, or offline and the reason it is unusable."""
    try:
        return llm.current_config(), None
    except ValueError as e:
        return llm.LLMConfig(), f"The LLM settings in the environment are not usable: {e}"


def _build(choice: dict) -> llm.LLMConfig:
    """A session config from the panel's choice, borrowing the environment's key when the
    learner did not paste one (so switching model does not mean pasting the key again)."""
    provider = choice["provider"]
    if provider == "offline":
        return llm.LLMConfig(source="session")
    env = {**os.environ, "AIE_BRIDGE_LLM": f"{provider}:{choice.get('model') or ''}"}
    try:
        base = llm.current_config(env=env)
    except ValueError:
        base = llm.LLMConfig(provider=provider)
    changes: dict = {"source": "session", "cache": bool(choice.get("cache", True))}
    if choice.get("api_key"):
        changes["api_key"] = choice["api_key"]
    if choice.get("base_url"):
        changes["base_url"] = choice["base_url"]
    if base.provider != provider:
        return llm.LLMConfig(provider=provider, model=choice.get("model") or "", **changes)
    return base.replace(**changes)


def session_config() -> llm.LLMConfig:
    """The LLM config for this session: the panel's choice, else env / secrets, else offline."""
    choice = st.session_state.get(SESSION_KEY)
    if choice:
        try:
            return _build(choice)
        except ValueError:
            st.session_state.pop(SESSION_KEY, None)
    return _configured()[0]


def render() -> None:
    """Status, the provider picker (this session only) and a connection test."""
    st.subheader("LLM")
    cfg = session_config()
    _, env_problem = _configured()
    if env_problem:
        st.warning(env_problem, icon=":material/warning:")
    if cfg.provider == "offline":
        st.info("Offline: no LLM is configured. Grading and judging use the deterministic "
                "rubric engines, labelled as such; features that need an LLM say so.",
                icon=":material/cloud_off:")
    else:
        where = f"  \n`{cfg.base_url}`" if cfg.base_url else ""
        key = "key set" if cfg.has_key else "no key"
        st.success(f"**{cfg.label}**{where}  \n{key} · from {cfg.source}",
                   icon=":material/cloud_done:")
    with st.expander("Choose a provider (this session only)"):
        _picker(cfg)
    if st.button("Test connection", key="llm_test", icon=":material/network_check:",
                 disabled=cfg.provider == "offline", width="stretch"):
        with st.spinner("Sending one tiny prompt…"), ui.llm_waits():
            check = llm.check_connection(cfg)
        st.session_state["llm_check"] = (cfg.label, check.ok, check.message)
    shown = st.session_state.get("llm_check")
    if shown and shown[0] == cfg.label:
        (st.success if shown[1] else st.error)(shown[2])


def _picker(cfg: llm.LLMConfig) -> None:
    # LLMConfig only holds a provider from PROVIDERS, so the index always exists
    provider = st.selectbox("Provider", list(PROVIDERS), index=list(PROVIDERS).index(cfg.provider),
                            format_func=LABELS.get, key="llm_provider")
    model = st.text_input("Model", value=cfg.model if provider == cfg.provider
                          else PROVIDERS[provider].default_model, key=f"llm_model_{provider}",
                          disabled=provider == "offline", max_chars=128)
    base_url = ""
    if provider == "openai-compatible":
        base_url = st.text_input("Base URL",
                                 value=cfg.base_url or PROVIDERS[provider].default_base_url,
                                 key="llm_base_url", max_chars=300,
                                 help="Ollama: http://localhost:11434/v1 · vLLM: "
                                      "http://localhost:8000/v1 · LM Studio: "
                                      "http://localhost:1234/v1")
    env_var = PROVIDERS[provider].key_env_var
    has_env_key = bool(env_var and os.environ.get(env_var))
    key = ""
    if provider != "offline":
        key = st.text_input(
            "API key" + (" (optional)" if provider == "openai-compatible" else ""),
            type="password", key=f"llm_key_{provider}", max_chars=400,
            placeholder=f"using {env_var} from the environment" if has_env_key else "",
            help="Kept in this browser session's memory only: never saved to the "
                 "database, logs or exports, and gone when the session ends.")
    cache = st.checkbox("Cache identical requests", value=cfg.cache, key="llm_cache",
                        help="An exact-match response cache: a repeated identical request "
                             "is answered from the database without calling the provider.")
    left, right = st.columns(2)
    if left.button("Use", key="llm_use", type="primary", width="stretch"):
        choice = {"provider": provider, "model": model.strip(), "base_url": base_url.strip(),
                  "api_key": key.strip(), "cache": cache}
        if provider == "openai-compatible" and not choice["base_url"].startswith(
                ("http://", "https://")):
            ollama = PROVIDERS["openai-compatible"].default_base_url
            st.error(f"The base URL must start with http:// or https:// (Ollama: {ollama}).")
            return
        try:
            built = _build(choice)
        except ValueError as e:
            st.error(str(e))
            return
        if provider in ("anthropic", "openai") and not built.api_key:
            st.error(f"{LABELS[provider]} needs an API key: paste one above or set "
                     f"{env_var} in the environment.")
            return
        st.session_state[SESSION_KEY] = choice
        st.session_state.pop("llm_check", None)
        st.rerun()
    if right.button("Reset", key="llm_reset", width="stretch",
                    help="Forget this session's choice and use the environment's settings."):
        st.session_state.pop(SESSION_KEY, None)
        st.session_state.pop("llm_check", None)
        st.rerun()
