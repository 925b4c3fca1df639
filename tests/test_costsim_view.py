"""The cost lab's view layer and the issue-16 defects: the tier lever moves to a cheaper model,
self-hosting bills the GPUs the peak needs, latency follows the model, prompt caching has
rules, service tiers price, `cost --levers --json` and metrics that fit."""

from __future__ import annotations

import json

import pytest

from labs.cli import main
from labs.costsim import estimate, parse_scenario, simulate, view
from labs.costsim.levers import lever_impacts, pulled
from labs.costsim.model import monthly_costs, prompt_cache, sample_latency, self_host
from labs.costsim.prices import resolve

MINI = {"requests_per_day": 20000, "input_tokens": 3000, "output_tokens": 350,
        "model": "gpt-4o-mini", "cached_prefix_tokens": 2000, "prompt_cache_hit_rate": 0.85,
        "exact_cache_hit_rate": 0.03, "semantic_cache_hit_rate": 0.2, "streaming": True}


def test_the_tier_lever_moves_to_a_model_cheaper_per_token_and_names_it():
    s = parse_scenario(MINI)
    other, setting = pulled(s, "model_tier")
    assert other is not None and other.model in setting
    a, b = resolve(s.model), resolve(other.model)
    assert b.rate("input_mtok") <= a.rate("input_mtok")
    assert b.rate("output_mtok") <= a.rate("output_mtok")
    row = next(r for r in lever_impacts(s, n=500) if r["key"] == "model_tier")
    assert row["cost_delta_pct"] < 0


def test_a_custom_model_has_no_tier_below_and_says_so():
    s = parse_scenario({**MINI, "model": "mine", "custom_models": {
        "mine": {"input_mtok": 0.01, "output_mtok": 0.01}}})
    other, setting = pulled(s, "model_tier")
    assert other is None and "no tier below" in setting


def test_self_hosting_monthly_covers_the_gpus_peak_traffic_needs():
    s = parse_scenario({**MINI, "requests_per_day": 2_000_000, "gpus": 1, "gpu_hourly_usd": 2.5})
    sh = self_host(s)
    assert sh.gpus_needed > 1 and sh.monthly_usd == sh.gpus_needed * 2.5 * 720


def test_switching_models_changes_latency():
    a = sample_latency(parse_scenario({**MINI, "model": "claude-sonnet-4-6"})).percentiles()
    b = sample_latency(parse_scenario(MINI)).percentiles()
    assert a["ttft_p50"] != b["ttft_p50"] and a["p50"] != b["p50"]


def test_a_model_without_published_speed_falls_back_and_the_page_says_so():
    sim = simulate(parse_scenario({**MINI, "model": "gpt-5-nano"}), n=500)
    assert any(level == "info" and "no published figures" in text
               for level, text in view.notes(sim))


def test_a_latency_override_wins_over_the_table():
    s = parse_scenario({**MINI, "latency_overrides": {"gpt-4o-mini": {"ttft_ms": 5000}}})
    assert estimate(s)["latency_source"]["ttft_ms"] == 5000


def test_a_prefix_below_the_providers_minimum_is_not_cached_and_flagged():
    s = parse_scenario({**MINI, "cached_prefix_tokens": 500})
    pc = prompt_cache(s)
    assert pc.prefix_tokens == 0 and "minimum" in pc.notes[0]
    plain = parse_scenario({**MINI, "cached_prefix_tokens": 0, "prompt_cache_hit_rate": 0})
    assert monthly_costs(s).monthly_usd == pytest.approx(monthly_costs(plain).monthly_usd)


def test_a_hit_rate_above_what_traffic_keeps_warm_is_flagged():
    s = parse_scenario({**MINI, "requests_per_day": 50, "prompt_cache_hit_rate": 0.95})
    pc = prompt_cache(s)
    assert pc.max_warm_hit_rate < 0.95 and "keep warm" in pc.notes[0]
    assert not prompt_cache(parse_scenario(MINI)).notes


def test_a_flex_service_tier_is_priced_by_genai_prices_and_an_unknown_one_refused():
    base = {**MINI, "model": "gpt-5"}
    flex = monthly_costs(parse_scenario({**base, "service_tier": "flex"})).monthly_usd
    assert flex < monthly_costs(parse_scenario(base)).monthly_usd
    with pytest.raises(ValueError, match="service_tier"):
        parse_scenario({**MINI, "model": "claude-sonnet-4-6", "service_tier": "flex"})


def test_cost_levers_json_prints_every_lever_and_the_gpus(tmp_path, capsys):
    f = tmp_path / "s.json"
    f.write_text(json.dumps(MINI))
    assert main(["cost", "--scenario", str(f), "--levers", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["gpus_needed"] >= 1 and out["gpu_monthly_usd"] > 0
    for row in out["levers"]:
        assert {"setting", "cost_delta_pct", "ttft_p50_delta_pct", "p95_delta_pct",
                "quality_note"} <= set(row)


@pytest.mark.parametrize("text", ["requests_per_day: .inf\ninput_tokens: 1\noutput_tokens: 1\n"
                                  "model: gpt-4o", "[1, 2]", "requests_per_day: 1\n"
                                  "input_tokens: 1\noutput_tokens: 1\nmodel: gpt-4o\n"
                                  "latency_overrides: {gpt-4o: {ttft_ms: -1}}"])
def test_a_bad_held_out_scenario_is_an_error_line_not_a_traceback(tmp_path, capsys, text):
    f = tmp_path / "s.yaml"
    f.write_text(text)
    assert main(["cost", "--scenario", str(f), "--levers", "--json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


@pytest.mark.parametrize(("v", "text"), [(0.0104, "$0.0104"), (2080.4, "$2,080"),
                                         (0.00041, "$0.000410"), (1_234_567, "$1.2M"),
                                         (48_200, "$48.2k")])
def test_money_is_formatted_to_fit(v, text):
    assert view.usd(v) == text


def test_counts_are_formatted_to_fit():
    assert view.count(4_020_000) == "4.0M" and view.count(4020) == "4,020"


def test_headline_metrics_are_short_enough_for_a_quarter_column():
    sim = simulate(parse_scenario(MINI), n=500)
    assert all(len(m.value) <= 9 for row in view.headline(sim) for m in row)


def test_the_levers_table_rows_are_short_strings_in_column_order():
    rows = view.levers_table(lever_impacts(parse_scenario(MINI), n=500))
    assert all(list(r) == list(view.LEVER_COLUMNS) for r in rows)
    assert all(isinstance(v, str) for r in rows for v in r.values())


def test_the_page_opens_on_the_bundled_example_scenario():
    assert view.example_scenario().model == "claude-sonnet-4-6"
