"""A thin AppTest of the eval-pyramid sandbox: widgets, stored state and messages. What the
figures and tables hold is tested on the view functions (tests/test_evals_views.py)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from labs.evals import load_items
from labs.store import Store
from labs.store.models import EvalLabel, EvalRun
from tests.conftest import no_exceptions, page_test

PAGE = "app_pages/evals.py"


def test_reference_tab_shows_the_paraphrase_trap():
    at = page_test(PAGE).run()
    no_exceptions(at)
    assert at.title[0].value == "Eval-pyramid sandbox"
    assert any("correct paraphrase gets BLEU" in w.value for w in at.warning)


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


def test_golden_runs_are_named_from_their_settings_and_the_newest_two_are_compared():
    at = page_test(PAGE).run()
    at.selectbox(key="eval_gold_mode").set_value("bm25")
    at.select_slider(key="eval_gold_size").set_value(254)
    at.button(key="eval_gold_run").click().run(timeout=300)
    at.select_slider(key="eval_gold_size").set_value(128)
    at.button(key="eval_gold_run").click().run(timeout=300)
    no_exceptions(at)
    with Store().session() as s:
        names = [r.name for r in s.exec(select(EvalRun).order_by(EvalRun.id)).all()]
    assert names == ["bm25, 254-token chunks, no rerank", "bm25, 128-token chunks, no rerank"]
    base, new = at.selectbox(key="eval_gold_base").value, at.selectbox(key="eval_gold_new").value
    assert (base, new) == (1, 2)  # the two newest, not "pick two different versions"
    assert any("noise" in c.value for c in at.caption)
    at.button(key="eval_gold_run").click().run(timeout=300)  # identical settings again
    assert any("already saved as version 2" in i.value for i in at.info)
    with Store().session() as s:
        assert len(s.exec(select(EvalRun)).all()) == 2
    at.text_input(key="eval_gold_name").input("my own name")
    at.select_slider(key="eval_gold_size").set_value(64)
    at.button(key="eval_gold_run").click().run(timeout=300)
    assert at.selectbox(key="eval_gold_base").value == 2
    assert at.selectbox(key="eval_gold_new").value == 3
    with Store().session() as s:
        assert s.get(EvalRun, 3).name == "my own name"


def test_judge_tab_shows_calibration_per_kind_before_any_label():
    at = page_test(PAGE).run()
    no_exceptions(at)
    assert any("Spearman" in m.value and "69 sandbox answers" in m.value for m in at.markdown)
    (table,) = [d.value for d in at.dataframe if "human label (mean)" in d.value.columns]
    assert {"exact", "paraphrase", "negated", "wrong-overlap"} <= set(table["kind"])


def test_sample_size_calculator_answers_the_lessons_question():
    at = page_test(PAGE).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Paired cases needed"] == "312"  # 5-point drop, 90% baseline, 10% flip
    at.number_input(key="eval_n_flip").set_value(2).run()
    no_exceptions(at)
    assert any("needs at least 5% of cases to change verdict" in w.value for w in at.warning)


def test_human_tab_gives_fleiss_kappa_for_several_raters_and_reports_bad_rows():
    at = page_test(PAGE).run()
    csv = "id,ana,ben\na1,5,5\na2,1,4\na3,2,2\na4,x,1\n"
    at.get_by_key("eval_raters_upload").set_value(("raters.csv", csv.encode(), "text/csv")).run()
    no_exceptions(at)
    assert "Fleiss' kappa" in [m.label for m in at.metric]
    assert any("raters.csv: line 5" in e.value for e in at.error)


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


def test_judge_tab_measures_a_configured_llm_judge_on_the_labelled_answers(llm_server,
                                                                           monkeypatch):
    calls = iter(range(1000))
    llm_server.responder = lambda req: {"score": 1 + next(calls) % 5, "reasons": ["random"]}
    cfg = llm_server.config("anthropic")
    monkeypatch.setenv("AIE_BRIDGE_LLM", f"anthropic:{cfg.model}")
    monkeypatch.setenv("ANTHROPIC_API_KEY", cfg.api_key)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", cfg.base_url)
    at = page_test(PAGE).run()
    at.button(key="eval_cal_llm").click().run(timeout=120)
    no_exceptions(at)
    texts = [m.value for m in at.markdown if "Spearman" in m.value]
    assert any(t.startswith("The rubric judge") for t in texts)
    assert any(t.startswith("The anthropic:") for t in texts)  # the model's own calibration
    assert len(llm_server.requests) == 69
