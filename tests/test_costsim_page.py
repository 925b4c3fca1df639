"""The Cost & latency page: its panels as view functions (labs/costsim/view.py, no Streamlit),
then one thin AppTest that opens the page and moves a widget in each tab."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import pytest

from labs.costsim import estimate, loads_scenario, self_host, semcache, simulate, view
from labs.costsim.scenario import ScenarioError
from tests.conftest import ROOT, no_exceptions, page_test

PAGE = "app_pages/costsim.py"
BASE = "requests_per_day: 100\ninput_tokens: 500\noutput_tokens: 50\n"
N = 500  # latency samples: enough for the figures, fast for the tests


def _metric(panel: dict, label: str) -> str:
    return next(m.value for row in panel["metrics"] for m in row if m.label.startswith(label))


def _money(text: str) -> float:
    text = text.replace("$", "").replace(",", "")
    scale = {"k": 1e3, "M": 1e6}.get(text[-1], 1.0)
    return float(text.rstrip("kM")) * scale


def _panel(state: dict) -> dict:
    return view.simulator_panel(view.scenario_of(state), n=N)


def _example() -> dict:
    return view.state_of(view.example_scenario())


class FakeEmbedder:
    """Seeded unit vectors: the semantic tab's logic without loading MiniLM."""

    def encode(self, texts, progress=None):
        v = np.random.default_rng(0).normal(size=(len(texts), 8)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


# --- the simulator panel ---------------------------------------------------------------------

def test_the_simulator_panel_prices_the_example_and_draws_four_valid_figures():
    s = view.example_scenario()
    panel = view.simulator_panel(s, n=N)
    assert _money(_metric(panel, "Monthly cost")) == pytest.approx(
        estimate(s)["monthly_cost_usd"], rel=0.01)
    assert _metric(panel, "TTFT p50").endswith("ms")
    assert set(panel["figures"]) == {"cost_vs_traffic", "waterfall", "breakdown", "latency"}
    for fig in panel["figures"].values():
        go.Figure(fig.to_dict())  # plotly validates every property here
    assert "requests / month" in panel["path"]
    assert loads_scenario(panel["downloads"]["yaml"]) == s
    assert loads_scenario(panel["downloads"]["json"]) == s
    assert list(panel["levers"][0]) == list(view.LEVER_COLUMNS)


def test_batching_every_call_halves_the_monthly_bill():
    state = _example()
    before = _money(_metric(_panel(state), "Monthly cost"))
    after = _money(_metric(_panel({**state, "batch_share": 1.0}), "Monthly cost"))
    assert after == pytest.approx(before / 2, rel=0.01)


def test_pulling_the_batch_lever_sends_half_the_calls_through_the_batch_api():
    state = _example()
    assert "Batch API" in _panel(state)["pullable"]
    assert view.pull(state, "batch")["batch_share"] == 0.5
    assert view.pull({**state, "batch_share": 1.5}, "batch") is None  # not a valid scenario
    assert view.pull({**state, "streaming": True}, "streaming") is None  # nothing to pull


def test_cache_shares_past_one_are_refused_naming_both_fields():
    with pytest.raises(ScenarioError) as e:
        view.scenario_of({**_example(), "exact_cache_hit_rate": 0.6,
                          "semantic_cache_hit_rate": 0.6})
    assert "exact_cache_hit_rate + semantic_cache_hit_rate" in view.problems_markdown(
        e.value.problems, "This setting")


def test_the_page_says_when_peak_traffic_needs_more_gpus():
    s = view.scenario_of({**_example(), "requests_per_day": 2_000_000.0})
    warnings = [text for level, text in view.notes(simulate(s, n=N)) if level == "warning"]
    assert any("exceeds" in w and f"**{self_host(s).gpus_needed} GPU(s)**" in w
               for w in warnings)


# --- loading scenarios -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "field"), [
    (BASE + "model: gpt-4o\nbatch_share: 1.5\n", "batch_share"),
    (BASE + "model: gpt-4o\nprompt_cache_hit_rate: -0.2\n", "prompt_cache_hit_rate"),
    (BASE + "model: gpt-4o\nexact_cache_hit_rate: 0.8\nsemantic_cache_hit_rate: 0.4\n",
     "exact_cache_hit_rate + semantic_cache_hit_rate"),
    (BASE + "model: made-up-model-x\n", "model"),
    ("requests_per_day: 100\ninput_tokens: -3\noutput_tokens: 50\nmodel: gpt-4o\n",
     "input_tokens"),
])
def test_a_bad_pasted_scenario_is_refused_naming_the_field(text, field):
    with pytest.raises(ScenarioError) as e:
        view.read_scenario(text)
    assert f"`{field}`" in view.problems_markdown(e.value.problems, "pasted text")


