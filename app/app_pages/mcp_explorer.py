"""MCP explorer: connect to a real MCP server, watch every JSON-RPC message live, call its tools
under host permissions, answer its questions, follow its tasks, and compare the 2025 and 2026
protocol eras on the wire. Logic lives in labs.mcp (view, eras, explorer, teach)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import mcp_parts as parts
from labs.mcp import teach, view
from labs.mcp.explorer import (
    CUSTOM_SERVERS_ENV,
    PERMISSIONS,
    ExplorerClient,
    ExplorerError,
    LocalHttpServer,
    Target,
    custom_servers_allowed,
    parse_command,
)

S = st.session_state
MODES = {"auto": "2026-07-28: stateless, server/discover first (falls back to initialize)",
         "legacy": "2025-11-25: initialize handshake and a session"}  # the current era first
SOURCES = {"ours": "AIE Bridge (stdio subprocess)",
           "ours-http": "AIE Bridge (streamable HTTP subprocess)",
           "command": "Any stdio command", "url": "Any streamable HTTP URL"}

st.title("MCP explorer")
st.caption("A real MCP session, message by message. The explorer is the **host**: it holds one "
           "**client** per server, decides which tools may run, answers the server's questions "
           "through you, and logs every JSON-RPC message.")


def _client() -> ExplorerClient | None:
    c = S.get("mcp_client")
    return c if c is not None and c.connected else None


def _disconnect() -> None:
    c = S.pop("mcp_client", None)
    if c is not None:
        S["mcp_last_log"] = c.log.entries()  # kept after disconnecting, for reading and export
        c.close()
    if (server := S.pop("mcp_http_server", None)) is not None:
        server.stop()
    for k in ("mcp_lists", "mcp_last_result", "mcp_resource", "mcp_prompt", "mcp_pending"):
        S.pop(k, None)


def _lists(c: ExplorerClient) -> dict:
    caps = c.info.capabilities if c.info else {}
    return {"tools": c.list_tools() if "tools" in caps else [],
            "resources": c.list_resources() if "resources" in caps else [],
            "templates": c.list_resource_templates() if "resources" in caps else [],
            "prompts": c.list_prompts() if "prompts" in caps else []}


def _target(source: str) -> Target:
    if source == "ours":
        return Target.ours()
    if source == "ours-http":
        S["mcp_http_server"] = LocalHttpServer().start()
        return Target("http", url=S["mcp_http_server"].url, label=SOURCES[source])
    if source == "command":
        parse_command(S.get("mcp_command", ""))
        return Target("stdio", command=S["mcp_command"].strip())
    return Target("http", url=S.get("mcp_url", ""))


# --- connect ---------------------------------------------------------------------------------
with st.container(border=True):
    st.markdown("#### 1. Connect")
    ip = st.context.ip_address
    custom = custom_servers_allowed(ip if isinstance(ip, str) else None)
    source = st.radio("Server", list(SOURCES) if custom else ["ours", "ours-http"],
                      horizontal=True, key="mcp_source", format_func=SOURCES.get)
    if not custom:
        st.caption(f"Naming your own server is off for remote browsers: a command would run on "
                   f"this app's server. The operator can set `{CUSTOM_SERVERS_ENV}=always`.")
    if source in ("command", "url"):
        st.text_input("Command that starts the server" if source == "command" else
                      "Endpoint URL", key=f"mcp_{source}")
    st.selectbox("Protocol era", list(MODES), format_func=MODES.get, key="mcp_mode")
    c1, c2 = st.columns(2)
    if c1.button("Connect", type="primary", key="mcp_connect", disabled=_client() is not None):
        try:
            with st.spinner("Starting the server and connecting…"):
                client = ExplorerClient(_target(source), mode=S["mcp_mode"])
                client.connect()
                S["mcp_client"], S["mcp_lists"] = client, _lists(client)
            st.rerun()
        except ExplorerError as e:
            _disconnect()  # stops an HTTP server started for this attempt
            st.error(str(e))
    if c2.button("Disconnect", key="mcp_disconnect", disabled=_client() is None):
        _disconnect()
        st.rerun()

client = _client()
entries = client.log.entries() if client else S.get("mcp_last_log", [])
lists = S.get("mcp_lists", {"tools": [], "resources": [], "templates": [], "prompts": []})

shown = entries[-1] if entries else None
if len(entries) > 1:
    pick = st.select_slider("Replay the session: the diagram shows message…",
                            options=list(range(1, len(entries) + 1)), value=len(entries),
                            format_func=lambda i: f"{i}. {entries[i - 1].summary()}")
    shown = entries[pick - 1]
st.graphviz_chart(teach.architecture_dot(
    teach.current_step(shown), client.target.kind if client else "stdio",
    client.info.name if client and client.info else "MCP server"),
                  width="stretch")
if client and client.info:
    left, right = st.columns(2)
    left.markdown(f"**Connected to** `{client.info.name}` {client.info.version} over "
                  f"**{client.target.kind}**, protocol **{client.info.protocol_version}**")
    right.markdown("Server capabilities:")
    right.json(client.info.capabilities, expanded=1)


tabs = st.tabs(["Tools", "Resources", "Prompts", "Message log", "2025 vs 2026", "stdio vs HTTP",
                "N×M vs N+M"])
with tabs[0]:
    if not client or not lists["tools"]:
        st.caption("Connect to list the server's tools." if not client else "No tools here.")
    else:
        tools = {t["name"]: t for t in lists["tools"]}
        st.markdown("**Host permissions.** *allow* sends at once, *ask* shows you the arguments "
                    "and waits for your approval, *deny* never sends. Tools annotated "
                    "`destructiveHint` start at *ask*.")
        cols = st.columns(min(len(tools), 4))
        for i, tname in enumerate(tools):
            client.permissions[tname] = cols[i % len(cols)].selectbox(
                tname, PERMISSIONS, index=PERMISSIONS.index(client.permission(tname)),
                key=f"mcp_perm_{tname}")
        name = st.selectbox("Tool", list(tools), key="mcp_tool")
        tool = tools[name]
        st.caption(tool.get("description") or "")
        st.caption(view.annotations_line(tool))
        schema = tool.get("inputSchema") or {}
        fields = teach.form_fields(schema)
        with st.form(f"mcp_form_{name}"):
            raw = parts.widgets(view.widget_specs(fields), f"mcp_arg_{name}_")
            skip = st.checkbox("Skip the client-side schema check", key=f"mcp_skip_{name}")
            submitted = st.form_submit_button("Call tool", type="primary",
                                              disabled="mcp_pending" in S)
        if submitted:
            args, problems = teach.build_arguments(fields, raw)
            problems = problems or ([] if skip else teach.check_arguments(schema, args))
            if problems:
                S.pop("mcp_last_result", None)
                st.error("Not sent; the arguments do not match the schema:\n\n" +
                         "\n".join(f"- {p}" for p in problems))
            else:
                parts.start_call(client, name, args)
        if "mcp_pending" in S:
            st.fragment(run_every=0.5)(parts.in_flight)(client)
        elif S.get("mcp_last_result"):
            parts.outcome(*S["mcp_last_result"])

with tabs[1]:
    if client:
        for title, key in (("Resources", "resources"), ("Resource templates", "templates")):
            if lists[key]:
                st.markdown(f"**{title}**")
                st.dataframe(pd.DataFrame(lists[key]), hide_index=True)
        uri = st.text_input("Resource URI (templates too; try corpus://../modules/06-mcp.md to "
                            "see a traversal refused)", value="lesson://mcp", key="mcp_uri")
        if st.button("Read resource", key="mcp_read"):
            try:
                S["mcp_resource"] = (uri, client.read_resource(uri))
            except ExplorerError as e:
                S["mcp_resource"] = (uri, str(e))
        ruri, contents = S.get("mcp_resource", (None, []))
        if isinstance(contents, str):
            st.error(f"`{ruri}`: {contents}")
        for item in contents if isinstance(contents, list) else []:
            st.caption(f"{item.get('uri')} · {item.get('mimeType')}")
            st.code(item.get("text", "")[:20000], language=None)

with tabs[2]:
    if client and lists["prompts"]:
        prompts = {p["name"]: p for p in lists["prompts"]}
        pname = st.selectbox("Prompt (user-controlled)", list(prompts), key="mcp_prompt_name")
        pargs = {a["name"]: st.text_input(a["name"], key=f"mcp_parg_{pname}_{a['name']}")
                 for a in prompts[pname].get("arguments") or []}
        if hint := view.prompt_hint(prompts[pname], lists["resources"]):
            st.caption(hint)
        if st.button("Get prompt", key="mcp_get_prompt"):
            try:
                if refusal := view.missing_arguments(prompts[pname], pargs):
                    raise ExplorerError(refusal)
                S["mcp_prompt"] = client.get_prompt(pname, {k: v.strip() for k, v in
                                                            pargs.items() if v.strip()})
            except ExplorerError as e:
                S["mcp_prompt"] = str(e)
        got = S.get("mcp_prompt")
        if isinstance(got, str):
            st.error(got)
        for m in (got or {}).get("messages", []) if isinstance(got, dict) else []:
            with st.chat_message("user" if m.get("role") == "user" else "assistant"):
                st.markdown(m.get("content", {}).get("text", ""))


with tabs[3]:
    st.fragment(run_every=0.5 if "mcp_pending" in S else None)(parts.live_log)(
        client.log.entries if client else (lambda: entries))

# the last three tabs never touch the session's client: fragments, their widgets rerun them only
with tabs[4]:
    st.fragment(parts.eras_tab)()
with tabs[5]:
    st.fragment(parts.transports_tab)()
with tabs[6]:
    st.fragment(parts.integrations_tab)()
