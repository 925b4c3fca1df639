"""The eval sandbox's view layer, without Streamlit: each tab's rows, texts and figure specs."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from labs.evals import costs, online, views
from labs.evals.data import load_items, load_pairs
from labs.store import Store, get_or_create_learner

ITEMS = load_items().items


def valid(spec: dict) -> go.Figure:
    return go.Figure(spec)  # plotly validates every property here


def test_reference_view_shows_the_paraphrase_trap_in_rows_and_figure():
    v = views.reference_view(ITEMS[0])
    valid(v["figure"])
    kinds = {r["kind"]: r for r in v["rows"]}
    assert kinds["paraphrase"]["BLEU"] < kinds["wrong-overlap"]["BLEU"]
    assert v["warning"].startswith("The correct paraphrase gets BLEU")


def test_pairs_file_view_gives_intervals_and_line_errors():
    lines = [json.dumps({"id": str(i), "prediction": p, "references": ["five days"]})
             for i, p in enumerate(["five days", "a week", "five days"])] + ["{bad"]
    v = views.pairs_file_view("\n".join(lines))
    assert [r["id"] for r in v["rows"]] == ["0", "1", "2"]
    assert v["errors"] == ["line 4: not valid JSON (Expecting property name enclosed in double "
                           "quotes)"]
    em = next(i for i in v["intervals"] if i["metric"] == "EM")
    assert em["mean"] == pytest.approx(2 / 3) and em["95% low"] <= em["mean"] <= em["95% high"]


def test_similarity_view_leaves_a_gap_where_precision_is_undefined():
    pairs = load_pairs().pairs
    sims = np.linspace(0.1, 0.8, len(pairs))
    v = views.similarity_view(sims, pairs, threshold=0.95)
    valid(v["sweep"]), valid(v["histogram"])
    precision = next(t for t in v["sweep"]["data"] if t["name"] == "precision")
    assert precision["y"][-1] is None and v["precision_text"] == "n/a"
    assert v["point"].threshold == pytest.approx(0.95)


def test_calibration_view_lists_every_kind_with_label_and_score():
    result = {"judge": "rubric judge (offline, not an LLM)", "agreement": {
        "n": 4, "spearman": 0.9, "weighted_kappa": 0.8,
        "by_kind": {"exact": {"n": 2, "mean_label": 5, "mean_score": 5, "exact_share": 1.0},
                    "negated": {"n": 2, "mean_label": 1, "mean_score": 1.5,
                                "exact_share": 0.5}}}}
    v = views.calibration_view(result)
    valid(v["figure"])
    assert [r["kind"] for r in v["by_kind"]] == ["exact", "negated"]
    assert v["by_kind"][1]["same score"] == "50%"


def test_agreement_view_names_pass_and_fail_on_category_axes():
    v = views.agreement_view([1, 0, 1], [5, 2, 4], "pass-fail")
    valid(v["heatmap"])
    assert v["heatmap"]["data"][0]["x"] == ["fail", "pass"]
    assert v["heatmap"]["layout"]["xaxis"]["type"] == "category"
    assert v["second"] == ("Raw agreement", "100%")


def test_multi_rater_view_gives_fleiss_kappa_disagreements_and_bad_rows():
    text = "id,ana,ben,cy\na1,5,5,5\na2,1,4,2\na3,3,3,3\na4,2,,2\na5,9,1,1\n"
    v = views.multi_rater_view(text, [1, 2, 3, 4, 5])
    assert v["raters"] == ["ana", "ben", "cy"] and v["items"] == 3
    assert -1 <= v["fleiss_kappa"] < 1
    assert [d["id"] for d in v["disagreements"]] == ["a2"]
    assert v["errors"] == ["line 5: every rater needs a whole-number label",
                           "line 6: label 9 is not on the scale [1, 2, 3, 4, 5]"]
    assert views.multi_rater_view("who,ana\nx,1\n", [1, 2])["errors"][0].startswith(
        "the CSV needs an 'id' column")


def test_golden_summary_and_comparison_carry_intervals_and_the_noise_verdict():
    from labs.evals.regression import runs, save_run

    store = Store()
    me = get_or_create_learner(store, "ana")
    for name, bump in (("v1", 0.0), ("v2", 0.01)):
        save_run(store, learner_id=me.id, name=name, source="retrieval", metric="ndcg@10",
                 scores={f"q{i}": 0.5 + 0.02 * (i % 5) + bump * (-1) ** i for i in range(12)})
    saved = runs(store, me.id)
    from labs.evals.regression import run_scores

    scores = {r.id: run_scores(store, r.id) for r in saved}
    summary = views.golden_summary(saved, scores)
    valid(summary["figure"])
    assert all(r["ci_low"] <= r["mean"] <= r["ci_high"] for r in summary["rows"])
    base, new = views.default_pair([r.id for r in saved])
    v = views.comparison_view(scores[base], scores[new], {}, same=False)
    assert v["status"] == "drops" and v["noise"].startswith("Not distinguishable from noise")
    assert views.comparison_view({}, {}, {}, same=True)["status"] == "same"


def test_online_and_cost_figures_are_valid_and_name_zero_cost_layers():
    valid(views.online_figure(online.simulate()))
    v = views.cost_view(costs.layer_costs(ITEMS[0], 40.0, 45.0, local_ms=(1.0, 20.0)))
    valid(v["figure"])
    names = v["figure"]["data"][0]["x"]
    assert "reference metrics ($0)" in names
    human = next(r for r in v["rows"] if r["layer"] == "human")
    assert human["USD per 1,000"] == pytest.approx(500.0)


def test_corpus_bleu_and_chrf_get_intervals_that_hold_the_corpus_score():
    from labs.evals.reference import PairLine, score_pairs

    pairs = [PairLine(id=f"q{i}", prediction=p, references=[r]) for i, (p, r) in enumerate([
        ("Refunds take five business days.", "Refunds are processed within five business days."),
        ("It is retried eight times.", "A failed delivery is retried eight times with backoff."),
        ("The Pro plan allows 600 requests per minute.", "The Pro plan allows 600 requests "
                                                         "per minute per workspace."),
        ("Use RAG for daily changes.", "Use RAG, because the knowledge changes daily."),
    ])]
    found = score_pairs(pairs)
    assert set(found.intervals) == {"exact_match", "f1", "rougeL", "bleu", "chrf"}
    for key in ("bleu", "chrf"):
        ci = found.intervals[key]
        assert 0 <= ci["low"] < found.overall[key] < ci["high"] <= 100, (key, ci)
    v = views.pairs_file_view("\n".join(json.dumps(p.model_dump()) for p in pairs))
    assert {i["metric"] for i in v["intervals"]} == {"EM", "F1", "ROUGE-L", "BLEU", "chrF"}
    assert score_pairs(pairs[:1]).intervals == {}  # one item has no spread to resample


def test_a_retrieval_version_reports_recall_and_context_precision_with_intervals():
    from types import SimpleNamespace

    from labs.evals.stats import Interval

    config = {"recall@10": 0.6, "context_precision@10": 0.2,
              "intervals": {"recall@10": [0.5, 0.7], "precision@10": [0.15, 0.25]}}
    run = SimpleNamespace(id=3, name="dense, 200-token chunks", metric="ndcg@10",
                          config_json=json.dumps(config))
    row = views.golden_summary([run], {3: {"q1": 0.4, "q2": 0.6}})["rows"][0]
    assert row["recall@10"] == "0.600 [0.500, 0.700]"
    assert row["context precision@10"] == "0.200 [0.150, 0.250]"
    saved = SimpleNamespace(run=run, mean={"ndcg@10": 0.5, "recall@10": 0.6, "precision@10": 0.2},
                            intervals={"ndcg@10": Interval(0.5, 0.4, 0.6, 2),
                                       "recall@10": Interval(0.6, 0.5, 0.7, 2)})
    msg = views.saved_message(saved)
    assert "nDCG@10 0.500 [0.400, 0.600]" in msg and "recall@10 0.600 [0.500, 0.700]" in msg


def test_evals_reference_cli_prints_the_intervals_and_reports_bad_lines(tmp_path, capsys):
    from labs.cli import main

    lines = [json.dumps({"id": str(i), "prediction": p, "references": ["refunds take five days"]})
             for i, p in enumerate(["refunds take five days", "refunds take a week",
                                    "five days"])]
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(lines + ['{"id": "x"}']) + "\n", encoding="utf-8")
    assert main(["evals", "reference", "--pairs", str(path), "--json"]) == 1  # a bad line
    out = json.loads(capsys.readouterr().out)
    assert out["overall"]["items"] == 3 and len(out["errors"]) == 1
    assert out["errors"][0].startswith("line 4")
    bleu = out["intervals"]["bleu"]
    assert bleu["low"] <= out["overall"]["bleu"] <= bleu["high"] and bleu["items"] == 3


def test_reference_metrics_by_kind_show_the_paraphrase_trap_across_all_questions():
    v = views.reference_by_kind(ITEMS)
    valid(v["figure"])
    bleu = {r["kind"]: r for r in v["rows"] if r["metric"] == "BLEU"}
    assert bleu["paraphrase"]["answers"] == len(ITEMS)
    assert bleu["paraphrase"]["ci_high"] < bleu["wrong-overlap"]["ci_low"]  # not noise
    assert all(r["ci_low"] <= r["mean"] <= r["ci_high"] for r in v["rows"])
