"""The eval-pyramid sandbox, one tab per layer; labs/evals/views.py computes what it draws."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app import ui
from app.app_pages import evals_golden
from app.app_pages import evals_panels as panels
from labs import llm
from labs.content import ContentError
from labs.evals import costs, data, judgefile, online, views
from labs.evals import judge as J

store, me, cfg = ui.store(), ui.learner(), ui.llm_config()
offline, FAILED = llm.is_offline(cfg), (llm.LLMError, llm.LLMUnavailable)

st.title("Eval-pyramid sandbox")
st.caption("Every layer of the pyramid scores the same questions and candidate answers, so you "
           "can see where the layers agree, where each breaks, and what each costs.")


@st.cache_data(show_spinner=False, ttl=600)
def eval_data():
    return data.load_items(), data.load_pairs().pairs


@st.cache_data(show_spinner=False, ttl=600, max_entries=4)
def rubric_calibration(_items, key: str) -> dict:
    """The offline judge on every labelled sandbox answer (deterministic: once per server)."""
    return judgefile.judge_lines(judgefile.lines_from_items(_items), J.RubricJudge(record=False))


@st.cache_data(show_spinner=False, ttl=600)
def reference_by_kind(_items) -> dict:
    return views.reference_by_kind(_items)


@st.cache_data(show_spinner=False)
def local_layer_ms() -> tuple[float, float]:
    """Milliseconds per evaluation of the local layers, measured once per server."""
    rows = costs.layer_costs(eval_data()[0].items[0], 40.0, 45.0)
    return rows[0].seconds_per_1000, rows[2].seconds_per_1000


try:
    bundle, pairs = eval_data()
except ContentError as e:
    st.error("The eval data in content/evals does not validate:\n\n" +
             "\n".join(f"- `{p}`" for p in e.problems))
    st.stop()
items = bundle.items
by_id = {i.id: i for i in items}
judge = J.make_judge(cfg, learner_id=me.id)


def fig(spec: dict, key: str) -> None:
    st.plotly_chart(go.Figure(spec), key=key)


def pick_item(key: str):
    return by_id[st.selectbox("Question", list(by_id), key=key,
                              format_func=lambda i: by_id[i].question)]


def judge_item(item) -> J.JudgeItem:
    return J.JudgeItem(item.question, list(item.key_points), item.references[0])


def who_judged(label: str) -> None:
    if label == J.RUBRIC_LABEL:
        st.info("Judged by the **offline rubric judge** (claims against the reference: key "
                "points matched by MiniLM and shared words, negations and contradictions count "
                "against; deterministic, not an LLM). Configure an LLM in the sidebar to judge "
                "with a model and see its biases.", icon=":material/rule:")
    else:
        st.caption(f"Judged by {label}.")


def read_upload(up) -> str | None:
    try:
        return up.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.error(f"{up.name} is not UTF-8 text.")
    return None


tabs = st.tabs(["Reference metrics", "Embedding similarity", "LLM-as-judge", "Human labels",
                "RAG metrics", "Golden set & regressions", "Online metrics", "Cost per 1,000"])

with tabs[0]:
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
    with st.expander(f"Across all {len(items)} questions: mean per kind, 95% intervals"):
        fig(reference_by_kind(items)["figure"], "eval_ref_kinds")
    own = st.text_area("Try your own prediction against this reference", key="eval_ref_own",
                       max_chars=2000)
    if own.strip():
        st.json(views.own_prediction(item, own))
    up = st.file_uploader("Score a pairs file (JSONL: id, prediction, references)",
                          type=["jsonl", "json", "txt"], key="eval_ref_upload")
    if up is not None and (text := read_upload(up)) is not None:
        panels.pairs_file(up.name, text)


@st.fragment
def similarity_panel() -> None:
    kinds = pd.Series([p.kind.value for p in pairs]).value_counts()
    st.markdown(f"Cosine similarity with the bundled all-MiniLM-L6-v2 on {len(pairs)} labelled "
                f"pairs ({', '.join(f'{n} {k}' for k, n in kinds.items())}). A threshold calls "
                "a pair a match; sweep it and watch precision and recall trade.")
    if st.button("Embed the pairs", key="eval_sim_run", type="primary",
                 disabled="eval_sims" in st.session_state):
        from labs.evals.similarity import pair_similarities

        bar = st.progress(0.0, text="Embedding…")
        st.session_state["eval_sims"] = pair_similarities(pairs, ui.embedder(), progress=lambda
            d, t: bar.progress(d / t if t else 1.0, text=f"Embedding {d}/{t}")).tolist()
        bar.empty()
    if "eval_sims" not in st.session_state:
        return
    best = views.similarity_view(st.session_state["eval_sims"], pairs)["best"]
    t = st.slider("Threshold", 0.0, 1.0, float(best.threshold), 0.01, key="eval_sim_t")
    v = views.similarity_view(st.session_state["eval_sims"], pairs, t)
    fig(v["sweep"], "eval_sim_sweep")
    fig(v["histogram"], "eval_sim_hist")
    st.markdown("Related-but-wrong pairs (*cancel my order* / *cancel my subscription*) sit "
                "as close as true paraphrases or closer: no threshold separates them, which "
                "is why threshold tuning is hard and why a judge sits above this layer.")
    c1, c2, c3 = st.columns(3)
    c1.metric("Precision", v["precision_text"], help="n/a: no pair reaches this threshold, so "
              "nothing is called a match and precision is undefined (0/0).")
    c2.metric("Recall", f"{v['point'].recall:.2f}")
    c3.metric("False matches", f"{v['point'].false_match_rate:.0%}")
    if v["wrong_rows"]:
        st.dataframe(pd.DataFrame(v["wrong_rows"]), hide_index=True, width="stretch")


with tabs[1]:
    similarity_panel()

with tabs[2]:
    panels.calibration_panel(bundle, judge, rubric_calibration(bundle, "v1"), fig)
    item = pick_item("eval_judge_item")
    jitem = judge_item(item)
    st.markdown("**Rubric key points:** " + "; ".join(item.key_points))
    if st.button("Judge every answer (absolute, 1-5)", key="eval_judge_run", type="primary"):
        try:
            with ui.llm_waits():
                done = [(a, judge.absolute(jitem, a.text)) for a in item.answers]
        except FAILED as e:
            st.error(f"The judge failed: {e}")
        else:
            st.session_state["eval_judged"] = (item.id, done[-1][1].label, [
                {"answer": a.text, "kind": a.kind.value,
                 "score": j.verdict.score, "reasons": " · ".join(j.verdict.reasons)}
                for a, j in done], sum(j.cost_usd or 0 for _, j in done))
    if (judged := st.session_state.get("eval_judged")) and judged[0] == item.id:
        who_judged(judged[1])
        st.table(pd.DataFrame(judged[2]), hide_index=True)  # wraps: the reasons are the point
        st.caption(f"Spent ${judged[3]:.4f} on this item.")
    st.subheader("Bias probes")
    c1, c2 = st.columns(2)
    answers = {a.id: a for a in item.answers}
    if c1.button("Position-swap probe", key="eval_swap_run"):
        ids = list(answers)
        try:
            with ui.llm_waits():
                st.session_state["eval_swap"] = (item.id, [
                    (x, y, J.position_swap_probe(judge, jitem, answers[x].text,
                                                 answers[y].text))
                    for n, x in enumerate(ids) for y in ids[n + 1:]])
        except FAILED as e:
            st.error(f"The probe failed: {e}")
    if (swap := st.session_state.get("eval_swap")) and swap[0] == item.id:
        out = swap[1]
        rate = sum(not r.consistent for *_, r in out) / len(out)
        c1.metric("Position inconsistency", f"{rate:.0%}",
                  help="Share of pairs where the verdict followed the position; those are ties.")
        c1.dataframe(pd.DataFrame([{"x": answers[x].kind.value, "y": answers[y].kind.value,
                                    "x first": r.forward, "y first": r.backward,
                                    "final": r.final} for x, y, r in out]), hide_index=True)
    if c2.button("Verbosity probe", key="eval_verb_run"):
        base = next((a for a in item.answers if a.kind.value == "exact"), item.answers[0])
        try:
            with ui.llm_waits():
                st.session_state["eval_verb"] = (item.id, J.verbosity_probe(judge, jitem,
                                                                            base.text))
        except FAILED as e:
            st.error(f"The probe failed: {e}")
    if (verb := st.session_state.get("eval_verb")) and verb[0] == item.id:
        c2.metric("Score plain → padded", f"{verb[1].plain} → {verb[1].padded}")
        c2.caption(f"Pairwise (both orders): **{verb[1].pairwise_winner}** wins. The padding "
                   "adds words and no facts, so a fair judge scores both the same.")
    if offline:
        st.caption("The rubric judge scores each answer alone, so its position probe reads 0%: "
                   "compare with a real model.")

with tabs[3]:
    panels.human_tab(store, me, items, judge, pick_item, who_judged, fig)

with tabs[4]:
    panels.rag_tab(cfg, offline, pick_item, fig)

with tabs[5]:
    evals_golden.golden_tab(store, me, fig)

with tabs[6]:
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

with tabs[7]:
    st.markdown("What one more thousand evaluations costs at each layer, from measurements on "
                "this machine and genai-prices' price table.")
    c1, c2 = st.columns(2)
    rate = c1.number_input("Human rater, USD per hour", 5.0, 500.0, 40.0, key="eval_cost_rate")
    secs = c2.number_input("Seconds per human label", 5.0, 600.0, 45.0, key="eval_cost_secs")
    v = views.cost_view(costs.layer_costs(items[0], rate, secs, local_layer_ms()))
    fig(v["figure"], "eval_cost_chart")
    st.dataframe(pd.DataFrame(v["rows"]), hide_index=True, width="stretch",
                 column_config={"USD per 1,000": st.column_config.NumberColumn(format="$%.4f"),
                                "hours per 1,000": st.column_config.NumberColumn(format="%.3f")})
