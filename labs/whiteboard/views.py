"""The whiteboard's view layer: pure functions that turn a calibration report, grades and a
mock interview's timings into plain rows, messages and plotly figure specs (dicts), so the
pages only draw and the tests check these without Streamlit.

The calibration shown on the page is the shipped report (content/whiteboard/calibration/
report.json, written by `aie-bridge grade calibrate --json --save`), never re-graded on a
page load: grading 70 answers takes seconds.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from labs.whiteboard.calibration import ADVERSARIAL, BANDS, CALIBRATION_DIR, QUALITY
from labs.whiteboard.rubric import LEVELS

REPORT_FILE = CALIBRATION_DIR / "report.json"
KIND_LABELS = {"strong": "strong", "ok": "ok", "weak": "weak", "negated": "negated",
               "keyword_list": "keyword list", "stuffed": "stuffed", "echo": "echo",
               "off_prompt": "off-prompt", "injected": "injected", "hidden": "hidden text"}

CAN_JUDGE = [
    "whether each rubric item is addressed by a sentence that states a decision or a "
    "requirement, with the sentence quoted",
    "negation: a negated or rejected idea earns nothing and can cost the point",
    "term lists, keyword stuffing and text copied from the prompt or the rubric: no credit",
    "an answer written for another design prompt (it names which one)",
    "hidden or smuggled text (HTML comments, hidden spans, invisible or look-alike "
    "characters, JSON/YAML wrappers, lines addressed to the grader): ignored and listed",
]
CANNOT_JUDGE = [
    "whether a claim is true or a number realistic (\"p95 of 3 ms\" reads like any other)",
    "sarcasm, double negation, or a negation carried over from the previous sentence",
    "the quality of reasoning beyond the rubric's concepts: an original design the rubric "
    "does not describe scores low",
    "answers in languages other than English",
]


def load_report(path: Path | None = None) -> dict[str, Any] | None:
    """The saved calibration report, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((path or REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "rows" in data else None


def calibration_summary(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline figures as (measure, value) rows."""
    return [
        {"measure": "ordering (strong > ok > weak, per prompt)",
         "value": f"{report['ordering_accuracy']:.0%}"},
        {"measure": "adversarial answers below the prompt's ok answer",
         "value": f"{report['adversarial_below_ok']:.0%}"},
        {"measure": "mean absolute band error (levels)",
         "value": f"{report['mean_abs_band_error']:.2f}"},
        {"measure": "CPU per grade", "value": f"{report['mean_cpu_ms_per_grade']:.0f} ms"},
        {"measure": "answers / prompts", "value": f"{report['answers']} / {report['prompts']}"},
    ]


def calibration_table(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per kind of answer: how many, expected band, mean and max total, share of
    the adversarial ones under the prompt's ok answer."""
    out = []
    for kind in QUALITY + ADVERSARIAL:
        rows = [r for r in report["rows"] if r["kind"] == kind]
        if not rows:
            continue
        below = [r for r in rows if "below_ok" in r]
        out.append({"kind": KIND_LABELS[kind], "answers": len(rows),
                    "expected band": ", ".join(sorted({r["band"] for r in rows})),
                    "mean total": round(sum(r["total"] for r in rows) / len(rows), 1),
                    "max total": max(r["total"] for r in rows),
                    "below ok": (f"{sum(r['below_ok'] for r in below)}/{len(below)}"
                                 if below else "")})
    return out


def calibration_figure(report: dict[str, Any]) -> dict[str, Any]:
    """Each calibration answer's total by kind, one trace per prompt, band floors dotted."""
    kinds = [k for k in QUALITY + ADVERSARIAL if any(r["kind"] == k for r in report["rows"])]
    prompts = sorted({r["prompt_id"] for r in report["rows"]})
    data = []
    for pid in prompts:
        rows = [r for r in report["rows"] if r["prompt_id"] == pid]
        data.append({"type": "scatter", "mode": "markers", "name": pid,
                     "x": [KIND_LABELS[r["kind"]] for r in rows],
                     "y": [r["total"] for r in rows],
                     "text": [f"{r['level']} (expected {r['band']})" for r in rows],
                     "hovertemplate": "%{x}: %{y}<br>%{text}<extra>" + pid + "</extra>"})
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": floor, "y1": floor,
               "line": {"dash": "dot", "color": "grey", "width": 1}}
              for floor, _ in LEVELS[:-1]]
    notes = [{"xref": "paper", "x": 1, "y": floor, "text": name, "showarrow": False,
              "xanchor": "left", "font": {"size": 10}} for floor, name in LEVELS[:-1]]
    return {"data": data, "layout": {
        "xaxis": {"categoryorder": "array", "categoryarray": [KIND_LABELS[k] for k in kinds],
                  "title": "kind of answer"},
        "yaxis": {"range": [0, 100], "title": "total"}, "shapes": shapes,
        "annotations": notes, "height": 340, "margin": {"t": 20, "b": 40}}}


def band_gap(a_level: str, b_level: str) -> int:
    return abs(BANDS.index(a_level) - BANDS.index(b_level))


def disagreement(offline: Any, other: Any) -> str | None:
    """A warning when two grades of one answer are more than one band apart."""
    if offline is None or other is None or band_gap(offline.level, other.level) <= 1:
        return None
    return (f"The offline rubric grader and {other.grader} disagree by more than one band "
            f"({offline.total} {offline.level} vs {other.total} {other.level}): read the "
            f"evidence of both before trusting either score.")


QUICK_FINISH_S = 60


def mock_flags(grade: Any, phases: dict[str, Any]) -> list[str]:
    """What the mock interview report must say plainly: a grade below the ok band, an
    interview finished in under a minute, an answer about another prompt."""
    flags = []
    ok_floor = next(floor for floor, name in LEVELS if name == "L4")
    if grade.total < ok_floor:
        flags.append(f"Graded below the ok band ({grade.total} < {ok_floor}): this would not "
                     f"pass a real round yet.")
    spent = sum(float(v) for v in (phases.get("seconds") or {}).values())
    if spent < QUICK_FINISH_S:
        flags.append(f"Finished in {spent:.0f} seconds: a real round is 45 minutes; the score "
                     f"says little about an answer written this fast.")
    if grade.looks_like:
        flags.append(f"Off-prompt: this answer reads like the “{grade.looks_like}” prompt, "
                     f"not the one asked.")
    return flags

