"""MCP explorer: connect to a real MCP server, watch every JSON-RPC message, call its tools,
read its resources, get its prompts, and see where each message sits in the architecture."""

from __future__ import annotations

import json
import time
from dataclasses import asdict

import pandas as pd
import plotly.express as px
import streamlit as st

from labs.mcp.explorer import (
    CUSTOM_SERVERS_ENV,
    ExplorerClient,
    ExplorerError,
    LocalHttpServer,
    Target,
    custom_servers_allowed,
    parse_command,
    scripted_exchange,
)
from labs.mcp.teach import (
    architecture_dot,
    build_arguments,
    check_arguments,
    current_step,
    form_fields,
    integration_curve,
    integrations,
)

S = st.session_state
MODES = {"legacy": "initialize handshake (protocol 2025-11-25)",
         "auto": "auto: try server/discover (2026-07-28) first, fall back to initialize"}

st.title("MCP explorer")
st.caption("A real MCP session, message by message. The explorer is the **host**: it holds "
           "one **client** per server, decides which tools may run, and logs every JSON-RPC "
           "message the client and server exchange.")


def _rpc_id(value: object) -> str:
    """A JSON-RPC id as text ("None" on every notification read as a missing value)."""
    return "" if value is None else str(value)


def _client() -> ExplorerClient | None:
    c = S.get("mcp_client")
    return c if c is not None and c.connected else None


def _disconnect() -> None:
    c = S.pop("mcp_client", None)
    if c is not None:
        S["mcp_last_log"] = c.log.entries()  # kept after disconnecting, for reading and export
        c.close()
    http_server = S.pop("mcp_http_server", None)
    if http_server is not None:
        http_server.stop()
    for k in ("mcp_lists", "mcp_last_result", "mcp_resource", "mcp_prompt"):
        S.pop(k, None)


def _refresh_lists(c: ExplorerClient) -> None:
    caps = c.info.capabilities if c.info else {}
    lists = {"tools": [], "resources": [], "templates": [], "prompts": []}
    if "tools" in caps:
        lists["tools"] = c.list_tools()
    if "resources" in caps:
        lists["resources"] = c.list_resources()
        lists["templates"] = c.list_resource_templates()
    if "prompts" in caps:
        lists["prompts"] = c.list_prompts()
    S["mcp_lists"] = lists


# --- connect -------------------------------------------------------------------------------
with st.container(border=True):
    st.markdown("#### 1. Connect")
    remote_ip = st.context.ip_address  # None for a browser on this machine
    custom = custom_servers_allowed(remote_ip if isinstance(remote_ip, str) else None)
    source = st.radio("Server", ["ours", "ours-http", "command", "url"] if custom else
                      ["ours", "ours-http"], horizontal=True, key="mcp_source",
                      format_func={"ours": "AIE Bridge (stdio subprocess)",
                                   "ours-http": "AIE Bridge (streamable HTTP subprocess)",
                                   "command": "Any stdio command",
                                   "url": "Any streamable HTTP URL"}.get)
    if not custom:
        st.caption(f"Naming your own server is off for remote browsers: a command would run on "
                   f"this app's server. The operator can set `{CUSTOM_SERVERS_ENV}=always`.")
    if source == "command":
        st.text_input("Command that starts the server", key="mcp_command",
                      placeholder="npx -y @modelcontextprotocol/server-everything")
    elif source == "url":
        st.text_input("Endpoint URL", key="mcp_url", placeholder="http://127.0.0.1:8765/mcp")
    elif source == "ours-http":
        st.caption("Starts `aie-bridge mcp serve --transport http` on a free loopback port and "
                   "POSTs each message to its `/mcp` endpoint.")
    else:
        st.caption(f"Spawns `{Target.ours().command}` and talks over its stdin and stdout.")
    st.selectbox("Version negotiation", list(MODES), format_func=MODES.get, key="mcp_mode")
    c1, c2 = st.columns(2)
    if c1.button("Connect", type="primary", key="mcp_connect", icon=":material/link:",
                 disabled=_client() is not None):
        try:
            if source == "ours":
                target = Target.ours()
            elif source == "ours-http":
                with st.spinner("Starting the HTTP server…"):
                    S["mcp_http_server"] = LocalHttpServer().start()
                target = Target("http", url=S["mcp_http_server"].url,
                                label="AIE Bridge (streamable HTTP subprocess)")
            elif source == "command":
                parse_command(S.get("mcp_command", ""))
                target = Target("stdio", command=S["mcp_command"].strip())
            else:
                target = Target("http", url=S.get("mcp_url", ""))
            client = ExplorerClient(target, mode=S["mcp_mode"])
            with st.spinner(f"Starting {target.describe()} and running the handshake…"):
                client.connect()
                S["mcp_client"] = client
                _refresh_lists(client)
            st.rerun()
        except ExplorerError as e:
            _disconnect()  # stops an HTTP server started for this attempt
            st.error(str(e))
    if c2.button("Disconnect", key="mcp_disconnect", icon=":material/link_off:",
                 disabled=_client() is None):
        _disconnect()
        st.rerun()

