"""Two protocol eras on the same action, aligned step by step: what the explorer's
"2025 vs 2026" panel draws, as plain data.

`compare(action)` runs the action once per era against one server over recorded streamable
HTTP (`labs.mcp.trace`). `align(modern, legacy)` pairs the exchanges by role (setup, the action
itself, teardown) and lists, per row, what differs and why it matters:

- no handshake: `server/discover` (optional, cacheable) instead of `initialize` +
  `notifications/initialized`;
- `_meta` on every request: protocol version, client capabilities and identity travel with
  each request instead of living in a session;
- routing headers: `Mcp-Method` / `Mcp-Name` let a proxy route without parsing the body;
- no session id: the legacy `Mcp-Session-Id` pins a client to one replica;
- caching hints: `ttlMs` / `cacheScope` on listings and reads.

Left out: timing comparisons (the two runs share a machine and a warm server, so the numbers
would mostly measure noise; `bench/` is the place for those).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labs.mcp.trace import (
    ACTIONS,
    Action,
    headers_of_interest,
    meta_keys,
    rpc_method,
    run_trace,
)

SETUP = ("server/discover", "initialize", "notifications/initialized", "GET stream")

WHY = {
    "handshake": "No handshake in 2026: nothing is negotiated up front, so there is no "
                 "connection state to lose when a request lands on another replica.",
    "meta": "2026 requests carry protocol version, client capabilities and client info in "
            "params._meta: each request is self-contained.",
    "routing": "Mcp-Method / Mcp-Name headers repeat the method and tool or resource name so a "
               "load balancer or gateway can route and authorize without reading JSON.",
    "session": "The 2025 Mcp-Session-Id pins the client to the replica holding its session "
               "(sticky sessions); 2026 has none, any replica can answer.",
    "cache": "2026 results carry ttlMs / cacheScope, so a client or shared cache may reuse "
             "listings and reads instead of asking again.",
    "teardown": "2025 sessions end with an HTTP DELETE; a stateless 2026 client just stops.",
}


@dataclass
class Side:
    method: str
    status: int | None
    headers: dict[str, str]
    meta: list[str]
    hints: dict[str, Any]
    exchange: dict[str, Any]


@dataclass
class Row:
    phase: str  # setup | action | teardown
    modern: Side | None
    legacy: Side | None
    differences: list[str] = field(default_factory=list)  # keys of WHY

    @property
    def method(self) -> str:
        return (self.modern or self.legacy).method  # type: ignore[union-attr]


def _side(ex: dict[str, Any]) -> Side:
    body = ex["response"].get("body")
    if isinstance(body, list):
        body = next((m for m in body if isinstance(m, dict) and "result" in m), None)
    result = (body or {}).get("result") if isinstance(body, dict) else None
    hints = {k: result[k] for k in ("ttlMs", "cacheScope") if isinstance(result, dict)
             and k in result}
    return Side(rpc_method(ex), ex["response"].get("status"),
                headers_of_interest(ex["request"]["headers"]), meta_keys(ex), hints, ex)


def _phase(method: str) -> str:
    if method in SETUP:
        return "setup"
    return "teardown" if method == "DELETE session" else "action"


def _differences(m: Side | None, legacy: Side | None, phase: str) -> list[str]:
    if phase == "setup":
        return ["handshake"]
    if phase == "teardown":
        return ["teardown", "session"]
    out = []
    if m and m.meta and not (legacy and legacy.meta):
        out.append("meta")
    if m and "Mcp-Method" in m.headers:
        out.append("routing")
    if legacy and "Mcp-Session-Id" in legacy.headers:
        out.append("session")
    if m and m.hints and not (legacy and legacy.hints):
        out.append("cache")
    return out


def align(modern: dict[str, Any], legacy: dict[str, Any]) -> list[Row]:
    """Pair the two traces' exchanges: setup rows side by side, then each action, then teardown.

    Setup rows pair discover with initialize and leave the modern column empty for the
    handshake's extra legs; action rows pair by position among non-setup exchanges.
    """
    def split(trace):
        sides = [_side(e) for e in trace["exchanges"]]
        return ([s for s in sides if _phase(s.method) == "setup"],
                [s for s in sides if _phase(s.method) == "action"],
                [s for s in sides if _phase(s.method) == "teardown"])

    ms, ma, mt = split(modern)
    ls, la, lt = split(legacy)
    rows: list[Row] = []
    for phase, left, right in (("setup", ms, ls), ("action", ma, la), ("teardown", mt, lt)):
        for i in range(max(len(left), len(right))):
            m = left[i] if i < len(left) else None
            g = right[i] if i < len(right) else None
            rows.append(Row(phase, m, g, _differences(m, g, phase)))
    return rows


def compare(action: Action, url: str | None = None) -> dict[str, Any]:
    """Run `action` in both eras against one server; the traces and their aligned rows."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    from labs.mcp.wire import ThreadedHttpServer

    def both(target: str) -> dict[str, Any]:
        modern = run_trace("modern", target, actions=(action,))
        legacy = run_trace("legacy", target, actions=(action,))
        return {"action": action, "modern": modern, "legacy": legacy,
                "rows": align(modern, legacy)}

    if url is not None:
        return both(url)
    with ThreadedHttpServer() as server:
        return both(server.url)


def table(rows: list[Row]) -> list[dict[str, str]]:
    """One line per aligned step, for a dataframe: both methods, key headers, what differs."""
    def cell(s: Side | None) -> str:
        if s is None:
            return "—"
        extra = ", ".join(f"{k}: {v if len(v) <= 24 else v[:8] + '…'}"
                          for k, v in s.headers.items() if k != "MCP-Protocol-Version")
        return f"{s.method} → {s.status}" + (f" [{extra}]" if extra else "")

    return [{"step": str(i), "phase": r.phase, "2026-07-28 (stateless)": cell(r.modern),
             "2025-11-25 (session)": cell(r.legacy), "differs in": ", ".join(r.differences)}
            for i, r in enumerate(rows, 1)]


def explanations(rows: list[Row]) -> list[tuple[str, str]]:
    """Each difference that occurs, once, with why it matters (in first-seen order)."""
    seen: list[str] = []
    for r in rows:
        seen += [d for d in r.differences if d not in seen]
    return [(d, WHY[d]) for d in seen]


def capabilities(trace: dict[str, Any]) -> dict[str, Any]:
    """The server capabilities an era's first exchange advertised (discover or initialize)."""
    first = _side(trace["exchanges"][0]).exchange["response"]["body"]
    if isinstance(first, list):
        first = next((m for m in first if isinstance(m, dict) and "result" in m), {})
    return ((first or {}).get("result") or {}).get("capabilities") or {}
