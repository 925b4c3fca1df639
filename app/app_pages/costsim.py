"""Cost & latency lab: the lever simulator on genai-prices, the semantic-cache lab on real
embeddings, and per-tenant cost attribution. Engines in labs/costsim; this page reads widgets
and draws."""

from __future__ import annotations

import streamlit as st

from labs.costsim import model as cm
from labs.costsim.prices import PRICE_KEYS, PRICE_LABELS, catalogue, resolve, snapshot_label
from labs.costsim.scenario import (
    RATE_FIELDS,
    Scenario,
    ScenarioError,
    dumps_scenario,
    loads_scenario,
    parse_scenario,
)

P = "cost_"  # session and widget key prefix
DEFAULT = {
    "requests_per_day": 20000.0, "input_tokens": 3000, "output_tokens": 350,
    "model": "claude-sonnet-4-6", "cached_prefix_tokens": 2000, "prompt_cache_hit_rate": 0.85,
    "exact_cache_hit_rate": 0.03, "semantic_cache_hit_rate": 0.2, "batch_share": 0.0,
    "streaming": True,
}
WIDGET_FIELDS = [f for f in Scenario.model_fields if f not in
                 ("provider", "price_overrides", "custom_models")]
COMPARE_DEFAULT = ["gpt-4.1-mini", "claude-haiku-4-5"]


@st.cache_data(show_spinner=False, max_entries=1, ttl=3600)
def _catalogue() -> list[str]:
    return catalogue()


def _init_state() -> None:
    base = Scenario(**DEFAULT).model_dump()
    for f in WIDGET_FIELDS:
        st.session_state.setdefault(P + f, base[f])
    st.session_state.setdefault(P + "overrides", {})
    st.session_state.setdefault(P + "custom", {})
    st.session_state.setdefault(P + "provider", None)


def _apply(s: Scenario) -> None:
    """Put a scenario into the widgets (called from callbacks, before widgets exist)."""
    data = s.model_dump()
    for f in WIDGET_FIELDS:
        st.session_state[P + f] = data[f]
    st.session_state[P + "provider"] = s.provider
    st.session_state[P + "overrides"] = dict(s.price_overrides)
    st.session_state[P + "custom"] = dict(s.custom_models)


def _load_text(text: str, source: str) -> None:
    try:
        s = loads_scenario(text)
    except ScenarioError as e:
        st.session_state[P + "load_errors"] = (source, e.problems)
        return
    st.session_state.pop(P + "load_errors", None)
    _apply(s)
    st.session_state[P + "loaded"] = source


def _on_upload() -> None:
    up = st.session_state.get(P + "upload")
    if up is None:
        return
    raw = up.getvalue()
    if len(raw) > 200_000:
        st.session_state[P + "load_errors"] = (up.name, [("scenario", "file over 200 kB")])
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        st.session_state[P + "load_errors"] = (up.name, [("scenario", "not UTF-8 text")])
        return
    _load_text(text, up.name)


def _on_paste() -> None:
    text = st.session_state.get(P + "paste") or ""
    if not text.strip():
        st.session_state[P + "load_errors"] = (
            "pasted text", [("scenario", "the box is empty: paste a YAML or JSON scenario first")])
        return
    _load_text(text, "pasted text")


def _pull(lever: str) -> None:
    from labs.costsim.levers import pulled

    try:
        s = _scenario_from_widgets()
    except ScenarioError:
        return
    other = pulled(s, lever, COMPARE_DEFAULT[0])
    if other is not None:
        _apply(other)


def _use_measured(row: dict) -> None:
    exact = round(row["exact-match hit rate"], 3)
    st.session_state[P + "exact_cache_hit_rate"] = exact
    st.session_state[P + "semantic_cache_hit_rate"] = round(max(row["hit rate"] - exact, 0.0), 3)


