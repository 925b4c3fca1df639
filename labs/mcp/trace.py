"""`aie-bridge mcp trace`: one scripted MCP session over streamable HTTP, every exchange recorded.

The same three steps in either era, so the two traces can be read side by side:

- modern (2026-07-28, stateless): `server/discover`, `tools/list`, `tools/call
  search_curriculum`. No handshake and no session: every request carries the protocol version,
  the client's capabilities and its identity in `params._meta`, and routing headers
  (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`) so a load balancer can send any request to
  any replica without reading the body.
- legacy (2025-11-25, stateful): `initialize`, `notifications/initialized`, the same list and
  call. The server mints an `Mcp-Session-Id` that every later request must echo, so the session
  is pinned to the replica that holds it.

`run_trace()` returns plain data (the issue's JSON shape); `transcript()` annotates it.
Left out: OAuth and the resumable GET stream's replay (`Last-Event-ID`).
"""

from __future__ import annotations

from typing import Any, Literal

Era = Literal["modern", "legacy"]
ERAS: tuple[Era, ...] = ("modern", "legacy")
MODERN_VERSION = "2026-07-28"
ROUTING_HEADERS = ("mcp-protocol-version", "mcp-method", "mcp-name", "mcp-session-id")
DEFAULT_QUERY = "why did MCP go stateless"


def client_mode(era: Era) -> str:
    """The SDK `Client(mode=...)` for an era: modern probes `server/discover` first."""
    return "auto" if era == "modern" else "legacy"


Action = Literal["list_tools", "call_tool", "read_resource"]
ACTIONS: dict[str, str] = {"list_tools": "list the tools",
                           "call_tool": "call search_curriculum",
                           "read_resource": "read lesson://mcp"}
SCRIPT: tuple[Action, ...] = ("list_tools", "call_tool")


def run_trace(era: Era, url: str | None = None, query: str = DEFAULT_QUERY,
              actions: tuple[Action, ...] = SCRIPT) -> dict[str, Any]:
    """Run the scripted session against `url` (or a server started for it) and record it."""
    if era not in ERAS:
        raise ValueError(f"era must be one of {', '.join(ERAS)}, not {era!r}")
    from labs.mcp.wire import ThreadedHttpServer

    if url is not None:
        return _session(era, url, query, actions)
    with ThreadedHttpServer() as server:
        return _session(era, server.url, query, actions)


async def _act(client, action: Action, query: str) -> None:
    if action == "list_tools":
        await client.list_tools()
    elif action == "call_tool":
        await client.call_tool("search_curriculum", {"query": query, "k": 2})
    elif action == "read_resource":
        await client.read_resource("lesson://mcp")
    else:
        raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")


def _session(era: Era, url: str, query: str, actions: tuple[Action, ...]) -> dict[str, Any]:
    import anyio
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp_types import Implementation

    from labs.mcp.wire import RecordingTransport, recording_client

    recorder = RecordingTransport()

    async def go() -> str:
        async with recording_client(recorder) as http:
            transport = streamable_http_client(url, http_client=http)
            async with Client(transport, mode=client_mode(era), cache=None,
                              client_info=Implementation(name="aie-bridge-trace",
                                                         version="0.1")) as client:
                for action in actions:
                    await _act(client, action, query)
                return client.protocol_version

    version = anyio.run(go)
    return {"era": era, "url": url, "protocol_version": version,
            "exchanges": [e for e in recorder.snapshot() if _is_mcp(e)]}


def _is_mcp(exchange: dict[str, Any]) -> bool:
    """Keep the MCP exchanges; the legacy era's closing DELETE is one too (it ends the session)."""
    return exchange["request"]["method"] in ("POST", "GET", "DELETE")


# --- the annotated transcript -------------------------------------------------------------

def rpc_method(exchange: dict[str, Any]) -> str:
    """The JSON-RPC method a request carries ("GET stream" / "DELETE session" otherwise)."""
    req = exchange["request"]
    body = req.get("body")
    if isinstance(body, dict) and "method" in body:
        return body["method"]
    return {"GET": "GET stream", "DELETE": "DELETE session"}.get(req["method"], req["method"])


_NOTES = {
    "server/discover": "No handshake: one cacheable request says which versions, capabilities "
                       "and identity the server has. The client may skip it and just send.",
    "initialize": "The handshake: versions and capabilities are negotiated once, and the "
                  "server answers with an Mcp-Session-Id that pins this client to it.",
    "notifications/initialized": "The handshake's third leg; the server answers 202, no body.",
    "tools/list": "The listing; on the 2026 wire it carries ttlMs/cacheScope caching hints.",
    "tools/call": "The call; on the 2026 wire Mcp-Method and Mcp-Name route it unread.",
    "resources/read": "The read; on the 2026 wire Mcp-Name carries the URI and the result a TTL.",
    "GET stream": "The standalone SSE stream for server-initiated messages (legacy sessions).",
    "DELETE session": "The client ends the session; the server drops its state.",
}


def headers_of_interest(headers: dict[str, str]) -> dict[str, str]:
    """The MCP routing and session headers of a request or response, by canonical name."""
    canon = {"mcp-protocol-version": "MCP-Protocol-Version", "mcp-method": "Mcp-Method",
             "mcp-name": "Mcp-Name", "mcp-session-id": "Mcp-Session-Id"}
    return {canon[k.lower()]: v for k, v in headers.items() if k.lower() in canon}


def meta_keys(exchange: dict[str, Any]) -> list[str]:
    body = exchange["request"].get("body")
    if isinstance(body, dict):
        return sorted(((body.get("params") or {}).get("_meta") or {}).keys())
    return []


def _result_of(exchange: dict[str, Any]) -> dict[str, Any] | None:
    body = exchange["response"].get("body")
    if isinstance(body, list):
        body = next((m for m in body if isinstance(m, dict) and ("result" in m or "error" in m)),
                    None)
    return body.get("result") if isinstance(body, dict) else None


def transcript(trace: dict[str, Any]) -> str:
    """A human reading of a trace: one block per exchange, headers and a note on each."""
    lines = [f"# MCP over streamable HTTP, {trace['era']} era (protocol "
             f"{trace.get('protocol_version')}), {len(trace['exchanges'])} exchanges"]
    for i, ex in enumerate(trace["exchanges"], 1):
        req, resp = ex["request"], ex["response"]
        lines.append("")
        lines.append(f"[{i}] {req['method']} {req['url']}  ->  {resp['status']}"
                     f"  ({rpc_method(ex)})")
        for name, value in headers_of_interest(req["headers"]).items():
            lines.append(f"    > {name}: {value}")
        keys = meta_keys(ex)
        if keys:
            lines.append(f"    > params._meta: {', '.join(keys)}")
        for name, value in headers_of_interest(resp["headers"]).items():
            lines.append(f"    < {name}: {value}")
        result = _result_of(ex)
        if result:
            hints = {k: result[k] for k in ("resultType", "ttlMs", "cacheScope") if k in result}
            if hints:
                lines.append(f"    < result {', '.join(f'{k}={v}' for k, v in hints.items())}")
        lines.append(f"    # {_NOTES.get(rpc_method(ex), '')}".rstrip())
    return "\n".join(lines)
