"""Panels of the eval sandbox page (reference metrics, judge calibration, human labels, RAG,
online metrics, cost), kept apart so each file stays short. Not a page of its own:
app_pages/evals.py calls these, the reference, online and cost tabs as fragments."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import ui
from labs import llm
from labs.evals import costs, data, judgefile, online, views
from labs.evals import judge as J
from labs.store import StoreError

FAILED = (llm.LLMError, llm.LLMUnavailable)


def pairs_file(name: str, text: str) -> None:
    """An uploaded pairs file: bad lines, per-item scores, the overall figures, intervals."""
    v = views.pairs_file_view(text)
    for err in v["errors"]:
        st.error(f"{name}: {err}")
    if v["rows"]:
        st.dataframe(pd.DataFrame(v["rows"]).round(3), hide_index=True)
        st.caption("Overall (BLEU and chrF at corpus level): " + ", ".join(
            f"{k} {x:.3f}" if isinstance(x, float) else f"{k} {x}"
            for k, x in v["overall"].items()))
    if v["intervals"]:
        st.caption("95% bootstrap intervals: per-item means for EM, F1 and ROUGE-L; "
                   "sacrebleu's bootstrap of the corpus score for BLEU and chrF (0-100):")
        st.dataframe(pd.DataFrame(v["intervals"]).round(3), hide_index=True)


def calibration_panel(bundle, judge, rubric_result: dict, fig) -> None:
    """The judge against the sandbox's labelled answers: the rubric judge's, measured once per
    server; the configured LLM's on request (69 calls)."""
    st.subheader("How far to trust this judge")
    results = [("rubric", rubric_result)]
    if judge.label != J.RUBRIC_LABEL:
        if st.button(f"Measure {judge.label} on the labelled answers", key="eval_cal_llm"):
            bar = st.progress(0.0)
            with ui.llm_waits():
                st.session_state["eval_cal_llm_result"] = (judge.label, judgefile.judge_lines(
                    judgefile.lines_from_items(bundle), judge,
                    progress=lambda d, t: bar.progress(d / t)))
            bar.empty()
        if (done := st.session_state.get("eval_cal_llm_result")) and done[0] == judge.label:
            results.append(("llm", done[1]))
    for key, result in results:
        cal = views.calibration_view(result)
        for err in result["errors"]:
            st.error(err)
        if not cal["n"]:
            continue
        rho = "n/a (no spread)" if cal["spearman"] is None else f"{cal['spearman']:.2f}"
        st.markdown(f"The {cal['judge']} against {cal['n']} sandbox answers labelled 1-5 by a "
                    f"person, before you label anything: Spearman **{rho}**, "
                    f"quadratic-weighted kappa **{cal['weighted_kappa']:.2f}** "
                    "(`aie-bridge evals judge --items FILE --json` measures any labelled file).")
        fig(cal["figure"], f"eval_cal_chart_{key}")
        st.dataframe(pd.DataFrame(cal["by_kind"]), hide_index=True, width="stretch")