client = _client()
log_entries = client.log.entries() if client else S.get("mcp_last_log", [])

# --- where are we --------------------------------------------------------------------------
shown = log_entries[-1] if log_entries else None
if len(log_entries) > 1:
    # Options change as the log grows, which resets the slider to the newest message.
    pick = st.select_slider("Replay the session: the diagram shows message…",
                            options=list(range(1, len(log_entries) + 1)),
                            value=len(log_entries),
                            format_func=lambda i: f"{i}. {log_entries[i - 1].summary()}")
    shown = log_entries[pick - 1]
step = current_step(shown)
st.graphviz_chart(architecture_dot(
    step, client.target.kind if client else "stdio",
    client.info.name if client and client.info else "MCP server"), width="stretch")
if client and client.info:
    info = client.info
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Connected to** `{info.name}` {info.version} over "
                    f"**{client.target.kind}**, protocol **{info.protocol_version}**")
        if info.instructions:
            st.caption(f"Server instructions: {info.instructions}")
        sent = next((e.payload for e in log_entries if e.method in ("initialize",
                                                                     "server/discover")
                     and e.kind == "request"), None)
        if sent is not None:
            params = sent.get("params") or {}
            declared = params.get("capabilities") or {}
            if declared:
                st.markdown("Capabilities this client declared (they go both ways):")
                st.json(declared, expanded=1)
            else:
                st.caption("This client declared no capabilities of its own (`{}`): no "
                           "sampling, roots or elicitation, so the server must not ask for them.")
    with right:
        st.markdown("Negotiated server capabilities:")
        st.json(info.capabilities, expanded=1)
else:
    st.info("Not connected. Connect to see the handshake: `initialize` with the client's "
            "capabilities, the server's answer with its own, then "
            "`notifications/initialized`.", icon=":material/info:")

tabs = st.tabs(["Tools", "Resources", "Prompts", "Message log", "stdio vs HTTP",
                "N×M vs N+M"])
lists = S.get("mcp_lists", {"tools": [], "resources": [], "templates": [], "prompts": []})

