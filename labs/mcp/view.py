"""The explorer page's panels as plain data and figure specs (no Streamlit here), so each panel
is tested without a browser and the page only reads widgets and draws.

- `log_panel(entries)`: the live JSON-RPC log (the page redraws it in a fragment every
  half second while a call is in flight; this is that fragment's body).
- `outcome_view(...)`: what a finished, refused or held tool call shows.
- `call_status(pending)`: one line for a call in flight: held for approval, asking a question,
  a task's last status, or the last progress notification.
- `era_step(row)`: the diagram's step for one row of the two-era comparison.
- Figures as plotly dicts (`transport_figure`, `integration_figure`), wrapped once, unvalidated,
  like `labs.costsim.charts`.

Left out: anything that needs the live session (the page holds it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

from labs.mcp.explorer import LogEntry, ToolOutcome
from labs.mcp.teach import Step, integration_curve

EXPLAIN_KIND = {
    "denied": "the host blocked it; nothing was sent",
    "ask": "held by the host until the learner approves",
    "transport-error": "the transport failed",
}


def rpc_id(value: object) -> str:
    """A JSON-RPC id as text ("" for a notification, which has none)."""
    return "" if value is None else str(value)


@dataclass
class LogPanel:
    count: int
    rows: list[dict[str, Any]]
    details: list[tuple[str, dict[str, Any]]]  # (expander title, payload), newest last
    export: str


def log_panel(entries: list[LogEntry], last: int = 40) -> LogPanel:
    """The log table, the last `last` messages in full, and the JSON export."""
    rows = [{"#": e.seq, "t (ms)": e.t_ms, "direction": e.direction, "kind": e.kind,
             "method": e.method, "id": rpc_id(e.id),
             "note": EXPLAIN_KIND.get(e.kind, _note(e))} for e in entries]
    details = [(f"{e.seq}. {e.summary()} · {e.t_ms} ms", e.payload) for e in entries[-last:]]
    from dataclasses import asdict

    export = json.dumps({"messages": [asdict(e) for e in entries]}, indent=2)
    return LogPanel(len(entries), rows, details, export)


def _note(e: LogEntry) -> str:
    result = e.payload.get("result") if isinstance(e.payload, dict) else None
    if isinstance(result, dict):
        kind = result.get("resultType")
        if kind == "input_required":
            return "the server needs input: the client asks the user, then retries"
        if kind == "task":
            return "the server made a task of it: the client polls tasks/get"
    if e.method == "elicitation/create" and e.kind == "request":
        return "the server asks the user mid-call (2025 elicitation)"
    if isinstance(e.payload, dict) and (e.payload.get("params") or {}).get("inputResponses"):
        return "the retry, carrying the user's answer"
    return ""


@dataclass
class OutcomeView:
    level: str  # success | warning | error
    headline: str
    structured: dict[str, Any] | None = None
    text: str = ""
    progress: list[dict[str, Any]] = field(default_factory=list)
    task: list[dict[str, Any]] = field(default_factory=list)


def outcome_view(name: str, args: dict[str, Any], outcome: ToolOutcome | str) -> OutcomeView:
    """What the page shows for one call's end: result, tool error, refusal or failure."""
    if isinstance(outcome, str):
        return OutcomeView("error", f"`{name}` failed: {outcome}")
    task = [{k: s.get(k) for k in ("status", "statusMessage", "lastUpdatedAt")}
            for s in outcome.task_states]
    if not outcome.sent:
        return OutcomeView("warning", f"`{name}` was not sent: {outcome.denied_reason}.")
    if outcome.is_error:
        return OutcomeView("error", f"`{name}` returned a tool error (isError: true)",
                           text=outcome.text, progress=outcome.progress, task=task)
    return OutcomeView("success", f"`{name}` answered the call with "
                       f"`{json.dumps(args, ensure_ascii=False)[:300]}`",
                       structured=outcome.structured,
                       text="" if outcome.structured is not None else outcome.text,
                       progress=outcome.progress, task=task)


def call_status(pending) -> tuple[float | None, str]:
    """(fraction done or None, one line) for a call in flight."""
    if pending.awaiting_approval:
        return None, "waiting for your approval: nothing has been sent"
    watch = pending.watch
    if watch is not None and watch.last:
        last = watch.last
        return None, f"task {str(last.get('taskId', watch.task_id))[:8]}: {last.get('status')}" \
                     f" · {last.get('statusMessage') or ''}"
    if pending.progress:
        p = pending.progress[-1]
        frac = p["progress"] / p["total"] if p.get("total") else None
        return (min(max(frac, 0.0), 1.0) if frac is not None else None), p.get("message") or ""
    return None, "sent; waiting for the server"