def human_tab(store, me, items, judge, pick_item, who_judged, fig) -> None:
    scale = st.radio("Scale", ["1-5", "pass-fail"], horizontal=True, key="eval_human_scale")
    item = pick_item("eval_human_item")
    try:
        mine = data.labels(store, me.id, scale)
    except StoreError as e:
        st.error(str(e))
        mine = {}
    for a in item.answers:
        with st.container(border=True):
            st.markdown(a.text)
            current = mine.get(a.id)
            choice = st.segmented_control(
                "Your label", data.SCALES[scale], key=f"eval_lab_{scale}_{a.id}",
                default=current, format_func=lambda v: ("pass" if v else "fail")
                if scale == "pass-fail" else str(v))
            if choice is not None and choice != current:
                try:
                    data.save_label(store, me.id, a.id, scale, int(choice))
                except (StoreError, ValueError) as e:
                    st.error(f"The label was not saved: {e}")
                else:
                    mine[a.id] = int(choice)
    up = st.file_uploader(f"Or upload labels on the {scale} scale (JSONL: answer_id, label)",
                          type=["jsonl", "json", "txt"], key=f"eval_lab_upload_{scale}")
    if up is not None and st.button("Save these labels", key="eval_lab_upload_save"):
        try:
            parsed, errors = data.parse_labels(up.getvalue().decode("utf-8"), scale,
                                               {a.id for i in items for a in i.answers})
        except UnicodeDecodeError:
            parsed, errors = {}, [f"{up.name} is not UTF-8 text"]
        for err in errors:
            st.error(f"{up.name}: {err}")
        try:
            for answer_id, label in parsed.items():
                data.save_label(store, me.id, answer_id, scale, label)
        except StoreError as e:
            st.error(f"The labels were not saved: {e}")
        else:
            mine.update(parsed)
            if parsed:
                st.success(f"Saved {len(parsed)} labels from {up.name}.")
    st.subheader("Judge-human agreement")
    labelled = [(i, a) for i in items for a in i.answers if a.id in mine]
    st.caption(f"You have labelled {len(labelled)} of {sum(len(i.answers) for i in items)} "
               f"answers on the {scale} scale. The judge's agreement with the sandbox's own "
               "labels is on the LLM-as-judge tab; here it meets yours.")
    if len(labelled) >= 2 and st.button("Compare with the judge", key="eval_agree_run"):
        try:
            with ui.llm_waits():
                judged = [judge.absolute(J.JudgeItem(i.question, list(i.key_points),
                                                     i.references[0]), a.text)
                          for i, a in labelled]
        except FAILED as e:
            st.error(f"The judge failed: {e}")
        else:
            who_judged(judged[-1].label)
            v = views.agreement_view([mine[a.id] for _, a in labelled],
                                     [j.verdict.score for j in judged], scale)
            ag = v["agreement"]
            c1, c2, c3 = st.columns(3)
            c1.metric("Cohen's kappa", f"{ag.kappa:.2f}")
            c2.metric(*v["second"])
            c3.metric("Spearman", "n/a" if ag.spearman is None else f"{ag.spearman:.2f}")
            fig(v["heatmap"], "eval_agree_heat")
    st.subheader("Several raters")
    up = st.file_uploader("Raters' labels (CSV: an `id` column, then one column per rater)",
                          type=["csv", "txt"], key="eval_raters_upload")
    if up is not None:
        try:
            v = views.multi_rater_view(up.getvalue().decode("utf-8"), data.SCALES[scale])
        except UnicodeDecodeError:
            v = {"errors": [f"{up.name} is not UTF-8 text"]}
        for err in v["errors"]:
            st.error(f"{up.name}: {err}")
        if "fleiss_kappa" in v:
            st.metric("Fleiss' kappa", f"{v['fleiss_kappa']:.2f}",
                      help=f"{len(v['raters'])} raters on {v['items']} items, beyond chance.")
            st.caption(f"{len(v['disagreements'])} items where the raters disagree; align on "
                       "these before trusting any judge against them.")
            st.dataframe(pd.DataFrame(v["disagreements"]), hide_index=True, width="stretch")


def rag_tab(cfg, offline: bool, pick_item, fig) -> None:
    from labs.evals import rag

    st.markdown(
        "**Generation side.** Faithfulness is the share of answer sentences the retrieved "
        "context supports; answer relevance is how directly the answer meets the question. "
        f"Offline, a sentence counts as supported when its closest context sentence has cosine "
        f"≥ {rag.SUPPORT_COSINE:.2f} and at least {rag.SUPPORT_OVERLAP:.0%} of its content "
        "words occur in the context; relevance is the question-answer cosine. With an LLM, "
        "the model checks each claim against the context.")
    item = pick_item("eval_rag_item")
    with st.expander("Retrieved context"):
        st.markdown(item.context)
    if st.button("Score faithfulness and relevance", key="eval_rag_run", type="primary"):
        rows = []
        for a in item.answers:
            off = rag.offline_generation_scores(item.question, a.text, item.context,
                                                ui.embedder())
            row = {"answer": a.text, "kind": a.kind.value, "faithfulness (offline)":
                   off.faithfulness, "relevance (offline)": off.answer_relevance}
            if not offline:
                try:
                    with ui.llm_waits():
                        on = rag.llm_generation_scores(item.question, a.text, item.context,
                                                       config=cfg)
                    row |= {"faithfulness (LLM)": on.faithfulness,
                            "relevance (LLM)": on.answer_relevance}
                except FAILED as e:
                    st.error(f"The LLM claim check failed: {e}")
            rows.append(row)
        st.session_state["eval_rag"] = (item.id, rows)
    if (rag_rows := st.session_state.get("eval_rag")) and rag_rows[0] == item.id:
        v = views.rag_view(rag_rows[1])
        st.dataframe(pd.DataFrame(v["rows"]).round(2), hide_index=True, width="stretch")
        fig(v["figure"], "eval_rag_chart")
    st.markdown("**Retrieval side** (recall@K and context precision on the golden set) is "
                "measured in the *Golden set & regressions* tab, from the retrieval engine.")


