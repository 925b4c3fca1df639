"""Streamlit pieces of the MCP explorer page: form widgets, the call in flight (approval, the
server's question, a task), the live log, a call's outcome, and the three teaching tabs (the
two eras, stdio against HTTP, N×M against N+M) that the page draws as fragments. Logic
lives in labs.mcp.view and labs.mcp.eras; this file only reads widgets and draws."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from labs.mcp import eras, teach, view
from labs.mcp.explorer import ExplorerError, LocalHttpServer, Target, scripted_exchange
from labs.mcp.teach import architecture_dot
from labs.mcp.trace import ACTIONS

S = st.session_state


def widgets(specs: list[dict], prefix: str) -> dict:
    """Draw a form's fields (a tool's arguments or the server's question); their values."""
    out = {}
    for f in specs:
        k, label, default, hint = f"{prefix}{f['name']}", f["label"], f["default"], f.get("help")
        if f["kind"] == "boolean":
            out[f["name"]] = st.checkbox(label, value=bool(default), key=k, help=hint)
        elif f["kind"] in ("integer", "number"):
            cast = int if f["kind"] == "integer" else float
            out[f["name"]] = st.number_input(label, value=cast(default or 0), key=k, help=hint)
        elif f["kind"] == "enum":
            out[f["name"]] = st.selectbox(label, f["options"], key=k, help=hint)
        elif f["kind"] in ("text", "json"):
            out[f["name"]] = st.text_area(label, key=k, help=hint)
        else:
            out[f["name"]] = st.text_input(label, value=default or "", key=k, help=hint)
    return out


def in_flight(client) -> None:
    """The call in flight: approval, the server's question, a task's status, or progress."""
    name, args, pending = S["mcp_pending"]
    frac, line = view.call_status(pending)
    st.progress(frac or 0.0, text=f"tools/call {name}: {line}")
    if pending.awaiting_approval:
        st.warning(f"**Approve `{name}`?** The host holds it; nothing is sent until you do. "
                   "Arguments:", icon=":material/pan_tool:")
        st.json(args)
        a, b = st.columns(2)
        if a.button("Approve and send", key="mcp_approve", type="primary"):
            pending.approve()
        if b.button("Reject", key="mcp_reject"):
            pending.reject()
    form = client.form
    if form is not None:
        with st.form("mcp_elicit"):
            st.markdown(f"**The server asks:** {form.message}")
            values = widgets(view.form_defaults(form.schema), "mcp_el_")
            a, b = st.columns(2)
            if a.form_submit_button("Send answer", type="primary"):
                form.answer("accept", values)
            if b.form_submit_button("Decline"):
                form.answer("decline")
    if pending.watch is not None and pending.watch.task_id and not pending.done():
        st.button("Cancel the task", key="mcp_cancel_task", on_click=pending.cancel_task)
    if pending.done():
        try:
            S["mcp_last_result"] = (name, args, pending.result())
        except ExplorerError as e:
            S["mcp_last_result"] = (name, args, str(e))
        S.pop("mcp_pending")
        st.rerun(scope="app")


