"""One entry point for grading a design answer, shared by the Whiteboard page, the mock
interview, `aie-bridge grade` and the MCP tool `grade_design`: `grade_answer(...)`.

Graders sit behind the `Grader` protocol: `RubricGrader` (offline, deterministic) and
`LLMGrader` (the configured LLM through labs.llm). `grader_for(config)` chooses one where
the feature starts; nothing is registered at import. Every grade, offline included, is one
row in the spend log (feature `whiteboard.grade`; offline rows cost 0 and say offline).

Limits are the same for every caller: an answer of at most MAX_ANSWER_CHARS characters and
MAX_ANSWER_WORDS words. `questions_asked` is only the interviewer log the app recorded; a
log inside the answer text (a JSON wrapper, a saved file) is ignored and listed.

Left out: saving (see `labs.whiteboard.attempts`, which stores the attempt *before* it calls
this).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any, Protocol

from labs.llm.config import PROVIDERS
from labs.whiteboard.answer import MAX_ANSWER_CHARS, parse_answer_text
from labs.whiteboard.grader import (
    MAX_ANSWER_WORDS,
    RUBRIC_GRADER,
    AnswerTooLong,
    Grade,
    grade_offline,
)
from labs.whiteboard.llm_grader import FEATURE, grade_llm
from labs.whiteboard.loader import load_prompt
from labs.whiteboard.models import DesignPrompt

__all__ = ["MAX_ANSWER_CHARS", "MAX_ANSWER_WORDS", "Grader", "LLMGrader", "RubricGrader",
           "config_for", "grade_answer", "grade_design", "grader_for"]


class Grader(Protocol):
    """Grades one answer to one prompt. `name` is stored with every grade it gives."""

    name: str

    def grade(self, prompt: DesignPrompt, answer: str, *, mode: str = "whiteboard",
              questions_asked: Sequence[dict] = (), learner_id: int | None = None) -> Grade:
        ...


class RubricGrader:
    """The offline rubric grader (`grader.grade_offline`); its calls are logged as offline."""

    name = RUBRIC_GRADER

    def __init__(self, embedder: Any = None):
        self.embedder = embedder

    def grade(self, prompt: DesignPrompt, answer: str, *, mode: str = "whiteboard",
              questions_asked: Sequence[dict] = (), learner_id: int | None = None) -> Grade:
        from labs.llm import accounting

        t0 = time.perf_counter()
        g = grade_offline(prompt, answer, questions_asked=questions_asked, mode=mode,
                          embedder=self.embedder)
        accounting.record_offline(FEATURE, RUBRIC_GRADER, (time.perf_counter() - t0) * 1000,
                                  learner_id)
        return g


class LLMGrader:
    """The LLM grader (`llm_grader.grade_llm`) for one config; the gateway logs its calls."""

    def __init__(self, config: Any, *, cache: bool | None = None):
        self.config, self.cache = config, cache
        self.name = f"llm:{config.provider}:{config.model}"

    def grade(self, prompt: DesignPrompt, answer: str, *, mode: str = "whiteboard",
              questions_asked: Sequence[dict] = (), learner_id: int | None = None) -> Grade:
        return grade_llm(prompt, answer, config=self.config, mode=mode,
                         questions_asked=questions_asked, learner_id=learner_id,
                         cache=self.cache)


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


def grader_for(config: Any = None, *, embedder: Any = None,
               cache: bool | None = None) -> Grader:
    """The rubric grader when `config` is None or offline, else the LLM grader."""
    from labs.llm import is_offline

    if config is None or is_offline(config):
        return RubricGrader(embedder)
    return LLMGrader(config, cache=cache)


def check_answer(answer: Any) -> str:
    """The one set of limits every caller shares; raises ValueError / AnswerTooLong."""
    if not isinstance(answer, str) or not answer.strip():
        raise ValueError("The answer is empty: write or paste something to grade.")
    if len(answer) > MAX_ANSWER_CHARS:
        raise AnswerTooLong(f"the answer is {len(answer):,} characters; the limit is "
                            f"{MAX_ANSWER_CHARS:,}")
    return answer


def grade_answer(prompt: DesignPrompt | str, answer: str, *, grader: Grader | None = None,
                 config: Any = None, mode: str = "whiteboard",
                 questions_asked: Sequence[dict] = (), embedder: Any = None,
                 learner_id: int | None = None) -> Grade:
    """Grade one design answer: the function the page, the mock, the CLI and MCP call.
    `prompt` is a DesignPrompt or its id (KeyError when unknown)."""
    check_answer(answer)
    if isinstance(prompt, str):
        prompt = load_prompt(prompt)
    grader = grader or grader_for(config, embedder=embedder)
    g = grader.grade(prompt, answer, mode=mode, questions_asked=questions_asked,
                     learner_id=learner_id)
    return g.model_copy(update={"grader": grader.name})


def grade_design(prompt_id: str, answer: str, provider: str = "offline",
                 embedder: Any = None) -> dict[str, Any]:
    """Grade a Markdown answer (or a saved attempt's JSON) to a design prompt; the plain dict
    `aie-bridge grade --json` prints. A `questions_asked` log inside the answer is ignored:
    only the app's interviewer log counts."""
    check_answer(answer)
    text, asked = parse_answer_text(answer)
    g = grade_answer(prompt_id, text, config=config_for(provider), embedder=embedder)
    if asked:
        g.ignored_lines.append(f"questions_asked in the answer ({len(asked)} entries) ignored: "
                               f"only the interviewer log the app recorded counts")
    return g.public()
