"""Plotly figures of the simulator, built from a `Simulation` (no Streamlit here, so the bench
and the tests can build every figure of the page without a browser).

Figures are written as plain plotly dicts and wrapped in `go.Figure` once, unvalidated:
plotly's helpers (add_vline, update_layout…) and its validation cost tens of milliseconds per
figure, which would break the page's 100 ms recompute budget. Streamlit takes a Figure as
already validated; the tests validate every figure's spec instead.

Leaves out: styling beyond plotly's defaults.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from labs.costsim.model import (
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    Simulation,
    gpu_capacity,
    peak_calls_per_s,
)

API_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")


def _vline(x: float, text: str, dash: str = "dash", color: str = "grey",
           log_axis: bool = False) -> tuple[dict, dict]:
    """A vertical line and its label; on a log axis plotly places annotations by log10(x)."""
    shape = {"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "yref": "paper",
             "line": {"dash": dash, "color": color, "width": 1}}
    at = float(np.log10(max(x, 1e-9))) if log_axis else x
    note = {"x": at, "y": 1, "yref": "paper", "text": text, "showarrow": False,
            "xanchor": "left", "yanchor": "bottom", "font": {"size": 11}}
    return shape, note


def _fig(data: list[dict], layout: dict) -> go.Figure:
    """A Figure without plotly's per-property validation (the tests build every figure once
    with validation on, so a bad property still fails loudly there)."""
    return go.Figure({"data": data, "layout": {"margin": {"t": 40}, **layout}}, _validate=False)


def traffic_grid(sim: Simulation, points: int = 240) -> np.ndarray:
    s = sim.scenario
    top = max(s.requests_per_day * 3, 1000.0)
    if sim.break_even.requests_per_day:
        top = max(top, sim.break_even.requests_per_day * 2)
    return np.linspace(0, top, points)


def gpus_needed_curve(sim: Simulation, x: np.ndarray) -> np.ndarray:
    """gpus_needed() over a grid of requests/day, vectorised (peak is linear in traffic)."""
    s = sim.scenario
    cap = gpu_capacity(s)
    peak = peak_calls_per_s(s, 1.0) * x
    if cap == 0:
        return np.where(peak > 0, np.nan, 0)
    return np.where(peak > 0, np.maximum(1, np.ceil(peak / cap - 1e-9)), 0)


def cost_vs_traffic(sim: Simulation) -> go.Figure:
    """Monthly cost against requests/day: a line per API model, the GPU staircase, break-even."""
    s = sim.scenario
    x = traffic_grid(sim)
    per_request = {f"{sim.pricing.model_id} (scenario)": sim.unit_cost_usd}
    per_request.update(sim.compare)
    data: list[dict] = []
    for (name, cost), color in zip(per_request.items(), API_COLORS, strict=False):
        data.append({"type": "scatter", "mode": "lines", "name": f"API: {name}", "x": x,
                     "y": cost * x * DAYS_PER_MONTH, "line": {"color": color}})
    needed = gpus_needed_curve(sim, x)
    data.append({"type": "scatter", "mode": "lines", "name": "self-host: GPUs the traffic needs",
                 "x": x, "y": needed * s.gpu_hourly_usd * HOURS_PER_MONTH,
                 "line": {"shape": "hv", "color": "black"}})
    data.append({"type": "scatter", "mode": "lines",
                 "name": f"self-host: {sim.self_host.gpus_billed} GPU(s) billed at your traffic",
                 "x": [float(x[0]), float(x[-1])], "y": [sim.self_host.monthly_usd] * 2,
                 "line": {"dash": "dot", "color": "grey"}})
    be = sim.break_even
    if be.requests_per_day is not None:
        y = sim.unit_cost_usd * be.requests_per_day * DAYS_PER_MONTH
        data.append({"type": "scatter", "mode": "markers+text", "name": "break-even",
                     "x": [be.requests_per_day], "y": [y],
                     "text": [f"break-even {be.requests_per_day:,.0f}/day"],
                     "textposition": "top right",
                     "marker": {"size": 12, "symbol": "diamond", "color": "red"}})
    shape, note = _vline(s.requests_per_day, "your traffic", color="green")
    return _fig(data, {"xaxis": {"title": {"text": "requests per day"}},
                       "yaxis": {"title": {"text": "USD per month"}}, "height": 420,
                       "shapes": [shape], "annotations": [note],
                       "legend": {"orientation": "h", "y": -0.2}})


def usd(v: float, decimals: int = 0) -> str:
    """Dollars with the sign in front: usd(-2619.4) == '-$2,619' (f"${v}" gives '$-2,619')."""
    return f"{'-' if v < 0 else ''}${abs(v):,.{decimals}f}"


def savings_waterfall(sim: Simulation) -> go.Figure:
    steps = sim.waterfall
    measure = ["absolute"] + ["relative"] * (len(steps) - 2) + ["total"]
    return _fig([{"type": "waterfall", "x": [n for n, _ in steps], "y": [v for _, v in steps],
                  "measure": measure, "text": [usd(v) for _, v in steps],
                  "textposition": "outside",
                  "decreasing": {"marker": {"color": "#2ca02c"}},
                  "increasing": {"marker": {"color": "#d62728"}},
                  "totals": {"marker": {"color": "#1f77b4"}}}],
                {"yaxis": {"title": {"text": "USD per month"}}, "height": 380,
                 "showlegend": False})


def latency_distribution(sim: Simulation) -> go.Figure:
    """Share of online requests per latency bin (log scale): API TTFT and total, self-host."""
    lat, own = sim.latency, sim.self_host_latency
    series = {"API: time to first token": lat.ttft_ms[lat.online],
              "API: total": lat.total_ms[lat.online],
              "self-host: total": own.total_ms[own.online]}
    allv = np.concatenate([v for v in series.values() if v.size] or [np.array([1.0])])
    lo, hi = max(float(allv.min()), 1.0), max(float(allv.max()), 10.0)
    bins = np.logspace(np.log10(lo * 0.9), np.log10(hi * 1.1), 60)
    mids = np.sqrt(bins[:-1] * bins[1:])
    data = []
    styles = ({"color": "#1f77b4"}, {"color": "#ff7f0e"}, {"color": "#d62728", "dash": "dot"})
    for (name, v), style in zip(series.items(), styles, strict=True):
        counts, _ = np.histogram(v, bins=bins)
        data.append({"type": "scatter", "mode": "lines", "name": name, "x": mids,
                     "y": counts / max(v.size, 1), "line": {"shape": "hvh", **style}})
    pct = lat.percentiles()
    shapes, notes = [], []
    for i, (key, dash) in enumerate((("p50", "dot"), ("p95", "dash"), ("p99", "longdash"))):
        shape, note = _vline(pct[key], f"API {key} {pct[key]:,.0f} ms ", dash=dash,
                             log_axis=True)
        note.update({"y": 0.98 - 0.08 * i, "yanchor": "top", "xanchor": "right"})
        shapes.append(shape)
        notes.append(note)
    return _fig(data, {"xaxis": {"type": "log", "title": {"text": "latency (ms, log scale)"}},
                       "yaxis": {"title": {"text": "share of online requests"}}, "height": 380,
                       "shapes": shapes, "annotations": notes,
                       "legend": {"orientation": "h", "y": -0.25}})


def breakdown_bar(sim: Simulation) -> go.Figure:
    b = sim.costs.breakdown
    parts = {"input": b.input_usd, "cache read": b.cache_read_usd,
             "cache write": b.cache_write_usd, "output": b.output_usd,
             "batch discount": b.batch_discount_usd}
    # labels outside and level: inside a narrow column "auto" turned them sideways and tiny
    return _fig([{"type": "bar", "x": list(parts), "y": list(parts.values()),
                  "text": [usd(v, 2 if abs(v) < 100 else 0) for v in parts.values()],
                  "textposition": "outside", "textangle": 0, "cliponaxis": False}],
                {"yaxis": {"title": {"text": "USD per month"}, "automargin": True},
                 "xaxis": {"title": {"text": "part of the bill"}}, "height": 380})


def simulator_figures(sim: Simulation) -> dict[str, go.Figure]:
    """Every chart of the simulator tab."""
    return {"cost_vs_traffic": cost_vs_traffic(sim), "waterfall": savings_waterfall(sim),
            "latency": latency_distribution(sim), "breakdown": breakdown_bar(sim)}


def request_path_dot(sim: Simulation) -> str:
    """Graphviz source of where the month's requests go: caches, LLM calls, batch. Drawn top
    to bottom with short labels, so it stays legible in a half-width column at 1,400 px."""
    s, c = sim.scenario, sim.costs
    online = 1 - s.batch_share
    return (
        "digraph { rankdir=TB; nodesep=0.5; ranksep=0.35; "
        "node [shape=box, style=rounded, fontname=Helvetica, fontsize=14, margin=\"0.2,0.08\"];"
        " edge [fontname=Helvetica, fontsize=13];"
        f'req [label="{c.requests_per_month:,.0f} requests / month"];'
        'exact [label="exact cache"]; sem [label="semantic cache"];'
        f'llm [label="LLM: {sim.pricing.model_id}\\n'
        f'prompt cache {s.prompt_cache_hit_rate:.0%} warm"];'
        'hit [label="answered from cache", shape=note];'
        'live [label="answered live", shape=note];'
        'batch [label="batch API (offline)", shape=note];'
        f'req -> exact; exact -> hit [label=" {s.exact_cache_hit_rate:.0%}"];'
        f'exact -> sem; sem -> hit [label=" {s.semantic_cache_hit_rate:.0%}"];'
        f'sem -> llm [label=" {c.llm_calls_per_month:,.0f} calls"];'
        f'llm -> live [label=" {online:.0%}"]; llm -> batch [label=" {s.batch_share:.0%}"];'
        "{rank=same; hit; llm} }"
    )


def semantic_sweep(table: list[dict]) -> go.Figure:
    """Semantic-cache lab: hit rate and false-hit rate against the similarity threshold."""
    xs = [r["threshold"] for r in table]
    return _fig([
        {"type": "scatter", "mode": "lines+markers", "name": "semantic hit rate", "x": xs,
         "y": [r["hit rate"] for r in table]},
        {"type": "scatter", "mode": "lines+markers", "name": "false-hit rate (of hits)",
         "x": xs, "y": [r["false-hit rate"] for r in table]},
        {"type": "scatter", "mode": "lines", "name": "exact-match hit rate", "x": xs,
         "y": [r["exact-match hit rate"] for r in table], "line": {"dash": "dash"}}],
        {"xaxis": {"title": {"text": "similarity threshold"}},
         "yaxis": {"title": {"text": "rate"}, "tickformat": ".0%"}, "height": 420,
         "legend": {"orientation": "h", "y": -0.2}})


def semantic_caption(table: list[dict], threshold: float = 0.95) -> str:
    exact = table[0]["exact-match hit rate"]
    at = min(table, key=lambda r: abs(r["threshold"] - threshold))
    return (f"Exact match serves {exact:.1%} of this log; a perfect cache would serve "
            f"{table[0]['ideal hit rate']:.1%}. At the track's {at['threshold']:.2f} threshold "
            f"this small model serves {at['hit rate']:.1%} with {at['false hits']} wrong "
            "answers: paraphrases of one intent rarely score that high, while near misses "
            "(turn 2FA on / off) can score 0.9. Loosening the threshold buys hits with wrong "
            "answers; a stronger embedding model or a reranker on the candidate moves the "
            "whole curve.")


def tenant_feature_bar(by_tenant_feature, tenant_order: list[str]) -> go.Figure:
    """Spend per tenant, stacked by feature."""
    data = []
    for (feature, rows), color in zip(by_tenant_feature.groupby("feature_id", sort=True),
                                      API_COLORS, strict=False):
        data.append({"type": "bar", "name": feature, "x": rows["customer_id"].to_numpy(),
                     "y": rows["cost_usd"].to_numpy(), "marker": {"color": color}})
    return _fig(data, {"barmode": "stack", "height": 380,
                       "xaxis": {"title": {"text": "tenant"}, "categoryorder": "array",
                                 "categoryarray": tenant_order},
                       "yaxis": {"title": {"text": "USD this month"}},
                       "legend": {"title": {"text": "feature"}}})


def cumulative_spend(cumulative, budget: tuple[str, float] | None = None) -> go.Figure:
    """Month-to-date spend per tenant, with one tenant's budget drawn across."""
    data = [{"type": "scatter", "mode": "lines", "name": tenant,
             "x": rows["day"].to_numpy() + 1, "y": rows["cumulative_usd"].to_numpy()}
            for tenant, rows in cumulative.groupby("customer_id", sort=True)]
    shapes, notes = [], []
    if budget is not None:
        name, value = budget
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": value,
                       "y1": value, "line": {"dash": "dot", "color": "red", "width": 1}})
        notes.append({"xref": "paper", "x": 0, "y": value, "text": f"{name}'s budget",
                      "showarrow": False, "xanchor": "left", "yanchor": "bottom"})
    return _fig(data, {"height": 380, "shapes": shapes, "annotations": notes,
                       "xaxis": {"title": {"text": "day of month"}},
                       "yaxis": {"title": {"text": "month-to-date USD"}}})
