"""Tools that call other labs' engines: `estimate_cost` (the cost simulator's public
`labs.costsim.estimate`) and `grade_design` (the whiteboard's offline rubric grader).

Each tool is a thin adapter: flat, typed arguments (so the input schema is one level deep
and a host can build a form from it), the engine's own validation errors passed back as a
tool error naming the field, and a pydantic return type for structured output.
`grade_design` is the long-running one (it loads MiniLM and embeds the answer), so it runs
in a worker thread and reports progress at each phase.

Left out: the cost simulator's self-hosting and price-override fields (the engine's defaults
apply; the cost page exposes them) and LLM grading (the offline grader only, labelled so).
"""

from __future__ import annotations

from typing import Annotated

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

Rate = Annotated[float, Field(ge=0.0, le=1.0, description="a share in [0, 1]")]
MAX_ANSWER_CHARS = 20_000


class CostBreakdown(BaseModel):
    input_usd: float
    cache_read_usd: float
    cache_write_usd: float
    output_usd: float
    batch_discount_usd: float


class LatencyMs(BaseModel):
    ttft_p50: float
    p50: float
    p95: float
    p99: float


class CostEstimate(BaseModel):
    monthly_cost_usd: float
    cost_per_request_usd: float
    llm_calls_per_month: float
    breakdown: CostBreakdown
    self_host_monthly_usd: float
    latency_ms: LatencyMs
    prices_from: str = "genai-prices (bundled price table)"


class RubricItem(BaseModel):
    id: str
    score: float
    max: float
    evidence: str
    feedback: str


class DesignGrade(BaseModel):
    prompt_id: str
    total: int = Field(description="0-100")
    level: str
    grader: str = Field(description="who graded: the offline rubric grader, never an LLM here")
    items: list[RubricItem]
    ignored_lines: list[str] = Field(default_factory=list,
                                     description="lines addressed to the grader, not graded")


def register_lab_tools(mcp: MCPServer, state) -> list[str]:
    """Add estimate_cost and grade_design to `mcp`; returns the names added."""
    added = []

    @mcp.tool(annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False))
    def estimate_cost(
        requests_per_day: Annotated[float, Field(ge=0, description="requests per day")],
        input_tokens: Annotated[int, Field(ge=0, description="prompt tokens per request")],
        output_tokens: Annotated[int, Field(ge=0, description="completion tokens per request")],
        model: Annotated[str, Field(min_length=1, max_length=120,
                                    description="a model name, e.g. claude-sonnet-4-5, gpt-4o")],
        provider: Annotated[str | None, Field(max_length=60, description="price provider id, "
                                              "e.g. anthropic, openai")] = None,
        cached_prefix_tokens: Annotated[int, Field(ge=0, description="stable prompt prefix "
                                                   "the provider can cache")] = 0,
        prompt_cache_hit_rate: Rate = 0.0,
        exact_cache_hit_rate: Rate = 0.0,
        semantic_cache_hit_rate: Rate = 0.0,
        batch_share: Rate = 0.0,
        streaming: bool = False,
    ) -> CostEstimate:
        """Monthly cost, cost per request and latency percentiles of an LLM workload."""
        from labs.costsim import ScenarioError, estimate

        scenario = {k: v for k, v in {
            "requests_per_day": requests_per_day, "input_tokens": input_tokens,
            "output_tokens": output_tokens, "model": model, "provider": provider,
            "cached_prefix_tokens": cached_prefix_tokens,
            "prompt_cache_hit_rate": prompt_cache_hit_rate,
            "exact_cache_hit_rate": exact_cache_hit_rate,
            "semantic_cache_hit_rate": semantic_cache_hit_rate,
            "batch_share": batch_share, "streaming": streaming}.items() if v is not None}
        try:
            return CostEstimate.model_validate(estimate(scenario))
        except ScenarioError as e:
            raise ToolError("; ".join(f"{f}: {m}" for f, m in e.problems)) from None

    added.append("estimate_cost")

    @mcp.tool(annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False))
    async def grade_design(
        prompt_id: Annotated[str, Field(min_length=1, max_length=64,
                                        description="a design prompt id, e.g. docs-chatbot")],
        answer: Annotated[str, Field(min_length=1, max_length=MAX_ANSWER_CHARS,
                                     description="the design answer in Markdown")],
        ctx: Context,
    ) -> DesignGrade:
        """Grade a design answer with the offline rubric grader, reporting progress per phase."""
        if not answer.strip():
            raise ToolError("answer is blank: write the design answer to grade")
        total = 4
        await ctx.report_progress(0, total, f"loading design prompt {prompt_id!r}")
        prompt = state.design_prompt(prompt_id)
        await ctx.report_progress(1, total, "loading the embedding model (MiniLM, offline)")
        from labs.embeddings import get_embedder

        embedder = await anyio.to_thread.run_sync(get_embedder)
        await ctx.report_progress(2, total, "embedding the answer's sentences and grading")
        from labs.whiteboard.service import grade_answer

        grade = await anyio.to_thread.run_sync(
            lambda: grade_answer(prompt, answer, embedder=embedder))
        await ctx.report_progress(3, total, f"graded {len(grade.items)} rubric items")
        out = DesignGrade(
            prompt_id=grade.prompt_id, total=grade.total, level=grade.level,
            grader=f"{grade.provider} ({grade.model})",
            items=[RubricItem(id=i.id, score=i.score, max=i.max, evidence=i.evidence,
                              feedback=i.feedback) for i in grade.items],
            ignored_lines=grade.ignored_lines)
        await ctx.report_progress(total, total, f"total {grade.total}/100, level {grade.level}")
        return out

    added.append("grade_design")
    return added
