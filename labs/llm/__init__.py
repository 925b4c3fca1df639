"""The LLM gateway: one call shape for every feature, over Anthropic, OpenAI, any
OpenAI-compatible server (Ollama, vLLM, LM Studio) and an honest `offline` provider.

Usage::

    from pydantic import BaseModel
    from labs import llm

    text = llm.complete([{"role": "user", "content": "Define recall@K in one line."}],
                        feature="retrieval.hyde")

    class Verdict(BaseModel):
        winner: int
        reason: str

    verdict = llm.complete(
        [{"role": "system", "content": "You are a strict judge."},
         {"role": "user", "content": "Which answer is better, 1 or 2? ..."}],
        schema=Verdict, feature="evals.judge", learner_id=me.id)   # a validated Verdict

    pieces = llm.complete(messages, feature="whiteboard.grade", stream=True)
    st.write_stream(pieces)                 # in a page; pieces.completion after the end

    done = llm.complete_with_meta(messages, feature="evals.judge")  # value + provider,
    done.output, done.provider, done.cached, done.cost_usd          # tokens, cost, latency

`messages` is a string (one user turn) or a list of `{"role": "system"|"user"|"assistant",
"content": str}`. `feature` is a dotted name (`whiteboard.grade`, `evals.judge`,
`retrieval.hyde`, `retrieval.multiquery`, `retrieval.rerank`): the Spend page groups cost by it.

Configuration (`current_config()`): a config passed as `config=` (the app builds one from the
sidebar, for the session only) wins; else `AIE_BRIDGE_LLM=provider:model` plus
`ANTHROPIC_API_KEY` / `OPENAI_API_KEY` / `OPENAI_BASE_URL` from the environment, then from
`.streamlit/secrets.toml`; else `offline`. `labs/` never imports streamlit: pages pass
`config=ui.llm_config()` (the sidebar's choice for this session, else the environment).
Anthropic's current Messages API has no `temperature`: it is sent to OpenAI-style servers only.

Tests: the `llm_server` fixture (tests/llm_server.py) is a local server speaking both wire
formats; `llm_server.config("anthropic" | "openai" | "openai-compatible")` points the real
SDKs at it, and `llm_server.responder = lambda req: {...}` scripts any judge or grader.

Offline: the offline provider never pretends to be an LLM. A feature with a deterministic
implementation registers it with `register_offline(feature, fn)`; `fn(messages, schema)`
returns what `complete` would, and the call is recorded as `provider="offline"`
(`Completion.offline` is True, so the page can say "graded by the offline rubric grader").
Any other feature raises `LLMUnavailable`, whose message says how to configure an LLM.

Errors: `LLMUnavailable` (nothing configured, or a provider's SDK/key is missing),
`LLMError` (the provider failed after the retries; `.cause` is short and key-free),
`StructuredOutputError` (a subclass of LLMError: invalid output twice, after one repair turn).

Robustness: a timeout per attempt; retries with exponential backoff and jitter on 429, 5xx,
timeouts and connection errors, honouring `Retry-After` (our own loop; the SDKs' retries
are off, so one policy applies to every provider and the tests can see it).

Accounting: every call (including cache hits, offline runs and failures) is one `LLMCall`
row: provider, model, feature, learner, input / output / cached tokens, latency, cost in USD
from `genai-prices` (NULL when the model is not in its table: the UI says "cost unknown"),
cache hit and ok / error. An exact-match response cache (`LLMConfig.cache`, on by default)
answers a repeated identical request without calling the provider.

Left out: tool calling for agents, images, embeddings (see `labs.embeddings`), async.
"""

from labs.llm.accounting import (
    cache_clear,
    cache_stats,
    call_log,
    cost_unknown_count,
    export_calls_csv,
    spend_summary,
)
from labs.llm.config import LLMConfig, current_config, is_offline
from labs.llm.errors import HOW_TO_CONFIGURE, LLMError, LLMUnavailable, StructuredOutputError
from labs.llm.gateway import (
    Completion,
    ConnectionCheck,
    TextStream,
    check_connection,
    complete,
    complete_with_meta,
    offline_features,
    register_offline,
    stream_text,
)
from labs.llm.providers import PROVIDERS, Provider, get_provider

__all__ = [
    "HOW_TO_CONFIGURE",
    "PROVIDERS",
    "Completion",
    "ConnectionCheck",
    "LLMConfig",
    "LLMError",
    "LLMUnavailable",
    "Provider",
    "StructuredOutputError",
    "TextStream",
    "cache_clear",
    "cache_stats",
    "call_log",
    "check_connection",
    "complete",
    "complete_with_meta",
    "cost_unknown_count",
    "current_config",
    "export_calls_csv",
    "get_provider",
    "is_offline",
    "offline_features",
    "register_offline",
    "spend_summary",
    "stream_text",
]
