"""Calibration of a whiteboard grader: labelled answers of known kind graded by the grader
under test, and how well its scores agree with the labels.

The set lives in content/whiteboard/calibration/<prompt-id>.yaml (a held-out set the
grader was never tuned on in calibration/held-out/). Each answer has a `kind` (strong, ok,
weak, or an adversarial kind: negated, keyword_list, stuffed, echo, off_prompt, injected,
hidden) and the `band` (a level name) it belongs in; its text is inline (`answer`) or a
reference answer of a prompt (`ref: strong` or `ref: other-prompt/strong`).

Reported: ordering accuracy (strong > ok > weak per prompt), the share of adversarial
answers scored below the same prompt's ok answer, the mean absolute band error (in level
steps), time per grade, and with `samples` > 1 the spread of each answer's totals.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from labs.whiteboard.loader import PROMPTS_DIR, load_prompt
from labs.whiteboard.rubric import LEVELS

CALIBRATION_DIR = PROMPTS_DIR.parent / "calibration"
HELD_OUT_DIR = CALIBRATION_DIR / "held-out"
QUALITY = ("strong", "ok", "weak")
ADVERSARIAL = ("negated", "keyword_list", "stuffed", "echo", "off_prompt", "injected", "hidden")
BANDS = [name for _, name in reversed(LEVELS)]  # "below L4" < "L4" < "L5" < "L6"


class CalibrationError(ValueError):
    """A calibration file that cannot be used; the message names the file and field."""


class CalAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str
    band: str
    answer: str | None = None
    ref: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> CalAnswer:
        if self.kind not in QUALITY + ADVERSARIAL:
            raise ValueError(f"kind must be one of {', '.join(QUALITY + ADVERSARIAL)}")
        if self.band not in BANDS:
            raise ValueError(f"band must be one of {', '.join(BANDS)}")
        if (self.answer is None) == (self.ref is None):
            raise ValueError("give exactly one of `answer` and `ref`")
        return self


class CalFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt_id: str
    answers: list[CalAnswer] = Field(min_length=1)


@dataclass(frozen=True)
class CalItem:
    prompt_id: str
    kind: str
    band: str
    text: str
    source: str  # file name and index, for the report


def load_set(folder: Path | None = None) -> list[CalItem]:
    """Every answer of every calibration file in `folder`, texts resolved."""
    folder = folder or CALIBRATION_DIR
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise CalibrationError(f"no calibration files in {folder}")
    items: list[CalItem] = []
    for f in files:
        try:
            cf = CalFile.model_validate(yaml.safe_load(f.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as e:
            raise CalibrationError(f"{f.name}: {e}") from e
        try:
            load_prompt(cf.prompt_id)
        except KeyError as e:
            raise CalibrationError(f"{f.name}: unknown prompt {cf.prompt_id!r}") from e
        for i, a in enumerate(cf.answers):
            if a.answer is not None:
                text = a.answer
            else:
                pid, _, quality = (a.ref or "").rpartition("/")
                try:
                    text = getattr(load_prompt(pid or cf.prompt_id).reference_answers, quality)
                except (KeyError, AttributeError) as e:
                    raise CalibrationError(f"{f.name} answer {i}: bad ref {a.ref!r}") from e
            items.append(CalItem(cf.prompt_id, a.kind, a.band, text, f"{f.name}#{i}"))
    return items


GradeFn = Callable[[Any, str], Any]  # (prompt, answer text) -> Grade


def calibrate(grade: GradeFn, items: Sequence[CalItem], *, samples: int = 1,
              grader_name: str = "") -> dict[str, Any]:
    """Grade every item `samples` times with `grade(prompt, text)` and summarise."""
    if samples < 1:
        raise ValueError("samples must be at least 1")
    rows: list[dict[str, Any]] = []
    for it in items:
        prompt = load_prompt(it.prompt_id)
        totals, levels, times = [], [], []
        for _ in range(samples):
            t0 = time.process_time()
            w0 = time.perf_counter()
            g = grade(prompt, it.text)
            times.append((time.process_time() - t0, time.perf_counter() - w0))
            totals.append(g.total)
            levels.append(g.level)
        median = statistics.median(totals)
        level = levels[totals.index(min(totals, key=lambda t: abs(t - median)))]
        rows.append({"prompt_id": it.prompt_id, "kind": it.kind, "band": it.band,
                     "total": int(round(median)), "level": level,
                     "band_error": abs(BANDS.index(level) - BANDS.index(it.band)),
                     "spread": max(totals) - min(totals), "totals": totals,
                     "cpu_ms": round(1000 * statistics.mean(t for t, _ in times), 1),
                     "wall_ms": round(1000 * statistics.mean(w for _, w in times), 1),
                     "source": it.source})
    return summarise(rows, grader_name=grader_name, samples=samples)


def summarise(rows: list[dict[str, Any]], *, grader_name: str = "",
              samples: int = 1) -> dict[str, Any]:
    by_prompt: dict[str, dict[str, list[int]]] = {}
    for r in rows:
        by_prompt.setdefault(r["prompt_id"], {}).setdefault(r["kind"], []).append(r["total"])
    ordered, checked = 0, 0
    for kinds in by_prompt.values():
        if all(k in kinds for k in QUALITY):
            checked += 1
            ordered += int(min(kinds["strong"]) > max(kinds["ok"]) and
                           min(kinds["ok"]) > max(kinds["weak"]))
    adv = [r for r in rows if r["kind"] in ADVERSARIAL]
    below = 0
    for r in adv:
        ok = by_prompt[r["prompt_id"]].get("ok")
        r["below_ok"] = bool(ok) and r["total"] < min(ok)
        below += int(r["below_ok"])
    per_kind = {}
    for k in QUALITY + ADVERSARIAL:
        ks = [r for r in rows if r["kind"] == k]
        if ks:
            per_kind[k] = {"n": len(ks), "mean_total": round(statistics.mean(
                r["total"] for r in ks), 1), "max_total": max(r["total"] for r in ks)}
    return {
        "grader": grader_name, "answers": len(rows), "prompts": len(by_prompt),
        "samples": samples,
        "ordering_accuracy": round(ordered / checked, 3) if checked else None,
        "adversarial_below_ok": round(below / len(adv), 3) if adv else None,
        "mean_abs_band_error": round(statistics.mean(r["band_error"] for r in rows), 3),
        "mean_cpu_ms_per_grade": round(statistics.mean(r["cpu_ms"] for r in rows), 1),
        "max_spread": max(r["spread"] for r in rows),
        "per_kind": per_kind, "rows": rows,
    }
