"""One entry point for grading, shared by the pages, the CLI and the MCP server:
`grade(...)` picks the offline rubric grader or the LLM grader from the config, and
`grade_design(prompt_id, answer)` is the plain, stable function behind the MCP tool and the
CLI's JSON.

Left out: saving (see `labs.whiteboard.attempts`, which stores the attempt *before* it calls
this).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from labs.llm.config import PROVIDERS
from labs.whiteboard.grader import Grade, grade_offline
from labs.whiteboard.llm_grader import grade_llm, register
from labs.whiteboard.loader import load_prompt
from labs.whiteboard.models import DesignPrompt


def config_for(provider: str | None) -> Any:
    """An LLMConfig for a provider name: the configured one (env, secrets) when None."""
    from labs.llm import LLMConfig, current_config

    if provider is None:
        return current_config()
    if provider == "offline":
        return LLMConfig()
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; choose one of {', '.join(PROVIDERS)}")
    configured = current_config()
    if configured.provider == provider:
        return configured
    return current_config(env={**os.environ, "AIE_BRIDGE_LLM": provider})


def grade(prompt: DesignPrompt, answer: str, *, config: Any = None, mode: str = "whiteboard",
          questions_asked: Sequence[dict] = (), embedder: Any = None,
          learner_id: int | None = None) -> Grade:
    """Offline rubric grade by default; the LLM grader when `config` names a provider."""
    from labs.llm import is_offline

    if config is None or is_offline(config):
        return grade_offline(prompt, answer, questions_asked=questions_asked, mode=mode,
                             embedder=embedder)
    return grade_llm(prompt, answer, config=config, mode=mode, questions_asked=questions_asked,
                     learner_id=learner_id)


def grade_design(prompt_id: str, answer: str, provider: str = "offline") -> dict[str, Any]:
    """Grade a Markdown answer to a design prompt.

    Returns {"prompt_id", "total" (0-100), "level", "provider", "items": [{"id", "score",
    "max", "evidence", "feedback"}], "ignored_lines"}. Raises KeyError for an unknown
    prompt id, ValueError for an empty answer or unknown provider, and labs.llm errors when
    an LLM provider is asked for and unavailable. Stable signature: the MCP tool calls it.
    """
    if not isinstance(answer, str) or not answer.strip():
        raise ValueError("the answer is empty")
    from labs.whiteboard.answer import parse_answer_text

    text, asked = parse_answer_text(answer)
    prompt = load_prompt(prompt_id)
    g = grade(prompt, text, config=config_for(provider), questions_asked=asked)
    return {"prompt_id": prompt.id, **g.public(), "ignored_lines": g.ignored_lines}


register()  # give the gateway's `whiteboard.grade` feature its offline implementation
