"""The eval-pyramid sandbox: one tab per layer, all on the same items, each with its cost."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import ui
from labs import llm
from labs.curriculum.loader import ContentError
from labs.evals import costs, data, online, reference
from labs.evals import judge as J
from labs.evals import regression as R
from labs.evals.human import agreement, to_pass_fail
from labs.store import StoreError

store = ui.store()
me = ui.learner()
cfg = ui.llm_config()
offline = llm.is_offline(cfg)

st.title("Eval-pyramid sandbox")
st.caption("Every layer of the pyramid scores the same questions and candidate answers, so you "
           "can see where the layers agree, where each breaks, and what each costs.")
@st.cache_data(show_spinner=False, ttl=600)
def eval_data():
    return data.load_items().items, data.load_pairs().pairs


try:
    items, pairs = eval_data()
except ContentError as e:
    st.error("The eval data in content/evals does not validate:\n\n" +
             "\n".join(f"- `{p}`" for p in e.problems))
    st.stop()
by_id = {i.id: i for i in items}


def pick_item(key: str):
    item_id = st.selectbox("Question", list(by_id), key=key,
                           format_func=lambda i: by_id[i].question)
    return by_id[item_id]


def judge_item(item) -> J.JudgeItem:
    return J.JudgeItem(item.question, list(item.key_points), item.references[0])


def who_judged(label: str) -> None:
    if label.startswith("offline"):
        st.info("Judged by the **offline rubric judge** (key-point coverage, deterministic, not "
                "an LLM). Configure an LLM in the sidebar to judge with a model and see its "
                "biases.", icon=":material/rule:")
    else:
        st.caption(f"Judged by {label}.")


@st.cache_data(show_spinner=False)
def local_layer_ms(item_id: str) -> tuple[float, float]:
    """Milliseconds per evaluation of the local layers, measured once per server."""
    item = by_id[item_id]
    answer, refs = item.answers[0].text, list(item.references)
    return (costs.time_ms(lambda: reference.score(answer, refs)),
            costs.time_ms(lambda: J.rubric_score(judge_item(item), answer)))


tabs = st.tabs(["Reference metrics", "Embedding similarity", "LLM-as-judge", "Human labels",
                "RAG metrics", "Golden set & regressions", "Online metrics", "Cost per 1,000"])

# --- 1. reference metrics -----------------------------------------------------------------
with tabs[0]:
    st.markdown("Exact match and token F1 (SQuAD normalisation), BLEU and chrF (sacrebleu), "
                "ROUGE (rouge-score) against the gold reference. Cheap and exact, and blind to "
                "meaning: watch the correct paraphrase score low and the wrong answer that "
                "reuses the reference's words score high.")
    item = pick_item("eval_ref_item")
    st.markdown(f"**Reference:** {item.references[0]}")
    rows = []
    for a in item.answers:
        s = reference.score(a.text, list(item.references))
        rows.append({"answer": a.text, "kind": a.kind.value, "EM": s.exact_match, "F1": s.f1,
                     "BLEU": s.bleu / 100, "chrF": s.chrf / 100, "ROUGE-L": s.rougeL})
    df = pd.DataFrame(rows)
    fig = go.Figure([go.Bar(name=m, x=df["kind"], y=df[m]) for m in
                     ("EM", "F1", "BLEU", "chrF", "ROUGE-L")])
    fig.update_layout(barmode="group", yaxis_title="score (0-1)", height=340,
                      margin=dict(t=20, b=10), legend=dict(orientation="h"))
    st.plotly_chart(fig, key="eval_ref_chart")
    st.dataframe(df.round(3), hide_index=True, width="stretch")
    para = df[df.kind == "paraphrase"]
    wrong = df[df.kind == "wrong-overlap"]
    if len(para) and len(wrong):
        st.warning(f"The correct paraphrase gets BLEU {para.BLEU.iloc[0]:.2f}; the wrong answer "
                   f"that shares the reference's words gets {wrong.BLEU.iloc[0]:.2f}.",
                   icon=":material/warning:")
    own = st.text_area("Try your own prediction against this reference", key="eval_ref_own",
                       max_chars=2000)
    if own.strip():
        s = reference.score(own, list(item.references))
        st.json({"exact_match": s.exact_match, "f1": round(s.f1, 3), "bleu": round(s.bleu, 1),
                 "chrf": round(s.chrf, 1), "rouge1": round(s.rouge1, 3),
                 "rouge2": round(s.rouge2, 3), "rougeL": round(s.rougeL, 3)})
    up = st.file_uploader("Score a pairs file (JSONL: id, prediction, references)",
                          type=["jsonl", "json", "txt"], key="eval_ref_upload")
    if up is not None:
        try:
            text = up.getvalue().decode("utf-8")
        except UnicodeDecodeError:
            st.error(f"{up.name} is not UTF-8 text.")
        else:
            parsed, errors = reference.parse_pairs(text)
            result = reference.score_pairs(parsed)
            for err in errors:
                st.error(f"{up.name}: {err}")
            if result.items:
                st.dataframe(pd.DataFrame(result.items).round(3), hide_index=True)
                st.caption("Overall (BLEU and chrF at corpus level): " + ", ".join(
                    f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in result.overall.items()))

# --- 2. embedding similarity --------------------------------------------------------------
with tabs[1]:
    kinds = pd.Series([p.kind.value for p in pairs]).value_counts()
    st.markdown(f"Cosine similarity with the bundled all-MiniLM-L6-v2 on {len(pairs)} labelled "
                f"pairs ({', '.join(f'{n} {k}' for k, n in kinds.items())}). A threshold calls "
                "a pair a match; sweep it and watch precision and recall trade.")
    if st.button("Embed the pairs", key="eval_sim_run", type="primary",
                 disabled="eval_sims" in st.session_state):
        from labs.evals.similarity import pair_similarities

        bar = st.progress(0.0, text="Embedding…")
        sims = pair_similarities(pairs, ui.embedder(), progress=lambda d, t: bar.progress(
            d / t if t else 1.0, text=f"Embedding {d}/{t} new sentences"))
        bar.empty()
        st.session_state["eval_sims"] = sims.tolist()
    if "eval_sims" in st.session_state:
        from labs.evals.similarity import best_threshold, sweep

        sims = np.array(st.session_state["eval_sims"])
        points = sweep(sims, [p.should_match for p in pairs])
        best = best_threshold(points)
        # precision of "no pair called a match" is 0/0; the engine reports 1.0, which drew a
        # jump to 1 at the right edge: leave a gap there instead
        matched = {p.threshold: bool((sims >= p.threshold).any()) for p in points}
        fig = go.Figure()
        for name, attr in (("precision", "precision"), ("recall", "recall"), ("F1", "f1"),
                           ("false-match rate", "false_match_rate")):
            fig.add_scatter(x=[p.threshold for p in points],
                            y=[getattr(p, attr) if attr != "precision" or matched[p.threshold]
                               else None for p in points], name=name, mode="lines")
        fig.add_vline(x=best.threshold, line_dash="dash",
                      annotation_text=f"best F1 {best.f1:.2f} at {best.threshold:.2f}")
        fig.update_layout(xaxis_title="threshold", yaxis_title="rate", height=340,
                          margin=dict(t=30, b=10), legend=dict(orientation="h", y=-0.3))
        st.plotly_chart(fig, key="eval_sim_sweep")
        hist = go.Figure([go.Histogram(x=[s for s, p in zip(sims, pairs, strict=True)
                                          if p.kind.value == k], name=k, opacity=0.65,
                                       xbins=dict(size=0.05)) for k in kinds.index])
        hist.update_layout(barmode="overlay", xaxis_title="cosine similarity",
                           yaxis_title="pairs", height=300, margin=dict(t=20, b=10))
        st.plotly_chart(hist, key="eval_sim_hist")
        st.markdown("Related-but-wrong pairs (*cancel my order* / *cancel my subscription*) sit "
                    "as close as true paraphrases or closer: no threshold separates them, which "
                    "is why the track calls threshold tuning hard and why a judge sits above "
                    "this layer.")
        t = st.slider("Threshold", 0.0, 1.0, float(best.threshold), 0.01, key="eval_sim_t")
        pt = next(p for p in points if abs(p.threshold - round(t, 2)) < 1e-9)
        c1, c2, c3 = st.columns(3)
        c1.metric("Precision", f"{pt.precision:.2f}" if matched[pt.threshold] else "n/a",
                  help=None if matched[pt.threshold] else "No pair reaches this threshold, so "
                  "nothing is called a match and precision is undefined.")
        c2.metric("Recall", f"{pt.recall:.2f}")
        c3.metric("False matches", f"{pt.false_match_rate:.0%}")
        worst = sorted(((s, p) for s, p in zip(sims, pairs, strict=True)
                        if (s >= t) != p.should_match), key=lambda x: -abs(x[0] - t))[:8]
        if worst:
            st.dataframe(pd.DataFrame([{"a": p.a, "b": p.b, "kind": p.kind.value,
                                        "cosine": round(float(s), 3)} for s, p in worst]),
                         hide_index=True, width="stretch")

# --- 3. LLM-as-judge ------------------------------------------------------------------------
with tabs[2]:
    item = pick_item("eval_judge_item")
    jitem = judge_item(item)
    st.markdown("**Rubric key points:** " + "; ".join(item.key_points))
    if st.button("Judge every answer (absolute, 1-5)", key="eval_judge_run", type="primary"):
        results, label, spent = [], "", 0.0
        bar = st.progress(0.0)
        try:
            for n, a in enumerate(item.answers, start=1):
                j = J.judge_absolute(jitem, a.text, config=cfg, learner_id=me.id)
                label, spent = j.label, spent + (j.cost_usd or 0)
                results.append({"answer": a.text, "kind": a.kind.value, "score": j.verdict.score,
                                "reasons": " · ".join(j.verdict.reasons)})
                bar.progress(n / len(item.answers))
        except (llm.LLMError, llm.LLMUnavailable) as e:
            st.error(f"The judge failed: {e}")
        bar.empty()
        if results:
            st.session_state["eval_judged"] = (item.id, label, results, spent)
    judged = st.session_state.get("eval_judged")
    if judged and judged[0] == item.id:
        _, label, results, spent = judged
        who_judged(label)
        # a wrapping table: the reasons are the point, and a dataframe cut them off
        st.table(pd.DataFrame(results), hide_index=True)
        st.caption(f"Spent ${spent:.4f} on this item.")

    st.subheader("Bias probes")
    c1, c2 = st.columns(2)
    answers = {a.id: a for a in item.answers}
    if c1.button("Position-swap probe", key="eval_swap_run"):
        ids = list(answers)
        pairs_ab = [(ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
        try:
            out = [(x, y, J.position_swap_probe(jitem, answers[x].text, answers[y].text,
                                                config=cfg, learner_id=me.id))
                   for x, y in pairs_ab]
        except (llm.LLMError, llm.LLMUnavailable) as e:
            st.error(f"The probe failed: {e}")
        else:
            st.session_state["eval_swap"] = (item.id, out)
    if (swap := st.session_state.get("eval_swap")) and swap[0] == item.id:
        out = swap[1]
        rate = sum(not r.consistent for _, _, r in out) / len(out)
        c1.metric("Position inconsistency", f"{rate:.0%}", help="Share of pairs where the "
                  "verdict followed the position rather than the answer; those count as ties.")
        c1.dataframe(pd.DataFrame([{"x": answers[x].kind.value, "y": answers[y].kind.value,
                                    "x first": r.forward, "y first": r.backward,
                                    "final": r.final} for x, y, r in out]), hide_index=True)
    if c2.button("Verbosity probe", key="eval_verb_run"):
        base = next((a for a in item.answers if a.kind.value in ("exact", "paraphrase")),
                    item.answers[0])
        try:
            st.session_state["eval_verb"] = (item.id, J.verbosity_probe(
                jitem, base.text, config=cfg, learner_id=me.id))
        except (llm.LLMError, llm.LLMUnavailable) as e:
            st.error(f"The probe failed: {e}")
    if (verb := st.session_state.get("eval_verb")) and verb[0] == item.id:
        v = verb[1]
        c2.metric("Score plain → padded", f"{v.plain} → {v.padded}")
        c2.caption(f"Pairwise (both orders): **{v.pairwise_winner}** wins. The padding adds "
                   "words and no facts, so a fair judge scores both the same.")
    if offline:
        st.caption("The offline rubric judge is position- and length-blind by construction: "
                   "its probes read 0%. That is the point of the comparison with a real model.")

# --- 4. human labels ----------------------------------------------------------------------
with tabs[3]:
    scale = st.radio("Scale", ["1-5", "pass-fail"], horizontal=True, key="eval_human_scale")
    item = pick_item("eval_human_item")
    try:
        mine = data.labels(store, me.id, scale)
    except StoreError as e:
        st.error(str(e))
        mine = {}
    options = data.SCALES[scale]
    for a in item.answers:
        with st.container(border=True):
            st.markdown(a.text)
            current = mine.get(a.id)
            choice = st.segmented_control(
                "Your label", options, key=f"eval_lab_{scale}_{a.id}",
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
    st.caption(f"You have labelled {len(labelled)} of "
               f"{sum(len(i.answers) for i in items)} answers on the {scale} scale.")
    if len(labelled) >= 2 and st.button("Compare with the judge", key="eval_agree_run"):
        try:
            judged = [J.judge_absolute(judge_item(i), a.text, config=cfg, learner_id=me.id)
                      for i, a in labelled]
        except (llm.LLMError, llm.LLMUnavailable) as e:
            st.error(f"The judge failed: {e}")
        else:
            who_judged(judged[-1].label)
            judge_scores = [j.verdict.score for j in judged]
            human = [mine[a.id] for _, a in labelled]
            if scale == "pass-fail":
                judge_scores = to_pass_fail(judge_scores)
            ag = agreement(human, judge_scores, labels=options)
            c1, c2, c3 = st.columns(3)
            c1.metric("Cohen's kappa", f"{ag.kappa:.2f}")
            c2.metric("Weighted kappa" if scale == "1-5" else "Raw agreement",
                      f"{ag.weighted_kappa:.2f}" if scale == "1-5" else f"{ag.raw:.0%}")
            c3.metric("Spearman", "n/a" if ag.spearman is None else f"{ag.spearman:.2f}")
            names = [("pass" if x else "fail") if scale == "pass-fail" else str(x)
                     for x in ag.labels]
            heat = go.Figure(go.Heatmap(z=ag.confusion, x=names, y=names, colorscale="Blues",
                                        text=ag.confusion, texttemplate="%{text}",
                                        colorbar=dict(title="answers")))
            # category axes: "0"/"1" would otherwise be read as numbers (ticks at -0.5 … 1.5)
            heat.update_layout(xaxis=dict(title="judge", type="category"),
                               yaxis=dict(title="you", type="category"), height=320,
                               margin=dict(t=20, b=10))
            st.plotly_chart(heat, key="eval_agree_heat")

# --- 5. RAG metrics -------------------------------------------------------------------------
with tabs[4]:
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
        emb = ui.embedder()
        rows = []
        for a in item.answers:
            off = rag.offline_generation_scores(item.question, a.text, item.context, emb)
            row = {"answer": a.text, "kind": a.kind.value,
                   "faithfulness (offline)": off.faithfulness,
                   "relevance (offline)": off.answer_relevance}
            if not offline:
                try:
                    on = rag.llm_generation_scores(item.question, a.text, item.context,
                                                   config=cfg)
                    row |= {"faithfulness (LLM)": on.faithfulness,
                            "relevance (LLM)": on.answer_relevance}
                except (llm.LLMError, llm.LLMUnavailable) as e:
                    st.error(f"The LLM claim check failed: {e}")
            rows.append(row)
        st.session_state["eval_rag"] = (item.id, rows)
    if (rag_rows := st.session_state.get("eval_rag")) and rag_rows[0] == item.id:
        df = pd.DataFrame(rag_rows[1])
        st.dataframe(df.round(2), hide_index=True, width="stretch")
        metric_cols = [c for c in df.columns if c not in ("answer", "kind")]
        fig = go.Figure([go.Bar(name=c, x=df["kind"], y=df[c]) for c in metric_cols])
        fig.update_layout(barmode="group", height=320, yaxis_range=[0, 1],
                          yaxis_title="score (0-1)", xaxis_title="candidate answer",
                          margin=dict(t=20, b=10), legend=dict(orientation="h", y=-0.3))
        st.plotly_chart(fig, key="eval_rag_chart")
        if offline:
            st.caption("Offline support score only; with an LLM configured, its claim check "
                       "appears beside it.")
    st.markdown("**Retrieval side** (recall@K and context precision on the golden set) is "
                "measured in the *Golden set & regressions* tab, from the retrieval engine.")

# --- 6. golden set and regressions ----------------------------------------------------------
def golden_tab() -> None:
    from labs.retrieval import RetrievalIndex, Settings

    corpus, problems = ui.bundled_corpus()
    if problems:
        st.error("The bundled golden set does not validate:\n\n" +
                 "\n".join(f"- `{p}`" for p in problems))
        return
    answerable = [q for q in corpus.queries if q.relevant]
    st.markdown(f"The retrieval lab's golden set: {len(corpus.queries)} queries "
                f"({len(answerable)} with relevant documents), each with its expected "
                "behaviour. Run named versions of a system over it; each query's score is "
                "stored, so a version that wins on average can still be caught breaking "
                "individual queries.")
    with st.expander("Run a retrieval configuration as a version", expanded=True):
        c1, c2, c3 = st.columns(3)
        mode = c1.selectbox("Pattern", ["bm25", "dense", "hybrid"], key="eval_gold_mode")
        size = c2.select_slider("Chunk tokens", [64, 128, 200, 254], 200, key="eval_gold_size")
        name = c3.text_input("Version name", f"{mode}, {size}-token chunks",
                             key="eval_gold_name", max_chars=80)
        if st.button("Run on the golden set", key="eval_gold_run", type="primary"):
            bar = st.progress(0.0, text="Indexing…")
            try:
                index = RetrievalIndex.build(
                    corpus, Settings(size=size, overlap=min(20, size // 4)),
                    ui.embedder(),
                    progress=lambda d, t: bar.progress(d / t if t else 1.0,
                                                       text=f"Embedding {d}/{t} chunks"),
                    dense=mode != "bm25")
                ev = index.evaluate(corpus.queries, modes=(mode,), k=10)
                scores = {q: m["ndcg@10"] for q, m in ev.per_query[mode].items()}
                R.save_run(store, learner_id=me.id, name=name, source="retrieval",
                           metric="ndcg@10", scores=scores,
                           config={"mode": mode, "chunk_tokens": size,
                                   "recall@10": ev.mean[mode]["recall@10"],
                                   "context_precision@10": ev.mean[mode]["precision@10"]})
            except (ValueError, StoreError) as e:
                st.error(str(e))
            else:
                st.success(f"Saved {name!r}: nDCG@10 {ev.mean[mode]['ndcg@10']:.3f}, "
                           f"recall@10 {ev.mean[mode]['recall@10']:.3f}, context precision@10 "
                           f"{ev.mean[mode]['precision@10']:.3f} over {ev.judged} queries.")
            bar.empty()
    with st.expander("Upload an answers file as a version"):
        st.caption('JSONL, one `{"id": query id, "answer": text}` a line; each answer is scored '
                   "by token F1 against the query's expected behaviour.")
        up = st.file_uploader("Answers file", type=["jsonl", "json", "txt"],
                              key="eval_gold_upload")
        up_name = st.text_input("Version name", key="eval_gold_upname", max_chars=80)
        if up is not None and st.button("Score and save", key="eval_gold_upsave"):
            try:
                text = up.getvalue().decode("utf-8")
            except UnicodeDecodeError:
                st.error(f"{up.name} is not UTF-8 text.")
            else:
                expected = {q.id: q.expected for q in corpus.queries if q.expected}
                answers, errors = R.parse_answers(text, set(expected))
                for err in errors:
                    st.error(f"{up.name}: {err}")
                try:
                    R.save_run(store, learner_id=me.id, name=up_name or up.name,
                               source="answers-file", metric="token-f1",
                               scores=R.score_answers(answers, expected))
                except (ValueError, StoreError) as e:
                    st.error(str(e))
                else:
                    st.success(f"Saved {len(answers)} scored answers.")
    saved = R.runs(store, me.id)
    if not saved:
        st.info("No versions yet: run one above.")
        return
    scores = {r.id: R.run_scores(store, r.id) for r in saved}
    agg = pd.DataFrame([{"version": f"{r.id}: {r.name}", "metric": r.metric,
                         "mean": float(np.mean(list(scores[r.id].values()))),
                         "queries": len(scores[r.id])} for r in saved])
    fig = go.Figure(go.Bar(x=agg["version"], y=agg["mean"], text=agg["metric"],
                           marker_color="#4f7cff"))
    fig.update_layout(yaxis_title="mean per-query score", height=320, margin=dict(t=20, b=10))
    st.plotly_chart(fig, key="eval_gold_agg")
    labels = {r.id: f"{r.id}: {r.name} ({r.metric})" for r in saved}
    c1, c2 = st.columns(2)
    base = c1.selectbox("Baseline", list(labels), format_func=labels.get, key="eval_gold_base")
    new = c2.selectbox("Candidate", list(labels), index=len(labels) - 1,
                       format_func=labels.get, key="eval_gold_new")
    drops = R.compare(scores[base], scores[new])
    texts = {q.id: q.text for q in corpus.queries}
    if base == new:
        st.caption("Pick two different versions to compare.")
    elif not drops:
        st.success("No query regressed.")
    else:
        st.warning(f"{len(drops)} queries regressed from version {base} to {new}.")
        st.dataframe(pd.DataFrame([{"query": texts.get(c.query_id, c.query_id),
                                    "before": round(c.before, 3), "after": round(c.after, 3),
                                    "drop": round(-c.delta, 3)} for c in drops]),
                     hide_index=True, width="stretch")


with tabs[5]:
    golden_tab()

# --- 7. online metrics ----------------------------------------------------------------------
with tabs[6]:
    st.markdown(online.__doc__.split("\n\n")[1])
    c1, c2, c3, c4 = st.columns(4)
    ship = c1.slider("Release day", 10, 50, 30, key="eval_on_ship")
    drop = c2.slider("Quality drop", 0.0, 0.3, 0.08, 0.01, key="eval_on_drop")
    delay = c3.slider("Feedback delay (days)", 0, 7, 2, key="eval_on_delay")
    exposure = c4.slider("Days to full exposure", 1, 14, 5, key="eval_on_exp")
    sim = online.simulate(ship_day=ship, drop=drop, feedback_delay_days=delay,
                          exposure_days=exposure)
    fig = go.Figure()
    fig.add_scatter(x=sim.days, y=sim.thumbs_up_rate, name="thumbs-up rate (daily)",
                    mode="markers", opacity=0.5)
    fig.add_scatter(x=sim.days, y=sim.rolling_thumbs_up, name="7-day rolling, as observed")
    fig.add_scatter(x=sim.days, y=sim.follow_up_rate, name="follow-up rate", yaxis="y2",
                    line=dict(color="#ff7f0e"))  # the alarm line keeps red to itself
    fig.add_vline(x=sim.ship_day, line_dash="dash", annotation_text="bad model ships")
    if sim.alarm_day is not None:
        fig.add_vline(x=sim.alarm_day, line_color="red", annotation_text="alarm")
    fig.update_layout(height=380, xaxis_title="day",
                      yaxis=dict(title="thumbs-up rate", tickformat=".0%"),
                      yaxis2=dict(overlaying="y", side="right", title="follow-up rate",
                                  tickformat=".1%"),
                      margin=dict(t=30, b=10), legend=dict(orientation="h", y=-0.3))
    st.plotly_chart(fig, key="eval_online_chart")
    if sim.detection_delay is None:
        st.warning("The online metrics never crossed the alarm line: the regression shipped "
                   "and stayed.")
    else:
        st.metric("Detection delay", f"{sim.detection_delay} days",
                  help="Days of users served by the worse model before the alarm.")

# --- 8. cost per 1,000 ----------------------------------------------------------------------
with tabs[7]:
    st.markdown("What one more thousand evaluations costs at each layer, from measurements on "
                "this machine and genai-prices' price table.")
    sample = items[0]
    ref_s, rubric_s = local_layer_ms(sample.id)
    prompt_tokens = costs.estimate_tokens(J.absolute_messages(judge_item(sample),
                                                              sample.answers[0].text)[1]["content"])
    c1, c2 = st.columns(2)
    rate = c1.number_input("Human rater, USD per hour", 5.0, 500.0, 40.0, key="eval_cost_rate")
    secs = c2.number_input("Seconds per human label", 5.0, 600.0, 45.0, key="eval_cost_secs")
    rows = [costs.LayerCost("reference metrics", 0.0, ref_s, "local CPU, measured here"),
            costs.LayerCost("embedding similarity", 0.0, 1000 / 50,
                            "local MiniLM at ~50 short texts/s on 2 cores"),
            costs.LayerCost("offline rubric judge", 0.0, rubric_s, "local, measured here")]
    for provider, model in costs.JUDGE_MODELS:
        usd = costs.judge_cost(prompt_tokens, provider, model)
        rows.append(costs.LayerCost(f"LLM judge: {model}", usd, 1000 * 1.5,
                                    f"{prompt_tokens} input + {costs.JUDGE_OUTPUT_TOKENS} output "
                                    "tokens a call; ~1.5 s a call, sequential"))
    rows.append(costs.human_cost(rate, secs))
    rows.append(costs.LayerCost("online metrics", 0.0, 0.0, "free per item, but days late"))
    df = pd.DataFrame([{"layer": r.layer, "USD per 1,000": r.usd_per_1000,
                        "hours per 1,000": r.seconds_per_1000 / 3600, "how": r.note}
                       for r in rows])
    # a log axis cannot draw $0 (or an unknown price): say so in the layer's label instead of
    # leaving an empty slot that reads like missing data
    usd_col = df["USD per 1,000"]
    names = [f"{layer} (price unknown)" if pd.isna(v) else f"{layer} ($0)" if v == 0 else layer
             for layer, v in zip(df["layer"], usd_col, strict=True)]
    fig = go.Figure(go.Bar(x=names, y=usd_col.where(usd_col > 0), marker_color="#4f7cff",
                           text=[f"${v:,.2f}" if v > 0 else "" for v in usd_col.fillna(0)],
                           textposition="outside", cliponaxis=False))
    fig.update_layout(yaxis_type="log", yaxis_title="USD per 1,000 evaluations (log)",
                      xaxis_title="eval layer", height=380, margin=dict(t=30, b=10))
    st.plotly_chart(fig, key="eval_cost_chart")
    st.dataframe(df, hide_index=True, width="stretch",
                 column_config={"USD per 1,000": st.column_config.NumberColumn(format="$%.4f"),
                                "hours per 1,000": st.column_config.NumberColumn(format="%.3f")})