def _scenario_from_widgets() -> Scenario:
    data = {f: st.session_state[P + f] for f in WIDGET_FIELDS}
    data["provider"] = st.session_state.get(P + "provider")
    data["price_overrides"] = st.session_state[P + "overrides"]
    data["custom_models"] = st.session_state[P + "custom"]
    return parse_scenario(data)


def _show_problems(problems: list[tuple[str, str]], where: str) -> None:
    st.error(f"**{where} is not a valid scenario:**\n\n" +
             "\n".join(f"- `{f}`: {m}" for f, m in problems))


# --- page ----------------------------------------------------------------------------------

_init_state()
st.title("Cost & latency")
st.caption("Pull each lever of the track's table and watch monthly cost, cost per request and "
           "latency move. Prices: " + snapshot_label() + ". Every price can be overridden.")

sim_tab, sem_tab, attr_tab = st.tabs(["Simulator", "Semantic cache", "Attribution"])

with sim_tab:
    with st.expander("Load or save a scenario (YAML or JSON)", icon=":material/upload_file:"):
        c1, c2 = st.columns(2)
        c1.file_uploader("Scenario file", type=["yaml", "yml", "json"], key=P + "upload",
                         on_change=_on_upload)
        c2.text_area("…or paste one", key=P + "paste", height=120,
                     placeholder="requests_per_day: 1000\ninput_tokens: 800\n"
                                 "output_tokens: 200\nmodel: gpt-4o")
        c2.button("Load pasted scenario", key=P + "load_paste", on_click=_on_paste)
        st.caption("Fields: " + ", ".join(f"`{f}`" for f in Scenario.model_fields))
    if P + "load_errors" in st.session_state:
        src, problems = st.session_state[P + "load_errors"]
        _show_problems(problems, src)
        st.caption("The simulator kept the scenario it had.")
    elif P + "loaded" in st.session_state:
        st.success(f"Loaded {st.session_state.pop(P + 'loaded')}.")

    left, right = st.columns([1, 2], gap="large")
    custom = st.session_state[P + "custom"]
    models = sorted(set(_catalogue()) | set(custom) | {st.session_state[P + "model"]})
    with left:
        st.subheader("Levers")
        st.selectbox("Model (genai-prices or custom)", models, key=P + "model",
                      help="Model tier is the biggest cost lever.")
        st.number_input("Requests per day", min_value=0.0, step=1000.0, format="%g",
                        key=P + "requests_per_day")
        a, b = st.columns(2)
        a.number_input("Input tokens / request", min_value=0, step=100, key=P + "input_tokens",
                       help="Shorter context (RAG instead of stuffing) lowers this.")
        b.number_input("Output tokens / request", min_value=0, step=50, key=P + "output_tokens")
        st.number_input("Cached prefix tokens (system prompt, tools, stable context)",
                        min_value=0, step=100, key=P + "cached_prefix_tokens")
        st.slider("Prompt-cache hit rate (share of calls)", 0.0, 1.0, step=0.01,
                  key=P + "prompt_cache_hit_rate")
        st.slider("Exact-cache hit rate (share of requests)", 0.0, 1.0, step=0.001,
                  key=P + "exact_cache_hit_rate")
        st.slider("Semantic-cache hit rate (share of requests)", 0.0, 1.0, step=0.001,
                  key=P + "semantic_cache_hit_rate",
                  help="Measure a realistic value in the Semantic cache tab.")
        st.slider("Batch share (offline calls at 50% off)", 0.0, 1.0, step=0.01,
                  key=P + "batch_share")
        st.toggle("Streaming", key=P + "streaming")
        with st.expander("Latency settings"):
            st.number_input("Network round trip to the API (ms)", min_value=0.0,
                            key=P + "network_rtt_ms")
            st.number_input("Mean queueing at the API (ms)", min_value=0.0, key=P + "queue_ms")
            st.number_input("Cache hit latency (ms)", min_value=0.0, key=P + "cache_latency_ms")
            st.number_input("Prefill speed (tokens/s per request)", min_value=1.0,
                            key=P + "prefill_tokens_per_s")
            st.number_input("Decode speed (tokens/s per request)", min_value=1.0,
                            key=P + "decode_tokens_per_s")
        with st.expander("Self-hosting"):
            st.number_input("GPU hourly price (USD)", min_value=0.0, step=0.1,
                            key=P + "gpu_hourly_usd")
            st.number_input("GPUs", min_value=0, step=1, key=P + "gpus")
            st.slider("Utilisation you can count on", 0.0, 1.0, step=0.05, key=P + "utilisation")
            st.number_input("Concurrent requests per GPU", min_value=1, key=P + "streams_per_gpu")
            st.number_input("Peak ÷ mean traffic", min_value=1.0, step=0.5,
                            key=P + "peak_to_mean")
            st.number_input("Round trip inside your network (ms)", min_value=0.0,
                            key=P + "self_host_rtt_ms")
        with st.expander("Prices (override or add a model)"):
            model = st.session_state[P + "model"]
            try:
                base = resolve(model, custom=custom)
            except (LookupError, ValueError) as e:
                st.error(str(e))
                base = None
            if base is not None:
                st.caption(f"`{base.model_id}` from **{base.source}** ({base.provider_id}), "
                           "USD per million tokens" + (" — tiered by prompt length; an override "
                                                       "makes it flat" if base.tiered else ""))
                over = dict(st.session_state[P + "overrides"].get(model, {}))
                for k in PRICE_KEYS:
                    shipped = base.rate(k)
                    on = st.checkbox(f"Override {PRICE_LABELS[k]} (genai-prices: "
                                     f"{'—' if shipped is None else f'${shipped:g}'})",
                                     value=k in over, key=f"{P}ov_on_{model}_{k}")
                    if on:
                        over[k] = st.number_input(f"{PRICE_LABELS[k]} USD/MTok", min_value=0.0,
                                                  value=float(over.get(k, shipped or 0.0)),
                                                  key=f"{P}ov_{model}_{k}")
                    else:
                        over.pop(k, None)
                if model not in custom:
                    overrides = dict(st.session_state[P + "overrides"])
                    if over:
                        overrides[model] = over
                    else:
                        overrides.pop(model, None)
                    st.session_state[P + "overrides"] = overrides
            with st.form(P + "custom_form", clear_on_submit=True, border=False):
                st.markdown("**Add a custom model**")
                name = st.text_input("Name", key=P + "cm_name", max_chars=80)
                cols = st.columns(4)
                vals = {k: cols[i].number_input(PRICE_LABELS[k], min_value=0.0, value=None,
                                                key=f"{P}cm_{k}")
                        for i, k in enumerate(PRICE_KEYS)}
                if st.form_submit_button("Add model"):
                    if not name.strip():
                        st.error("Give the custom model a name.")
                    elif vals["input_mtok"] is None or vals["output_mtok"] is None:
                        st.error("A custom model needs input and output prices.")
                    else:
                        st.session_state[P + "custom"] = {**custom, name.strip(): vals}
                        st.rerun()

    with right:
        try:
            scenario = _scenario_from_widgets()
        except ScenarioError as e:
            _show_problems(e.problems, "This setting")
            scenario = None
        if scenario is not None:
            compare = st.multiselect("Compare with", [m for m in models if m != scenario.model],
                                     default=[m for m in COMPARE_DEFAULT if m != scenario.model
                                              and m in models], key=P + "compare")
            from labs.costsim.charts import request_path_dot, simulator_figures
            from labs.costsim.levers import LEVERS, lever_impacts

            sim = cm.simulate(scenario, tuple(compare))
            figs = simulator_figures(sim)
            pct = sim.latency.percentiles()
            c = st.columns(4)
            c[0].metric("Monthly cost", f"${sim.costs.monthly_usd:,.0f}",
                        help=f"${sim.costs.monthly_usd:,.2f}")
            c[1].metric("Cost per request", f"${sim.costs.per_request_usd:.3g}",
                        help=f"${sim.costs.per_request_usd:.8f}")
            c[2].metric("LLM calls / month", f"{sim.costs.llm_calls_per_month:,.0f}")
            c[3].metric("Self-hosting / month", f"${sim.self_host.monthly_usd:,.0f}")
            c = st.columns(4)
            c[0].metric("Time to first token p50", f"{pct['ttft_p50']:,.0f} ms")
            # "(streaming)" in the label was cut to "(strea…" in a quarter-width column
            c[1].metric("Perceived p50", f"{pct['perceived_p50']:,.0f} ms",
                        help="Streaming is on: the user waits for the first token."
                        if scenario.streaming else
                        "Streaming is off: the user waits for the whole answer.")
            c[2].metric("Total p95", f"{pct['p95']:,.0f} ms")
            c[3].metric("Total p99", f"{pct['p99']:,.0f} ms")
            sheet = ", ".join(f"{PRICE_LABELS[k]} ${v:g}" for k, v in sim.pricing.sheet().items()
                              if v is not None)
            st.caption(f"Priced as `{sim.pricing.model_id}` ({sim.pricing.provider_id}) from "
                       f"**{sim.pricing.source}**: {sheet} per million tokens"
                       + (" (base tier; longer prompts cost more)" if sim.pricing.tiered else "")
                       + ".")
            off = sim.latency.offline_share
            if off:
                st.caption(f"{off:.0%} of requests go through the batch API and are answered "
                           "offline within 1–24 h; the percentiles cover the online requests.")
            sh = sim.self_host
            if sh.over_capacity and scenario.utilisation == 0:
                st.warning("At 0% utilisation the GPUs serve nothing: no number of GPUs "
                           "carries this traffic.")
            elif sh.over_capacity:
                serve = scenario.gpus * sh.calls_per_s_per_gpu
                st.warning(f"Peak traffic ({sh.peak_calls_per_s:,.2f} calls/s) exceeds what your "
                           f"{scenario.gpus} GPU(s) serve ({serve:,.2f} calls/s): you would need "
                           f"**{sh.gpus_needed} GPU(s)** "
                           f"(${sh.gpus_needed * scenario.gpu_hourly_usd * 720:,.0f} a month).")
            else:
                st.caption(f"Self-hosting: one GPU serves {sh.calls_per_s_per_gpu:,.2f} calls/s at "
                           f"{scenario.utilisation:.0%} utilisation; peak is "
                           f"{sh.peak_calls_per_s:,.2f} calls/s, so {sh.gpus_needed} GPU(s) are "
                           f"enough (you have {scenario.gpus}).")
            st.graphviz_chart(request_path_dot(sim))
            st.subheader("Monthly cost against traffic")
            st.caption(sim.break_even.reason if sim.break_even.requests_per_day is None else
                       f"Break-even with self-hosting: {sim.break_even.reason}.")
            st.plotly_chart(figs["cost_vs_traffic"], key=P + "fig_traffic")
            g1, g2 = st.columns(2)
            with g1:
                st.subheader("Savings by lever")
                st.plotly_chart(figs["waterfall"], key=P + "fig_waterfall")
            with g2:
                st.subheader("Where the money goes")
                st.plotly_chart(figs["breakdown"], key=P + "fig_breakdown")
            st.subheader("Latency distribution")
            st.caption("Online requests only. Streaming changes what the user waits for (time to "
                       "first token), not the total.")
            st.plotly_chart(figs["latency"], key=P + "fig_latency")

            st.subheader("The levers table, on your scenario")
            rows = lever_impacts(scenario, COMPARE_DEFAULT[0])
            st.dataframe(rows, hide_index=True, key=P + "levers_table",
                         column_order=["lever", "setting tried", "cost Δ %",
                                       "perceived p50 Δ %", "p95 Δ %", "cost (track)",
                                       "latency (track)", "quality (track)"],
                         column_config={
                             "fields": None,
                             "lever": st.column_config.TextColumn(width="medium"),
                             # the settings are the point of the table: give them the room
                             "setting tried": st.column_config.TextColumn(width="medium"),
                             **{k: st.column_config.NumberColumn(
                                 label, format="%+.1f%%", width="small", help=hlp)
                                for k, label, hlp in (
                                    ("cost Δ %", "cost Δ", "monthly cost"),
                                    ("perceived p50 Δ %", "p50 Δ", "perceived p50 latency"),
                                    ("p95 Δ %", "p95 Δ", "total p95 latency"))}})
            lever_keys = {lv.name: lv.key for lv in LEVERS if lv.key != "self_host"}
            pick = st.selectbox("Pull a lever in the simulator", list(lever_keys),
                                key=P + "lever_pick")
            st.button("Pull it", key=P + "lever_pull", on_click=_pull, args=(lever_keys[pick],),
                      help="Sets the lever's widgets to the setting tried in the table.")

            d1, d2 = st.columns(2)
            d1.download_button("Download scenario (YAML)", dumps_scenario(scenario, "yaml"),
                               file_name="scenario.yaml", mime="application/x-yaml",
                               key=P + "dl_yaml")
            d2.download_button("Download scenario (JSON)", dumps_scenario(scenario, "json"),
                               file_name="scenario.json", mime="application/json",
                               key=P + "dl_json")
            with st.expander("The cost and latency model, written out", expanded=False):
                st.code(cm.__doc__.strip(), language=None)
                st.caption("Rates are shares in [0, 1]: " + ", ".join(RATE_FIELDS) + ".")


