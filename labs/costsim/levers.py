"""The track's levers table as data, and what each lever does to the current scenario.

`LEVERS` holds the table (cost, latency and quality impact in words, as the track states
them); `lever_impacts` pulls each lever on a scenario and measures the change in monthly
cost, time to first token, perceived p50 and p95 with the simulator itself, so the words sit
beside numbers. The model-tier lever moves to a model of the same provider that is cheaper
per token on input and output and makes this scenario cheaper (from genai-prices, preferring
models with published speeds), and says so when there is none. The prompt-caching lever asks
for no more hits than the traffic can keep warm. Each row lists the fields it changed and
notes on what the pulled scenario rests on (a prefix below the minimum, a default speed).

Leaves out: quality as a number — that needs an eval on your own golden set.
"""

from __future__ import annotations

import math
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
    Lever("service_tier", "Service tier (flex / priority)", "Flex: about half price",
          "Flex: slower and may queue; priority: steadier", "Neutral (same model)",
          ("service_tier",)),
    Lever("self_host", "Self-host an open model", "Higher fixed, lower per call",
          "Removes the network hop", "Often 10–20% below frontier models",
          ("gpus", "gpu_hourly_usd")),
)


def on_model(s: Scenario, ref: str) -> Scenario:
    """The scenario on another model of the same provider, at its standard tier."""
    from labs.costsim.model import pricing_for

    return s.model_copy(update={"model": ref, "provider": pricing_for(s).provider_id,
                                "service_tier": "standard"})


def smaller_model(s: Scenario) -> str | None:
    """The model the tier lever moves to: same provider, cheaper per token on input and
    output, and cheaper on this scenario too — a smaller model can need a longer prefix before
    it caches, or lack batch prices (None: there is none)."""
    from labs.costsim.facts import latency_table
    from labs.costsim.model import monthly_costs, pricing_for
    from labs.costsim.prices import cheaper_models

    pricing = pricing_for(s)
    base = monthly_costs(s, pricing).monthly_usd
    for ref, _ in cheaper_models(pricing, s.input_tokens, s.output_tokens,
                                 prefer=frozenset(latency_table().get("models") or {})):
        try:
            cost = monthly_costs(on_model(s, ref)).monthly_usd
        except (LookupError, ValueError):  # a model genai-prices lists but cannot price
            continue
        if cost < base or cost == base == 0:
            return ref
    return None


def cheaper_tier(s: Scenario) -> str | None:
    from labs.costsim.model import pricing_for
    from labs.costsim.prices import service_tiers

    tiers = service_tiers(pricing_for(s))
    return "flex" if "flex" in tiers and s.service_tier != "flex" else None


def pulled(s: Scenario, key: str) -> tuple[Scenario | None, str]:
    """The scenario with one lever pulled to a typical setting, and that setting in words
    (None: nothing to pull, and the words say why)."""
    if key == "model_tier":
        from labs.costsim.model import pricing_for

        small = smaller_model(s)
        if small is None:
            return None, f"already on the cheapest tier of {pricing_for(s).provider_id} " \
                "for this scenario" if s.model not in s.custom_models \
                else "a custom model: no tier below known"
        return on_model(s, small), f"switch to {small}"
    if key == "prompt_caching":
        return _cached(s)
    if key == "streaming":
        return (None, "already streaming") if s.streaming else \
            (s.model_copy(update={"streaming": True}), "streaming on")
    if key == "batch":
        if s.batch_share >= 0.5:
            return None, f"already {s.batch_share:.0%} of calls through the batch API"
        return s.model_copy(update={"batch_share": 0.5}), "50% of calls through the batch API"
    if key == "shorter_context":
        shorter = s.input_tokens // 2
        return s.model_copy(update={"input_tokens": shorter,
                                    "cached_prefix_tokens": min(s.cached_prefix_tokens, shorter)}
                            ), f"half the input tokens ({shorter:,})"
    if key == "semantic_cache":
        exact = max(s.exact_cache_hit_rate, 0.03)
        sem = min(max(s.semantic_cache_hit_rate, 0.25), 1 - exact)
        return s.model_copy(update={"exact_cache_hit_rate": exact,
                                    "semantic_cache_hit_rate": sem}), \
            f"{exact:.0%} exact + {sem:.0%} semantic hits"
    if key == "service_tier":
        tier = cheaper_tier(s)
        if tier is None:
            return None, "genai-prices has no flex tier for this model" \
                if s.service_tier != "flex" else "already on flex"
        return s.model_copy(update={"service_tier": tier}), f"the {tier} service tier"
    return None, "your GPUs instead of the API"