# --- tools ---------------------------------------------------------------------------------
with tabs[0]:
    if not client:
        st.caption("Connect to list the server's tools.")
    elif not lists["tools"]:
        st.caption("This server offers no tools.")
    else:
        tools = {t["name"]: t for t in lists["tools"]}
        st.markdown("**Host permissions.** A denied tool is blocked by the host: the call "
                    "never reaches the client or the server, and the log says so.")
        pcols = st.columns(min(len(tools), 5))
        for i, name in enumerate(tools):
            allowed = pcols[i % len(pcols)].toggle(name, value=client.allowed(name),
                                                   key=f"mcp_perm_{name}")
            client.permissions[name] = allowed
        name = st.selectbox("Tool", list(tools), key="mcp_tool")
        tool = tools[name]
        st.caption(tool.get("description") or "")
        schema = tool.get("inputSchema") or {}
        fields = form_fields(schema)
        with st.form(f"mcp_form_{name}"):
            raw = {}
            for f in fields:
                label = f.name + (" *" if f.required else "")
                key = f"mcp_arg_{name}_{f.name}"
                if f.kind == "boolean":
                    raw[f.name] = st.checkbox(label, value=bool(f.default), help=f.description,
                                              key=key)
                elif f.kind == "integer":
                    raw[f.name] = st.number_input(
                        label, value=int(f.default if f.default is not None else
                                         (f.minimum if f.minimum is not None else 0)),
                        step=1, help=f.description, key=key)
                elif f.kind == "number":
                    raw[f.name] = st.number_input(
                        label, value=float(f.default if f.default is not None else
                                           (f.minimum if f.minimum is not None else 0.0)),
                        help=f.description, key=key, format="%g")
                elif f.kind == "enum":
                    raw[f.name] = st.selectbox(label, f.options, help=f.description, key=key)
                elif f.kind == "text":
                    raw[f.name] = st.text_area(label, help=f.description, key=key, height=160)
                elif f.kind == "json":
                    raw[f.name] = st.text_area(label + " (JSON)", help=f.description, key=key)
                else:
                    raw[f.name] = st.text_input(label, value=f.default or "",
                                                help=f.description, key=key)
            skip_check = st.checkbox("Skip the client-side schema check (see the server's own "
                                     "error)", key=f"mcp_skip_{name}")
            submitted = st.form_submit_button("Call tool", type="primary")
        with st.expander("Input schema (what the form was built from)"):
            st.json(schema)
        if submitted:
            args, problems = build_arguments(fields, raw)
            if not skip_check and not problems:
                problems = check_arguments(schema, args)
            if problems:
                S.pop("mcp_last_result", None)  # an older answer here read as this call's
                st.error("Not sent; the arguments do not match the schema:\n\n" +
                         "\n".join(f"- {p}" for p in problems))
            else:
                try:
                    pending = client.start_tool_call(name, args)
                    bar = st.progress(0.0, text=f"tools/call {name}…")
                    while not pending.done():
                        if pending.progress:
                            last = pending.progress[-1]
                            frac = last["progress"] / last["total"] if last["total"] else 0.0
                            bar.progress(min(max(frac, 0.0), 1.0), text=last["message"] or "")
                        time.sleep(0.1)
                    S["mcp_last_result"] = (name, args, pending.result())
                except ExplorerError as e:
                    S["mcp_last_result"] = (name, args, str(e))
                st.rerun()  # redraw the diagram and the log with the messages just exchanged
        if S.get("mcp_last_result"):
            rname, rargs, outcome = S["mcp_last_result"]
            if isinstance(outcome, str):
                st.error(f"`{rname}` failed: {outcome}")
            elif not outcome.sent:
                st.warning(f"`{rname}` was not sent: {outcome.denied_reason}.",
                           icon=":material/block:")
            elif outcome.is_error:
                st.error(f"`{rname}` returned a tool error (isError: true):\n\n{outcome.text}")
            else:
                st.success(f"`{rname}` answered the call with "
                           f"`{json.dumps(rargs, ensure_ascii=False)[:300]}`.")
                if outcome.structured is not None:
                    st.markdown("Structured content:")
                    st.json(outcome.structured)
                else:
                    st.code(outcome.text, language=None)
            if not isinstance(outcome, str) and outcome.progress:
                st.markdown(f"{len(outcome.progress)} progress notifications:")
                st.dataframe(pd.DataFrame(outcome.progress), hide_index=True)