def form_defaults(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of an elicitation form (flat primitives only, as the spec allows)."""
    out = []
    required = set(schema.get("required") or [])
    for name, prop in (schema.get("properties") or {}).items():
        kind = "enum" if "enum" in prop else prop.get("type", "string")
        out.append({"name": name, "kind": kind, "required": name in required,
                    "label": prop.get("description") or prop.get("title") or name,
                    "options": list(prop.get("enum") or []), "default": prop.get("default")})
    return out


def era_step(row, era: str) -> Step:
    """The diagram step for one side of a two-era comparison row."""
    side = row.modern if era == "modern" else row.legacy
    if side is None:
        return Step(None, None, None, f"no such step in the {era} era", False)
    backend = side.method in ("tools/call", "resources/read")
    caption = f"{side.method} · {', '.join(row.differences) or 'same on both wires'}"
    return Step(side.method, "client→server", "request", caption, backend)


def _fig(data: list[dict], layout: dict) -> go.Figure:
    return go.Figure(data, layout, skip_invalid=True)


def transport_figure(rows: list[dict[str, Any]]) -> go.Figure:
    """Wall time per protocol step, one bar group per transport."""
    data = []
    for transport in dict.fromkeys(r["transport"] for r in rows):
        mine = [r for r in rows if r["transport"] == transport]
        data.append({"type": "bar", "name": transport, "x": [r["step"] for r in mine],
                     "y": [r["ms"] for r in mine]})
    return _fig(data, {"barmode": "group", "title": {"text": "Wall time per step (initialize "
                       "includes starting the stdio process)"},
                       "xaxis": {"title": {"text": "protocol step"}},
                       "yaxis": {"title": {"text": "wall time (ms)"}}})


def integration_figure(hosts: int, systems: int) -> go.Figure:
    """Connectors to build with and without MCP, for 1..systems systems."""
    curve = integration_curve(hosts, max(systems, 2))
    xs = [r["systems"] for r in curve]
    data = [{"type": "scatter", "mode": "lines+markers", "name": k, "x": xs,
             "y": [r[k] for r in curve]} for k in ("bespoke (N×M)", "MCP (N+M)")]
    return _fig(data, {"title": {"text": f"Connectors to build and maintain with N = {hosts} "
                                         "hosts"},
                       "xaxis": {"title": {"text": "systems"}},
                       "yaxis": {"title": {"text": "connectors"}}})


def widget_specs(fields) -> list[dict[str, Any]]:
    """A tool form's fields (`teach.FormField`) in the shape `form_defaults` gives, so one
    drawing function serves the tool form and the server's elicitation form alike."""
    out = []
    for f in fields:
        default = f.default if f.default is not None else (
            f.minimum if f.minimum is not None else 0) if f.kind in ("integer", "number") else \
            f.default
        out.append({"name": f.name, "kind": f.kind, "required": f.required,
                    "label": f.name + (" *" if f.required else "") +
                    (" (JSON)" if f.kind == "json" else ""),
                    "options": f.options, "default": default, "help": f.description})
    return out


def transport_rows(runs: dict[str, list]) -> list[dict[str, Any]]:
    """One row per (transport, step) of `scripted_exchange` runs, for the figure and table."""
    return [{"transport": t, "step": s.step, "ms": s.ms, "messages": s.messages,
             "bytes": s.bytes} for t, steps in runs.items() for s in steps]


def annotations_line(tool: dict[str, Any]) -> str:
    """A tool's annotations as one caption line (what a host reads to set its default)."""
    notes = tool.get("annotations") or {}
    return "Annotations: " + (", ".join(f"`{k}: {v}`" for k, v in notes.items()) or "none")


def prompt_hint(prompt: dict[str, Any], resources: list[dict[str, Any]]) -> str | None:
    """Which ids a prompt's `prompt_id` takes, from the listed design-prompt:// resources."""
    names = [a["name"] for a in prompt.get("arguments") or []]
    known = [r["uri"].split("://", 1)[1] for r in resources
             if str(r.get("uri", "")).startswith("design-prompt://")]
    return "prompt_id is one of: " + ", ".join(f"`{k}`" for k in known) \
        if "prompt_id" in names and known else None


def missing_arguments(prompt: dict[str, Any], values: dict[str, str]) -> str | None:
    """Why a prompts/get would be refused for a blank required argument (so it is not sent)."""
    missing = [a["name"] for a in prompt.get("arguments") or []
               if a.get("required") and not (values.get(a["name"]) or "").strip()]
    return ("Not sent: fill the required argument(s) " + ", ".join(f"`{m}`" for m in missing)
            + " first.") if missing else None
