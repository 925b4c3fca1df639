"""The gateway's three errors. Messages are written for a learner and never carry a key."""

from __future__ import annotations


class LLMUnavailable(Exception):
    """No LLM is configured (or the provider is `offline`) and the feature has no offline
    implementation. The message says how to configure one."""


class LLMError(Exception):
    """The provider failed after every retry. `cause` is a short, key-free reason
    (``"HTTP 429 rate limited"``, ``"timed out after 30s"``, ``"connection refused"``)."""

    def __init__(self, message: str, *, cause: str = "", attempts: int = 1):
        super().__init__(message)
        self.cause = cause
        self.attempts = attempts


class StructuredOutputError(LLMError):
    """The model's structured output failed validation twice (the answer and one repair)."""


HOW_TO_CONFIGURE = (
    "Configure an LLM in the sidebar (this session only), or set ANTHROPIC_API_KEY or "
    "OPENAI_API_KEY (or OPENAI_BASE_URL for a local Ollama / vLLM / LM Studio server, with "
    "AIE_BRIDGE_LLM=openai-compatible:<model>) in the environment or .streamlit/secrets.toml."
)
