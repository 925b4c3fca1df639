"""The eval sandbox's golden-set tab: versions run or uploaded, compared per query and for
noise, and how many cases a gate needs. Not a page of its own: app_pages/evals.py calls it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import ui
from labs.evals import regression as R
from labs.evals import views
from labs.store import StoreError


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
                    st.success(views.saved_message(saved))
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
