"""The track's levers table as data, and what each lever does to the current scenario.

`LEVERS` holds the table (cost, latency and quality impact in words, as the track states
them); `lever_impacts` pulls each lever on a scenario and measures the change in monthly
cost, perceived p50 and p95 with the simulator itself, so the words sit beside numbers.

Leaves out: quality as a number — that needs an eval on your own golden set.
"""

from __future__ import annotations

from dataclasses import dataclass

from labs.costsim.scenario import Scenario


@dataclass(frozen=True)
class Lever:
    key: str
    name: str
    cost: str
    latency: str
    quality: str
    fields: tuple[str, ...]  # the scenario fields that model it


LEVERS: tuple[Lever, ...] = (
    Lever("model_tier", "Model tier (frontier → small)", "10–30× cheaper per token",
          "2–4× faster", "Mostly fine for tasks that are not reasoning-heavy", ("model",)),
    Lever("prompt_caching", "Prompt caching (provider side)", "50–90% off the cached prefix",
          "Faster first token (the prefix is not recomputed)", "Neutral",
          ("cached_prefix_tokens", "prompt_cache_hit_rate")),
    Lever("streaming", "Streaming", "Neutral", "Large win on time to first token",
          "Neutral (a UX win)", ("streaming",)),
    Lever("batch", "Batch API", "About 50% off", "Up to 24 h: offline work only", "Neutral",
          ("batch_share",)),
    Lever("shorter_context", "Shorter context (RAG instead of stuffing)", "Lower per call",
          "Faster prefill", "Depends on retrieval quality", ("input_tokens",)),
    Lever("semantic_cache", "Exact and semantic cache", "The served share costs nothing",
          "Hits answer in milliseconds", "A false hit returns another question's answer",
          ("exact_cache_hit_rate", "semantic_cache_hit_rate")),
    Lever("self_host", "Self-host an open model", "Higher fixed, lower per call",
          "Removes the network hop", "Often 10–20% below frontier models",
          ("gpus", "gpu_hourly_usd")),
)


def pulled(s: Scenario, key: str, small_model: str) -> Scenario | None:
    """The scenario with one lever pulled to a typical setting (None: nothing to pull)."""
    if key == "model_tier":
        return None if s.model == small_model else s.model_copy(
            update={"model": small_model, "provider": None})
    if key == "prompt_caching":
        prefix = s.cached_prefix_tokens or int(s.input_tokens * 0.7)
        return s.model_copy(update={"cached_prefix_tokens": prefix,
                                    "prompt_cache_hit_rate": max(s.prompt_cache_hit_rate, 0.8)})
    if key == "streaming":
        return s.model_copy(update={"streaming": True})
    if key == "batch":
        return s.model_copy(update={"batch_share": max(s.batch_share, 0.5)})
    if key == "shorter_context":
        shorter = s.input_tokens // 2
        return s.model_copy(update={"input_tokens": shorter,
                                    "cached_prefix_tokens": min(s.cached_prefix_tokens, shorter)})
    if key == "semantic_cache":
        exact = max(s.exact_cache_hit_rate, 0.03)
        sem = min(max(s.semantic_cache_hit_rate, 0.25), 1 - exact)
        return s.model_copy(update={"exact_cache_hit_rate": exact,
                                    "semantic_cache_hit_rate": sem})
    return None


SETTING = {
    "model_tier": "switch to the small model",
    "prompt_caching": "prefix 70% of input (or yours), 80% hit rate",
    "streaming": "streaming on",
    "batch": "50% of calls through the batch API",
    "shorter_context": "half the input tokens",
    "semantic_cache": "3% exact + 25% semantic hits",
    "self_host": "your GPUs instead of the API",
}


def lever_impacts(s: Scenario, small_model: str = "gpt-4.1-mini", n: int = 2000) -> list[dict]:
    """One row per lever: the table's words plus the measured change on this scenario."""
    from labs.costsim.model import monthly_costs, sample_latency, self_host

    base_cost = monthly_costs(s).monthly_usd
    base_lat = sample_latency(s, n=n).percentiles()
    rows = []
    for lever in LEVERS:
        if lever.key == "self_host":
            new_cost = self_host(s).monthly_usd
            new_lat = sample_latency(s, self_hosted=True, n=n).percentiles()
        else:
            other = pulled(s, lever.key, small_model)
            if other is None:
                new_cost, new_lat = base_cost, base_lat
            else:
                new_cost = monthly_costs(other).monthly_usd
                new_lat = sample_latency(other, n=n).percentiles()
        rows.append({
            "lever": lever.name,
            "cost Δ %": _pct(new_cost, base_cost),
            "perceived p50 Δ %": _pct(new_lat["perceived_p50"], base_lat["perceived_p50"]),
            "p95 Δ %": _pct(new_lat["p95"], base_lat["p95"]),
            "setting tried": SETTING[lever.key], "cost (track)": lever.cost,
            "latency (track)": lever.latency, "quality (track)": lever.quality,
            "fields": ", ".join(lever.fields),
        })
    return rows


def _pct(new: float, old: float) -> float | None:
    return None if old == 0 else round(100 * (new - old) / old, 1)