def reference_tab(pick_item, read_upload, fig, by_kind: dict,  # type: ignore[no-untyped-def]
                  n_items: int) -> None:
    """The reference-metrics tab; `by_kind` is every metric's mean per answer kind across the
    `n_items` questions (views.reference_by_kind, cached by the page)."""
    st.markdown("Exact match and token F1 (SQuAD normalisation), BLEU and chrF (sacrebleu), "
                "ROUGE (rouge-score) against the gold reference. Cheap and exact, and blind to "
                "meaning: watch the correct paraphrase score low and the wrong answer that "
                "reuses the reference's words score high.")
    item = pick_item("eval_ref_item")
    st.markdown(f"**Reference:** {item.references[0]}")
    v = views.reference_view(item)
    fig(v["figure"], "eval_ref_chart")
    st.dataframe(pd.DataFrame(v["rows"]).round(3), hide_index=True, width="stretch")
    if v["warning"]:
        st.warning(v["warning"], icon=":material/warning:")
    with st.expander(f"Across all {n_items} questions: mean per kind, 95% intervals"):
        fig(by_kind["figure"], "eval_ref_kinds")
    own = st.text_area("Try your own prediction against this reference", key="eval_ref_own",
                       max_chars=2000)
    if own.strip():
        st.json(views.own_prediction(item, own))
    up = st.file_uploader("Score a pairs file (JSONL: id, prediction, references)",
                          type=["jsonl", "json", "txt"], key="eval_ref_upload")
    if up is not None and (text := read_upload(up)) is not None:
        pairs_file(up.name, text)


def online_tab(fig) -> None:  # type: ignore[no-untyped-def]
    st.markdown(online.__doc__.split("\n\n")[1])
    c1, c2, c3, c4 = st.columns(4)
    sim = online.simulate(ship_day=c1.slider("Release day", 10, 50, 30, key="eval_on_ship"),
                          drop=c2.slider("Quality drop", 0.0, 0.3, 0.08, 0.01, key="eval_on_drop"),
                          feedback_delay_days=c3.slider("Feedback delay (days)", 0, 7, 2,
                                                        key="eval_on_delay"),
                          exposure_days=c4.slider("Days to full exposure", 1, 14, 5,
                                                  key="eval_on_exp"))
    fig(views.online_figure(sim), "eval_online_chart")
    if sim.detection_delay is None:
        st.warning("The online metrics never crossed the alarm line: the regression shipped "
                   "and stayed.")
    else:
        st.metric("Detection delay", f"{sim.detection_delay} days",
                  help="Days of users served by the worse model before the alarm.")


def cost_tab(items, layer_ms: tuple[float, float], fig) -> None:  # type: ignore[no-untyped-def]
    st.markdown("What one more thousand evaluations costs at each layer, from measurements on "
                "this machine and genai-prices' price table.")
    c1, c2 = st.columns(2)
    rate = c1.number_input("Human rater, USD per hour", 5.0, 500.0, 40.0, key="eval_cost_rate")
    secs = c2.number_input("Seconds per human label", 5.0, 600.0, 45.0, key="eval_cost_secs")
    v = views.cost_view(costs.layer_costs(items[0], rate, secs, layer_ms))
    fig(v["figure"], "eval_cost_chart")
    st.dataframe(pd.DataFrame(v["rows"]), hide_index=True, width="stretch",
                 column_config={"USD per 1,000": st.column_config.NumberColumn(format="$%.4f"),
                                "hours per 1,000": st.column_config.NumberColumn(format="%.3f")})