def _cached(s: Scenario) -> tuple[Scenario | None, str]:
    """Prompt caching pulled: the stable prefix (70% of the prompt unless given, at least the
    provider's minimum) at an 80% hit rate, or what the traffic keeps warm if that is less."""
    from labs.costsim.model import prompt_cache

    rules = prompt_cache(s).rules
    if s.input_tokens < rules.min_prefix_tokens:
        return None, (f"the {s.input_tokens:,}-token prompt is shorter than the "
                      f"{rules.min_prefix_tokens:,}-token minimum cacheable prefix")
    prefix = max(s.cached_prefix_tokens or int(s.input_tokens * 0.7), rules.min_prefix_tokens)
    warm = prompt_cache(s.model_copy(update={"cached_prefix_tokens": prefix})).max_warm_hit_rate
    rate = max(s.prompt_cache_hit_rate, min(0.8, math.floor(warm * 100) / 100))
    limit = "" if rate >= 0.8 or rate == s.prompt_cache_hit_rate else \
        " (the most this traffic keeps warm)"
    return s.model_copy(update={"cached_prefix_tokens": prefix, "prompt_cache_hit_rate": rate}
                        ), f"prefix {prefix:,} tokens, {rate:.0%} hit rate{limit}"


def _notes(s: Scenario, other: Scenario | None) -> list[str]:
    """What the pulled scenario rests on: its prompt-cache flags, and a default speed when
    the lever changes the model to one without published figures."""
    from labs.costsim.model import api_speed, prompt_cache

    if other is None:
        return []
    notes = list(prompt_cache(other).notes)
    if other.model != s.model and (speed := api_speed(other)).fallback:
        notes.append("latency from defaults: " + speed.label())
    return notes


def lever_impacts(s: Scenario, n: int = 2000) -> list[dict]:
    """One row per lever: the setting tried, the measured change on this scenario (None where
    nothing changed), and the track's words."""
    from labs.costsim.model import monthly_costs, sample_latency, self_host

    base_cost = monthly_costs(s).monthly_usd
    base_lat = sample_latency(s, n=n).percentiles()
    rows = []
    for lever in LEVERS:
        other, setting = pulled(s, lever.key)
        if lever.key == "self_host":
            new_cost = self_host(s).monthly_usd
            new_lat = sample_latency(s, self_hosted=True, n=n).percentiles()
        elif other is None:
            new_cost, new_lat = base_cost, base_lat
        else:
            new_cost = monthly_costs(other).monthly_usd
            new_lat = sample_latency(other, n=n).percentiles()
        rows.append({
            "key": lever.key, "lever": lever.name, "setting": setting,
            "applies": other is not None or lever.key == "self_host",
            "changes": {} if other is None else {f: getattr(other, f) for f in _CHANGEABLE
                                                 if getattr(other, f) != getattr(s, f)},
            "notes": _notes(s, other),
            "cost_delta_usd": round(new_cost - base_cost, 2),
            "cost_delta_pct": _pct(new_cost, base_cost),
            "ttft_p50_delta_pct": _pct(new_lat["ttft_p50"], base_lat["ttft_p50"]),
            "perceived_p50_delta_pct": _pct(new_lat["perceived_p50"], base_lat["perceived_p50"]),
            "p95_delta_pct": _pct(new_lat["p95"], base_lat["p95"]),
            "cost_note": lever.cost, "latency_note": lever.latency,
            "quality_note": lever.quality, "fields": list(lever.fields),
        })
    return rows


_CHANGEABLE = ("model", "provider", "service_tier", "input_tokens", "cached_prefix_tokens",
               "prompt_cache_hit_rate", "exact_cache_hit_rate", "semantic_cache_hit_rate",
               "batch_share", "streaming")


def _pct(new: float, old: float) -> float | None:
    """The change in percent; 0 when both are 0, None when there is no base to compare."""
    if old == 0:
        return 0.0 if new == 0 else None
    return round(100 * (new - old) / old, 1) + 0.0