@pytest.mark.parametrize(("payload", "problem"), [
    (b"\xff\xfe\x00not text", "not UTF-8 text"),
    (b"- a\n- b\n", "expected a mapping"),
    (b"x" * (view.MAX_SCENARIO_BYTES + 1), "over 200 kB"),
    (b"  \n", "the box is empty"),
])
def test_a_bad_uploaded_or_empty_scenario_says_what_is_wrong(payload, problem):
    with pytest.raises(ScenarioError) as e:
        view.read_scenario(payload, "the box is empty")
    assert problem in view.problems_markdown(e.value.problems, "bad.yaml")


def test_a_good_scenario_loads_into_the_widgets_and_prices_as_the_cli_does():
    state = view.state_of(view.read_scenario((BASE + "model: gpt-4o\nbatch_share: 0.25\n")
                                             .encode()))
    assert state["model"] == "gpt-4o" and state["batch_share"] == 0.25
    assert _money(_metric(_panel(state), "Monthly cost")) == pytest.approx(
        estimate({"requests_per_day": 100, "input_tokens": 500, "output_tokens": 50,
                  "model": "gpt-4o", "batch_share": 0.25})["monthly_cost_usd"], abs=0.5)


# --- prices: overrides and custom models -----------------------------------------------------

def test_a_price_override_lowers_the_bill_is_labelled_and_can_be_dropped():
    state = _example()
    model = state["model"]
    over = view.with_override(state["overrides"], model, {"output_mtok": 0.0})
    assert over == {model: {"output_mtok": 0.0}}
    panel = _panel({**state, "overrides": over})
    assert _money(_metric(panel, "Monthly cost")) < _money(_metric(_panel(state), "Monthly cost"))
    assert any("genai-prices + override" in text for _, text in panel["notes"])
    assert view.with_override(over, model, {}) == {}


@pytest.mark.parametrize(("name", "prices", "problem"), [
    ("  ", {"input_mtok": 1.0, "output_mtok": 1.0}, "a name"),
    ("mine", {"input_mtok": 1.0, "output_mtok": None}, "input and output prices"),
])
def test_a_custom_model_without_a_name_or_prices_is_refused(name, prices, problem):
    with pytest.raises(ValueError, match=problem):
        view.with_custom_model({}, name, prices)


def test_a_custom_model_can_be_added_and_simulated():
    prices = {"input_mtok": 0.5, "output_mtok": 1.0, "cache_read_mtok": None,
              "cache_write_mtok": None}
    custom = view.with_custom_model({}, " my-llama-70b ", prices)
    assert list(custom) == ["my-llama-70b"]
    state = {**_example(), "custom": custom, "model": "my-llama-70b"}
    expected = estimate(view.scenario_of(state))["monthly_cost_usd"]
    assert _money(_metric(_panel(state), "Monthly cost")) == pytest.approx(expected, rel=0.01)
    assert expected == pytest.approx(estimate({
        "requests_per_day": 20000, "input_tokens": 3000, "output_tokens": 350,
        "model": "my-llama-70b", "cached_prefix_tokens": 2000, "prompt_cache_hit_rate": 0.85,
        "exact_cache_hit_rate": 0.03, "semantic_cache_hit_rate": 0.2, "streaming": True,
        "custom_models": {"my-llama-70b": {"input_mtok": 0.5, "output_mtok": 1.0}},
    })["monthly_cost_usd"], abs=0.5)


