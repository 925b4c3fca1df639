"""The cost and latency model of the lever simulator.

Cost model (per month; a month is 30 days)
------------------------------------------
    requests   = requests_per_day × 30
    served     = requests × (exact_cache_hit_rate + semantic_cache_hit_rate)
                 (both rates are shares of all requests, summing to at most 1;
                  a request served from either cache makes no LLM call and costs nothing here)
    calls      = requests − served                      (one LLM call each)
    hit calls  = calls × prompt_cache_hit_rate          (the provider's prompt cache is warm)
    miss calls = calls − hit calls

    one call is priced by genai-prices' Usage(input_tokens, output_tokens,
    cache_read_tokens, cache_write_tokens) on the scenario's service tier (standard, or a
    flex / priority tier where genai-prices prices one), with P = cached_prefix_tokens:
        hit call : cache_read_tokens  = P, the other input_tokens − P at the input price
        miss call: cache_write_tokens = P (at the model's write price; at the input price
                   when it has none), the other input_tokens − P at the input price
        both     : output_tokens at the output price
    prompt cache   = the provider's rules (content/costsim/prompt_caching.yaml): a prefix
                     below the minimum length is not cached (P = 0, hit rate 0); a prefix
                     lives `lifetime` after its last use, so with λ calls/s per prefix
                     (calls ÷ prefix_variants) at most 1 − exp(−λ × lifetime) of calls find
                     it warm — a hit rate above that is flagged
    gross      = hit calls × price(hit call) + miss calls × price(miss call)
    batch discount = batch_share × (gross at genai-prices' batch prices − gross) when the
                     model has batch prices, else − 50% × batch_share × gross
    monthly cost   = gross + batch discount
    cost per request = monthly cost ÷ requests          (0 when there is no traffic)

    self-hosting   = max(gpus, GPUs needed) × gpu_hourly_usd × 720 a month: the GPUs the
                     peak needs are billed even when fewer are configured.
    capacity       = one GPU serves streams_per_gpu requests at once, each busy for
                     (input_tokens ÷ prefill_tokens_per_s + output_tokens ÷ decode_tokens_per_s)
                     seconds, and you can count on `utilisation` of that:
                     calls/s per GPU = utilisation × streams_per_gpu ÷ busy seconds per call
    peak calls/s   = calls per second × (1 − batch_share) × peak_to_mean
                     + calls per second × batch_share           (batch work is spread evenly)
    GPUs needed    = ⌈peak calls/s ÷ calls/s per GPU⌉ — a whole-number staircase
    break-even     = the lowest traffic at which the API's monthly bill reaches the bill of the
                     GPUs that traffic needs (there may be none: if a fully used GPU costs more
                     per call than the API, the API stays cheaper at every volume)

Latency model (per request, sampled; numpy with a fixed seed)
-------------------------------------------------------------
    LLM call : TTFT  = published TTFT of the model (content/costsim/latency.yaml, measured
                       end to end on a short prompt) + extra round trip + queueing
                       + (uncached prompt tokens beyond 1,000) ÷ prefill_tokens_per_s
               total = TTFT + output_tokens ÷ the model's published output tokens/s
               published TTFT ~ × lognormal(σ 0.25); extra round trip ~ network_rtt_ms ×
               lognormal(σ 0.25); queueing ~ exponential with mean queue_ms; prefill and
               decode speeds vary by lognormal(σ 0.15); a model without published figures
               uses the table's default, and the page says so.
    cache hit: TTFT = total = cache_latency_ms × lognormal(σ 0.3)  (exact or semantic)
    batch    : offline, answered within 1 to 24 hours (uniform); p50/p95/p99 are taken over
               the online requests (live calls and cache hits), batch is reported apart
    streaming changes what the user waits for (perceived = TTFT instead of total), never
    the total itself.
    Self-hosting: round trip self_host_rtt_ms, prefill of the whole uncached prompt at
    prefill_tokens_per_s, decode at decode_tokens_per_s, and a queueing delay that grows
    with the load on the GPUs billed (mean busy time × ρ ÷ (1 − ρ) ÷ streams).

Leaves out: the cost of running the caches themselves (embedding queries, the vector
store), retries and failed calls, tiered (long-context) prices beyond what genai-prices
applies per call, engineering and on-call cost of self-hosting, and quality — the levers
table carries the quality column as words, not numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from labs.costsim.facts import CacheRules, Speed, cache_rules, speed_for
from labs.costsim.prices import CallPrice, ModelPricing, has_batch_prices, resolve, tier_context
from labs.costsim.scenario import Scenario, ScenarioError, parse_scenario

DAYS_PER_MONTH = 30
HOURS_PER_MONTH = 720
BATCH_DISCOUNT = 0.5
SEED = 7
N_SAMPLES = 10_000


@dataclass(frozen=True)
class CostBreakdown:
    input_usd: float
    cache_read_usd: float
    cache_write_usd: float
    output_usd: float
    batch_discount_usd: float  # ≤ 0: the parts add up to the monthly cost

    @property
    def total_usd(self) -> float:
        return (self.input_usd + self.cache_read_usd + self.cache_write_usd + self.output_usd
                + self.batch_discount_usd)


@dataclass(frozen=True)
class Costs:
    requests_per_month: float
    cache_served_per_month: float
    llm_calls_per_month: float
    breakdown: CostBreakdown
    hit_call: CallPrice  # one call with a warm prompt cache
    miss_call: CallPrice  # one call that writes the prefix (or plain, with no prefix)

    @property
    def monthly_usd(self) -> float:
        return self.breakdown.total_usd

    @property
    def per_request_usd(self) -> float:
        return self.monthly_usd / self.requests_per_month if self.requests_per_month else 0.0


def pricing_for(s: Scenario) -> ModelPricing:
    """The scenario's model on its service tier (standard unless the scenario picks one)."""
    base = resolve(s.model, s.provider, overrides=s.price_overrides, custom=s.custom_models)
    if s.service_tier == "standard":
        return base
    return resolve(s.model, s.provider, overrides=s.price_overrides, custom=s.custom_models,
                   context=tier_context(base, s.service_tier))