# --- resources -----------------------------------------------------------------------------
with tabs[1]:
    if not client:
        st.caption("Connect to list the server's resources.")
    else:
        st.markdown("**Resources** (application-controlled context, read by URI)")
        if lists["resources"]:
            st.dataframe(pd.DataFrame([{k: r.get(k) for k in ("uri", "name", "mimeType")}
                                       for r in lists["resources"]]), hide_index=True)
        st.markdown("**Resource templates** (RFC 6570 URI templates)")
        if lists["templates"]:
            st.dataframe(pd.DataFrame([{k: r.get(k) for k in ("uriTemplate", "name",
                                                              "description")}
                                       for r in lists["templates"]]), hide_index=True)
        uris = [r["uri"] for r in lists["resources"]]
        pick = st.selectbox("Pick a listed resource", [""] + uris, key="mcp_res_pick")
        uri = st.text_input("…or type a URI (templates too, e.g. corpus://README.md; try "
                            "corpus://../modules/06-mcp.md)", value=pick, key=f"mcp_uri_{pick}")
        if st.button("Read resource", key="mcp_read"):
            try:
                S["mcp_resource"] = (uri, client.read_resource(uri))
            except ExplorerError as e:
                S["mcp_resource"] = (uri, str(e))
            st.rerun()
        if S.get("mcp_resource"):
            ruri, contents = S["mcp_resource"]
            if isinstance(contents, str):
                st.error(f"`{ruri}`: {contents}")
            else:
                for item in contents:
                    st.caption(f"{item.get('uri')} · {item.get('mimeType')}")
                    if "text" in item:
                        if item.get("mimeType") == "text/markdown":
                            with st.container(border=True, height=400):
                                st.markdown(item["text"])
                        else:
                            st.code(item["text"][:20000], language=None)
                    else:
                        st.caption(f"binary content, {len(item.get('blob', ''))} base64 chars")

# --- prompts -------------------------------------------------------------------------------
with tabs[2]:
    if not client:
        st.caption("Connect to list the server's prompts.")
    elif not lists["prompts"]:
        st.caption("This server offers no prompts.")
    else:
        prompts = {p["name"]: p for p in lists["prompts"]}
        pname = st.selectbox("Prompt (user-controlled: a person picks it)", list(prompts),
                             key="mcp_prompt_name")
        st.caption(prompts[pname].get("description") or "")
        pargs = {}
        for a in prompts[pname].get("arguments") or []:
            pargs[a["name"]] = st.text_input(a["name"] + (" *" if a.get("required") else ""),
                                             key=f"mcp_parg_{pname}_{a['name']}",
                                             help=a.get("description"))
        known = [r["uri"].split("://", 1)[1] for r in lists["resources"]
                 if r.get("uri", "").startswith("design-prompt://")]
        if "prompt_id" in pargs and known:
            st.caption("prompt_id is one of: " + ", ".join(f"`{k}`" for k in known))
        if st.button("Get prompt", key="mcp_get_prompt"):
            missing = [a["name"] for a in prompts[pname].get("arguments") or []
                       if a.get("required") and not pargs.get(a["name"], "").strip()]
            if missing:  # the server's answer was a bare "error 0: Missing required arguments"
                S.pop("mcp_prompt", None)
                st.error("Not sent: fill the required argument(s) "
                         + ", ".join(f"`{m}`" for m in missing) + " first.")
            else:
                try:
                    S["mcp_prompt"] = client.get_prompt(pname, {k: v.strip() for k, v
                                                                in pargs.items() if v.strip()})
                except ExplorerError as e:
                    S["mcp_prompt"] = str(e)
                st.rerun()
        got = S.get("mcp_prompt")
        if isinstance(got, str):
            st.error(got)
        elif got:
            for m in got.get("messages", []):
                content = m.get("content", {})
                with st.chat_message("user" if m.get("role") == "user" else "assistant"):
                    st.markdown(content.get("text", json.dumps(content)))

