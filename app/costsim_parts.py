"""Streamlit pieces of the Cost & latency page that sit apart from the simulator: the price
override expander, the semantic-cache tab and the attribution tab (each tab a fragment on the
page). Logic lives in labs/costsim (view.py, semcache.py, attribution.py); this file only reads
widgets and draws."""

from __future__ import annotations

import streamlit as st

from labs.costsim import view
from labs.costsim.prices import PRICE_KEYS, PRICE_LABELS, resolve

P = "cost_"  # the page's session and widget key prefix
SIMULATOR, SEMANTIC = "cost_simulator", "cost_semantic"  # fragment keys, for keyed reruns


def draw_metrics(rows: list[list[view.Metric]]) -> None:
    for row in rows:
        for col, m in zip(st.columns(len(row)), row, strict=True):
            col.metric(m.label, m.value, help=m.help or None)


def say(lines: list[tuple[str, str]]) -> None:
    for level, text in lines:
        getattr(st, level)(text)


def _use_measured(row: dict) -> None:
    """Set the simulator's cache shares, then rerun both tabs (not the attribution one)."""
    for k, v in view.measured_rates(row).items():
        st.session_state[P + k] = v
    st.rerun([SIMULATOR, SEMANTIC])


def prices_expander(custom: dict) -> None:
    model = st.session_state[P + "model"]
    try:
        base = resolve(model, custom=custom)
    except (LookupError, ValueError) as e:
        st.error(str(e))
        return
    st.caption(f"`{base.model_id}` from **{base.source}** ({base.provider_id}), USD per million "
               "tokens" + (" — tiered by prompt length; an override makes it flat"
                           if base.tiered else ""))
    over = dict(st.session_state[P + "overrides"].get(model, {}))
    for k in PRICE_KEYS:
        shipped = base.rate(k)
        if st.checkbox(f"Override {PRICE_LABELS[k]} (genai-prices: "
                       f"{'—' if shipped is None else f'${shipped:g}'})", value=k in over,
                       key=f"{P}ov_on_{model}_{k}"):
            over[k] = st.number_input(f"{PRICE_LABELS[k]} USD/MTok", min_value=0.0,
                                      value=float(over.get(k, shipped or 0.0)),
                                      key=f"{P}ov_{model}_{k}")
        else:
            over.pop(k, None)
    if model not in custom:
        st.session_state[P + "overrides"] = view.with_override(
            st.session_state[P + "overrides"], model, over)
    with st.form(P + "custom_form", clear_on_submit=True, border=False):
        st.markdown("**Add a custom model**")
        name = st.text_input("Name", key=P + "cm_name", max_chars=80)
        cols = st.columns(4)
        vals = {k: cols[i].number_input(PRICE_LABELS[k], min_value=0.0, value=None,
                                        key=f"{P}cm_{k}") for i, k in enumerate(PRICE_KEYS)}
        if st.form_submit_button("Add model"):
            try:
                st.session_state[P + "custom"] = view.with_custom_model(custom, name, vals)
            except ValueError as e:
                st.error(str(e))
            else:
                st.rerun()  # the model list is drawn above this form


