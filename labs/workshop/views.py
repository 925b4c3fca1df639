"""The workshop pages' view layer: plain data and plotly figure specs from the engine's values,
so the pages only draw and these are tested without Streamlit.

- `score_bands`, `quiz_histogram`, `design_box`: the dashboard's figures.
- `help_first`: the learners an instructor should walk over to first, each with the reason.
- `live_distribution`: the live question's answers per option, as a bar chart.
Names reach figures only as data (axis categories and hover text are not Markdown).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import plotly.graph_objects as go
from sqlmodel import col, select

from labs.store import Store
from labs.store.models import Learner, QuizAttempt, WorkshopMember, utcnow

RECENT = 5  # the answers "recent accuracy" looks at
MIN_ANSWERS = 3  # fewer answers say nothing about accuracy
LOW_ACCURACY = 0.5  # at or under this share right, a learner is listed
STUCK_MINUTES = 10  # this long with no answer or submission, a learner is listed


def _fig(data: list[dict], layout: dict) -> go.Figure:
    return go.Figure({"data": data, "layout": {"margin": {"t": 40, "b": 10}, **layout}},
                     _validate=False)


def score_bands(accuracies: Iterable[float]) -> tuple[list[str], list[int]]:
    """Learners per tenth of the score, 100% counted in the top band (a histogram with
    end=100 would drop it, and one learner would stretch a bar across the whole axis).

    >>> score_bands([0.0, 0.55, 1.0])[1]
    [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    """
    bands = [f"{lo}–{lo + 9}%" for lo in range(0, 90, 10)] + ["90–100%"]
    counts = [0] * 10
    for a in accuracies:
        counts[min(int(round(a * 100, 6)) // 10, 9)] += 1
    return bands, counts


def quiz_histogram(accuracy_by_learner: dict[str, float]) -> go.Figure:
    bands, counts = score_bands(accuracy_by_learner.values())
    return _fig([{"type": "bar", "x": bands, "y": counts, "marker": {"color": "#4f7cff"}}],
                {"title": {"text": "Quiz score distribution"}, "height": 300,
                 "xaxis": {"title": {"text": "% answers right"}},
                 "yaxis": {"title": {"text": "learners"}, "rangemode": "tozero",
                           "dtick": max(1, -(-max(counts) // 5))}})


def design_box(scores: dict[str, list[float]], titles: dict[str, str]) -> go.Figure:
    return _fig([{"type": "box", "y": v, "name": titles.get(k, k), "boxpoints": "all"}
                 for k, v in scores.items()],
                {"title": {"text": "Design scores by prompt"}, "height": 320,
                 "yaxis": {"title": {"text": "score (0-100)"}},
                 "xaxis": {"title": {"text": "design prompt"}}})


def live_distribution(options: Sequence[str], counts: Sequence[int],
                      correct: int | None) -> go.Figure:
    """Answers per option; once revealed the right option is green."""
    colors = ["#2e9e5b" if i == correct else "#4f7cff" for i in range(len(options))]
    labels = [f"{chr(65 + i)}. {o[:40]}" for i, o in enumerate(options)]
    return _fig([{"type": "bar", "x": list(counts), "y": labels, "orientation": "h",
                  "marker": {"color": colors}, "text": list(counts)}],
                {"height": 80 + 45 * len(options), "xaxis": {"title": {"text": "answers"},
                                                            "rangemode": "tozero", "dtick": 1},
                 "yaxis": {"autorange": "reversed"}})


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def help_first(store: Store, members: Sequence[WorkshopMember], attempts: Sequence[QuizAttempt],
               designs: Sequence, *, now: datetime | None = None,
               module_titles: dict[str, str] | None = None) -> list[dict]:
    """Learners to help first: recent accuracy at or under 50% (last 5 answers, 3 at least),
    or no answer or submission for 10 minutes. Lowest accuracy first, then longest idle.

    Idle time starts at the learner's latest sign of work: joining, an answer, a design
    submission, or opening a module (the module page records it), so "on the RAG module for
    14 min with no answer" names the page they sit on when that was the last thing they did.
    """
    now = now or utcnow()
    titles = module_titles or {}
    ids = [m.learner_id for m in members]
    with store.session() as s:
        learners = {x.id: x for x in s.exec(select(Learner).where(col(Learner.id).in_(ids)))}
    answers: dict[int, list[QuizAttempt]] = {}
    for a in attempts:
        answers.setdefault(a.learner_id, []).append(a)
    last_design = {d.learner_id: d.created_at for d in designs}
    out = []
    for m in members:
        mine = answers.get(m.learner_id, [])
        recent = mine[-RECENT:]
        reasons, accuracy = [], None
        if len(recent) >= MIN_ANSWERS:
            accuracy = sum(a.correct for a in recent) / len(recent)
            if accuracy <= LOW_ACCURACY:
                reasons.append(f"{sum(a.correct for a in recent)} of the last {len(recent)} "
                               "answers right")
        learner = learners.get(m.learner_id)
        opened = _aware(learner.last_seen_at) if learner and learner.last_module_id else None
        signs = [_aware(m.joined_at), *(_aware(a.created_at) for a in mine[-1:]),
                 *([_aware(last_design[m.learner_id])] if m.learner_id in last_design else []),
                 *([opened] if opened else [])]
        latest = max(signs)
        idle = (now - latest).total_seconds() / 60
        if idle >= STUCK_MINUTES:
            if opened is not None and opened == latest:
                module = titles.get(learner.last_module_id, learner.last_module_id)  # type: ignore[union-attr, arg-type]
                reasons.append(f"on the {module!r} module for {idle:.0f} min with no answer")
            elif not mine and m.learner_id not in last_design:
                reasons.append(f"joined {idle:.0f} min ago, nothing submitted yet")
            else:
                reasons.append(f"no answer or submission for {idle:.0f} min")
        if reasons:
            out.append({"learner": m.display_name, "reason": "; ".join(reasons),
                        "_order": (accuracy if accuracy is not None else 1.0, -idle)})
    out.sort(key=lambda r: r.pop("_order"))
    return out
