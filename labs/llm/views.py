"""Figures of the LLM spend page, built from `labs.llm.accounting` summaries (no Streamlit
here, so they are tested as plain data)."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go


def spend_bar(rows: list[dict], label: Callable, title: str) -> go.Figure:
    """Known cost per group; hover shows calls, tokens and how many are cost unknown.

    When every call so far cost $0 (offline engines, cache hits) a cost chart is an empty
    axis from -1 to 1, so the bars count calls instead and the title says why."""
    free = all(not r["cost_usd"] for r in rows)
    if free:
        title = title.replace("Cost", "Calls") + " (every call so far cost $0)"
    fig = go.Figure(go.Bar(
        x=[label(r["key"]) for r in rows],
        y=[r["calls"] if free else r["cost_usd"] for r in rows],
        customdata=[[r["calls"], r["unknown"], r["input_tokens"], r["output_tokens"],
                     r["cache_hits"]] for r in rows],
        text=[(f"{r['calls']} calls" if free else f"${r['cost_usd']:.4f}")
              + (f" + {r['unknown']} unknown" if r["unknown"] else "") for r in rows],
        textposition="auto",
        hovertemplate=("%{x}<br>$0 known" if free else "%{x}<br>$%{y:.6f} known")
                      + "<br>%{customdata[0]} calls, %{customdata[1]} "
                      "cost unknown<br>%{customdata[2]} in / %{customdata[3]} out tokens<br>"
                      "%{customdata[4]} cache hits<extra></extra>"))
    fig.update_layout(title=title, yaxis_title="calls" if free else "USD (known)", height=320,
                      margin={"t": 40, "b": 10, "l": 10, "r": 10})
    return fig