def semantic_tab() -> None:
    from labs.costsim import semcache
    from labs.costsim.charts import semantic_caption, semantic_sweep

    st.subheader("Semantic cache: hit rate against false hits")
    st.markdown(semcache.EXPLAINER)
    log = semcache.load_query_log()
    st.caption(f"{len(log.log)} queries in {len(log.clusters)} clusters, "
               f"{len(log.near_misses)} near-miss pairs.")
    if st.button("Embed the log and replay it", key=P + "sem_run", type="primary",
                 icon=":material/play_arrow:"):
        from app import ui

        bar = st.progress(0.0, text="Loading the embedding model…")
        st.session_state[P + "sem"] = semcache.run_lab(
            ui.embedder(), log, lambda done, total: bar.progress(
                done / total if total else 1.0, text=f"Embedding queries: {done}/{total}"))
        bar.empty()
    if (res := st.session_state.get(P + "sem")) is None:
        st.info("Nothing embedded yet: the model loads only when you press the button.",
                icon=":material/info:")
        return
    table = res["table"]
    st.plotly_chart(semantic_sweep(table), key=P + "fig_sem")
    st.caption(semantic_caption(table))
    st.dataframe(table, hide_index=True, key=P + "sem_table", column_config={
        k: st.column_config.NumberColumn(format="percent") for k in semcache.RATE_COLUMNS})
    xs = [r["threshold"] for r in table]
    t = st.select_slider("Inspect the hits at threshold", options=xs, value=0.85, key=P + "sem_t")
    at = view.semantic_at(res, log, t)
    st.markdown(f"At **{t:.2f}**: {len(at['hits'])} hits, **{len(at['wrong'])} false**.")
    if at["wrong"]:
        st.dataframe(at["wrong"], hide_index=True, key=P + "sem_wrong")
    rates = at["rates"]
    st.button(f"Use these rates in the simulator (exact {rates['exact_cache_hit_rate']:.1%}, "
              f"semantic {rates['semantic_cache_hit_rate']:.1%} on top)", key=P + "sem_use",
              on_click=_use_measured, args=(at["row"],),
              help="The semantic layer sits behind the exact cache: it adds only what exact "
                   "match missed.")
    st.markdown("**Near-miss pairs** — their two closest queries:")
    st.dataframe(res["near"], hide_index=True, key=P + "sem_near")


@st.cache_resource(show_spinner="Generating and pricing the traffic…", max_entries=4, ttl=3600)
def _traffic(calls: int, hot: float, seed: int):
    """The call log, shared read-only across sessions (no copy on every rerun)."""
    from labs.costsim import attribution

    return attribution.generate_traffic(calls=calls, hot_share=hot, seed=seed)


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _attribution(calls: int, hot: float, seed: int, budgets: tuple, limits: tuple) -> dict:
    return view.attribution_panel(_traffic(calls, hot, seed), budgets, limits)


def attribution_tab() -> None:
    import plotly.graph_objects as go

    st.subheader("Per-tenant cost attribution")
    st.markdown("Every call is tagged `customer_id` and `feature_id` and priced on genai-prices; "
                "the provider's bill is one line, this roll-up is what makes per-customer "
                "pricing defensible. Synthetic traffic, seeded: one hot tenant that grows "
                "through the month and sends bursts.")
    a1, a2, a3 = st.columns(3)
    calls = a1.slider("Calls this month", 5_000, 150_000, 60_000, step=5_000, key=P + "at_calls")
    hot = a2.slider("Hot tenant's share", 0.0, 0.9, 0.45, step=0.05, key=P + "at_hot")
    seed = a3.number_input("Seed", min_value=0, value=11, step=1, key=P + "at_seed")
    st.markdown("**Budgets and rate limits** (edit the table)")
    policy = st.data_editor(
        view.attribution_policy(_traffic(int(calls), float(hot), int(seed))), hide_index=True,
        disabled=["customer_id", "busiest minute"], key=P + "at_policy", column_config={
            "budget_usd": st.column_config.NumberColumn(min_value=0.0),
            "limit_per_minute": st.column_config.NumberColumn(min_value=1, step=1)})
    panel = _attribution(int(calls), float(hot), int(seed), *view.policy_of(policy))
    a = panel["analysis"]
    draw_metrics([panel["metrics"]])
    say(panel["alerts"])
    for spec, key in zip(panel["figures"], ("at_fig_tenant", "at_fig_cum"), strict=True):
        st.plotly_chart(go.Figure(spec, _validate=False), key=P + key)
    money, share = (st.column_config.NumberColumn(format=f) for f in ("dollar", "percent"))
    c1, c2 = st.columns(2)
    c1.markdown("**Per tenant**")
    c1.dataframe(a.by_tenant, hide_index=True, key=P + "at_tenants",
                 column_config={"share": share, "cost_usd": money})
    c2.markdown("**Per feature**")
    c2.dataframe(a.by_feature, hide_index=True, key=P + "at_features",
                 column_config={"share": share, "cost_usd": money})
    st.markdown("**Rate limits** — calls past a tenant's limit within one minute are refused")
    st.dataframe(a.cut, hide_index=True, key=P + "at_cut",
                 column_config={"cut_share": share, "cut_cost_usd": money})
    st.caption(panel["refused"])
