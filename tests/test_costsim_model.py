"""The cost model against hand-worked scenarios, the latency model, self-hosting, validation.

Prices used in the hand computations are the ones genai-prices 0.2.3 reports (USD per
million tokens), checked first by `test_genai_prices_reports_the_prices_the_hand_sums_use`:

    claude-sonnet-4-6 (anthropic): input 3, output 15, cache read 0.30, cache write 3.75
    gpt-4o (openai):               input 2.50, output 10, cache read 1.25, no cache-write
                                   price (genai-prices bills writes at the input price)
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from labs.costsim import ScenarioError, estimate, monthly_costs, parse_scenario
from labs.costsim.model import (
    break_even,
    gpus_needed,
    sample_latency,
    self_host,
    simulate,
    waterfall,
)
from labs.costsim.prices import resolve

SONNET, GPT4O = "claude-sonnet-4-6", "gpt-4o"


def scenario(**kw):
    return parse_scenario(kw)


def test_genai_prices_reports_the_prices_the_hand_sums_use():
    assert resolve(SONNET).sheet() == {"input_mtok": 3.0, "output_mtok": 15.0,
                                       "cache_read_mtok": 0.3, "cache_write_mtok": 3.75}
    assert resolve(GPT4O).sheet() == {"input_mtok": 2.5, "output_mtok": 10.0,
                                      "cache_read_mtok": 1.25, "cache_write_mtok": None}
    assert resolve(SONNET).provider_id == "anthropic"
    assert resolve(GPT4O).provider_id == "openai"


def test_anthropic_prompt_cache_reads_and_writes_by_hand():
    # 1,000 requests/day → 30,000 calls; 80% warm (24,000) read the 1,500-token prefix,
    # 20% cold (6,000) write it; the other 500 input tokens and 500 output tokens are plain.
    s = scenario(requests_per_day=1000, input_tokens=2000, output_tokens=500, model=SONNET,
                 cached_prefix_tokens=1500, prompt_cache_hit_rate=0.8)
    c = monthly_costs(s)
    b = c.breakdown
    assert b.input_usd == pytest.approx(30_000 * 500 * 3 / 1e6)  # 45.00
    assert b.cache_read_usd == pytest.approx(24_000 * 1500 * 0.30 / 1e6)  # 10.80
    assert b.cache_write_usd == pytest.approx(6_000 * 1500 * 3.75 / 1e6)  # 33.75
    assert b.output_usd == pytest.approx(30_000 * 500 * 15 / 1e6)  # 225.00
    assert b.batch_discount_usd == 0
    assert c.monthly_usd == pytest.approx(314.55)
    assert c.per_request_usd == pytest.approx(314.55 / 30_000)


def test_openai_cache_writes_bill_as_input_and_reads_at_the_read_price_by_hand():
    # gpt-4o has no write price: the 3,000-token prefix of a cold call bills at $2.50/MTok.
    s = scenario(requests_per_day=1000, input_tokens=4000, output_tokens=100, model=GPT4O,
                 cached_prefix_tokens=3000, prompt_cache_hit_rate=0.5)
    b = monthly_costs(s).breakdown
    assert b.input_usd == pytest.approx(30_000 * 1000 * 2.5 / 1e6)  # 75.00
    assert b.cache_read_usd == pytest.approx(15_000 * 3000 * 1.25 / 1e6)  # 56.25
    assert b.cache_write_usd == pytest.approx(15_000 * 3000 * 2.5 / 1e6)  # 112.50
    assert b.output_usd == pytest.approx(30_000 * 100 * 10 / 1e6)  # 30.00
    assert b.total_usd == pytest.approx(273.75)


def test_openai_batch_discount_halves_the_batched_share_by_hand():
    # 60,000 calls × ($0.0025 input + $0.002 output) = $270; half of them at 50% off: −$67.50
    s = scenario(requests_per_day=2000, input_tokens=1000, output_tokens=200, model=GPT4O,
                 batch_share=0.5)
    c = monthly_costs(s)
    assert c.breakdown.input_usd == pytest.approx(150.0)
    assert c.breakdown.output_usd == pytest.approx(120.0)
    assert c.breakdown.batch_discount_usd == pytest.approx(-67.5)
    assert c.monthly_usd == pytest.approx(202.5)


def test_anthropic_batch_discount_applies_to_cache_reads_and_writes_too():
    s = scenario(requests_per_day=1000, input_tokens=2000, output_tokens=500, model=SONNET,
                 cached_prefix_tokens=1500, prompt_cache_hit_rate=0.8, batch_share=1.0)
    assert monthly_costs(s).monthly_usd == pytest.approx(314.55 / 2)


def test_both_caches_serve_their_share_without_a_call_by_hand():
    # 30,000 requests; 10% exact + 30% semantic hits make no call → 18,000 calls at
    # 1,000 × $3/MTok + 100 × $15/MTok = $0.0045 each = $81.00, i.e. $0.0027 per request.
    s = scenario(requests_per_day=1000, input_tokens=1000, output_tokens=100, model=SONNET,
                 exact_cache_hit_rate=0.1, semantic_cache_hit_rate=0.3)
    c = monthly_costs(s)
    assert c.llm_calls_per_month == pytest.approx(18_000)
    assert c.monthly_usd == pytest.approx(81.0)
    assert c.per_request_usd == pytest.approx(0.0027)


@pytest.mark.parametrize("model", [SONNET, GPT4O])
def test_zero_traffic_costs_nothing_but_the_gpus_still_bill(model):
    out = estimate({"requests_per_day": 0, "input_tokens": 1000, "output_tokens": 100,
                    "model": model, "gpus": 2, "gpu_hourly_usd": 2.5})
    assert out["monthly_cost_usd"] == 0 and out["cost_per_request_usd"] == 0
    assert out["llm_calls_per_month"] == 0
    assert all(v == 0 for v in out["breakdown"].values())
    assert out["self_host_monthly_usd"] == 2 * 2.5 * 720


def test_estimate_prints_exactly_the_issue_keys():
    out = estimate({"requests_per_day": 100, "input_tokens": 10, "output_tokens": 10,
                    "model": GPT4O})
    assert set(out) == {"monthly_cost_usd", "cost_per_request_usd", "llm_calls_per_month",
                        "breakdown", "self_host_monthly_usd", "latency_ms", "gpus_needed",
                        "gpu_monthly_usd", "model", "latency_source", "prompt_cache"}
    assert set(out["breakdown"]) == {"input_usd", "cache_read_usd", "cache_write_usd",
                                     "output_usd", "batch_discount_usd"}
    assert set(out["latency_ms"]) == {"ttft_p50", "p50", "p95", "p99", "perceived_p50"}


def test_price_split_adds_up_to_genai_prices_own_total():
    from genai_prices import Usage, calc_price

    p = resolve(SONNET)
    part = p.price_call(5000, 700, cache_read_tokens=1200)
    whole = calc_price(Usage(input_tokens=5000, output_tokens=700, cache_read_tokens=1200),
                       SONNET, provider_id="anthropic")
    assert part.total_usd == pytest.approx(float(whole.total_price))


def test_price_override_and_custom_model_change_the_bill():
    base = dict(requests_per_day=1000, input_tokens=1000, output_tokens=0, model=GPT4O)
    assert monthly_costs(scenario(**base)).monthly_usd == pytest.approx(75.0)
    over = scenario(**base, price_overrides={GPT4O: {"input_mtok": 1.0}})
    assert monthly_costs(over).monthly_usd == pytest.approx(30.0)
    custom = scenario(**{**base, "model": "my-llama"},
                      custom_models={"my-llama": {"input_mtok": 0.2, "output_mtok": 0.4}})
    assert monthly_costs(custom).monthly_usd == pytest.approx(6.0)


def test_waterfall_starts_with_no_levers_and_ends_at_the_monthly_cost():
    s = scenario(requests_per_day=1000, input_tokens=2000, output_tokens=500, model=SONNET,
                 cached_prefix_tokens=1500, prompt_cache_hit_rate=0.8,
                 exact_cache_hit_rate=0.05, semantic_cache_hit_rate=0.2, batch_share=0.3)
    steps = waterfall(s)
    assert steps[0][0] == "No levers" and steps[-1][0] == "With levers"
    assert steps[0][1] == pytest.approx(30_000 * (2000 * 3 + 500 * 15) / 1e6)  # 405.00
    assert sum(v for _, v in steps[:-1]) == pytest.approx(steps[-1][1])
    assert steps[-1][1] == pytest.approx(monthly_costs(s).monthly_usd)
    assert all(v < 0 for _, v in steps[1:-1])


# --- self-hosting -----------------------------------------------------------------------

def test_gpus_needed_is_a_whole_number_staircase_by_hand():
    # busy per call = 2000/4000 + 300/60 = 5.5 s; one GPU: 0.6 × 16 / 5.5 = 1.745 calls/s.
    # 500,000/day = 5.787 calls/s, peak ×2 = 11.574 → ⌈6.63⌉ = 7 GPUs.
    s = scenario(requests_per_day=500_000, input_tokens=2000, output_tokens=300, model=SONNET)
    sh = self_host(s)
    assert sh.calls_per_s_per_gpu == pytest.approx(0.6 * 16 / 5.5)
    assert sh.gpus_needed == 7 and sh.over_capacity
    assert gpus_needed(s, 0) == 0 and gpus_needed(s, 1) == 1


def test_break_even_by_hand():
    # $0.0045 per request on Sonnet; one GPU is $1,800/month → 1800 / (0.0045 × 30) = 13,333/day,
    # well inside what one GPU serves.
    s = scenario(requests_per_day=1000, input_tokens=1000, output_tokens=100, model=SONNET)
    be = break_even(s, 0.0045)
    assert be.requests_per_day == pytest.approx(1800 / (0.0045 * 30)) and be.gpus == 1


def test_no_break_even_when_a_busy_gpu_costs_more_per_call_than_the_api():
    s = scenario(requests_per_day=1000, input_tokens=1000, output_tokens=1000, model=GPT4O,
                 gpu_hourly_usd=50, streams_per_gpu=1, utilisation=0.1)
    be = break_even(s, 1e-6)
    assert be.requests_per_day is None and "cheaper at every volume" in be.reason


# --- latency ------------------------------------------------------------------------------

def test_streaming_changes_perceived_latency_not_the_total():
    base = dict(requests_per_day=1000, input_tokens=2000, output_tokens=400, model=GPT4O)
    off = sample_latency(scenario(**base, streaming=False))
    on = sample_latency(scenario(**base, streaming=True))
    assert np.array_equal(off.total_ms, on.total_ms)
    assert np.array_equal(on.perceived_ms, on.ttft_ms)
    assert on.percentiles()["perceived_p50"] < off.percentiles()["perceived_p50"] / 5


def test_ttft_is_published_ttft_plus_extra_prefill_and_total_adds_the_models_decode():
    s = scenario(requests_per_day=1, input_tokens=5000, output_tokens=600, model=GPT4O,
                 network_rtt_ms=0, queue_ms=0, prefill_tokens_per_s=4000, decode_tokens_per_s=60,
                 latency_overrides={GPT4O: {"ttft_ms": 500, "output_tokens_per_s": 100}})
    p = sample_latency(s).percentiles()
    assert p["ttft_p50"] == pytest.approx(500 + 1000, rel=0.03)  # + (5000 - 1000) / 4000 s
    assert p["p50"] == pytest.approx(1500 + 6000, rel=0.03)  # + 600 / 100 s


def test_cache_hits_answer_at_cache_latency_and_batch_is_offline():
    hits = sample_latency(scenario(requests_per_day=1, input_tokens=100, output_tokens=100,
                                   model=GPT4O, exact_cache_hit_rate=1.0, cache_latency_ms=20))
    assert hits.percentiles()["p50"] == pytest.approx(20, rel=0.05)
    batch = sample_latency(scenario(requests_per_day=1, input_tokens=100, output_tokens=100,
                                    model=GPT4O, batch_share=0.3))
    assert batch.offline_share == pytest.approx(0.3, abs=0.02)
    assert batch.total_ms[batch.kind == 2].min() >= 3_600_000
    assert batch.percentiles()["p99"] < 60_000  # percentiles cover online requests


def test_prompt_cache_hits_shorten_time_to_first_token():
    base = dict(requests_per_day=1, input_tokens=8000, output_tokens=10, model=SONNET,
                cached_prefix_tokens=7000)
    cold = sample_latency(scenario(**base, prompt_cache_hit_rate=0.0)).percentiles()
    warm = sample_latency(scenario(**base, prompt_cache_hit_rate=1.0)).percentiles()
    assert warm["ttft_p50"] < cold["ttft_p50"] - 1000


def test_latency_sampling_is_seeded():
    s = scenario(requests_per_day=1, input_tokens=100, output_tokens=100, model=GPT4O)
    assert sample_latency(s).percentiles() == sample_latency(s).percentiles()


def test_simulate_compares_models_at_their_own_prices():
    s = scenario(requests_per_day=1000, input_tokens=1000, output_tokens=100, model=SONNET)
    sim = simulate(s, ("gpt-4.1-mini",))
    assert sim.unit_cost_usd == pytest.approx(0.0045)
    assert sim.compare["gpt-4.1-mini"] == pytest.approx((1000 * 0.4 + 100 * 1.6) / 1e6)


# --- bad scenarios -------------------------------------------------------------------------

GOOD = {"requests_per_day": 100, "input_tokens": 500, "output_tokens": 50, "model": GPT4O}


@pytest.mark.parametrize(("change", "field"), [
    ({"batch_share": 1.5}, "batch_share"),
    ({"prompt_cache_hit_rate": -0.1}, "prompt_cache_hit_rate"),
    ({"exact_cache_hit_rate": 0.6, "semantic_cache_hit_rate": 0.5},
     "exact_cache_hit_rate + semantic_cache_hit_rate"),
    ({"model": "no-such-model-9000"}, "model"),
    ({"input_tokens": -5}, "input_tokens"),
    ({"output_tokens": -1}, "output_tokens"),
    ({"cached_prefix_tokens": 900}, "cached_prefix_tokens"),
    ({"batch_shrae": 0.2}, "batch_shrae"),
])
def test_bad_scenario_error_names_the_field(change, field):
    with pytest.raises(ScenarioError) as e:
        estimate({**GOOD, **change})
    assert field in [f for f, _ in e.value.problems]


def test_month_is_thirty_days():
    c = monthly_costs(scenario(**GOOD))
    assert c.requests_per_month == 3000 and math.isclose(c.llm_calls_per_month, 3000)


def test_every_simulator_figure_passes_plotly_validation():
    import plotly.graph_objects as go

    from labs.costsim.charts import request_path_dot, simulator_figures

    s = scenario(requests_per_day=5000, input_tokens=2000, output_tokens=300, model=SONNET,
                 cached_prefix_tokens=1000, prompt_cache_hit_rate=0.7, batch_share=0.2,
                 semantic_cache_hit_rate=0.2)
    sim = simulate(s, ("gpt-4.1-mini", GPT4O))
    figs = simulator_figures(sim)
    for fig in figs.values():
        go.Figure(fig.to_dict())  # validation on: an unknown property raises here
    names = [t["name"] for t in figs["cost_vs_traffic"].to_dict()["data"]]
    assert sum(n.startswith("API:") for n in names) == 3 and "break-even" in names
    assert any(n.startswith("self-host") for n in names)
    assert "digraph" in request_path_dot(sim)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_scenario_round_trips_through_yaml_and_json(fmt):
    from labs.costsim import dumps_scenario, loads_scenario

    s = scenario(requests_per_day=1234, input_tokens=900, output_tokens=80, model="my-model",
                 batch_share=0.25, streaming=True,
                 custom_models={"my-model": {"input_mtok": 0.3, "output_mtok": 0.9}})
    again = loads_scenario(dumps_scenario(s, fmt))
    assert again == s
    assert estimate(again) == estimate(s)