def batch_pricing(s: Scenario, pricing: ModelPricing) -> ModelPricing | None:
    """genai-prices' own batch prices for the model, or None (then batch is 50% off)."""
    if s.batch_share == 0 or not has_batch_prices(pricing):
        return None
    return resolve(s.model, s.provider, context={"processing": "batch"})


@dataclass(frozen=True)
class PromptCache:
    """What the provider's prompt cache does for this scenario, with its rules."""

    rules: CacheRules
    prefix_tokens: int  # what is actually cached: 0 when the prefix is below the minimum
    hit_rate: float  # the scenario's rate, 0 when nothing is cached
    max_warm_hit_rate: float  # the most the traffic can keep warm (Poisson arrivals)
    notes: tuple[str, ...]


def prompt_cache(s: Scenario, pricing: ModelPricing | None = None) -> PromptCache:
    """A prefix shorter than the provider's minimum is not cached at all; a cached prefix
    lives `lifetime_s` after its last use, so with calls arriving at random at λ per second
    per prefix, a call finds it warm with probability 1 − exp(−λ × lifetime)."""
    pricing = pricing or pricing_for(s)
    rules = cache_rules(pricing.provider_id, (s.model, pricing.model_id),
                        s.cache_min_prefix_tokens, s.cache_lifetime_s)
    calls_per_s = s.requests_per_day * max(
        1 - s.exact_cache_hit_rate - s.semantic_cache_hit_rate, 0.0) / 86_400
    lam = calls_per_s / s.prefix_variants
    warm = 1 - math.exp(-lam * rules.lifetime_s)
    notes: list[str] = []
    prefix, rate = s.cached_prefix_tokens, s.prompt_cache_hit_rate
    if 0 < prefix < rules.min_prefix_tokens:
        notes.append(f"a {prefix:,}-token prefix is below {pricing.provider_id}'s "
                     f"{rules.min_prefix_tokens:,}-token minimum, so nothing is cached (priced "
                     "as no prompt caching)")
        prefix, rate = 0, 0.0
    elif prefix and rate > warm + 0.005:
        notes.append(f"a {rate:.0%} prompt-cache hit rate is more than this traffic can keep "
                     f"warm: {lam * 60:,.2f} calls a minute per prefix against a "
                     f"{rules.lifetime_s / 60:g}-minute cache lifetime keeps at most "
                     f"{warm:.0%} of calls warm")
    if prefix == 0:
        rate = 0.0
    return PromptCache(rules=rules, prefix_tokens=prefix, hit_rate=rate,
                       max_warm_hit_rate=warm, notes=tuple(notes))