with sem_tab:
    st.subheader("Semantic cache: hit rate against false hits")
    st.markdown(
        "A bundled support-desk log of queries in intent clusters, replayed in order through a "
        "cache: a query **hits** when its nearest earlier cached query has cosine similarity "
        "at or above the threshold, and the hit is **false** when that query belongs to another "
        "intent (\"cancel my order\" answered with \"cancel my subscription\"). Embeddings are "
        "the bundled all-MiniLM-L6-v2, cached on disk.")
    from labs.costsim import semcache

    log = semcache.load_query_log()
    st.caption(f"{len(log.log)} queries in {len(log.clusters)} clusters, "
               f"{len(log.near_misses)} near-miss pairs.")
    if st.button("Embed the log and replay it", key=P + "sem_run", type="primary",
                 icon=":material/play_arrow:"):
        from app import ui

        bar = st.progress(0.0, text="Loading the embedding model…")
        emb = ui.embedder()

        def _progress(done: int, total: int) -> None:
            bar.progress(done / total if total else 1.0,
                         text=f"Embedding queries: {done}/{total} (cached ones are skipped)")

        vectors = semcache.embed_log(emb, log, progress=_progress)
        bar.progress(1.0, text="Replaying the log at each threshold…")
        replays = semcache.sweep(vectors, log.labels)
        st.session_state[P + "sem"] = {
            "vectors": vectors,
            "table": semcache.sweep_table(replays, semcache.exact_hit_rate(log.texts),
                                          semcache.ideal_hit_rate(log.labels)),
            "near": semcache.near_miss_table(vectors, log),
        }
        bar.empty()
    res = st.session_state.get(P + "sem")
    if res is None:
        st.info("Nothing embedded yet: the model loads only when you press the button.",
                icon=":material/info:")
    else:
        import plotly.graph_objects as go

        table = res["table"]
        xs = [r["threshold"] for r in table]
        fig = go.Figure({"data": [
            {"type": "scatter", "mode": "lines+markers", "name": "semantic hit rate", "x": xs,
             "y": [r["hit rate"] for r in table]},
            {"type": "scatter", "mode": "lines+markers", "name": "false-hit rate (of hits)",
             "x": xs, "y": [r["false-hit rate"] for r in table]},
            {"type": "scatter", "mode": "lines", "name": "exact-match hit rate", "x": xs,
             "y": [r["exact-match hit rate"] for r in table], "line": {"dash": "dash"}}],
            "layout": {"xaxis": {"title": {"text": "similarity threshold"}},
                       "yaxis": {"title": {"text": "rate"}, "tickformat": ".0%"},
                       "height": 420, "margin": {"t": 30},
                       "legend": {"orientation": "h", "y": -0.2}}})
        st.plotly_chart(fig, key=P + "fig_sem")
        exact = table[0]["exact-match hit rate"]
        at95 = next(r for r in table if r["threshold"] == 0.95)
        st.caption(f"Exact match serves {exact:.1%} of this log; a perfect cache would serve "
                   f"{table[0]['ideal hit rate']:.1%}. At the track's 0.95 threshold this "
                   f"small model serves {at95['hit rate']:.1%} with {at95['false hits']} wrong "
                   "answers: paraphrases of one intent rarely score that high, while near "
                   "misses (turn 2FA on / off) can score 0.9. Loosening the threshold buys hits "
                   "with wrong answers; a stronger embedding model or a reranker on the "
                   "candidate moves the whole curve.")
        st.dataframe(table, hide_index=True, key=P + "sem_table",
                     column_config={k: st.column_config.NumberColumn(format="percent")
                                    for k in ("hit rate", "false-hit rate",
                                              "correct hits / queries", "exact-match hit rate",
                                              "ideal hit rate")})
        t = st.select_slider("Inspect the hits at threshold", options=xs, value=0.85,
                             key=P + "sem_t")
        cache = res.setdefault("hits", {})  # per threshold, so other tabs' reruns stay cheap
        if t not in cache:
            cache[t] = semcache.hits_at(res["vectors"], log, t)
        hits = cache[t]
        wrong = [h for h in hits if not h["correct"]]
        st.markdown(f"At **{t:.2f}**: {len(hits)} hits, **{len(wrong)} false**.")
        if wrong:
            st.dataframe(wrong, hide_index=True, key=P + "sem_wrong")
        row = next(r for r in table if r["threshold"] == t)
        st.button(f"Use these rates in the simulator (exact {row['exact-match hit rate']:.1%}, "
                  f"semantic {row['hit rate'] - row['exact-match hit rate']:.1%} on top)",
                  key=P + "sem_use", on_click=_use_measured, args=(row,),
                  help="The semantic layer sits behind the exact cache, so it adds only the "
                       "hits exact match missed.")
        st.markdown("**Near-miss pairs** — their two closest queries:")
        st.dataframe(res["near"], hide_index=True, key=P + "sem_near")

