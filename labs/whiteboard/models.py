"""Pydantic models for the design prompts in content/whiteboard/prompts/<id>.yaml.

They mirror content/whiteboard/README.md exactly and forbid extra fields, so a typo in a
prompt file is an error that names the field, not a silently ignored key. What the models
check: ids and box ids, all five hidden requirements present, lowercase `expects` phrases,
the three reference answers. What they leave out: whether the answers are *good* (the
grader's ordering test checks that).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from labs.content import Id, Strict, Text

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class Box(StrEnum):
    """The reference boxes of an AI system's architecture (module 7)."""

    client = "client"
    api_gateway = "api-gateway"
    auth_quota = "auth-quota"
    orchestrator = "orchestrator"
    retrieval = "retrieval"
    tools_mcp = "tools-mcp"
    llm_call = "llm-call"
    observability = "observability"


class Dimension(StrEnum):
    """The five clarifying questions, in the order an interviewer expects them."""

    read_write = "read_write"
    freshness = "freshness"
    latency_budget = "latency_budget"
    eval_rubric = "eval_rubric"
    multi_tenancy = "multi_tenancy"


def _lowercase(phrases: list[str]) -> list[str]:
    bad = [p for p in phrases if p != p.lower()]
    if bad:
        raise ValueError(f"expects phrases must be lowercase: {bad}")
    return phrases


# The phrases a consistent design shows: at least one, each lowercase.
Expects = Annotated[list[Phrase], Field(min_length=1), AfterValidator(_lowercase)]


class HiddenRequirement(Strict):
    """The answer to one clarifying question and the phrases a consistent design shows."""

    answer: Text
    expects: Expects


class HiddenRequirements(Strict):
    read_write: HiddenRequirement
    freshness: HiddenRequirement
    latency_budget: HiddenRequirement
    eval_rubric: HiddenRequirement
    multi_tenancy: HiddenRequirement

    def get(self, dim: Dimension | str) -> HiddenRequirement:
        return getattr(self, Dimension(dim).value)


class RequirementChange(Strict):
    """Announced part-way through a mock interview; `expects` shows the design responded."""

    dimension: Dimension
    announcement: Text
    expects: Expects


class ReferenceAnswers(Strict):
    strong: Text
    ok: Text
    weak: Text


class DesignPrompt(Strict):
    id: Id
    title: Text
    prompt: Text
    headline_answer: Text
    trap: Text
    expected_components: list[Box] = Field(min_length=2)
    strong_answer_weighs: list[Text] = Field(min_length=4, max_length=8)
    trap_concepts: list[Phrase] = Field(min_length=1)
    hidden_requirements: HiddenRequirements
    requirement_change: RequirementChange
    reference_answers: ReferenceAnswers

    @field_validator("expected_components")
    @classmethod
    def _unique_boxes(cls, boxes: list[Box]) -> list[Box]:
        if len(set(boxes)) != len(boxes):
            raise ValueError("expected_components lists a box twice")
        return boxes