def monthly_costs(s: Scenario, pricing: ModelPricing | None = None) -> Costs:
    """The cost model above, step by step."""
    pricing = pricing or pricing_for(s)
    cache = prompt_cache(s, pricing)
    requests = s.requests_per_day * DAYS_PER_MONTH
    served = requests * (s.exact_cache_hit_rate + s.semantic_cache_hit_rate)
    calls = max(requests - served, 0.0)
    hit_calls = calls * cache.hit_rate
    miss_calls = calls - hit_calls
    p = cache.prefix_tokens

    def priced(pr: ModelPricing) -> tuple[CallPrice, CallPrice, float]:
        hit = pr.price_call(s.input_tokens, s.output_tokens, cache_read_tokens=p)
        miss = pr.price_call(s.input_tokens, s.output_tokens, cache_write_tokens=p)
        return hit, miss, hit_calls * hit.total_usd + miss_calls * miss.total_usd

    hit, miss, gross_total = priced(pricing)

    def part(name: str) -> float:
        return hit_calls * getattr(hit, name) + miss_calls * getattr(miss, name)

    gross = {k: part(k) for k in ("input_usd", "cache_read_usd", "cache_write_usd", "output_usd")}
    batch = batch_pricing(s, pricing)
    if batch is None:
        discount = -BATCH_DISCOUNT * s.batch_share * sum(gross.values())
    else:  # batch calls at genai-prices' batch prices instead of the online ones
        discount = s.batch_share * (priced(batch)[2] - gross_total)
    return Costs(requests_per_month=requests, cache_served_per_month=served,
                 llm_calls_per_month=calls,
                 breakdown=CostBreakdown(**gross, batch_discount_usd=discount),
                 hit_call=hit, miss_call=miss)


# --- self-hosting -------------------------------------------------------------------------

@dataclass(frozen=True)
class SelfHost:
    monthly_usd: float  # the GPUs peak traffic needs (at least the configured ones)
    gpus_billed: int  # max(configured, needed)
    busy_s_per_call: float
    calls_per_s_per_gpu: float
    peak_calls_per_s: float
    gpus_needed: int
    over_capacity: bool  # peak traffic exceeds what the configured GPUs serve
    load: float  # peak calls ÷ capacity of the configured GPUs (inf with none)


def busy_seconds(s: Scenario) -> float:
    return s.input_tokens / s.prefill_tokens_per_s + s.output_tokens / s.decode_tokens_per_s


def gpu_capacity(s: Scenario) -> float:
    """Calls per second one GPU serves at the utilisation you can count on."""
    busy = busy_seconds(s)
    return math.inf if busy == 0 else s.utilisation * s.streams_per_gpu / busy


def peak_calls_per_s(s: Scenario, requests_per_day: float | None = None) -> float:
    rpd = s.requests_per_day if requests_per_day is None else requests_per_day
    calls_per_s = rpd * (1 - s.exact_cache_hit_rate - s.semantic_cache_hit_rate) / 86_400
    calls_per_s = max(calls_per_s, 0.0)
    return calls_per_s * (1 - s.batch_share) * s.peak_to_mean + calls_per_s * s.batch_share


def gpus_needed(s: Scenario, requests_per_day: float | None = None) -> int:
    """The whole-number staircase: GPUs for the peak, at least one for any traffic."""
    peak = peak_calls_per_s(s, requests_per_day)
    if peak == 0:
        return 0
    cap = gpu_capacity(s)
    if cap == 0:
        return 10**9  # utilisation 0: no number of GPUs is enough
    return max(1, math.ceil(peak / cap - 1e-9))


def self_host(s: Scenario) -> SelfHost:
    cap = gpu_capacity(s)
    peak = peak_calls_per_s(s)
    have = s.gpus * cap
    load = peak / have if have else (math.inf if peak else 0.0)
    needed = gpus_needed(s)
    billed = max(s.gpus, needed) if cap > 0 else s.gpus  # at 0% utilisation none would do
    return SelfHost(monthly_usd=billed * s.gpu_hourly_usd * HOURS_PER_MONTH, gpus_billed=billed,
                    busy_s_per_call=busy_seconds(s), calls_per_s_per_gpu=cap,
                    peak_calls_per_s=peak, gpus_needed=needed,
                    over_capacity=load > 1, load=load)


@dataclass(frozen=True)
class BreakEven:
    requests_per_day: float | None  # None: the API is cheaper at every volume
    gpus: int | None
    reason: str


