"""`aie-bridge cost --scenario FILE --json`: the issue's keys on a good file, one error line
naming the field and exit code 1 on a bad one."""

from __future__ import annotations

import json

import pytest

from labs.cli import main

GOOD = ("requests_per_day: 1000\ninput_tokens: 1000\noutput_tokens: 100\n"
        "model: claude-sonnet-4-6\nexact_cache_hit_rate: 0.1\nsemantic_cache_hit_rate: 0.3\n")


def test_cost_json_prints_the_hand_worked_figures(tmp_path, capsys):
    f = tmp_path / "s.yaml"
    f.write_text(GOOD)
    assert main(["cost", "--scenario", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out)[:5] == ["monthly_cost_usd", "cost_per_request_usd", "llm_calls_per_month",
                             "breakdown", "self_host_monthly_usd"]
    assert {"gpus_needed", "gpu_monthly_usd", "latency_ms", "latency_source"} <= set(out)
    assert out["monthly_cost_usd"] == pytest.approx(81.0)  # see test_costsim_model
    assert out["cost_per_request_usd"] == pytest.approx(0.0027)
    assert out["llm_calls_per_month"] == pytest.approx(18_000)


def test_cost_reads_json_files_and_prints_a_table_without_the_flag(tmp_path, capsys):
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"requests_per_day": 10, "input_tokens": 5, "output_tokens": 5,
                             "model": "gpt-4o"}))
    assert main(["cost", "--scenario", str(f)]) == 0
    assert "monthly cost" in capsys.readouterr().out


@pytest.mark.parametrize(("line", "field"), [
    ("batch_share: 1.2", "batch_share"),
    ("prompt_cache_hit_rate: -0.5", "prompt_cache_hit_rate"),
    ("exact_cache_hit_rate: 0.7\nsemantic_cache_hit_rate: 0.7",
     "exact_cache_hit_rate + semantic_cache_hit_rate"),
    ("model: gpt-nonexistent-42", "model"),
    ("input_tokens: -100", "input_tokens"),
])
def test_cost_rejects_a_bad_scenario_naming_the_field(tmp_path, capsys, line, field):
    base = {k: v for k, v in (x.split(": ") for x in GOOD.strip().splitlines())}
    for k, v in (x.split(": ") for x in line.splitlines()):
        base[k] = v
    f = tmp_path / "bad.yaml"
    f.write_text("\n".join(f"{k}: {v}" for k, v in base.items()))
    assert main(["cost", "--scenario", str(f), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"error: {field}:" in captured.err
    assert "Traceback" not in captured.err


def test_cost_reports_a_missing_or_unparsable_file(tmp_path, capsys):
    assert main(["cost", "--scenario", str(tmp_path / "nope.yaml"), "--json"]) == 1
    assert "no such file" in capsys.readouterr().err
    f = tmp_path / "broken.yaml"
    f.write_text("requests_per_day: [1, 2\n")
    assert main(["cost", "--scenario", str(f), "--json"]) == 1
    assert "error: scenario:" in capsys.readouterr().err
    f.write_bytes(b"\xff\xfe\x00bin")
    assert main(["cost", "--scenario", str(f), "--json"]) == 1
    assert "error: scenario:" in capsys.readouterr().err
