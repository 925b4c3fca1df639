"""Tools that call other labs' engines: `estimate_cost` (the cost simulator's public
`labs.costsim.estimate`), `grade_design` (the whiteboard's offline rubric grader) and
`ask_interviewer` (the whiteboard interviewer: one clarifying question, answered from the
prompt's hidden requirements, which never leave the server otherwise).

Each tool is a thin adapter: flat, typed arguments (so the input schema is one level deep
and a host can build a form from it), the engine's own validation errors passed back as a
tool error naming the field, and a pydantic return type for structured output.
`grade_design` is the long-running one (it loads MiniLM and embeds the answer), so it runs
in a worker thread and reports progress at each phase. Called without a `prompt_id`, it asks
the user which prompt (an elicitation form: `input_required` on the 2026 wire, an
`elicitation/create` request on the 2025 one).

Left out: the cost simulator's self-hosting and price-override fields (the engine's defaults
apply; the cost page exposes them) and LLM grading (the offline grader only, labelled so).
"""

from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resolve import Elicit, Resolve
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field, create_model

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


class InterviewerReply(BaseModel):
    prompt_id: str
    question: str
    dimension: str | None = Field(description="the clarifying dimension the question matched; "
                                  "null when the interviewer declined")
    answer: str
    declined: bool
    similarity: float | None = Field(description="cosine of the question to the dimension")
    by: str = Field(description="who classified the question (offline: MiniLM embeddings)")


def prompt_choice_model(prompt_ids: list[str]) -> type[BaseModel]:
    """The elicitation form asking which design prompt: one enum field of the known ids."""
    kind: Any = Literal[tuple(prompt_ids)] if prompt_ids else str  # type: ignore[valid-type]
    return create_model("PromptChoice", prompt_id=(kind, Field(
        description="the design prompt to grade the answer against")))


CLOSED = dict(destructive_hint=False, idempotent_hint=True, open_world_hint=False)


def register_lab_tools(mcp: MCPServer, state) -> list[str]:
    """Add estimate_cost, grade_design and ask_interviewer to `mcp`; returns the names added."""
    added = []
    PromptChoice = prompt_choice_model(state.prompt_ids())

    def pick_prompt(prompt_id: str | None) -> Any:
        if prompt_id and prompt_id.strip():
            return PromptChoice.model_construct(prompt_id=prompt_id.strip())
        return Elicit("Which design prompt is this answer for?", PromptChoice)

    @mcp.tool(annotations=ToolAnnotations(read_only_hint=True, **CLOSED))
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

    @mcp.tool(annotations=ToolAnnotations(read_only_hint=True, **CLOSED))
    async def grade_design(
        answer: Annotated[str, Field(min_length=1, max_length=MAX_ANSWER_CHARS,
                                     description="the design answer in Markdown")],
        ctx: Context,
        chosen: Annotated[Any, Resolve(pick_prompt)],
        prompt_id: Annotated[str | None, Field(max_length=64, description="a design prompt "
                                               "id, e.g. docs-chatbot; asked when left out")]
        = None,
    ) -> DesignGrade:
        """Grade a design answer with the offline rubric grader, reporting progress per phase."""
        prompt_id = chosen.prompt_id
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

    @mcp.tool(annotations=ToolAnnotations(read_only_hint=True, **CLOSED))
    async def ask_interviewer(
        prompt_id: Annotated[str, Field(min_length=1, max_length=64,
                                        description="a design prompt id, e.g. docs-chatbot")],
        question: Annotated[str, Field(min_length=1, max_length=500,
                                       description="one clarifying question, in plain words")],
    ) -> InterviewerReply:
        """Ask the interviewer one clarifying question; off-topic questions are declined."""
        from labs.embeddings import get_embedder
        from labs.llm import LLMConfig
        from labs.whiteboard.interviewer import ask

        prompt = state.design_prompt(prompt_id)
        embedder = await anyio.to_thread.run_sync(get_embedder)
        try:  # offline on purpose: the server promises to run with no key and no network
            reply = await anyio.to_thread.run_sync(
                lambda: ask(prompt, question, embedder=embedder, config=LLMConfig()))
        except ValueError as e:
            raise ToolError(str(e)) from None
        return InterviewerReply(prompt_id=prompt.id, question=reply.question,
                                dimension=reply.dimension, answer=reply.answer,
                                declined=reply.dimension is None,
                                similarity=None if reply.similarity is None
                                else round(float(reply.similarity), 3), by=reply.by)

    added.append("ask_interviewer")
    return added