def break_even(s: Scenario, api_per_request_usd: float) -> BreakEven:
    """Lowest traffic where the API bill reaches the bill of the GPUs that traffic needs.

    Within the band of traffic k GPUs can serve, self-hosting costs k × hourly × 720 flat and
    the API a × requests; so the crossing in band k is at max(band start, k·H / a).
    """
    gpu_month = s.gpu_hourly_usd * HOURS_PER_MONTH
    a = api_per_request_usd * DAYS_PER_MONTH  # API USD per (request/day) per month
    cap = gpu_capacity(s)
    # requests/day one GPU can absorb at peak
    per_gpu_rpd = _rpd_for_peak(s, cap)
    if a <= 0:
        return BreakEven(None, None, "the API costs nothing per request here")
    if gpu_month == 0:
        return BreakEven(0.0, 1, "GPUs are free in this scenario")
    if per_gpu_rpd == 0:
        return BreakEven(None, None, "the GPUs can serve no traffic (utilisation 0)")
    if math.isinf(per_gpu_rpd):
        return BreakEven(gpu_month / a, 1, "one GPU serves any traffic")
    if gpu_month / per_gpu_rpd >= a:
        return BreakEven(None, None,
                         f"a fully used GPU costs ${gpu_month / per_gpu_rpd / DAYS_PER_MONTH:.6f}"
                         f" per request, no less than the API's ${api_per_request_usd:.6f}: the "
                         "API stays cheaper at every volume")
    k = max(1, math.ceil(gpu_month / a / per_gpu_rpd))  # first band where the line can cross
    while True:
        lo, hi = (k - 1) * per_gpu_rpd, k * per_gpu_rpd
        x = max(lo, k * gpu_month / a)
        if x <= hi:
            return BreakEven(x, k, f"{k} GPU(s) at about {x:,.0f} requests/day")
        k += 1


def _rpd_for_peak(s: Scenario, calls_per_s: float) -> float:
    """Requests/day whose peak is `calls_per_s` (the inverse of peak_calls_per_s)."""
    per_call = (1 - s.exact_cache_hit_rate - s.semantic_cache_hit_rate) / 86_400 * \
        ((1 - s.batch_share) * s.peak_to_mean + s.batch_share)
    if per_call <= 0:
        return math.inf
    return calls_per_s / per_call


# --- latency --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Latency:
    """Sampled per-request latencies in ms (one row per simulated request)."""

    ttft_ms: np.ndarray
    total_ms: np.ndarray
    kind: np.ndarray  # 0 LLM call, 1 cache hit, 2 batch
    streaming: bool

    @property
    def perceived_ms(self) -> np.ndarray:
        return self.ttft_ms if self.streaming else self.total_ms

    @property
    def online(self) -> np.ndarray:
        """Requests someone waits for: LLM calls answered live and cache hits (not batch)."""
        return self.kind != 2

    @property
    def offline_share(self) -> float:
        return float((self.kind == 2).mean()) if self.kind.size else 0.0

    def percentiles(self) -> dict[str, float]:
        """Percentiles over the online requests; batch answers (hours) are counted apart."""
        return dict(self._percentiles)

    @cached_property
    def _percentiles(self) -> dict[str, float]:
        on = self.online

        def q(a: np.ndarray, ps: list[float]) -> list[float]:
            a = a[on]
            return [round(float(v), 1) for v in np.percentile(a, ps)] if a.size \
                else [0.0] * len(ps)

        (ttft50,) = q(self.ttft_ms, [50])
        p50, p95, p99 = q(self.total_ms, [50, 95, 99])
        if self.streaming:
            per = q(self.ttft_ms, [50, 95, 99])
        else:
            per = [p50, p95, p99]
        return {"ttft_p50": ttft50, "p50": p50, "p95": p95, "p99": p99,
                "perceived_p50": per[0], "perceived_p95": per[1], "perceived_p99": per[2]}


REFERENCE_PROMPT_TOKENS = 1000  # about the prompt length behind published TTFT figures


def api_speed(s: Scenario) -> Speed:
    """The model's published speed (content/costsim/latency.yaml), the scenario's override,
    or the default — `fallback` says which."""
    ids = (s.model,)
    if s.model not in s.custom_models:
        try:
            ids += (pricing_for(s).model_id,)
        except (LookupError, ValueError):
            pass
    return speed_for(ids, s.latency_overrides)


