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
from labs.evals import costs, data, judgefile, views
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

with tabs[0]:  # this tab and the last two are fragments: their widgets rerun only them
    st.fragment(panels.reference_tab)(pick_item, read_upload, fig, reference_by_kind(items),
                                      len(items))


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
    st.fragment(panels.online_tab)(fig)

with tabs[7]:
    st.fragment(panels.cost_tab)(items, local_layer_ms(), fig)
