"""AppTest for every tab of the eval-pyramid sandbox."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from labs.evals import load_items
from labs.store import Store
from labs.store.models import EvalLabel
from tests.conftest import no_exceptions, page_test

PAGE = "app_pages/evals.py"


def test_reference_tab_shows_the_paraphrase_trap():
    at = page_test(PAGE).run()
    no_exceptions(at)
    assert at.title[0].value == "Eval-pyramid sandbox"
    assert any("correct paraphrase gets BLEU" in w.value for w in at.warning)
    assert at.get("plotly_chart")


def test_reference_tab_scores_an_uploaded_pairs_file_and_reports_bad_lines():
    at = page_test(PAGE).run()
    lines = [json.dumps({"id": "1", "prediction": "five days", "references": ["five days"]}),
             "{not json",
             json.dumps({"id": "3", "prediction": "a week", "references": ["five days"]})]
    at.get_by_key("eval_ref_upload").set_value(
        ("pairs.jsonl", "\n".join(lines).encode(), "application/json")).run()
    no_exceptions(at)
    assert any("pairs.jsonl: line 2: not valid JSON" in e.value for e in at.error)
    (table,) = [d.value for d in at.dataframe if "bleu" in d.value.columns]
    assert list(table["id"]) == ["1", "3"]


def test_reference_tab_scores_your_own_prediction():
    at = page_test(PAGE).run()
    at.text_area(key="eval_ref_own").input("Refunds take five business days.").run()
    no_exceptions(at)
    assert any('"f1"' in j.proto.body for j in at.json)


@pytest.mark.slow
def test_similarity_tab_embeds_pairs_and_marks_the_best_threshold():
    at = page_test(PAGE).run()
    at.button(key="eval_sim_run").click().run(timeout=240)
    no_exceptions(at)
    assert "eval_sims" in at.session_state
    labels = [m.label for m in at.metric]
    assert {"Precision", "Recall", "False matches"} <= set(labels)


def test_judge_tab_runs_the_offline_rubric_judge_and_both_probes():
    at = page_test(PAGE).run()
    at.button(key="eval_judge_run").click().run()
    no_exceptions(at)
    assert any("offline rubric judge" in i.value for i in at.info)
    at.button(key="eval_swap_run").click().run()
    at.button(key="eval_verb_run").click().run()
    no_exceptions(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Position inconsistency"] == "0%"
    assert "Score plain → padded" in metrics


def test_human_tab_stores_labels_and_compares_with_the_judge():
    item = load_items().items[0]
    at = page_test(PAGE).run()
    for a, label in zip(item.answers[:3], (5, 2, 1), strict=True):
        at.get("button_group")  # segmented controls render as button groups
        at.get_by_key(f"eval_lab_1-5_{a.id}").set_value(label).run()
    no_exceptions(at)
    with Store().session() as s:
        rows = s.exec(select(EvalLabel)).all()
    assert sorted((r.answer_id, r.label) for r in rows) == sorted(
        zip([a.id for a in item.answers[:3]], (5, 2, 1), strict=True))
    at.button(key="eval_agree_run").click().run()
    no_exceptions(at)
    assert "Cohen's kappa" in [m.label for m in at.metric]


@pytest.mark.slow
def test_rag_tab_scores_faithfulness_offline():
    at = page_test(PAGE).run()
    at.button(key="eval_rag_run").click().run(timeout=240)
    no_exceptions(at)
    (df,) = [d.value for d in at.dataframe if "faithfulness (offline)" in d.value.columns]
    kinds = dict(zip(df["kind"], df["faithfulness (offline)"], strict=True))
    assert kinds["exact"] == 1.0 and kinds["hallucinated"] < 1.0


@pytest.mark.slow
def test_golden_tab_runs_two_versions_and_lists_regressions():
    at = page_test(PAGE).run()
    at.selectbox(key="eval_gold_mode").set_value("bm25")
    at.select_slider(key="eval_gold_size").set_value(254)
    at.button(key="eval_gold_run").click().run(timeout=300)
    no_exceptions(at)
    at.select_slider(key="eval_gold_size").set_value(64)
    at.text_input(key="eval_gold_name").input("bm25, tiny chunks")
    at.button(key="eval_gold_run").click().run(timeout=300)
    no_exceptions(at)
    assert any("Saved" in s.value for s in at.success)
    assert len(at.get("plotly_chart")) >= 2  # the aggregate chart is drawn


def test_online_tab_reports_the_detection_delay():
    at = page_test(PAGE).run()
    no_exceptions(at)
    assert any(m.label == "Detection delay" for m in at.metric)


def test_cost_tab_prices_the_layers():
    at = page_test(PAGE).run()
    no_exceptions(at)
    (table,) = [d.value for d in at.dataframe if "layer" in d.value.columns]
    assert "LLM judge: claude-haiku-4-5" in set(table["layer"])
    assert table.set_index("layer").loc["human", "USD per 1,000"] == pytest.approx(500.0)


def test_human_tab_saves_an_uploaded_labels_file_and_reports_bad_lines():
    item = load_items().items[0]
    lines = [json.dumps({"answer_id": item.answers[0].id, "label": 5}), "not json",
             json.dumps({"answer_id": item.answers[1].id, "label": 7})]
    at = page_test(PAGE).run()
    at.get_by_key("eval_lab_upload_1-5").set_value(
        ("labels.jsonl", "\n".join(lines).encode(), "application/json")).run()
    at.button(key="eval_lab_upload_save").click().run()
    no_exceptions(at)
    errors = [e.value for e in at.error]
    assert any("labels.jsonl: line 2: not valid JSON" in e for e in errors)
    assert any("labels.jsonl: line 3: label 7" in e for e in errors)
    with Store().session() as s:
        rows = s.exec(select(EvalLabel)).all()
    assert [(r.answer_id, r.label) for r in rows] == [(item.answers[0].id, 5)]