# --- the log -------------------------------------------------------------------------------
with tabs[3]:
    if not log_entries:
        st.caption("No messages yet. Connect to fill the log.")
    else:
        st.markdown(f"**{len(log_entries)} messages**, captured on the client's read and write "
                    "streams (what actually crossed the transport).")
        st.dataframe(pd.DataFrame([{"#": e.seq, "t (ms)": e.t_ms, "direction": e.direction,
                                    "kind": e.kind, "method": e.method, "id": _rpc_id(e.id)}
                                   for e in log_entries]), hide_index=True)
        st.caption("*id* pairs a request with its response; notifications carry none.")
        for e in log_entries[-40:]:
            with st.expander(f"{e.seq}. {e.summary()} · {e.t_ms} ms"):
                st.json(e.payload)
        st.download_button("Export the log as JSON",
                           data=client.log.to_json() if client else
                           json.dumps({"messages": [asdict(e) for e in log_entries]}, indent=2),
                           file_name="mcp-log.json", mime="application/json",
                           key="mcp_export")

# --- stdio vs HTTP -------------------------------------------------------------------------
with tabs[4]:
    st.markdown("The same exchange (initialize, tools/list, tools/call) against our server over "
                "both transports. The JSON-RPC messages are identical; what differs is how they "
                "travel: stdio spawns a process and writes lines to its stdin, streamable HTTP "
                "POSTs each message to `/mcp` and reads the reply as JSON or SSE.")
    if st.button("Run over stdio and streamable HTTP", key="mcp_compare",
                 icon=":material/compare_arrows:"):
        try:
            with st.spinner("Starting both servers and running the exchange…"):
                stdio_steps, stdio_log = scripted_exchange(Target.ours())
                with LocalHttpServer() as http_server:
                    http_steps, http_log = scripted_exchange(Target("http",
                                                                    url=http_server.url))
            S["mcp_compare_result"] = (stdio_steps, stdio_log.entries(), http_steps,
                                       http_log.entries())
        except ExplorerError as e:
            st.error(str(e))
    if S.get("mcp_compare_result"):
        stdio_steps, stdio_entries, http_steps, http_entries = S["mcp_compare_result"]
        rows = [{"transport": t, "step": s.step, "ms": s.ms, "messages": s.messages,
                 "bytes": s.bytes}
                for t, steps in (("stdio", stdio_steps), ("streamable HTTP", http_steps))
                for s in steps]
        fig = px.bar(pd.DataFrame(rows), x="step", y="ms", color="transport", barmode="group",
                     title="Wall time per step (initialize includes starting the stdio process)",
                     labels={"ms": "wall time (ms)", "step": "protocol step"})
        st.plotly_chart(fig, width="stretch")
        cols = st.columns(2)
        for col, title, entries in ((cols[0], "stdio", stdio_entries),
                                    (cols[1], "streamable HTTP", http_entries)):
            with col:
                st.markdown(f"**{title}**")
                st.dataframe(pd.DataFrame([{"#": e.seq, "t (ms)": e.t_ms,
                                            "direction": e.direction, "method": e.method,
                                            "id": _rpc_id(e.id)} for e in entries]),
                             hide_index=True)

# --- N×M vs N+M ----------------------------------------------------------------------------
with tabs[5]:
    st.markdown("Without a shared protocol every AI application needs its own connector to every "
                "system. With MCP each application implements the client once and each system "
                "ships one server.")
    a, b = st.columns(2)
    n = a.number_input("AI applications (hosts), N", min_value=1, max_value=200, value=4,
                       step=1, key="mcp_n")
    m = b.number_input("Systems to connect, M", min_value=1, max_value=500, value=12, step=1,
                       key="mcp_m")
    bespoke, with_mcp = integrations(int(n), int(m))
    k1, k2, k3 = st.columns(3)
    k1.metric("Bespoke connectors (N×M)", f"{bespoke:,}")
    k2.metric("With MCP (N+M)", f"{with_mcp:,}")
    k3.metric("Saved", f"{bespoke - with_mcp:,}")
    curve = pd.DataFrame(integration_curve(int(n), max(int(m), 2)))
    fig = px.line(curve.melt(id_vars="systems", var_name="approach", value_name="connectors"),
                  x="systems", y="connectors", color="approach", markers=True,
                  title=f"Connectors to build and maintain with N = {int(n)} hosts")
    st.plotly_chart(fig, width="stretch")
