"""What the explorer page draws and builds, as plain functions: the host → client → server →
backend diagram with the current step highlighted, the N×M against N+M arithmetic, and form
fields derived from a tool's JSON Schema (with the values coerced and checked against it).

Left out: JSON Schema features a form cannot render well ($ref chains, oneOf/anyOf beyond
"type or null", nested objects): those fields fall back to a JSON text box.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from labs.mcp.explorer import LogEntry

# --- the architecture diagram -------------------------------------------------------------

ACTIVE = "#ffd166"
IDLE = "#eef4ff"
DENIED = "#ef476f"

# method -> (what the step is about, does it reach the backend)
_STEPS = {
    "initialize": ("handshake: versions and capabilities", False),
    "notifications/initialized": ("handshake done", False),
    "server/discover": ("discovery (2026 protocol)", False),
    "tools/list": ("discovery: which tools exist", False),
    "resources/list": ("discovery: which resources exist", False),
    "resources/templates/list": ("discovery: resource templates", False),
    "prompts/list": ("discovery: which prompts exist", False),
    "tools/call": ("a tool runs against the backend", True),
    "resources/read": ("a resource is read from the backend", True),
    "prompts/get": ("a prompt is rendered", True),
    "notifications/progress": ("a long tool reports progress", True),
    "elicitation/create": ("the server asks the user mid-call (2025 elicitation)", False),
    "tasks/get": ("the client polls a task's status (2026 Tasks extension)", True),
    "tasks/cancel": ("the client asks the server to cancel a task", True),
}


@dataclass(frozen=True)
class Step:
    method: str | None
    direction: str | None
    kind: str | None
    caption: str
    backend: bool


def current_step(entry: LogEntry | None) -> Step:
    """Which part of the picture the latest message lights up."""
    if entry is None:
        return Step(None, None, None, "not connected: nothing has crossed the wire yet", False)
    caption, backend = _STEPS.get(entry.method or "", (entry.method or "message", False))
    if entry.kind == "denied":
        caption = "the host denied this call: it never left the host"
        backend = False
    elif entry.kind in ("error", "transport-error"):
        caption = f"{entry.method or 'request'} failed: an error came back"
        backend = False  # the server refused it (bad arguments, unknown name, refused path)
    return Step(entry.method, entry.direction, entry.kind, caption, backend)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def architecture_dot(step: Step, transport: str = "stdio", server_name: str = "MCP server",
                     backend: str = "curriculum, quizzes,\\ncost model, grader") -> str:
    """Graphviz DOT of host → client → server → backend, with the current step highlighted."""
    out = step.direction == "client→server"
    back = step.direction == "server→client"
    denied = step.kind == "denied"
    host_fill = DENIED if denied else (ACTIVE if step.method else IDLE)
    client_fill = ACTIVE if (out or back) else IDLE
    server_fill = ACTIVE if (out or back) else IDLE
    backend_fill = ACTIVE if step.backend and (out or back) else IDLE
    wire = "stdio (stdin/stdout of a subprocess)" if transport == "stdio" else \
        "streamable HTTP (POST /mcp, SSE replies)"
    label = (step.method or "idle") + ("  ✗ denied" if denied else
                                       "  →" if out else "  ←" if back else "")
    e_out = f'color="{ACTIVE}", penwidth=3' if out else 'color="#999999"'
    e_back = f'color="{ACTIVE}", penwidth=3' if back else 'color="#999999"'
    e_backend = f'color="{ACTIVE}", penwidth=3' if backend_fill == ACTIVE else 'color="#999999"'
    e_host = f'color="{DENIED}", penwidth=3, style=dashed' if denied else (
        f'color="{ACTIVE}", penwidth=2' if step.method else 'color="#999999"')
    return f"""digraph MCP {{
  rankdir=LR; fontname="Helvetica"; fontsize=16; nodesep=0.5; ranksep=1.1;
  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=16, margin="0.25,0.15"];
  edge [fontname="Helvetica", fontsize=13];
  label={_q("step: " + step.caption)}; labelloc=b;
  subgraph cluster_host {{ label="MCP host (this app: UI, model, permissions)"; style=rounded;
    host [label="Host\\n(explorer page)", fillcolor="{host_fill}"];
    client [label="MCP client\\n(one per server)", fillcolor="{client_fill}"];
    host -> client [{e_host}];
  }}
  server [label={_q(server_name)}, fillcolor="{server_fill}"];
  backend [label="{backend}", shape=cylinder, fillcolor="{backend_fill}"];
  client -> server [label={_q(label + chr(10) + wire)}, {e_out}];
  server -> client [label="result / notification", {e_back}];
  server -> backend [{e_backend}];
}}"""


# --- N×M against N+M ----------------------------------------------------------------------

def integrations(hosts: int, systems: int) -> tuple[int, int]:
    """Connectors to build: bespoke (every host × every system) and with MCP (one each).

    >>> integrations(4, 10)
    (40, 14)
    """
    if hosts < 0 or systems < 0:
        raise ValueError("counts cannot be negative")
    return hosts * systems, hosts + systems


def integration_curve(hosts: int, max_systems: int) -> list[dict[str, int]]:
    """Both counts for 1..max_systems systems at a fixed number of hosts (for the plot)."""
    rows = []
    for m in range(1, max_systems + 1):
        bespoke, mcp = integrations(hosts, m)
        rows.append({"systems": m, "bespoke (N×M)": bespoke, "MCP (N+M)": mcp})
    return rows


# --- forms from JSON Schema ---------------------------------------------------------------

@dataclass
class FormField:
    name: str
    kind: str  # string | text | integer | number | boolean | enum | json
    required: bool
    default: Any = None
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    options: list[Any] = field(default_factory=list)
    nullable: bool = False


def _plain_type(prop: dict[str, Any]) -> tuple[str | None, bool]:
    """The one JSON type of a property and whether null is also allowed."""
    if "type" in prop:
        t = prop["type"]
        if isinstance(t, list):
            non_null = [x for x in t if x != "null"]
            return (non_null[0] if len(non_null) == 1 else None), "null" in t
        return t, False
    variants = prop.get("anyOf") or prop.get("oneOf") or []
    types = [v.get("type") for v in variants]
    non_null = [v for v in variants if v.get("type") != "null"]
    if len(non_null) == 1 and "null" in types:
        inner, _ = _plain_type(non_null[0])
        return inner, True
    return None, False


def form_fields(schema: dict[str, Any]) -> list[FormField]:
    """One form field per top-level property of a tool's inputSchema, required ones first."""
    props: dict[str, Any] = (schema or {}).get("properties") or {}
    required = set((schema or {}).get("required") or [])
    fields = []
    for name, prop in props.items():
        if not isinstance(prop, dict):
            prop = {}
        t, nullable = _plain_type(prop)
        merged = dict(prop)
        for v in prop.get("anyOf") or []:
            if v.get("type") not in (None, "null"):
                merged = {**v, **{k: x for k, x in prop.items() if k != "anyOf"}}
        if "enum" in merged:
            kind = "enum"
        elif t == "string":
            kind = "text" if (merged.get("maxLength") or 0) > 500 or \
                name in ("answer", "text", "body", "content") else "string"
        elif t in ("integer", "number", "boolean"):
            kind = t
        else:
            kind = "json"
        fields.append(FormField(
            name=name, kind=kind, required=name in required, default=merged.get("default"),
            description=merged.get("description") or merged.get("title") or "",
            minimum=merged.get("minimum", merged.get("exclusiveMinimum")),
            maximum=merged.get("maximum", merged.get("exclusiveMaximum")),
            options=list(merged.get("enum") or []), nullable=nullable))
    fields.sort(key=lambda f: not f.required)
    return fields


