"""`aie-bridge cost --scenario FILE --levers --json` on scenarios nobody wrote by hand: every
chat model genai-prices prices, at several traffic levels, with and without caching, batch
and streaming. What must hold for any of them is checked on each; bad input gets one
`error: field: message` line and exit 1, never a traceback."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import subprocess
import sys

import pytest
import yaml

from labs.cli import main
from labs.costsim.model import HOURS_PER_MONTH, estimate, prompt_cache
from labs.costsim.prices import _chat_model
from labs.costsim.scenario import ScenarioError, parse_scenario


def chat_models() -> list[tuple[str, str]]:
    """(provider, model id) for every chat model of the snapshot with input and output prices."""
    from genai_prices.data_snapshot import get_snapshot

    now = dt.datetime.now(dt.UTC)
    return sorted((p.id, m.id) for p in get_snapshot().providers for m in p.models
                  if _chat_model(m.id) and getattr(m.get_prices(now), "input_mtok", None)
                  is not None and getattr(m.get_prices(now), "output_mtok", None) is not None)


MODELS = chat_models()
TRAFFIC = (0.0, 40.0, 20_000.0, 5e7)
# every combination of traffic, prompt caching, batch share and streaming
MIXES = list(itertools.product(TRAFFIC, (False, True), (0.0, 0.3), (False, True)))
LEVER_KEYS = ("lever", "setting", "cost_delta_pct", "ttft_p50_delta_pct",
              "perceived_p50_delta_pct", "p95_delta_pct", "quality_note")


def scenario(provider: str, model: str, mix: tuple) -> dict:
    traffic, caching, batch, streaming = mix
    out = {"requests_per_day": traffic, "input_tokens": 3000, "output_tokens": 350,
           "model": model, "provider": provider, "batch_share": batch, "streaming": streaming,
           "exact_cache_hit_rate": 0.03, "semantic_cache_hit_rate": 0.1}
    if caching:
        out |= {"cached_prefix_tokens": 2000, "prompt_cache_hit_rate": 0.85}
    return out


def numbers(x, path: str = ""):
    """(path, value) for every number in a JSON-ready value."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield from numbers(v, f"{path}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from numbers(v, f"{path}[{i}]")
    elif isinstance(x, int | float) and not isinstance(x, bool):
        yield path, x


def check_properties(data: dict) -> None:
    """What `--levers --json` must say of any valid scenario."""
    s = parse_scenario(data)
    out = estimate(s, levers=True)
    for path, v in numbers(out):
        assert math.isfinite(v), (path, v)
        if "delta" not in path and "discount" not in path:  # signed; no other figure is
            assert v >= 0, (path, v)
    assert isinstance(out["gpus_needed"], int) and out["gpus_needed"] >= 0
    gpu_month = s.gpu_hourly_usd * HOURS_PER_MONTH
    assert out["self_host_monthly_usd"] >= out["gpus_needed"] * gpu_month - 1e-6
    assert out["gpu_monthly_usd"] == out["self_host_monthly_usd"]
    rows = {r["key"]: r for r in out["levers"]}
    assert len(rows) == 8
    for r in rows.values():
        assert set(LEVER_KEYS) <= set(r) and r["setting"] and r["quality_note"]
    tier = rows["model_tier"]
    if tier["applies"]:
        assert tier["cost_delta_pct"] is not None and tier["cost_delta_pct"] <= 0
        assert tier["setting"] == f"switch to {tier['changes']['model']}"
        assert tier["changes"].get("provider", s.provider) == out["model"]["provider"]
    else:
        assert tier["setting"].startswith("already on the cheapest tier")
        assert tier["cost_delta_pct"] == 0.0
    cache = rows["prompt_caching"]
    if cache["applies"]:
        pulled = s.model_copy(update=cache["changes"])
        warm = prompt_cache(pulled).max_warm_hit_rate
        if pulled.prompt_cache_hit_rate > warm + 0.005:
            assert any("keep warm" in n for n in cache["notes"]), cache


@pytest.mark.parametrize(("provider", "model"), MODELS, ids=[f"{p}/{m}" for p, m in MODELS])
def test_every_priced_chat_model_gives_a_true_levers_table(provider, model):
    # each model gets one mix; together the models cover every mix many times over
    mix = MIXES[MODELS.index((provider, model)) % len(MIXES)]
    check_properties(scenario(provider, model, mix))


@pytest.mark.parametrize("mix", MIXES, ids=lambda m: str(m))
@pytest.mark.parametrize(("provider", "model"), [
    ("anthropic", "claude-sonnet-4-6"), ("anthropic", "claude-haiku-4-5"),
    ("openai", "gpt-4o-mini"), ("openai", "gpt-4o"), ("google", "gemini-2.5-pro"),
    ("mistral", "codestral"), ("aws", "amazon.nova-lite-v1:0"), ("openrouter", "openai/gpt-4o")])
