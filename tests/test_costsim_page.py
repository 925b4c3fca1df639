"""AppTest of the Cost & latency page: the simulator, bad scenarios on the page, the
semantic-cache lab (torch only after the button) and the attribution view."""

from __future__ import annotations

import subprocess
import sys

import pytest

from labs.costsim import estimate
from tests.conftest import ROOT, no_exceptions, page_test

PAGE = "app_pages/costsim.py"


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def _money(text: str) -> float:
    text = text.replace("$", "").replace(",", "")
    scale = {"k": 1e3, "M": 1e6}.get(text[-1], 1.0)
    return float(text.rstrip("kM")) * scale


def test_simulator_shows_cost_latency_charts_and_the_cost_model():
    at = page_test(PAGE).run()
    no_exceptions(at)
    expected = estimate({f: at.session_state[f"cost_{f}"] for f in (
        "requests_per_day", "input_tokens", "output_tokens", "model", "cached_prefix_tokens",
        "prompt_cache_hit_rate", "exact_cache_hit_rate", "semantic_cache_hit_rate",
        "batch_share", "streaming")})
    assert _money(_metric(at, "Monthly cost")) == pytest.approx(expected["monthly_cost_usd"],
                                                                abs=0.5)
    assert _metric(at, "TTFT p50").endswith("ms")
    assert len(at.get("plotly_chart")) >= 4  # traffic, waterfall, breakdown, latency
    assert any("a month is 30 days" in c.value for c in at.code)
    assert "genai-prices 0.2.3" in at.caption[0].value


def test_pulling_a_lever_recomputes_the_monthly_cost():
    at = page_test(PAGE).run()
    before = _money(_metric(at, "Monthly cost"))
    at.slider(key="cost_batch_share").set_value(1.0).run()
    no_exceptions(at)
    assert _money(_metric(at, "Monthly cost")) == pytest.approx(before / 2, rel=0.01)


def test_pull_it_button_applies_the_lever_to_the_widgets():
    at = page_test(PAGE).run()
    at.selectbox(key="cost_lever_pick").set_value("Batch API").run()
    at.button(key="cost_lever_pull").click().run()
    no_exceptions(at)
    assert at.slider(key="cost_batch_share").value == 0.5


def test_cache_shares_past_one_show_an_error_naming_both_fields():
    at = page_test(PAGE).run()
    at.slider(key="cost_exact_cache_hit_rate").set_value(0.6)
    at.slider(key="cost_semantic_cache_hit_rate").set_value(0.6).run()
    no_exceptions(at)
    assert any("exact_cache_hit_rate + semantic_cache_hit_rate" in e.value for e in at.error)
    assert at.tabs  # the other tabs still render


BASE = "requests_per_day: 100\ninput_tokens: 500\noutput_tokens: 50\n"


@pytest.mark.parametrize(("text", "field"), [
    (BASE + "model: gpt-4o\nbatch_share: 1.5\n", "batch_share"),
    (BASE + "model: gpt-4o\nprompt_cache_hit_rate: -0.2\n", "prompt_cache_hit_rate"),
    (BASE + "model: gpt-4o\nexact_cache_hit_rate: 0.8\nsemantic_cache_hit_rate: 0.4\n",
     "exact_cache_hit_rate + semantic_cache_hit_rate"),
    (BASE + "model: made-up-model-x\n", "model"),
    ("requests_per_day: 100\ninput_tokens: -3\noutput_tokens: 50\nmodel: gpt-4o\n",
     "input_tokens"),
])
def test_a_bad_pasted_scenario_is_refused_naming_the_field_and_keeps_the_old_one(text, field):
    at = page_test(PAGE).run()
    model_before = at.session_state["cost_model"]
    at.text_area(key="cost_paste").input(text)
    at.button(key="cost_load_paste").click().run()
    no_exceptions(at)
    assert any(f"`{field}`" in e.value for e in at.error)
    assert at.session_state["cost_model"] == model_before


def test_a_good_pasted_scenario_loads_into_the_widgets():
    at = page_test(PAGE).run()
    at.text_area(key="cost_paste").input(BASE + "model: gpt-4o\nbatch_share: 0.25\n")
    at.button(key="cost_load_paste").click().run()
    no_exceptions(at)
    assert at.session_state["cost_model"] == "gpt-4o"
    assert at.slider(key="cost_batch_share").value == 0.25
    assert _money(_metric(at, "Monthly cost")) == pytest.approx(
        estimate({"requests_per_day": 100, "input_tokens": 500, "output_tokens": 50,
                  "model": "gpt-4o", "batch_share": 0.25})["monthly_cost_usd"], abs=0.5)


def test_attribution_view_rolls_up_alerts_and_rate_limits():
    at = page_test(PAGE).run()
    no_exceptions(at)
    assert any("globex" in e.value and "100%" in e.value for e in at.error)  # the hot tenant
    columns = [set(d.value.columns) for d in at.dataframe]
    assert {"customer_id", "cost_usd", "share"} in [c & {"customer_id", "cost_usd", "share"}
                                                   for c in columns]  # per tenant
    assert any({"feature_id", "cost_usd"} <= c for c in columns)  # per feature
    assert any({"customer_id", "cut", "cut_cost_usd"} <= c for c in columns)  # rate limits
    assert any("refuse" in c.value for c in at.caption)


