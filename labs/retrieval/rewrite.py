"""Query rewriting through the LLM gateway: HyDE and multi-query.

- HyDE: ask the LLM for a short passage that *would* answer the query, and search with the
  passage's embedding; a passage looks more like the documents than a question does.
- Multi-query: ask for three reformulations, search with each, fuse the rankings by RRF.

Offline, nothing is faked: `plan()` gives the exact prompt that would be sent and an
estimate of its cost on a given model (tokens ≈ characters / 4, prices from genai-prices).

Left out: step-back prompting, query decomposition for multi-hop questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from labs.retrieval.fusion import rrf

HYDE_MAX_TOKENS = 200
MULTI_MAX_TOKENS = 150
ESTIMATE_MODEL = ("anthropic", "claude-haiku-4-5")  # the gateway's default when a key is set


class Reformulations(BaseModel):
    queries: list[str] = Field(min_length=3, max_length=3)


def hyde_messages(query: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": "You write documentation. Write one short passage "
                                          "(80-120 words) that answers the question as the "
                                          "product documentation would. No preamble."},
            {"role": "user", "content": query}]


def multiquery_messages(query: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": "You rewrite search queries. Give three different "
                                          "reformulations of the user's query: one with "
                                          "likely technical terms, one plain-language, one "
                                          'more specific. Reply as JSON {"queries": [...]}.'},
            {"role": "user", "content": query}]


@dataclass(frozen=True)
class Plan:
    messages: list[dict[str, str]]
    input_tokens: int  # estimated: characters / 4
    output_tokens: int  # the max_tokens budget
    model: str
    cost_usd: float | None  # None when genai-prices does not know the model

    @property
    def prompt_text(self) -> str:
        return "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in self.messages)


def plan(kind: str, query: str, provider: str = ESTIMATE_MODEL[0],
         model: str = ESTIMATE_MODEL[1]) -> Plan:
    """The prompt that would be sent for `kind` (hyde | multi-query) and its estimated cost."""
    msgs = hyde_messages(query) if kind == "hyde" else multiquery_messages(query)
    out = HYDE_MAX_TOKENS if kind == "hyde" else MULTI_MAX_TOKENS
    chars = sum(len(m["content"]) for m in msgs)
    tokens = max(1, round(chars / 4)) + 4 * len(msgs)  # a few tokens of framing per message
    from labs.llm.accounting import price
    from labs.llm.providers import Usage

    cost = price(Usage(input_tokens=tokens, output_tokens=out), model, provider_id=provider)
    return Plan(msgs, tokens, out, f"{provider}:{model}", cost)


def hyde(index, query: str, k: int = 10, config=None, learner_id=None):  # type: ignore[no-untyped-def]
    """(passage, dense hits for the passage's embedding). Raises labs.llm errors."""
    from labs import llm

    passage = llm.complete(hyde_messages(query), feature="retrieval.hyde", config=config,
                           learner_id=learner_id, max_tokens=HYDE_MAX_TOKENS)
    return passage, index.dense(str(passage), k)


def multi_query(index, query: str, k: int = 10, mode: str = "hybrid", config=None,
                learner_id=None):  # type: ignore[no-untyped-def]
    """(reformulations, doc ids fused by RRF over one search per reformulation)."""
    from labs import llm

    out = llm.complete(multiquery_messages(query), schema=Reformulations,
                       feature="retrieval.multiquery", config=config, learner_id=learner_id,
                       max_tokens=MULTI_MAX_TOKENS)
    lists = [[h.doc_id for h in index.search(q, mode, max(k, 50))] for q in out.queries]
    return out.queries, rrf(lists, k=index.settings.rrf_k)[:k]