def start_call(client, name: str, args: dict) -> None:
    """Send (or hold) the call; wait briefly so a quick call finishes within this run."""
    pending = client.start_tool_call(name, args)
    deadline = time.monotonic() + 20
    while not pending.done() and not pending.awaiting_approval and client.form is None \
            and not (pending.watch and pending.watch.task_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    S["mcp_pending"] = (name, args, pending)


def live_log(read) -> None:
    """The live log: redrawn every half second while a call is in flight."""
    panel = view.log_panel(read())
    if not panel.count:
        st.caption("No messages yet. Connect to fill the log.")
        return
    st.markdown(f"**{panel.count} messages**, captured on the client's read and write streams.")
    st.dataframe(pd.DataFrame(panel.rows), hide_index=True)
    for title, payload in panel.details:
        with st.expander(title):
            st.json(payload)
    st.download_button("Export the log as JSON", data=panel.export, file_name="mcp-log.json",
                       mime="application/json", key="mcp_export")


def outcome(name: str, args: dict, result) -> None:
    """A finished call: its result, tool error or refusal, with progress and task states."""
    out = view.outcome_view(name, args, result)
    getattr(st, out.level)(out.headline)
    if out.structured is not None:
        st.json(out.structured)
    elif out.text:
        st.code(out.text, language=None)
    for title, rows in (("progress notifications", out.progress),
                        ("task states (tasks/get)", out.task)):
        if rows:
            st.markdown(f"{len(rows)} {title}:")
            st.dataframe(pd.DataFrame(rows), hide_index=True)


def run_eras(action: str) -> None:
    """Run the action in both eras; a server that cannot start is one sentence, not a trace."""
    try:
        with st.spinner("Running the action in both eras…"):
            S["mcp_eras"] = eras.compare(action)
    except (ExplorerError, RuntimeError, OSError) as e:
        st.error(f"The comparison could not run: {e}")


def era_panel(cmp: dict) -> None:
    """Both eras' wire logs aligned, the differences explained, the diagram per era."""
    st.dataframe(pd.DataFrame(eras.table(cmp["rows"])), hide_index=True)
    for key, why in eras.explanations(cmp["rows"]):
        st.markdown(f"- **{key}**: {why}")
    i = st.select_slider("Step", options=list(range(1, len(cmp["rows"]) + 1)),
                         key="mcp_era_step")
    row = cmp["rows"][i - 1]
    for col, era in zip(st.columns(2), ("modern", "legacy"), strict=True):
        side = row.modern if era == "modern" else row.legacy
        col.markdown(f"**{cmp[era]['protocol_version']}**")
        col.graphviz_chart(architecture_dot(view.era_step(row, era), "http"))
        col.json(side.exchange if side else {}, expanded=1)
        col.caption("Capabilities advertised:")
        col.json(eras.capabilities(cmp[era]), expanded=1)


def eras_tab() -> None:
    st.markdown("The same action in both eras against one server over streamable HTTP, every "
                "HTTP exchange recorded and aligned. 2026-07-28 went stateless so any replica "
                "can answer any request: no sticky sessions.")
    action = st.radio("Action", list(ACTIONS), format_func=ACTIONS.get, horizontal=True,
                      key="mcp_era_action")
    if st.button("Run in both eras", key="mcp_era_run"):
        run_eras(action)
    if S.get("mcp_eras"):
        era_panel(S["mcp_eras"])


def transports_tab() -> None:
    st.markdown("initialize, tools/list and tools/call over stdio and streamable HTTP: the same "
                "JSON-RPC, carried differently.")
    if st.button("Run over stdio and streamable HTTP", key="mcp_compare"):
        try:
            with st.spinner("Starting both servers…"), LocalHttpServer() as http_server:
                S["mcp_compare_rows"] = view.transport_rows({
                    "stdio": scripted_exchange(Target.ours())[0],
                    "streamable HTTP": scripted_exchange(Target("http", url=http_server.url))[0]})
        except ExplorerError as e:
            st.error(str(e))
    if rows := S.get("mcp_compare_rows"):
        st.plotly_chart(view.transport_figure(rows), width="stretch")
        st.dataframe(pd.DataFrame(rows), hide_index=True)


def integrations_tab() -> None:
    a, b = st.columns(2)
    n = int(a.number_input("AI applications (hosts), N", 1, 200, 4, key="mcp_n"))
    m = int(b.number_input("Systems to connect, M", 1, 500, 12, key="mcp_m"))
    bespoke, with_mcp = teach.integrations(n, m)
    k1, k2, k3 = st.columns(3)
    k1.metric("Bespoke connectors (N×M)", f"{bespoke:,}")
    k2.metric("With MCP (N+M)", f"{with_mcp:,}")
    k3.metric("Saved", f"{bespoke - with_mcp:,}")
    st.plotly_chart(view.integration_figure(n, m), width="stretch")
