"""Cost & latency lab: the lever simulator on genai-prices, the semantic-cache lab on real
embeddings, and per-tenant cost attribution. Engines and the view layer live in labs/costsim;
this page reads widgets, calls labs.costsim.view and draws. Each tab is a fragment: a widget
in it reruns that tab only."""

from __future__ import annotations

import streamlit as st

from app import costsim_parts as parts
from labs.costsim import model as cm
from labs.costsim import view
from labs.costsim.prices import catalogue, snapshot_label
from labs.costsim.scenario import RATE_FIELDS, Scenario, ScenarioError

P = "cost_"  # session and widget key prefix
EXTRA = ("provider", "overrides", "custom", "latency")


@st.cache_data(show_spinner=False, max_entries=1, ttl=3600)
def _catalogue() -> list[str]:
    return catalogue()


@st.cache_data(show_spinner=False, max_entries=1, ttl=3600)
def _example() -> dict:
    return view.state_of(view.example_scenario())


def _apply(state: dict, only_missing: bool = False) -> None:
    """Put widget values into the session (from callbacks, before the widgets exist)."""
    for k, v in state.items():
        if not only_missing or P + k not in st.session_state:
            st.session_state[P + k] = v


def _state() -> dict:
    return {k: st.session_state.get(P + k) for k in (*view.WIDGET_FIELDS, *EXTRA)}


def _load(raw: bytes | str | None, source: str, empty: str) -> None:
    try:
        s = view.read_scenario(raw or "", empty)
    except ScenarioError as e:
        st.session_state[P + "load_errors"] = (source, e.problems)
        return
    st.session_state.pop(P + "load_errors", None)
    _apply(view.state_of(s))
    st.session_state[P + "loaded"] = source


def _on_upload() -> None:
    if (up := st.session_state.get(P + "upload")) is not None:
        _load(up.getvalue(), up.name, "the file is empty")


def _on_paste() -> None:
    _load(st.session_state.get(P + "paste"), "pasted text",
          "the box is empty: paste a YAML or JSON scenario first")


def _pull(lever: str) -> None:
    if (state := view.pull(_state(), lever)) is not None:
        _apply(state)


def _levers_panel(models: list[str]) -> None:
    st.subheader("Levers")
    st.selectbox("Model (genai-prices or custom)", models, key=P + "model",
                 help="Model tier is the biggest cost lever.")
    st.number_input("Requests per day", min_value=0.0, step=1000.0, format="%g",
                    key=P + "requests_per_day")
    a, b = st.columns(2)
    a.number_input("Input tokens / request", min_value=0, step=100, key=P + "input_tokens")
    b.number_input("Output tokens / request", min_value=0, step=50, key=P + "output_tokens")
    st.number_input("Cached prefix tokens (system prompt, tools, stable context)", min_value=0,
                    step=100, key=P + "cached_prefix_tokens")
    for field, label, step in (("prompt_cache_hit_rate", "Prompt-cache hit rate (of calls)", .01),
                               ("exact_cache_hit_rate", "Exact-cache hit rate (of requests)", .001),
                               ("semantic_cache_hit_rate", "Semantic-cache hit rate (of requests)",
                                .001), ("batch_share", "Batch share (offline calls)", .01)):
        st.slider(label, 0.0, 1.0, step=step, key=P + field)
    st.toggle("Streaming", key=P + "streaming")
    try:
        tiers = view.service_tier_options(view.scenario_of(_state()))
    except ScenarioError:
        tiers = [st.session_state[P + "service_tier"]]
    st.selectbox("Service tier (genai-prices)", tiers, key=P + "service_tier")
    with st.expander("Prompt-cache, latency and self-hosting settings"):
        st.number_input("Distinct cached prefixes sharing the traffic", min_value=1,
                        key=P + "prefix_variants")
        for field, label, step in view.LATENCY_INPUTS + view.SELF_HOST_INPUTS:
            st.number_input(label, min_value=0 if isinstance(step, int) else 0.0, step=step,
                            key=P + field)
        st.slider("Utilisation you can count on", 0.0, 1.0, step=0.05, key=P + "utilisation")
    with st.expander("Prices (override or add a model)"):
        parts.prices_expander(st.session_state[P + "custom"])


