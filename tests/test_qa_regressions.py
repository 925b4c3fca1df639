"""Regressions found in a user-eyed QA pass over the finished pages: each test names what a
learner or instructor saw, and checks it no longer happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from labs.curriculum.loader import load_curriculum
from labs.store import Store
from labs.workshop import (
    create_workshop,
    dashboard,
    join_workshop,
    open_as_instructor,
    submit_quiz_answer,
    views,
)
from tests.conftest import no_exceptions, open_dashboard, page_test

PASS = "correct horse battery"


def _open_dashboard(store):
    now = datetime.now(UTC)
    ws = create_workshop(store, title="QA clinic", passphrase=PASS, module_ids=["evals"],
                         starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    at = page_test("app_pages/workshop_instructor.py").run()
    open_dashboard(at, ws.code, PASS)
    no_exceptions(at)
    return ws, at


def test_csv_export_is_built_when_clicked_so_answers_after_page_load_are_in_it():
    # seen: the live dashboard counted 3 answers, the exported CSV held only its header
    store = Store()
    ws, at = _open_dashboard(store)
    export = at.get("download_button")[0]
    assert export.proto.HasField("deferred_file_id"), "the CSV must be made at click time"
    assert not export.proto.url, "no CSV snapshot is baked into the page"


def test_quiz_score_chart_counts_a_perfect_score_in_whole_learners():
    # seen: one learner at 0% drew a bar across the whole axis, in fifths of a learner
    store = Store()
    cur = load_curriculum()
    now = datetime.now(UTC)
    ws = create_workshop(store, title="QA clinic", passphrase=PASS, module_ids=["evals"],
                         starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    q = cur.quizzes["evals"].questions[0]
    _, ana = join_workshop(store, ws.code, "Ana")
    _, bo = join_workshop(store, ws.code, "Bo")
    submit_quiz_answer(store, cur, ana.learner_id, q.id, q.answer, workshop_id=ws.id)
    submit_quiz_answer(store, cur, bo.learner_id, q.id, (q.answer + 1) % len(q.options),
                       workshop_id=ws.id)
    board = dashboard(store, cur, open_as_instructor(store, ws.code, PASS))
    fig = views.quiz_histogram(board.quiz_accuracy_by_learner).to_plotly_json()
    bar = fig["data"][0]
    counts = dict(zip(bar["x"], bar["y"], strict=True))
    assert counts["0–9%"] == 1 and counts["90–100%"] == 1 and sum(bar["y"]) == 2
    assert fig["layout"]["yaxis"]["dtick"] == 1


def test_joining_with_no_code_asks_for_the_code_instead_of_saying_it_is_wrong():
    # seen: pressing Join on the empty form said "No workshop has that join code"
    at = page_test("app_pages/workshop_join.py").run()
    at.text_input(key="ws_name").input("Ana")
    at.button(key="FormSubmitter:ws_join_form-Join").click().run()
    no_exceptions(at)
    assert [e.value for e in at.error] == [
        "Enter the six-character join code your instructor gave you."]


def test_pass_fail_agreement_heatmap_names_pass_and_fail_and_says_who_judged():
    # seen: the pass-fail confusion matrix had numeric axes from -0.5 to 1.5, and nothing on
    # the human-labels tab said the judge it was compared with is the offline rubric engine
    from labs.evals.data import load_items

    item = load_items().items[0]
    at = page_test("app_pages/evals.py").run()
    at.radio(key="eval_human_scale").set_value("pass-fail").run()
    for a, label in zip(item.answers[:3], (1, 0, 1), strict=True):
        at.get_by_key(f"eval_lab_pass-fail_{a.id}").set_value(label).run()
    at.button(key="eval_agree_run").click().run()
    no_exceptions(at)
    from labs.evals.views import agreement_view

    heat = agreement_view([1, 0, 1], [4, 2, 5], "pass-fail")["heatmap"]
    assert heat["data"][0]["x"] == ["fail", "pass"] and heat["data"][0]["y"] == ["fail", "pass"]
    assert heat["layout"]["xaxis"]["type"] == "category"
    assert any("offline rubric judge" in i.value for i in at.info)


def test_review_forecast_counts_whole_cards():
    # seen: after one review the y axis of "Reviews coming up" read 0, 0.5, 1, 1.5 cards
    from labs.study.view import upcoming_spec

    fig = upcoming_spec([0, 1, 0, 0])
    assert fig["layout"]["yaxis"]["dtick"] == 1 and fig["layout"]["yaxis"]["title"]["text"]
    at = page_test("app_pages/review.py").run()
    at.button(key="review_show").click().run()
    at.button(key="review_good").click().run()
    no_exceptions(at)


def test_the_llm_panel_refuses_a_base_url_that_is_not_http():
    # seen: "not a url" was accepted as the OpenAI-compatible base URL without a word
    at = page_test("app_pages/spend.py").run()
    at.sidebar.selectbox(key="llm_provider").set_value("openai-compatible").run()
    at.sidebar.text_input(key="llm_base_url").input("not a url")
    at.sidebar.button(key="llm_use").click().run()
    no_exceptions(at)
    assert any("must start with http://" in e.value for e in at.sidebar.error)
    assert any("Offline" in i.value for i in at.sidebar.info), "the old choice is kept"



def test_where_de_intuition_fails_boxes_say_it_once():
    # seen: each box had an orange "Where DE intuition fails" heading and then the same words
    # again in bold as the first line of its text
    at = page_test("app_pages/modules.py")
    at.session_state["lesson_section_shape-map"] = 3  # lessons show a section at a time
    at.run()
    no_exceptions(at)
    boxes = [m.value for m in at.markdown if "Where DE intuition fails" in m.value
             and "orange" in m.value]
    assert len(boxes) == 2  # module 1 has two
    for text in boxes:
        assert text.count("Where DE intuition fails") == 1
        assert text.startswith(':orange[**Where DE intuition fails:**] **"')


def test_cost_charts_put_the_minus_sign_before_the_dollar():
    # seen: the savings waterfall labelled its steps "$-2,619"
    from labs.costsim import model as cm
    from labs.costsim.charts import savings_waterfall, usd
    from labs.costsim.scenario import parse_scenario

    assert usd(-2619.4) == "-$2,619" and usd(235.617, 2) == "$235.62" and usd(0) == "$0"
    sim = cm.simulate(parse_scenario({"requests_per_day": 20000, "input_tokens": 3000,
                                      "output_tokens": 350, "model": "claude-sonnet-4-6",
                                      "cached_prefix_tokens": 2000,
                                      "prompt_cache_hit_rate": 0.85}), ())
    labels = savings_waterfall(sim).to_dict()["data"][0]["text"]
    assert not any("$-" in t for t in labels) and any(t.startswith("-$") for t in labels)


def test_judge_reasons_are_shown_in_full_not_cut_off_in_a_grid():
    # seen: the judge's "reasons" column ended mid-word at the edge of a dataframe
    at = page_test("app_pages/evals.py").run()
    at.button(key="eval_judge_run").click().run()
    no_exceptions(at)
    table = at.table[0].value
    assert list(table.columns) == ["answer", "kind", "score", "reasons"]
    assert all(r.startswith(("covered by", "partly covered", "not found", "contradicted"))
               for r in table["reasons"])


def test_spend_charts_count_calls_when_every_call_cost_nothing():
    # seen: after offline judge calls, "Cost by feature" was an empty axis from -1 to 1
    from labs.llm.views import spend_bar

    rows = [{"key": "eval-judge", "cost_usd": 0.0, "calls": 3, "unknown": 0,
             "input_tokens": 0, "output_tokens": 0, "cache_hits": 0}]
    fig = spend_bar(rows, str, "Cost by feature").to_plotly_json()
    assert "every call so far cost $0" in fig["layout"]["title"]["text"]
    assert fig["layout"]["yaxis"]["title"]["text"] == "calls"
    assert sum(fig["data"][0]["y"]) > 0
    at = page_test("app_pages/evals.py").run()
    at.button(key="eval_judge_run").click().run()  # offline judge calls, recorded at $0
    at.switch_page("app_pages/spend.py").run()
    no_exceptions(at)


def test_a_new_workshop_code_is_filled_in_on_the_dashboard_tab():
    # seen: after creating a workshop the instructor had to copy the code into the other tab
    at = page_test("app_pages/workshop_instructor.py").run()
    at.text_input(key="wsi_title").input("RAG clinic")
    at.text_input(key="wsi_pass1").input(PASS)
    at.text_input(key="wsi_pass2").input(PASS)
    at.button(key="FormSubmitter:wsi_create-Create workshop").click().run()
    no_exceptions(at)
    code = at.session_state["wsi_created_code"]
    assert at.text_input(key="wsi_open_code").value == code
    at.text_input(key="wsi_open_pass").input(PASS)
    at.button(key="FormSubmitter:wsi_open-Open dashboard").click().run()
    no_exceptions(at)
    assert any(code in s.value for s in at.subheader)


def test_a_quiz_verdict_is_not_shown_under_a_different_option():
    # seen: after "Not quite", picking the right option still showed "Not quite" beneath it
    q = load_curriculum().quizzes["shape-map"].questions[0]
    wrong = (q.answer + 1) % len(q.options)
    at = page_test("app_pages/modules.py").run()
    at.radio(key=f"quiz_choice_{q.id}").set_value(wrong).run()
    at.button(key=f"quiz_check_{q.id}").click().run()
    assert any(e.value.startswith("Not quite") for e in at.error)
    at.radio(key=f"quiz_choice_{q.id}").set_value(q.answer).run()
    no_exceptions(at)
    assert not any(e.value.startswith("Not quite") for e in at.error)
    assert any("check it again" in c.value for c in at.caption)
    at.button(key=f"quiz_check_{q.id}").click().run()
    assert any(s.value.startswith("Right.") for s in at.success)


def test_precision_is_not_drawn_as_1_where_no_pair_is_called_a_match():
    # seen: the sweep's precision line jumped to 1.0 past the highest cosine (0/0 drawn as 1)
    from labs.evals.data import load_pairs
    from labs.evals.views import similarity_view

    pairs = load_pairs().pairs
    sims = [0.2 + 0.5 * i / len(pairs) for i in range(len(pairs))]  # all below 0.7
    fig = similarity_view(sims, pairs)["sweep"]
    line = next(d for d in fig["data"] if d["name"] == "precision")
    by_t = dict(zip(line["x"], line["y"], strict=True))
    assert by_t[0.9] is None and by_t[0.3] is not None
    assert similarity_view(sims, pairs, 0.95)["precision_text"] == "n/a"


def test_online_metrics_chart_shows_rates_as_percentages_and_keeps_red_for_the_alarm():
    # seen: the follow-up axis read 0.1718, 0.1522…, and the follow-up line was the same red
    # as the alarm marker
    from labs.evals.online import simulate
    from labs.evals.views import online_figure

    fig = online_figure(simulate())
    assert fig["layout"]["yaxis"]["tickformat"] == ".0%"
    assert fig["layout"]["yaxis2"]["tickformat"] == ".1%"
    follow = next(d for d in fig["data"] if d.get("name") == "follow-up rate")
    assert follow["line"]["color"] != "red"


def test_eval_cost_chart_names_the_free_layers_it_cannot_draw_on_a_log_axis():
    # seen: reference metrics, embeddings, the offline judge and online metrics were empty
    # slots on the log axis, as if their cost were missing
    from labs.evals import costs
    from labs.evals.data import load_items
    from labs.evals.views import cost_view

    fig = cost_view(costs.layer_costs(load_items().items[0], 40.0, 45.0))["figure"]
    assert fig["layout"]["yaxis"]["type"] == "log"
    names = fig["data"][0]["x"]
    assert "reference metrics ($0)" in names and "online metrics ($0)" in names
    assert any(t.startswith("$") for t in fig["data"][0]["text"])


def test_perceived_latency_metric_label_fits_and_says_streaming_in_its_help():
    # seen: "Perceived p50 (strea…" cut off in its column
    at = page_test("app_pages/costsim.py").run()
    no_exceptions(at)
    m = next(m for m in at.metric if m.label.startswith("Perceived"))
    assert m.label == "Perceived p50" and "first token" in m.proto.help
    at.toggle(key="cost_streaming").set_value(False).run()
    m = next(m for m in at.metric if m.label.startswith("Perceived"))
    assert "whole answer" in m.proto.help