# --- the semantic-cache and attribution tabs -------------------------------------------------

def test_the_semantic_tab_at_one_threshold_lists_false_hits_and_the_rates_it_would_set():
    log = semcache.load_query_log()
    result = semcache.run_lab(FakeEmbedder(), log)
    at = view.semantic_at(result, log, 0.85)
    row = next(r for r in result["table"] if r["threshold"] == 0.85)
    assert len(at["hits"]) == row["hits"] and len(at["wrong"]) == row["false hits"]
    assert all(not h["correct"] for h in at["wrong"])
    assert at["rates"]["semantic_cache_hit_rate"] == pytest.approx(
        row["hit rate"] - row["exact-match hit rate"], abs=0.001)
    assert view.semantic_at(result, log, 0.85)["hits"] is at["hits"]  # kept, not replayed


def test_attribution_rolls_up_alerts_on_the_hot_tenant_and_counts_refusals():
    from labs.costsim.attribution import generate_traffic

    df = generate_traffic(calls=60_000, hot_share=0.45, seed=11)
    panel = view.attribution_panel(df, *view.policy_of(view.attribution_policy(df)))
    a = panel["analysis"]
    assert any(level == "error" and "globex" in text and "100%" in text
               for level, text in panel["alerts"])
    assert {"customer_id", "cost_usd", "share"} <= set(a.by_tenant.columns)
    assert {"feature_id", "cost_usd"} <= set(a.by_feature.columns)
    assert {"customer_id", "cut", "cut_cost_usd"} <= set(a.cut.columns)
    assert "refuse" in panel["refused"]
    for spec in panel["figures"]:
        go.Figure(spec)  # plotly validates the cached plain dicts


@pytest.mark.slow
def test_the_semantic_tab_on_real_embeddings_trades_hits_for_false_hits(embedder):
    log = semcache.load_query_log()
    result = semcache.run_lab(embedder, log)
    table = result["table"]
    assert [r["threshold"] for r in table][0] == 0.8 and table[-1]["threshold"] == 0.99
    assert table[0]["hit rate"] >= table[-1]["hit rate"]
    assert {"cluster A", "cluster B", "similarity"} <= set(result["near"][0])
    assert view.semantic_at(result, log, 0.80)["wrong"]  # a loose threshold serves wrong answers


@pytest.mark.slow
def test_the_page_does_not_load_torch_until_the_semantic_button_is_pressed():
    code = ("import sys; from tests.conftest import page_test; "
            "at = page_test('app_pages/costsim.py').run(); "
            "assert not at.exception, at.exception; "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False False"


# --- the page itself -------------------------------------------------------------------------

def test_the_page_opens_and_a_widget_in_each_tab_reruns_it_without_errors():
    at = page_test(PAGE).run()
    no_exceptions(at)
    assert at.title[0].value == "Cost & latency" and len(at.tabs) == 3
    before = next(m.value for m in at.metric if m.label == "Monthly cost")
    at.slider(key="cost_batch_share").set_value(1.0).run()
    no_exceptions(at)
    assert next(m.value for m in at.metric if m.label == "Monthly cost") != before
    at.slider(key="cost_at_hot").set_value(0.2).run()
    no_exceptions(at)
    assert any("refuse" in c.value for c in at.caption)
    at.session_state["cost_sem"] = semcache.run_lab(FakeEmbedder(), semcache.load_query_log())
    at.run()
    at.button(key="cost_sem_use").click().run()  # reruns the simulator and this tab only
    no_exceptions(at)
    assert at.slider(key="cost_semantic_cache_hit_rate").value == view.semantic_at(
        at.session_state["cost_sem"], semcache.load_query_log(), 0.85)["rates"][
        "semantic_cache_hit_rate"]
    assert not any("refuse" in c.value for c in at.caption)  # the attribution tab did not rerun