with attr_tab:
    from labs.costsim import attribution as at

    st.subheader("Per-tenant cost attribution")
    st.markdown("Every call is tagged `customer_id` and `feature_id` and priced on genai-prices; "
                "the provider's bill is one line, this roll-up is what makes per-customer "
                "pricing defensible. Synthetic traffic, seeded: one hot tenant that grows "
                "through the month and sends bursts.")
    a1, a2, a3 = st.columns(3)
    calls = a1.slider("Calls this month", 5_000, 150_000, 60_000, step=5_000, key=P + "at_calls")
    hot = a2.slider("Hot tenant's share", 0.0, 0.9, 0.45, step=0.05, key=P + "at_hot")
    seed = a3.number_input("Seed", min_value=0, value=11, step=1, key=P + "at_seed")

    @st.cache_resource(show_spinner="Generating and pricing the traffic…", max_entries=4,
                       ttl=3600)
    def _traffic(calls: int, hot: float, seed: int):
        """The call log, shared read-only across sessions (no copy on every rerun)."""
        return at.generate_traffic(calls=calls, hot_share=hot, seed=seed)

    @st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
    def _tenants(calls: int, hot: float, seed: int) -> tuple[list[str], float, dict]:
        df = _traffic(calls, hot, seed)
        tenants = sorted(df["customer_id"].unique())
        budget = round(float(df["cost_usd"].sum()) / max(len(tenants), 1) * 1.5, 2)
        return tenants, budget, at.peak_per_minute(df).to_dict()

    import pandas as pd

    tenants, default_budget, peaks = _tenants(int(calls), float(hot), int(seed))
    st.markdown("**Budgets and rate limits** (edit the table)")
    policy = st.data_editor(
        pd.DataFrame({"customer_id": tenants,
                      "budget_usd": [default_budget] * len(tenants),
                      "limit_per_minute": [20] * len(tenants),
                      "busiest minute": [int(peaks.get(t, 0)) for t in tenants]}),
        hide_index=True, disabled=["customer_id", "busiest minute"], key=P + "at_policy",
        column_config={"budget_usd": st.column_config.NumberColumn(min_value=0.0),
                       "limit_per_minute": st.column_config.NumberColumn(min_value=1, step=1)})
    budgets = tuple((r.customer_id, float(r.budget_usd)) for r in policy.itertuples()
                    if pd.notna(r.budget_usd))
    limits = tuple((r.customer_id, int(r.limit_per_minute)) for r in policy.itertuples()
                   if pd.notna(r.limit_per_minute))

    @st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
    def _analysis(calls: int, hot: float, seed: int, budgets: tuple, limits: tuple):
        """Cached, so a simulator lever change does not redo the roll-ups; figures are kept
        as plain dicts (a pickled plotly Figure revalidates itself when unpickled)."""
        from labs.costsim.charts import cumulative_spend, tenant_feature_bar

        a = at.analyse(_traffic(calls, hot, seed), dict(budgets), dict(limits))
        hot_tenant = a.by_tenant["customer_id"].iloc[0]
        bmap = dict(budgets)
        figs = (tenant_feature_bar(a.by_tenant_feature, list(a.by_tenant["customer_id"])),
                cumulative_spend(a.cumulative, (hot_tenant, bmap[hot_tenant])
                                 if hot_tenant in bmap else None))
        return a, tuple(f.to_plotly_json() for f in figs)

    import plotly.graph_objects as go

    a, specs = _analysis(int(calls), float(hot), int(seed), budgets, limits)
    fig_tenant, fig_cum = (go.Figure(s, _validate=False) for s in specs)
    m = st.columns(3)
    m[0].metric("Spend this month", f"${a.total_usd:,.2f}")
    m[1].metric("Calls", f"{a.calls:,}")
    m[2].metric("Hot tenant's share of spend", f"{a.by_tenant['share'].iloc[0]:.0%}",
                help=f"{a.by_tenant['customer_id'].iloc[0]}")
    for al in a.alerts:
        text = (f"**{al['customer_id']}** passed {al['level']} of its ${al['budget_usd']:,.2f} "
                f"budget on day {al['day']} (${al['spend_usd']:,.2f} month to date).")
        (st.error if al["severity"] == "over budget" else st.warning)(text)
    if not a.alerts:
        st.success("No tenant passed 80% of its budget.")
    st.plotly_chart(fig_tenant, key=P + "at_fig_tenant")
    st.plotly_chart(fig_cum, key=P + "at_fig_cum")
    money = st.column_config.NumberColumn(format="dollar")
    pct = st.column_config.NumberColumn(format="percent")
    c1, c2 = st.columns(2)
    c1.markdown("**Per tenant**")
    c1.dataframe(a.by_tenant, hide_index=True, key=P + "at_tenants",
                 column_config={"share": pct, "cost_usd": money})
    c2.markdown("**Per feature**")
    c2.dataframe(a.by_feature, hide_index=True, key=P + "at_features",
                 column_config={"share": pct, "cost_usd": money})
    st.markdown("**Rate limits** — calls past a tenant's limit within one minute are refused")
    st.dataframe(a.cut, hide_index=True, key=P + "at_cut",
                 column_config={"cut_share": pct, "cut_cost_usd": money})
    st.caption(f"The limits refuse {a.calls - a.kept_calls:,} calls "
               f"(${a.total_usd - a.kept_usd:,.2f} of spend). Refused calls are "
               "requests your users did not get answered: a limit protects the budget and "
               "other tenants, and costs the hot tenant its bursts.")