def sample_latency(s: Scenario, *, self_hosted: bool = False, n: int = N_SAMPLES,
                   seed: int = SEED) -> Latency:
    """Draw n requests from the scenario's mix and time each (see the module docstring)."""
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    cache = u < s.exact_cache_hit_rate + s.semantic_cache_hit_rate
    batch = ~cache & (rng.random(n) < s.batch_share)
    pc = prompt_cache(s)
    warm = rng.random(n) < pc.hit_rate
    prefill_tokens = np.where(warm, s.input_tokens - pc.prefix_tokens, s.input_tokens)
    if self_hosted:
        rtt_mean, first_ms = s.self_host_rtt_ms, 0.0
        decode_speed = s.decode_tokens_per_s
        sh = self_host(s)
        rho = min(sh.peak_calls_per_s / (sh.gpus_billed * sh.calls_per_s_per_gpu)
                  if sh.gpus_billed and sh.calls_per_s_per_gpu else 0.98, 0.98)
        queue_mean = 1000 * sh.busy_s_per_call * rho / (1 - rho) / s.streams_per_gpu
    else:  # the published TTFT covers a short prompt; longer ones add their extra prefill
        speed = api_speed(s)
        rtt_mean, first_ms = s.network_rtt_ms, speed.ttft_ms
        decode_speed = speed.output_tokens_per_s
        queue_mean = s.queue_ms
        prefill_tokens = np.maximum(prefill_tokens - REFERENCE_PROMPT_TOKENS, 0)
    rtt = rtt_mean * rng.lognormal(0.0, 0.25, n)
    first = first_ms * rng.lognormal(0.0, 0.25, n)
    queue = rng.exponential(queue_mean, n) if queue_mean > 0 else np.zeros(n)
    prefill = 1000 * prefill_tokens / (s.prefill_tokens_per_s * rng.lognormal(0.0, 0.15, n))
    decode = 1000 * s.output_tokens / (decode_speed * rng.lognormal(0.0, 0.15, n))
    ttft = rtt + first + queue + prefill
    total = ttft + decode
    hit_ms = s.cache_latency_ms * rng.lognormal(0.0, 0.3, n)
    offline_ms = rng.uniform(1, 24, n) * 3_600_000
    ttft = np.where(cache, hit_ms, np.where(batch, offline_ms, ttft))
    total = np.where(cache, hit_ms, np.where(batch, offline_ms, total))
    kind = np.where(cache, 1, np.where(batch, 2, 0))
    return Latency(ttft_ms=ttft, total_ms=total, kind=kind, streaming=s.streaming)


# --- the savings waterfall ------------------------------------------------------------------

LEVER_STEPS = (
    ("Prompt caching", ("cached_prefix_tokens", "prompt_cache_hit_rate")),
    ("Exact cache", ("exact_cache_hit_rate",)),
    ("Semantic cache", ("semantic_cache_hit_rate",)),
    ("Batch API", ("batch_share",)),
)


def waterfall(s: Scenario, pricing: ModelPricing | None = None) -> list[tuple[str, float]]:
    """Monthly cost with every lever off, then the change as each lever is pulled in turn.

    Returns [("No levers", baseline), (lever, delta)…, ("With levers", final)]; a delta can be
    positive (prompt caching with a cold cache pays the write premium and saves little).
    """
    pricing = pricing or pricing_for(s)
    off = s.model_copy(update={"cached_prefix_tokens": 0, "prompt_cache_hit_rate": 0.0,
                               "exact_cache_hit_rate": 0.0, "semantic_cache_hit_rate": 0.0,
                               "batch_share": 0.0})
    current = off
    prev = monthly_costs(off, pricing).monthly_usd
    steps: list[tuple[str, float]] = [("No levers", prev)]
    for name, fields in LEVER_STEPS:
        current = current.model_copy(update={f: getattr(s, f) for f in fields})
        now = monthly_costs(current, pricing).monthly_usd
        steps.append((name, now - prev))
        prev = now
    steps.append(("With levers", prev))
    return steps


# --- everything the page shows --------------------------------------------------------------

@dataclass
class Simulation:
    scenario: Scenario
    pricing: ModelPricing
    costs: Costs
    self_host: SelfHost
    latency: Latency
    self_host_latency: Latency
    break_even: BreakEven
    waterfall: list[tuple[str, float]]
    unit_cost_usd: float = 0.0  # cost per request of the scenario's model (volume-free)
    compare: dict[str, float] = field(default_factory=dict)  # model → cost per request


