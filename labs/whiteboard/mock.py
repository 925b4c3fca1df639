"""The mock interview's clock as plain functions over a small dict (it lives in the
Streamlit session and in the saved attempt): phases with minute budgets, the learner moving
from phase to phase, time spent per phase, and when the requirement change is announced.

The page redraws the clock in a fragment; AppTest does not run fragments, so everything the
clock shows is computed here and tested directly. Time is passed in (`now`, epoch seconds),
never read, so tests need no sleeping.

    >>> s = new_session("docs-chatbot", now=0)
    >>> status(s, now=310).phase, status(s, now=310).over
    ('clarify', True)
    >>> s = advance(s, now=320); status(s, now=320).phase
    'design'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_PHASES: list[tuple[str, int]] = [("clarify", 5), ("design", 15), ("deep_dive", 15),
                                         ("wrap_up", 5)]
PHASE_LABELS = {"clarify": "Clarify", "design": "High-level design", "deep_dive": "Deep dive",
                "wrap_up": "Wrap-up"}
CHANGE_PHASE = "deep_dive"  # the requirement change is announced when this phase begins


def new_session(prompt_id: str, phases: list[tuple[str, int]] | None = None, *,
                now: float) -> dict[str, Any]:
    phases = phases or DEFAULT_PHASES
    if not phases or any(m <= 0 or m > 120 for _, m in phases):
        raise ValueError("each phase needs between 1 and 120 minutes")
    return {"prompt_id": prompt_id, "phases": [[n, int(m)] for n, m in phases],
            "starts": [float(now)], "finished_at": None, "change_at": None}


@dataclass(frozen=True)
class Status:
    index: int
    phase: str
    label: str
    budget_s: int
    remaining_s: float  # negative when over time
    elapsed_total_s: float
    over: bool
    finished: bool
    change_due: bool


def status(s: dict[str, Any], *, now: float) -> Status:
    phases = s["phases"]
    end = s["finished_at"] if s["finished_at"] is not None else now
    i = min(len(s["starts"]) - 1, len(phases) - 1)
    name, minutes = phases[i]
    in_phase = end - s["starts"][-1]
    remaining = minutes * 60 - in_phase
    names = [n for n, _ in phases]
    change_idx = names.index(CHANGE_PHASE) if CHANGE_PHASE in names else len(names) // 2
    return Status(index=i, phase=name, label=PHASE_LABELS.get(name, name), budget_s=minutes * 60,
                  remaining_s=remaining, elapsed_total_s=end - s["starts"][0],
                  over=remaining < 0, finished=s["finished_at"] is not None,
                  change_due=i >= change_idx)


def advance(s: dict[str, Any], *, now: float) -> dict[str, Any]:
    """Move to the next phase (or finish after the last); announces the change when due."""
    if s["finished_at"] is not None:
        return s
    s = {**s, "starts": [*s["starts"]]}
    if len(s["starts"]) >= len(s["phases"]):
        s["finished_at"] = float(now)
    else:
        s["starts"].append(float(now))
    if s["change_at"] is None and status(s, now=now).change_due and s["finished_at"] is None:
        s["change_at"] = float(now)
    return s


def finish(s: dict[str, Any], *, now: float) -> dict[str, Any]:
    return s if s["finished_at"] is not None else {**s, "finished_at": float(now)}


def phase_times(s: dict[str, Any], *, now: float) -> dict[str, float]:
    """Seconds spent in each phase reached so far."""
    end = s["finished_at"] if s["finished_at"] is not None else now
    bounds = [*s["starts"], end]
    return {s["phases"][i][0]: round(bounds[i + 1] - bounds[i], 1)
            for i in range(len(s["starts"]))}


def clock(seconds: float) -> str:
    """'04:05', or '-01:10' when over time."""
    sign = "-" if seconds < 0 else ""
    t = int(abs(seconds))
    return f"{sign}{t // 60:02d}:{t % 60:02d}"
