"""Three tabs of the eval sandbox page (human labels, RAG, golden set), kept apart so each
file stays short. Not a page of its own: app_pages/evals.py calls these."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import ui
from labs import llm
from labs.evals import data, views
from labs.evals import judge as J
from labs.evals import regression as R
from labs.store import StoreError

FAILED = (llm.LLMError, llm.LLMUnavailable)


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
            judged = [judge.absolute(J.JudgeItem(i.question, list(i.key_points),
                                                 i.references[0]), a.text) for i, a in labelled]
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


@st.fragment
def golden_tab(store, me, fig) -> None:
    """A fragment: its widgets rerun this tab only, not the judge and the other tabs."""
    corpus, problems = ui.bundled_corpus()
    if problems:
        st.error("The bundled golden set does not validate:\n\n" +
                 "\n".join(f"- `{p}`" for p in problems))
        return
    st.markdown(f"The retrieval lab's golden set: {len(corpus.queries)} queries, each with its "
                "expected behaviour. Run named versions of a system over it; each query's "
                "score is stored, so a version that wins on average can still be caught "
                "breaking individual queries.")
    with st.expander("Run a retrieval configuration as a version", expanded=True):
        c1, c2, c3 = st.columns(3)
        mode = c1.selectbox("Pattern", list(R.MODES), key="eval_gold_mode")
        size = c2.select_slider("Chunk tokens", [64, 128, 200, 254], 200, key="eval_gold_size")
        auto = R.run_name(mode, size, "rrf" if mode == "hybrid" else "none")
        name = c3.text_input("Version name", key="eval_gold_name", max_chars=80,
                             placeholder=auto, help="Left empty, the settings name the run.")
        if st.button("Run on the golden set", key="eval_gold_run", type="primary"):
            bar = st.progress(0.0, text="Indexing…")
            try:
                saved = R.run_retrieval_version(
                    store, me.id, corpus, mode, size, ui.embedder(), name=name,
                    progress=lambda d, t: bar.progress(d / t if t else 1.0,
                                                       text=f"Embedding {d}/{t} chunks"))
            except (ValueError, StoreError) as e:
                st.error(str(e))
            else:
                if saved.created:
                    m = saved.mean
                    st.success(f"Saved {saved.run.name!r}: nDCG@10 {m['ndcg@10']:.3f}, recall@10 "
                               f"{m['recall@10']:.3f}, context precision@10 "
                               f"{m['precision@10']:.3f}.")
                else:
                    st.info(f"These settings are already saved as version {saved.run.id}, "
                            f"{saved.run.name!r}: nothing new was stored.")
            bar.empty()
    with st.expander("Upload an answers file as a version"):
        st.caption('JSONL, one `{"id": query id, "answer": text}` a line; each answer is scored '
                   "by token F1 against the query's expected behaviour.")
        up = st.file_uploader("Answers file", type=["jsonl", "json", "txt"],
                              key="eval_gold_upload")
        up_name = st.text_input("Version name", key="eval_gold_upname", max_chars=80)
        if up is not None and st.button("Score and save", key="eval_gold_upsave"):
            try:
                expected = {q.id: q.expected for q in corpus.queries if q.expected}
                answers, errors = R.parse_answers(up.getvalue().decode("utf-8"), set(expected))
                for err in errors:
                    st.error(f"{up.name}: {err}")
                R.save_run(store, learner_id=me.id, name=up_name or up.name,
                           source="answers-file", metric="token-f1",
                           scores=R.score_answers(answers, expected))
            except UnicodeDecodeError:
                st.error(f"{up.name} is not UTF-8 text.")
            except (ValueError, StoreError) as e:
                st.error(str(e))
            else:
                st.success(f"Saved {len(answers)} scored answers.")
    compare_versions(store, me, corpus, fig)
    sample_size_calculator()


def sample_size_calculator() -> None:
    st.subheader("How many cases does a gate need?")
    c1, c2, c3 = st.columns(3)
    d = c1.number_input("Drop to detect (points)", 1, 50, 5, key="eval_n_drop") / 100
    p = c2.number_input("Baseline pass rate (%)", 1, 99, 90, key="eval_n_base") / 100
    r = c3.number_input("Cases changing verdict (%)", 1, 100, 10, key="eval_n_flip") / 100
    n = views.sample_size_view(d, p, r)
    if n.feasible:
        st.metric("Paired cases needed", f"{n.paired:,}", help="McNemar's test, two-sided "
                  "alpha 0.05, 80% power (labs/evals/stats.py).")
        st.caption(f"Two independent samples would need {n.unpaired:,} cases per version: "
                   "running both versions on the same cases is what makes a golden set cheap.")
    else:
        st.warning(n.note)


def compare_versions(store, me, corpus, fig) -> None:
    saved = R.runs(store, me.id)
    if not saved:
        st.info("No versions yet: run one above.")
        return
    scores = {r.id: R.run_scores(store, r.id) for r in saved}
    summary = views.golden_summary(saved, scores)
    fig(summary["figure"], "eval_gold_agg")
    st.dataframe(pd.DataFrame(summary["rows"]).round(3), hide_index=True, width="stretch")
    labels = {r.id: f"{r.id}: {r.name} ({r.metric})" for r in saved}
    ids = list(labels)
    if st.session_state.get("eval_gold_seen") != ids:  # a new version: compare the newest two
        st.session_state["eval_gold_seen"] = ids
        st.session_state["eval_gold_base"], st.session_state["eval_gold_new"] = \
            views.default_pair(ids)
    c1, c2 = st.columns(2)
    base = c1.selectbox("Baseline", ids, format_func=labels.get, key="eval_gold_base")
    new = c2.selectbox("Candidate", ids, format_func=labels.get, key="eval_gold_new")
    v = views.comparison_view(scores[base], scores[new], {q.id: q.text for q in corpus.queries},
                              same=base == new)
    if v["status"] == "same":
        st.caption(v["message"])
        return
    st.caption(v["noise"])
    if v["status"] == "none":
        st.success("No query regressed.")
    else:
        st.warning(f"{len(v['drops'])} queries regressed from version {base} to {new}.")
        st.dataframe(pd.DataFrame(v["drops"]), hide_index=True, width="stretch")