def test_every_mix_on_the_lab_models_gives_a_true_levers_table(provider, model, mix):
    check_properties(scenario(provider, model, mix))


def test_the_extremes_the_schema_allows_give_finite_figures():
    huge = {"requests_per_day": 1e12, "input_tokens": 100_000_000, "output_tokens": 100_000_000,
            "model": "gpt-4o", "provider": "openai", "gpus": 1_000_000, "streams_per_gpu": 1,
            "prefill_tokens_per_s": 0.01, "decode_tokens_per_s": 0.01, "peak_to_mean": 1000,
            "network_rtt_ms": 600_000, "queue_ms": 600_000, "cache_latency_ms": 600_000,
            "gpu_hourly_usd": 10_000, "self_host_rtt_ms": 600_000, "prefix_variants": 10**9,
            "price_overrides": {"gpt-4o": {"input_mtok": 1e6, "output_mtok": 1e6}},
            "latency_overrides": {"gpt-4o": {"ttft_ms": 600_000, "output_tokens_per_s": 0.01}}}
    check_properties(huge)
    check_properties({**huge, "requests_per_day": 0, "output_tokens": 0, "input_tokens": 0})


def test_zero_output_tokens_prices_the_input_alone():
    out = estimate({"requests_per_day": 1000, "input_tokens": 1000, "output_tokens": 0,
                    "model": "gpt-4o-mini"}, levers=True)
    assert out["breakdown"]["output_usd"] == 0 and out["monthly_cost_usd"] > 0


def test_the_caching_lever_asks_only_for_what_the_traffic_keeps_warm():
    # 40 requests a day: about one call every 36 minutes, far past a 5-minute cache lifetime
    out = estimate({"requests_per_day": 40, "input_tokens": 3000, "output_tokens": 300,
                    "model": "claude-sonnet-4-6"}, levers=True)
    row = next(r for r in out["levers"] if r["key"] == "prompt_caching")
    assert row["changes"]["prompt_cache_hit_rate"] <= out["prompt_cache"]["max_warm_hit_rate"]
    assert "the most this traffic keeps warm" in row["setting"]


def test_the_caching_lever_says_a_prompt_shorter_than_the_minimum_cannot_be_cached():
    out = estimate({"requests_per_day": 1e6, "input_tokens": 500, "output_tokens": 100,
                    "model": "gpt-4o-mini"}, levers=True)
    row = next(r for r in out["levers"] if r["key"] == "prompt_caching")
    assert not row["applies"] and "shorter than the 1,024-token minimum" in row["setting"]


def test_the_tier_lever_stays_with_the_scenarios_provider():
    # it used to drop the provider, so quicksilverpro's opus moved to anthropic's own haiku,
    # priced there with another cache minimum and batch prices: +15% for a "cheaper" tier
    s = {"requests_per_day": 20000, "input_tokens": 3000, "output_tokens": 350,
         "model": "claude-opus-4-8", "provider": "quicksilverpro", "cached_prefix_tokens": 2000,
         "prompt_cache_hit_rate": 0.85, "batch_share": 0.2}
    if ("quicksilverpro", "claude-opus-4-8") not in MODELS:
        pytest.skip("the price snapshot no longer lists this model")
    row = next(r for r in estimate(s, levers=True)["levers"] if r["key"] == "model_tier")
    assert row["applies"] and "provider" not in row["changes"]
    assert row["cost_delta_pct"] < 0


def test_the_tier_lever_skips_a_smaller_model_that_costs_more_on_this_scenario():
    # haiku is cheaper per token in genai-prices, but this scenario's own prices make it dearer
    s = {"requests_per_day": 1000, "input_tokens": 1000, "output_tokens": 100,
         "model": "claude-sonnet-4-6", "provider": "anthropic",
         "price_overrides": {"claude-haiku-4-5": {"input_mtok": 50, "output_mtok": 50}}}
    row = next(r for r in estimate(s, levers=True)["levers"] if r["key"] == "model_tier")
    assert row["changes"].get("model") != "claude-haiku-4-5"
    assert row["cost_delta_pct"] <= 0


def test_a_model_whose_own_id_genai_prices_does_not_match_is_still_found():
    out = estimate({"requests_per_day": 100, "input_tokens": 100, "output_tokens": 10,
                    "model": "codestral", "provider": "mistral"})
    assert (out["model"]["id"], out["model"]["provider"]) == ("codestral", "mistral")