def _results(scenario: Scenario, models: list[str]) -> None:
    compare = st.multiselect("Compare with", [m for m in models if m != scenario.model],
                             default=view.compare_default(scenario, models), key=P + "compare")
    panel = view.simulator_panel(scenario, tuple(compare))
    figs = panel["figures"]
    parts.draw_metrics(panel["metrics"])
    parts.say(panel["notes"])
    st.graphviz_chart(panel["path"], width="stretch")
    st.subheader("Monthly cost against traffic")
    st.caption(panel["break_even"])
    st.plotly_chart(figs["cost_vs_traffic"], key=P + "fig_traffic")
    g1, g2 = st.columns(2)
    g1.subheader("Savings by lever")
    g1.plotly_chart(figs["waterfall"], key=P + "fig_waterfall")
    g2.subheader("Where the money goes")
    g2.plotly_chart(figs["breakdown"], key=P + "fig_breakdown")
    st.subheader("Latency distribution")
    st.caption("Online requests only. Streaming changes what the user waits for (time to first "
               "token), not the total.")
    st.plotly_chart(figs["latency"], key=P + "fig_latency")
    st.subheader("The levers table, on your scenario")
    st.dataframe(panel["levers"], hide_index=True, key=P + "levers_table",
                 column_order=view.LEVER_COLUMNS, row_height=48,
                 column_config={"setting tried": st.column_config.TextColumn(width="medium"),
                                "quality": st.column_config.TextColumn(width="large")})
    if levers := panel["pullable"]:
        pick = st.selectbox("Pull a lever in the simulator", list(levers), key=P + "lever_pick")
        st.button("Pull it", key=P + "lever_pull", on_click=_pull, args=(levers[pick],),
                  help="Sets the lever's widgets to the setting tried in the table.")
    d1, d2 = st.columns(2)
    for col, (fmt, text), mime in zip((d1, d2), panel["downloads"].items(),
                                      ("application/x-yaml", "application/json"), strict=True):
        col.download_button(f"Download scenario ({fmt.upper()})", text,
                            file_name=f"scenario.{fmt}", mime=mime, key=P + "dl_" + fmt)
    with st.expander("The cost and latency model, written out", expanded=False):
        st.code(cm.__doc__.strip(), language=None)
        st.caption("Rates are shares in [0, 1]: " + ", ".join(RATE_FIELDS) + ".")


@st.fragment(key=parts.SIMULATOR)
def simulator() -> None:
    """The simulator tab (a fragment: its widgets rerun this tab, not the other two)."""
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
        st.error(view.problems_markdown(problems, src))
        st.caption("The simulator kept the scenario it had.")
    elif P + "loaded" in st.session_state:
        st.success(f"Loaded {st.session_state.pop(P + 'loaded')}.")
    left, right = st.columns([1, 2], gap="large")
    custom = st.session_state[P + "custom"]
    models = sorted(set(_catalogue()) | set(custom) | {st.session_state[P + "model"]})
    with left:
        _levers_panel(models)
    with right:
        try:
            _results(view.scenario_of(_state()), models)
        except ScenarioError as e:
            st.error(view.problems_markdown(e.problems, "This setting"))


# --- page ----------------------------------------------------------------------------------

_apply(_example(), only_missing=True)
st.title("Cost & latency")
st.caption("Pull each lever of the track's table and watch monthly cost, cost per request and "
           "latency move. Prices: " + snapshot_label() + ". Every price can be overridden.")
sim_tab, sem_tab, attr_tab = st.tabs(["Simulator", "Semantic cache", "Attribution"])
with sim_tab:
    simulator()
with sem_tab:
    st.fragment(parts.semantic_tab, key=parts.SEMANTIC)()
with attr_tab:
    st.fragment(parts.attribution_tab)()
