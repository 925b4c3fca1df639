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
    cache_read_tokens, cache_write_tokens), with P = cached_prefix_tokens:
        hit call : cache_read_tokens  = P, the other input_tokens − P at the input price
        miss call: cache_write_tokens = P (at the model's write price; at the input price
                   when it has none), the other input_tokens − P at the input price
        both     : output_tokens at the output price

    gross      = hit calls × price(hit call) + miss calls × price(miss call)
    batch discount = − 50% × batch_share × gross        (batch_share of the calls go through
                                                         the batch API at half price)
    monthly cost   = gross + batch discount
    cost per request = monthly cost ÷ requests          (0 when there is no traffic)

    self-hosting   = gpus × gpu_hourly_usd × 720 a month, whatever the traffic.
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
    LLM call : TTFT  = network round trip + queueing + prefill tokens ÷ prefill_tokens_per_s
               total = TTFT + output_tokens ÷ decode_tokens_per_s
               round trip ~ network_rtt_ms × lognormal(σ 0.25); queueing ~ exponential with
               mean queue_ms; prefill and decode speeds vary by lognormal(σ 0.15);
               a prompt-cache hit prefills only input_tokens − cached_prefix_tokens.
    cache hit: TTFT = total = cache_latency_ms × lognormal(σ 0.3)  (exact or semantic)
    batch    : offline, answered within 1 to 24 hours (uniform); p50/p95/p99 are taken over
               the online requests (live calls and cache hits), batch is reported apart
    streaming changes what the user waits for (perceived = TTFT instead of total), never
    the total itself.
    Self-hosting uses the same speeds, self_host_rtt_ms for the round trip, and a queueing
    delay that grows with the load on the GPUs (mean busy time × ρ ÷ (1 − ρ) ÷ streams).

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

from labs.costsim.prices import CallPrice, ModelPricing, resolve
from labs.costsim.scenario import Scenario, parse_scenario

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
    return resolve(s.model, s.provider, overrides=s.price_overrides, custom=s.custom_models)


def monthly_costs(s: Scenario, pricing: ModelPricing | None = None) -> Costs:
    """The cost model above, step by step."""
    pricing = pricing or pricing_for(s)
    requests = s.requests_per_day * DAYS_PER_MONTH
    served = requests * (s.exact_cache_hit_rate + s.semantic_cache_hit_rate)
    calls = max(requests - served, 0.0)
    hit_calls = calls * s.prompt_cache_hit_rate
    miss_calls = calls - hit_calls
    p = s.cached_prefix_tokens
    hit = pricing.price_call(s.input_tokens, s.output_tokens, cache_read_tokens=p)
    miss = pricing.price_call(s.input_tokens, s.output_tokens, cache_write_tokens=p)

    def part(name: str) -> float:
        return hit_calls * getattr(hit, name) + miss_calls * getattr(miss, name)

    gross = {k: part(k) for k in ("input_usd", "cache_read_usd", "cache_write_usd", "output_usd")}
    discount = -BATCH_DISCOUNT * s.batch_share * sum(gross.values())
    return Costs(requests_per_month=requests, cache_served_per_month=served,
                 llm_calls_per_month=calls,
                 breakdown=CostBreakdown(**gross, batch_discount_usd=discount),
                 hit_call=hit, miss_call=miss)


# --- self-hosting -------------------------------------------------------------------------

@dataclass(frozen=True)
class SelfHost:
    monthly_usd: float  # the configured GPUs, whatever the traffic
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
    return SelfHost(monthly_usd=s.gpus * s.gpu_hourly_usd * HOURS_PER_MONTH,
                    busy_s_per_call=busy_seconds(s), calls_per_s_per_gpu=cap,
                    peak_calls_per_s=peak, gpus_needed=gpus_needed(s),
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


def sample_latency(s: Scenario, *, self_hosted: bool = False, n: int = N_SAMPLES,
                   seed: int = SEED) -> Latency:
    """Draw n requests from the scenario's mix and time each (see the module docstring)."""
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    cache = u < s.exact_cache_hit_rate + s.semantic_cache_hit_rate
    batch = ~cache & (rng.random(n) < s.batch_share)
    warm = rng.random(n) < s.prompt_cache_hit_rate
    prefill_tokens = np.where(warm, s.input_tokens - s.cached_prefix_tokens, s.input_tokens)
    if self_hosted:
        rtt_mean = s.self_host_rtt_ms
        sh = self_host(s)
        rho = min(sh.load, 0.98)
        queue_mean = 1000 * sh.busy_s_per_call * rho / (1 - rho) / s.streams_per_gpu
    else:
        rtt_mean, queue_mean = s.network_rtt_ms, s.queue_ms
    rtt = rtt_mean * rng.lognormal(0.0, 0.25, n)
    queue = rng.exponential(queue_mean, n) if queue_mean > 0 else np.zeros(n)
    prefill = 1000 * prefill_tokens / (s.prefill_tokens_per_s * rng.lognormal(0.0, 0.15, n))
    decode = 1000 * s.output_tokens / (s.decode_tokens_per_s * rng.lognormal(0.0, 0.15, n))
    ttft = rtt + queue + prefill
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


def estimate(scenario: dict | Scenario) -> dict:
    """The simulator's headline figures for one scenario, as plain JSON-ready data.

    This is the stable entry point for the CLI and the MCP server's `estimate_cost` tool.
    Raises ScenarioError (a ValueError whose `.problems` name the bad fields).
    """
    s = parse_scenario(scenario)
    pricing = pricing_for(s)
    c = monthly_costs(s, pricing)
    lat = sample_latency(s).percentiles()
    b = c.breakdown
    return {
        "monthly_cost_usd": _usd(c.monthly_usd),
        "cost_per_request_usd": _usd(c.per_request_usd),
        "llm_calls_per_month": round(c.llm_calls_per_month, 3),
        "breakdown": {"input_usd": _usd(b.input_usd), "cache_read_usd": _usd(b.cache_read_usd),
                      "cache_write_usd": _usd(b.cache_write_usd),
                      "output_usd": _usd(b.output_usd),
                      "batch_discount_usd": _usd(b.batch_discount_usd)},
        "self_host_monthly_usd": _usd(self_host(s).monthly_usd),
        "latency_ms": {k: lat[k] for k in ("ttft_p50", "p50", "p95", "p99")},
    }


def _usd(x: float) -> float:
    return round(x, 8) + 0.0  # + 0.0 turns -0.0 into 0.0


__all__ = ["Costs", "CostBreakdown", "Latency", "SelfHost", "BreakEven", "Simulation",
           "monthly_costs", "sample_latency", "self_host", "break_even", "gpus_needed",
           "waterfall", "simulate", "estimate"]