def simulate(s: Scenario, compare_models: tuple[str, ...] = (), n: int = N_SAMPLES) -> Simulation:
    """Every figure of the page for one scenario (and its cost per request on other models)."""
    pricing = pricing_for(s)
    costs = monthly_costs(s, pricing)
    per_request = _per_request_at_unit_traffic(s, pricing)
    compare = {}
    for ref in compare_models:
        other = replace_model(s, ref)
        compare[ref] = _per_request_at_unit_traffic(other, pricing_for(other))
    return Simulation(scenario=s, pricing=pricing, costs=costs, self_host=self_host(s),
                      latency=sample_latency(s, n=n),
                      self_host_latency=sample_latency(s, self_hosted=True, n=n),
                      break_even=break_even(s, per_request), waterfall=waterfall(s, pricing),
                      unit_cost_usd=per_request, compare=compare)


def replace_model(s: Scenario, ref: str) -> Scenario:
    return s.model_copy(update={"model": ref, "provider": None})


def _per_request_at_unit_traffic(s: Scenario, pricing: ModelPricing) -> float:
    """Cost per request does not depend on volume, so price one request a day."""
    return monthly_costs(s.model_copy(update={"requests_per_day": 1.0}), pricing).per_request_usd


def estimate(scenario: dict | Scenario, *, levers: bool = False) -> dict:
    """Price one scenario: the simulator's figures as plain JSON-ready data.

    The one entry point for pricing a scenario: the CLI, the MCP server's `estimate_cost`
    tool and the page (through `summary`) all read these figures. Raises ScenarioError (a
    ValueError whose `.problems` name the bad fields).
    """
    s = parse_scenario(scenario)
    if s.utilisation == 0 and peak_calls_per_s(s) > 0:  # the page warns; a number would lie
        raise ScenarioError([("utilisation", "at 0 the GPUs serve nothing, so no number of "
                              "GPUs carries this traffic; give the share of a GPU you can "
                              "keep busy (e.g. 0.6)")])
    return summary(simulate(s), levers=levers)


def summary(sim: Simulation, *, levers: bool = False) -> dict:
    """The headline figures of a simulation (and, on request, the levers table)."""
    s, c = sim.scenario, sim.costs
    lat = sim.latency.percentiles()
    b = c.breakdown
    speed = api_speed(s)
    pc = prompt_cache(s, sim.pricing)
    out = {
        "monthly_cost_usd": _usd(c.monthly_usd),
        "cost_per_request_usd": _usd(c.per_request_usd),
        "llm_calls_per_month": round(c.llm_calls_per_month, 3),
        "breakdown": {"input_usd": _usd(b.input_usd), "cache_read_usd": _usd(b.cache_read_usd),
                      "cache_write_usd": _usd(b.cache_write_usd),
                      "output_usd": _usd(b.output_usd),
                      "batch_discount_usd": _usd(b.batch_discount_usd)},
        "self_host_monthly_usd": _usd(sim.self_host.monthly_usd),
        "gpus_needed": sim.self_host.gpus_needed,
        "gpu_monthly_usd": _usd(sim.self_host.monthly_usd),
        "latency_ms": {k: lat[k] for k in ("ttft_p50", "p50", "p95", "p99", "perceived_p50")},
        "model": {"id": sim.pricing.model_id, "provider": sim.pricing.provider_id,
                  "prices_from": sim.pricing.source, "service_tier": s.service_tier,
                  "batch_prices": "genai-prices" if batch_pricing(s, sim.pricing)
                  else "50% off (default)"},
        "latency_source": {"ttft_ms": speed.ttft_ms,
                           "output_tokens_per_s": speed.output_tokens_per_s,
                           "source": speed.source, "date": speed.date,
                           "default_for": list(speed.fallback)},
        "prompt_cache": {"min_prefix_tokens": pc.rules.min_prefix_tokens,
                         "lifetime_s": pc.rules.lifetime_s,
                         "max_warm_hit_rate": round(pc.max_warm_hit_rate, 4),
                         "notes": list(pc.notes)},
    }
    if levers:
        from labs.costsim.levers import lever_impacts

        out["levers"] = lever_impacts(s)
    return out


def _usd(x: float) -> float:
    return round(x, 8) + 0.0  # + 0.0 turns -0.0 into 0.0


__all__ = ["Costs", "CostBreakdown", "Latency", "SelfHost", "BreakEven", "Simulation",
           "monthly_costs", "sample_latency", "self_host", "break_even", "gpus_needed",
           "waterfall", "simulate", "estimate"]