def build_arguments(fields: list[FormField], raw: dict[str, Any]) -> tuple[dict[str, Any],
                                                                            list[str]]:
    """Arguments from form values: blank optional fields are left out, JSON boxes parsed.

    Returns the arguments and the problems found while reading the form (not the schema
    check, which `check_arguments` does, so a learner can still send a bad call on purpose).
    """
    args: dict[str, Any] = {}
    problems: list[str] = []
    for f in fields:
        value = raw.get(f.name)
        if f.kind in ("string", "text", "json") and (value is None or str(value).strip() == ""):
            if f.required:
                problems.append(f"{f.name} is required")
            continue
        if f.kind == "json":
            try:
                value = json.loads(value)
            except json.JSONDecodeError as e:
                problems.append(f"{f.name}: not valid JSON ({e.msg})")
                continue
        if value is None and not f.required:
            continue
        args[f.name] = value
    return args, problems


def check_arguments(schema: dict[str, Any], args: dict[str, Any]) -> list[str]:
    """Client-side check of arguments against the tool's inputSchema (jsonschema)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema or {"type": "object"})
    out = []
    for err in sorted(validator.iter_errors(args), key=lambda e: list(e.path)):
        where = ".".join(str(p) for p in err.path) or "(arguments)"
        out.append(f"{where}: {err.message}")
    return out
