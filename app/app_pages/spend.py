"""LLM spend: every gateway call attributed by feature, learner and day, the call log, the
response cache. The track's per-tenant cost attribution, applied to this app itself."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from sqlmodel import select

from app import ui
from labs import llm
from labs.llm.accounting import prices_version
from labs.llm.views import spend_bar
from labs.store import StoreError
from labs.store.models import Learner

store = ui.store()

st.title("LLM spend")
st.caption("Every call through the gateway is tagged with its feature and learner and "
           f"priced with genai-prices {prices_version()} (the price table shipped with the "
           "package). The provider's bill is one line; this attribution is what tells you "
           "which feature and which learner it came from. Offline runs and cache hits cost $0.")

cfg = ui.llm_config()
with st.expander("Try the gateway: one streamed call, recorded below as `llm.playground`",
                 icon=":material/bolt:"):
    prompt = st.text_area("Prompt", key="spend_prompt", max_chars=4000, height=90,
                          value="In two sentences: why attribute LLM cost per tenant?")
    if st.button("Send", key="spend_send", type="primary",
                 disabled=cfg.provider == "offline",
                 help="Choose a provider in the sidebar first." if cfg.provider == "offline"
                 else f"Sends the prompt to {cfg.label}."):
        try:
            with ui.llm_waits():
                pieces = llm.complete(prompt, feature="llm.playground",
                                      learner_id=ui.learner().id, stream=True, config=cfg)
                st.write_stream(pieces)
        except (ValueError, llm.LLMUnavailable, llm.LLMError) as e:
            st.error(str(e))
        else:
            done = pieces.completion
            if done is not None:
                cost = "cost unknown" if done.cost_usd is None else f"${done.cost_usd:.6f}"
                st.caption(f"{done.label} · {done.input_tokens} in / {done.output_tokens} out "
                           f"tokens · {cost} · {done.latency_ms:.0f} ms")
    if cfg.provider == "offline":
        st.caption("Offline: there is no LLM to send this to. Choose one in the sidebar.")

try:
    summary = llm.spend_summary(store)
    cache = llm.cache_stats(store)
except StoreError as e:
    st.error(f"**The call log cannot be read.** {e}")
    st.stop()

total, unknown = summary["cost_usd"], summary["unknown"]
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Known cost", f"${total:,.4f}")
c2.metric("Calls", summary["calls"])
c3.metric("Cache hits", cache["hits"], help=f"{cache['entries']} answers in the cache")
c4.metric("Cost unknown", unknown, help="Calls to a model genai-prices has no price for "
          "(a local model, a new name). Not counted in the known cost.")
c5.metric("Errors", summary["errors"])

if unknown:
    st.warning(f"**{unknown} call{'s' * (unknown != 1)}: cost unknown.** The model is not in "
               "genai-prices' table (local models usually are not), so the known cost above "
               "leaves them out rather than guessing.", icon=":material/help:")

if not summary["calls"]:
    st.info("No LLM calls yet. " + (
        "The app is offline: features with a deterministic engine use it and cost nothing. "
        "Choose a provider in the sidebar to see spend here." if cfg.provider == "offline"
        else f"Calls through {cfg.label} will appear here as features use it."),
        icon=":material/receipt_long:")
    st.stop()

with store.session() as db:
    names = {lr.id: lr.name for lr in db.exec(select(Learner)).all()}


def learner_label(lid) -> str:
    return "no learner" if lid is None else names.get(lid, f"learner {lid}")


by_feature, by_learner, by_day = st.tabs(["By feature", "By learner", "By day"])
with by_feature:
    st.plotly_chart(spend_bar(summary["by_feature"], str, "Cost by feature"), width="stretch")
with by_learner:
    st.plotly_chart(spend_bar(summary["by_learner"], learner_label, "Cost by learner"),
                    width="stretch")
with by_day:
    days = summary["by_day"]
    fig = go.Figure()
    fig.add_bar(x=[r["key"] for r in days], y=[r["cost_usd"] for r in days], name="known cost",
                hovertemplate="%{x}: $%{y:.6f}<extra></extra>")
    fig.add_scatter(x=[r["key"] for r in days], y=[r["calls"] for r in days], name="calls",
                    yaxis="y2", mode="lines+markers")
    fig.update_layout(title="Cost and calls by day", height=320, yaxis_title="USD (known)",
                      yaxis2={"title": "calls", "overlaying": "y", "side": "right"},
                      margin={"t": 40, "b": 10, "l": 10, "r": 10}, xaxis_type="category")
    st.plotly_chart(fig, width="stretch")

st.subheader("Call log")
log = llm.call_log(store, limit=200)
st.dataframe([{
    "when (UTC)": c.created_at.strftime("%Y-%m-%d %H:%M:%S"),
    "feature": c.feature,
    "learner": learner_label(c.learner_id),
    "provider:model": c.provider if c.provider == "offline" else f"{c.provider}:{c.model}",
    "cost": "cost unknown" if c.cost_usd is None else f"${c.cost_usd:.6f}",
    "result": "ok" + (" (repaired)" if c.repaired else "") if c.ok else f"error: {c.error}",
    "cache hit": c.cache_hit,
    "tokens in/out": f"{c.input_tokens}/{c.output_tokens}",
    "cached tokens": c.cached_tokens,
    "latency ms": round(c.latency_ms),
    "attempts": c.attempts,
} for c in log], hide_index=True, width="stretch")
st.caption(f"The {len(log)} most recent of {summary['calls']} calls. No prompt, answer or key "
           "is stored in this log.")

left, right = st.columns(2)
# a callable: the whole log is read and written out only when the button is clicked
left.download_button("Download the call log (CSV)", lambda: llm.export_calls_csv(store),
                     file_name="llm_calls.csv", mime="text/csv", key="spend_export",
                     icon=":material/download:")
if right.button(f"Clear the response cache ({cache['entries']} answers)", key="spend_clear",
                icon=":material/delete_sweep:", disabled=not cache["entries"]):
    dropped = llm.cache_clear(store)
    st.toast(f"Dropped {dropped} cached answers.")
    st.rerun()
