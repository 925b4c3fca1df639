"""Figures and tables of the study plan, built from the plan report (no Streamlit here): the
page draws them, the tests check them as plain data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import plotly.graph_objects as go

from labs.study.mastery import ModuleMastery

NEW_COLOR, REVIEW_COLOR = "#f59f00", "#4f7cff"


def _fig(data: list[dict], layout: dict) -> go.Figure:
    return go.Figure({"data": data, "layout": {"margin": {"l": 10, "r": 10, "t": 40, "b": 10},
                                               **layout}}, _validate=False)


def forecast_spec(report: dict) -> dict:
    """Cards a day from today to the interview, new and review stacked, the cap as a line."""
    days = [d["date"] for d in report["days"]]
    data = [
        {"type": "bar", "name": "new", "x": days, "y": [d["new"] for d in report["days"]],
         "marker": {"color": NEW_COLOR}},
        {"type": "bar", "name": "review", "x": days,
         "y": [d["review"] for d in report["days"]], "marker": {"color": REVIEW_COLOR}},
    ]
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": report["max_per_day"],
               "y1": report["max_per_day"], "line": {"dash": "dot", "color": "grey"}}]
    return {"data": data, "layout": {
        "title": {"text": f"Cards a day until {report['interview_date']}"}, "barmode": "stack",
        "xaxis": {"title": {"text": "day"}}, "yaxis": {"title": {"text": "cards"},
                                                        "rangemode": "tozero"},
        "shapes": shapes, "height": 320, "legend": {"orientation": "h", "y": -0.25}}}


def retention_spec(report: dict) -> dict:
    """Predicted recall on the interview day per module, against the target."""
    by = report["predicted_retention"]["by_module"]
    target = report["retention_target"]
    data = [{"type": "bar", "x": list(by), "y": [round(100 * v, 1) for v in by.values()],
             "marker": {"color": ["#2e7d32" if v >= target else "#c92a2a" for v in by.values()]},
             "text": [f"{v:.0%}" for v in by.values()], "textposition": "outside",
             "cliponaxis": False}]
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 100 * target,
               "y1": 100 * target, "line": {"dash": "dash", "color": "grey"}}]
    return {"data": data, "layout": {
        "title": {"text": "Predicted recall on the day, by module"},
        "yaxis": {"title": {"text": "recall (%)"}, "range": [0, 105]}, "shapes": shapes,
        "height": 300}}


def forecast_figure(report: dict) -> go.Figure:
    spec = forecast_spec(report)
    return _fig(spec["data"], spec["layout"])


def retention_figure(report: dict) -> go.Figure:
    spec = retention_spec(report)
    return _fig(spec["data"], spec["layout"])


def mastery_rows(mastery: Sequence[ModuleMastery]) -> list[dict]:
    """The table beside "study next": each signal and the combined score, as percentages."""
    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:.0%}"

    return [{"module": m.title, "mastery": pct(m.score), "quiz (recent)": pct(m.quiz),
             "flashcard recall": pct(m.cards), "design items covered": pct(m.rubric),
             "lesson read": "yes" if m.lesson_read else "no"} for m in mastery]


def upcoming_spec(counts: Sequence[int]) -> dict:
    """Cards coming back per day from today (the Flashcards page's chart): whole cards on the
    y axis (plotly's default put ticks at 0.5 and 1.5 cards)."""
    return {"data": [{"type": "bar", "x": list(range(len(counts))), "y": list(counts),
                      "marker": {"color": REVIEW_COLOR}}],
            "layout": {"title": {"text": "Reviews coming up in the next two weeks"},
                       "xaxis": {"title": {"text": "days from today"}, "dtick": 1},
                       "yaxis": {"title": {"text": "cards"}, "rangemode": "tozero",
                                 "dtick": max(1, -(-max(counts, default=0) // 5))},
                       "height": 280}}


def upcoming_figure(counts: Sequence[int]) -> go.Figure:
    spec = upcoming_spec(counts)
    return _fig(spec["data"], spec["layout"])


def wait_text(due: datetime, now: datetime) -> str:
    """How long until a card comes back, in words, by calendar day as the chart counts.

    >>> from datetime import timedelta
    >>> n = datetime(2026, 1, 1, 12)
    >>> wait_text(n + timedelta(minutes=1), n), wait_text(n + timedelta(minutes=10), n)
    ('1 minute', '10 minutes')
    >>> wait_text(n + timedelta(hours=13), n), wait_text(n + timedelta(days=3, hours=2), n)
    ('1 day', '3 days')
    """
    days = (due.date() - now.date()).days
    if days >= 1:
        return f"{days} day{'s' * (days != 1)}"
    minutes = max(1, round((due - now).total_seconds() / 60))
    if minutes >= 60:
        hours = round(minutes / 60)
        return f"{hours} hour{'s' * (hours != 1)}"
    return f"{minutes} minute{'s' * (minutes != 1)}"


def due_histogram(dues: Sequence[datetime], now: datetime, horizon: int = 15) -> list[int]:
    """Cards coming back per calendar day from today (day 0) to `horizon - 1`, the same day
    arithmetic as `wait_text`, so the caption and the bar always agree."""
    counts = [0] * horizon
    for d in dues:
        day = max(0, (d.date() - now.date()).days)
        if day < horizon:
            counts[day] += 1
    return counts