@pytest.mark.slow
def test_semantic_cache_tab_does_not_load_torch_until_asked():
    code = ("import sys; from tests.conftest import page_test; "
            "at = page_test('app_pages/costsim.py').run(); "
            "assert not at.exception, at.exception; "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False False"


@pytest.mark.slow
def test_semantic_cache_lab_runs_on_real_embeddings(embedder):
    at = page_test(PAGE, timeout=300).run()
    assert "cost_sem" not in at.session_state
    at.button(key="cost_sem_run").click().run()
    no_exceptions(at)
    table = at.session_state["cost_sem"]["table"]
    assert [r["threshold"] for r in table][0] == 0.8 and table[-1]["threshold"] == 0.99
    assert table[0]["hit rate"] >= table[-1]["hit rate"]
    columns = [set(d.value.columns) for d in at.dataframe]
    assert any({"threshold", "hit rate", "false-hit rate", "exact-match hit rate"} <= c
               for c in columns)
    assert any({"cluster A", "cluster B", "similarity"} <= c for c in columns)
    at.button(key="cost_sem_use").click().run()  # measured rates flow into the simulator
    no_exceptions(at)
    row = next(r for r in table if r["threshold"] == 0.85)
    assert at.slider(key="cost_exact_cache_hit_rate").value == pytest.approx(
        row["exact-match hit rate"], abs=0.001)
    assert at.slider(key="cost_semantic_cache_hit_rate").value == pytest.approx(
        row["hit rate"] - row["exact-match hit rate"], abs=0.001)


def test_a_price_override_changes_the_bill_and_is_labelled():
    at = page_test(PAGE).run()
    before = _money(_metric(at, "Monthly cost"))
    model = at.session_state["cost_model"]
    at.checkbox(key=f"cost_ov_on_{model}_output_mtok").check().run()
    at.number_input(key=f"cost_ov_{model}_output_mtok").set_value(0.0).run()
    no_exceptions(at)
    assert _money(_metric(at, "Monthly cost")) < before
    assert at.session_state["cost_overrides"] == {model: {"output_mtok": 0.0}}
    assert any("genai-prices + override" in c.value for c in at.caption)


def test_a_custom_model_can_be_added_and_simulated():
    at = page_test(PAGE).run()
    at.text_input(key="cost_cm_name").input("my-llama-70b")
    at.number_input(key="cost_cm_input_mtok").set_value(0.5)
    at.number_input(key="cost_cm_output_mtok").set_value(1.0)
    next(b for b in at.button if b.label == "Add model").click().run()
    no_exceptions(at)
    at.selectbox(key="cost_model").set_value("my-llama-70b").run()
    no_exceptions(at)
    expected = estimate({"requests_per_day": 20000, "input_tokens": 3000, "output_tokens": 350,
                         "model": "my-llama-70b", "cached_prefix_tokens": 2000,
                         "prompt_cache_hit_rate": 0.85, "exact_cache_hit_rate": 0.03,
                         "semantic_cache_hit_rate": 0.2, "streaming": True,
                         "custom_models": {"my-llama-70b": {"input_mtok": 0.5,
                                                            "output_mtok": 1.0}}})
    assert _money(_metric(at, "Monthly cost")) == pytest.approx(expected["monthly_cost_usd"],
                                                                abs=0.5)


def test_the_page_says_when_peak_traffic_needs_more_gpus():
    at = page_test(PAGE).run()
    at.number_input(key="cost_requests_per_day").set_value(2_000_000.0).run()
    no_exceptions(at)
    warning = next(w.value for w in at.warning if "exceeds" in w.value)
    from labs.costsim import parse_scenario, self_host

    s = parse_scenario({f: at.session_state[f"cost_{f}"] for f in (
        "requests_per_day", "input_tokens", "output_tokens", "model", "cached_prefix_tokens",
        "prompt_cache_hit_rate", "exact_cache_hit_rate", "semantic_cache_hit_rate",
        "batch_share")})
    assert f"**{self_host(s).gpus_needed} GPU(s)**" in warning


def test_an_uploaded_scenario_file_loads_into_the_widgets():
    at = page_test(PAGE).run()
    text = BASE + "model: gpt-4o\nbatch_share: 0.5\n"
    at.get_by_key("cost_upload").set_value(("team.yaml", text.encode(), "application/x-yaml"))
    at.run()
    no_exceptions(at)
    assert at.session_state["cost_model"] == "gpt-4o"
    assert at.slider(key="cost_batch_share").value == 0.5
    assert any("Loaded team.yaml" in s.value for s in at.success)
    assert _money(_metric(at, "Monthly cost")) == pytest.approx(
        estimate({"requests_per_day": 100, "input_tokens": 500, "output_tokens": 50,
                  "model": "gpt-4o", "batch_share": 0.5})["monthly_cost_usd"], abs=0.5)


@pytest.mark.parametrize(("payload", "problem"), [
    (b"\xff\xfe\x00not text", "not UTF-8 text"),
    (b"- a\n- b\n", "expected a mapping"),
])
def test_a_bad_uploaded_scenario_file_is_refused_and_keeps_the_old_one(payload, problem):
    at = page_test(PAGE).run()
    model_before = at.session_state["cost_model"]
    at.get_by_key("cost_upload").set_value(("bad.yaml", payload, "application/x-yaml"))
    at.run()
    no_exceptions(at)
    assert any("bad.yaml" in e.value and problem in e.value for e in at.error)
    assert at.session_state["cost_model"] == model_before


def test_loading_an_empty_paste_box_asks_for_a_scenario():
    # seen: an empty box said "expected a mapping of field: value"
    at = page_test(PAGE).run()
    at.button(key="cost_load_paste").click().run()
    no_exceptions(at)
    assert any("the box is empty" in e.value for e in at.error)