def test_a_tier_move_to_a_model_without_published_speed_says_so():
    out = estimate({"requests_per_day": 1000, "input_tokens": 1000, "output_tokens": 100,
                    "model": "gpt-4o", "provider": "openai"}, levers=True)
    row = next(r for r in out["levers"] if r["key"] == "model_tier")
    if row["applies"] and not out["latency_source"]["default_for"]:
        from labs.costsim.facts import latency_table

        published = latency_table()["models"].get(row["changes"]["model"], {})
        if "output_tokens_per_s" not in published:
            assert any(n.startswith("latency from defaults") for n in row["notes"])


@pytest.mark.parametrize(("model", "default_for"), [
    ("claude-sonnet-4-6", []),  # both figures published
    ("gemini-2.5-flash-lite", ["output_tokens_per_s"]),  # only time to first token
    ("gpt-3.5-turbo", ["ttft_ms", "output_tokens_per_s"]),  # not in the table at all
])
def test_the_json_and_the_page_say_which_speed_figures_are_defaults(model, default_for):
    from labs.costsim import view
    from labs.costsim.model import simulate

    data = {"requests_per_day": 100, "input_tokens": 100, "output_tokens": 10, "model": model}
    assert estimate(data)["latency_source"]["default_for"] == default_for
    (level, text), = [n for n in view.notes(simulate(parse_scenario(data), n=200))
                      if n[1].startswith("API latency")]
    assert level == ("info" if default_for else "caption")
    assert ("default" in text) == bool(default_for)


def test_the_same_file_gives_the_same_json_in_two_processes(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(scenario("openai", "gpt-4o", (20_000.0, True, 0.3, True))))
    cmd = [sys.executable, "-m", "labs.cli", "cost", "--scenario", str(f), "--levers", "--json"]
    runs = [subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and json.loads(runs[0])["levers"]


BAD = [
    ("requests_per_day: -5", "requests_per_day"),
    ("requests_per_day: 1e15", "requests_per_day"),
    ("prompt_cache_hit_rate: 1.5", "prompt_cache_hit_rate"),
    ("batch_share: 2", "batch_share"),
    ("cached_prefix_tokens: 5000", "cached_prefix_tokens"),
    ("output_tokens: -1", "output_tokens"),
    ("model: no-such-model-anywhere", "model"),
    ("provider: no-such-provider", "provider"),
    ("service_tier: warp", "service_tier"),
    ("utilisation: 0", "utilisation"),
    ("gpus: 100000000000000000000000000000000000000", "gpus"),
    ("network_rtt_ms: .inf", "network_rtt_ms"),
    ("decode_tokens_per_s: 0", "decode_tokens_per_s"),
    ("prompt_cache_hit_rate: nonsense", "prompt_cache_hit_rate"),
    ("latency_overrides: {gpt-4o: {output_tokens_per_s: 1.0e-300}}",
     "latency_overrides.gpt-4o.output_tokens_per_s"),
    ("price_overrides: {gpt-4o: {input_mtok: 1.0e+300}}", "price_overrides"),
    ("custom_models: {mine: {input_mtok: 1}}", "custom_models.mine"),
    ("colour: blue", "colour"),
]


@pytest.mark.parametrize(("line", "field"), BAD, ids=[b[1] for b in BAD])
def test_a_bad_held_out_scenario_gets_one_clear_error_line(tmp_path, capsys, line, field):
    data = {"requests_per_day": 1000, "input_tokens": 3000, "output_tokens": 300,
            "model": "gpt-4o", "provider": "openai"}
    data.update(yaml.safe_load(line))
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(data))
    assert main(["cost", "--scenario", str(f), "--levers", "--json"]) == 1
    out = capsys.readouterr()
    assert out.out == "" and "Traceback" not in out.err
    assert out.err.startswith(f"error: {field}: ") and len(out.err.splitlines()) >= 1


def test_missing_optional_fields_take_their_defaults():
    out = estimate({"requests_per_day": 10, "input_tokens": 10, "output_tokens": 10,
                    "model": "gpt-4o-mini"}, levers=True)
    assert out["model"]["service_tier"] == "standard" and len(out["levers"]) == 8


def test_a_non_mapping_scenario_is_refused_by_name():
    with pytest.raises(ScenarioError, match="mapping"):
        parse_scenario(["requests_per_day", 10])


def test_every_row_of_the_latency_table_is_a_model_genai_prices_prices():
    """A row under a name genai-prices does not know would never be used: the model would
    fall back to the default speed while the table seemed to cover it."""
    from labs.costsim.facts import SPEED_KEYS, latency_table
    from labs.costsim.prices import resolve

    rows = latency_table()["models"]
    for name, row in rows.items():
        assert resolve(name).model_id, name
        assert row.get("source") and row.get("date"), name
        assert any(k in row for k in SPEED_KEYS), name
