"""The eval sandbox's view layer: one function per tab or panel, turning inputs into plain rows,
texts and plotly figure specs (dicts). The page only reads widgets, calls these and draws, so
every figure and number of the page is tested here without Streamlit.

Left out: styling beyond plotly's defaults.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from labs.evals import reference, stats
from labs.evals.human import agreement, to_pass_fail
from labs.evals.models import EvalItem, SimilarityPair
from labs.evals.regression import RETRIEVAL_LABELS
from labs.evals.similarity import best_threshold, sweep

METRICS = ("EM", "F1", "BLEU", "chrF", "ROUGE-L")


def _bars(rows: list[dict], x: str, ys, **layout) -> dict:
    return {"data": [{"type": "bar", "name": y, "x": [r[x] for r in rows],
                      "y": [r[y] for r in rows]} for y in ys],
            "layout": {"barmode": "group", "height": 340, "margin": {"t": 20, "b": 10},
                       "legend": {"orientation": "h", "y": -0.3}, **layout}}


def _ci_fields(values: list[float]) -> dict:
    ci = stats.bootstrap_ci(values)
    return {"mean": ci.mean, "ci_low": ci.low, "ci_high": ci.high}


# --- reference metrics ---------------------------------------------------------------------

def reference_view(item: EvalItem) -> dict:
    rows = []
    for a in item.answers:
        s = reference.score(a.text, list(item.references))
        rows.append({"answer": a.text, "kind": a.kind.value, "EM": s.exact_match, "F1": s.f1,
                     "BLEU": s.bleu / 100, "chrF": s.chrf / 100, "ROUGE-L": s.rougeL})
    by_kind = {r["kind"]: r for r in rows}
    warning = None
    if "paraphrase" in by_kind and "wrong-overlap" in by_kind:
        warning = (f"The correct paraphrase gets BLEU {by_kind['paraphrase']['BLEU']:.2f}; the "
                   f"wrong answer that shares the reference's words gets "
                   f"{by_kind['wrong-overlap']['BLEU']:.2f}.")
    return {"rows": rows, "figure": _bars(rows, "kind", METRICS, yaxis={"title": "score (0-1)"}),
            "warning": warning}


def reference_by_kind(items: list[EvalItem]) -> dict:
    """Every metric's mean per answer kind across all the sandbox's questions, with a 95%
    bootstrap interval: the paraphrase trap is systematic, not one unlucky question."""
    scored: dict[str, dict[str, list[float]]] = {}
    for item in items:
        for r in reference_view(item)["rows"]:
            for m in METRICS:
                scored.setdefault(r["kind"], {}).setdefault(m, []).append(r[m])
    rows = [{"kind": kind, "metric": m, "answers": len(v),
             **_ci_fields(v)} for kind, by_m in scored.items() for m, v in by_m.items()]
    data = [{"type": "bar", "name": m, "x": [r["kind"] for r in rows if r["metric"] == m],
             "y": [r["mean"] for r in rows if r["metric"] == m],
             "error_y": {"type": "data", "symmetric": False,
                         "array": [r["ci_high"] - r["mean"] for r in rows if r["metric"] == m],
                         "arrayminus": [r["mean"] - r["ci_low"] for r in rows
                                        if r["metric"] == m]}} for m in METRICS]
    layout = _bars([], "kind", [], yaxis={"title": "mean score (95% bootstrap interval)"})
    return {"rows": rows, "figure": {"data": data, "layout": layout["layout"]}}


def own_prediction(item: EvalItem, text: str) -> dict:
    s = reference.score(text, list(item.references))
    return {"exact_match": s.exact_match, "f1": round(s.f1, 3), "bleu": round(s.bleu, 1),
            "chrf": round(s.chrf, 1), "rouge1": round(s.rouge1, 3), "rouge2": round(s.rouge2, 3),
            "rougeL": round(s.rougeL, 3)}


def pairs_file_view(text: str) -> dict:
    """An uploaded pairs file: per-item scores, corpus-level overall, 95% bootstrap intervals
    of every overall figure (BLEU and chrF on sacrebleu's 0-100 scale), and the bad lines."""
    parsed, errors = reference.parse_pairs(text)
    result = reference.score_pairs(parsed)
    names = {"exact_match": "EM", "f1": "F1", "bleu": "BLEU", "chrf": "chrF", "rougeL": "ROUGE-L"}
    intervals = [{"metric": names[k], "mean": v["mean"], "95% low": v["low"],
                  "95% high": v["high"], "items": v["items"]}
                 for k, v in result.intervals.items()]
    return {"rows": result.items, "overall": result.overall, "intervals": intervals,
            "errors": errors}


# --- embedding similarity ------------------------------------------------------------------

def similarity_view(sims, pairs: list[SimilarityPair], threshold: float | None = None) -> dict:
    sims = np.asarray(sims, dtype=float)
    points = sweep(sims, [p.should_match for p in pairs])
    best = best_threshold(points)
    t = best.threshold if threshold is None else round(threshold, 2)
    pt = min(points, key=lambda p: abs(p.threshold - t))
    xs = [p.threshold for p in points]
    lines = [{"type": "scatter", "mode": "lines", "name": name, "x": xs,
              "y": [getattr(p, attr) for p in points]}  # None (0/0 precision) leaves a gap
             for name, attr in (("precision", "precision"), ("recall", "recall"), ("F1", "f1"),
                                ("false-match rate", "false_match_rate"))]
    sweep_fig = {"data": lines, "layout": {
        "xaxis": {"title": "threshold"}, "yaxis": {"title": "rate"}, "height": 340,
        "margin": {"t": 30, "b": 10}, "legend": {"orientation": "h", "y": -0.3},
        "shapes": [{"type": "line", "x0": best.threshold, "x1": best.threshold, "y0": 0,
                    "y1": 1, "yref": "paper", "line": {"dash": "dash"}}],
        "annotations": [{"x": best.threshold, "y": 1, "yref": "paper", "showarrow": False,
                         "text": f"best F1 {best.f1:.2f} at {best.threshold:.2f}"}]}}
    kinds = list(dict.fromkeys(p.kind.value for p in pairs))
    hist = {"data": [{"type": "histogram", "name": k, "opacity": 0.65,
                      "xbins": {"size": 0.05},
                      "x": [float(s) for s, p in zip(sims, pairs, strict=True)
                            if p.kind.value == k]} for k in kinds],
            "layout": {"barmode": "overlay", "xaxis": {"title": "cosine similarity"},
                       "yaxis": {"title": "pairs"}, "height": 300, "margin": {"t": 20, "b": 10}}}
    wrong = sorted(((float(s), p) for s, p in zip(sims, pairs, strict=True)
                    if (s >= pt.threshold) != p.should_match), key=lambda x: -abs(x[0] - t))[:8]
    return {"best": best, "point": pt, "sweep": sweep_fig, "histogram": hist,
            "precision_text": "n/a" if pt.precision is None else f"{pt.precision:.2f}",
            "wrong_rows": [{"a": p.a, "b": p.b, "kind": p.kind.value, "cosine": round(s, 3)}
                           for s, p in wrong]}


# --- judge: calibration, agreement, several raters -----------------------------------------

def calibration_view(result: dict) -> dict:
    """The judge against the sandbox's labelled answers (judgefile.judge_lines' result)."""
    ag = result["agreement"]
    by_kind = [{"kind": k, "answers": v["n"], "human label (mean)": round(v["mean_label"], 2),
                "judge score (mean)": round(v["mean_score"], 2),
                "same score": f"{v['exact_share']:.0%}"}
               for k, v in ag.get("by_kind", {}).items()]
    fig = _bars(by_kind, "kind", ("human label (mean)", "judge score (mean)"),
                yaxis={"title": "mean 1-5", "range": [0, 5.2]})
    return {"spearman": ag.get("spearman"), "weighted_kappa": ag.get("weighted_kappa", 0.0),
            "n": ag.get("n", 0), "by_kind": by_kind, "figure": fig, "judge": result["judge"]}


def agreement_view(human: list[int], judge_scores: list[int], scale: str) -> dict:
    options = [0, 1] if scale == "pass-fail" else [1, 2, 3, 4, 5]
    if scale == "pass-fail":
        judge_scores = to_pass_fail(judge_scores)
    ag = agreement(human, judge_scores, labels=options)
    names = [("pass" if x else "fail") if scale == "pass-fail" else str(x) for x in ag.labels]
    heat = {"data": [{"type": "heatmap", "z": ag.confusion, "x": names, "y": names,
                      "colorscale": "Blues", "text": ag.confusion, "texttemplate": "%{text}",
                      "colorbar": {"title": {"text": "answers"}}}],
            # category axes: "0"/"1" would otherwise be read as numbers
            "layout": {"xaxis": {"title": "judge", "type": "category"},
                       "yaxis": {"title": "you", "type": "category"}, "height": 320,
                       "margin": {"t": 20, "b": 10}}}
    return {"agreement": ag, "heatmap": heat,
            "second": ("Weighted kappa", f"{ag.weighted_kappa:.2f}") if scale == "1-5"
            else ("Raw agreement", f"{ag.raw:.0%}")}


def multi_rater_view(text: str, scale: list[int]) -> dict:
    """A CSV with an `id` column and one column per rater: Fleiss' kappa and the items the
    raters disagree on. Rows with a blank or off-scale label are reported and skipped."""
    reader = csv.DictReader(io.StringIO(text))
    cols = [c for c in (reader.fieldnames or []) if c and c.strip().lower() != "id"]
    if not reader.fieldnames or "id" not in [c.strip().lower() for c in reader.fieldnames]:
        return {"errors": ["the CSV needs an 'id' column and one column per rater"]}
    if len(cols) < 2:
        return {"errors": ["the CSV needs at least two rater columns besides 'id'"]}
    id_col = next(c for c in reader.fieldnames if c.strip().lower() == "id")
    ratings, errors = {}, []
    for n, row in enumerate(reader, start=2):
        try:
            labels = [int(str(row[c]).strip()) for c in cols]
        except (TypeError, ValueError):
            errors.append(f"line {n}: every rater needs a whole-number label")
            continue
        if bad := [x for x in labels if x not in scale]:
            errors.append(f"line {n}: label {bad[0]} is not on the scale {scale}")
            continue
        ratings[str(row[id_col])] = labels
    if len(ratings) < 2:
        return {"errors": errors + ["fewer than two usable rows"]}
    return {"errors": errors, "raters": cols, "items": len(ratings),
            "fleiss_kappa": stats.fleiss_kappa(list(ratings.values())),
            "disagreements": [{"id": k, **dict(zip(cols, v, strict=True)),
                               "spread": max(v) - min(v)}
                              for k, v in stats.disagreements(ratings)]}


# --- RAG -----------------------------------------------------------------------------------

def rag_view(rows: list[dict]) -> dict:
    cols = [c for c in rows[0] if c not in ("answer", "kind")] if rows else []
    fig = _bars(rows, "kind", cols, yaxis={"title": "score (0-1)", "range": [0, 1]},
                xaxis={"title": "candidate answer"})
    return {"rows": rows, "figure": fig}


# --- golden set ----------------------------------------------------------------------------

def default_pair(run_ids: list[int]) -> tuple[int, int]:
    """Baseline and candidate by default: the two newest versions.

    >>> default_pair([3, 7, 9])
    (7, 9)
    """
    if not run_ids:
        raise ValueError("no versions yet")
    return (run_ids[-2] if len(run_ids) > 1 else run_ids[-1]), run_ids[-1]


def interval_text(mean: float, low: float, high: float) -> str:
    """
    >>> interval_text(0.61234, 0.55, 0.671)
    '0.612 [0.550, 0.671]'
    """
    return f"{mean:.3f} [{low:.3f}, {high:.3f}]"


def saved_message(saved) -> str:
    """What a new golden-set version scored, each mean with its 95% interval."""
    parts = [f"{label} {interval_text(saved.mean[m], ci.low, ci.high)}"
             for m, label in RETRIEVAL_LABELS.items()
             if (ci := saved.intervals.get(m)) is not None]
    return f"Saved {saved.run.name!r}: " + ", ".join(parts) + " (95% bootstrap intervals)."


def _other_metrics(run) -> dict:
    """recall@10 and context precision@10 of a retrieval version, with their intervals."""
    config = json.loads(run.config_json or "{}")
    out = {}
    for m, key in (("recall@10", "recall@10"), ("precision@10", "context_precision@10")):
        if key in config:
            low, high = config.get("intervals", {}).get(m, [config[key], config[key]])
            out[RETRIEVAL_LABELS[m]] = interval_text(config[key], low, high)
    return out


def golden_summary(saved: list, scores: dict[int, dict[str, float]]) -> dict:
    rows = [{"version": f"{r.id}: {r.name}", "metric": r.metric, "queries": len(scores[r.id]),
             **_ci_fields(list(scores[r.id].values())), **_other_metrics(r)}
            for r in saved if scores[r.id]]
    fig = {"data": [{"type": "bar", "x": [r["version"] for r in rows],
                     "y": [r["mean"] for r in rows], "text": [r["metric"] for r in rows],
                     "marker": {"color": "#4f7cff"},
                     "error_y": {"type": "data", "symmetric": False,
                                 "array": [r["ci_high"] - r["mean"] for r in rows],
                                 "arrayminus": [r["mean"] - r["ci_low"] for r in rows]}}],
           "layout": {"yaxis": {"title": "mean per-query score (95% bootstrap interval)"},
                      "height": 320, "margin": {"t": 20, "b": 10}}}
    return {"rows": rows, "figure": fig}


def comparison_view(before: dict[str, float], after: dict[str, float],
                    texts: dict[str, str], same: bool) -> dict:
    from labs.evals.regression import compare

    if same:
        return {"status": "same", "message": "Pick two different versions to compare."}
    drops = compare(before, after)
    try:
        test = stats.paired_test(before, after)
    except ValueError as e:
        test, noise = None, str(e)
    else:
        noise = test.verdict
    return {"status": "drops" if drops else "none", "noise": noise, "test": test,
            "drops": [{"query": texts.get(c.query_id, c.query_id), "before": round(c.before, 3),
                       "after": round(c.after, 3), "drop": round(-c.delta, 3)} for c in drops]}


def sample_size_view(d: float, p: float, r: float) -> stats.SampleSize:
    """The calculator's answer; the bounds of the inputs are the page's."""
    return stats.cases_needed(d, p, r)


# --- online and cost -----------------------------------------------------------------------

def online_figure(sim) -> dict:
    shapes = [{"type": "line", "x0": sim.ship_day, "x1": sim.ship_day, "y0": 0, "y1": 1,
               "yref": "paper", "line": {"dash": "dash", "color": "grey"}}]
    notes = [{"x": sim.ship_day, "y": 1, "yref": "paper", "showarrow": False,
              "text": "bad model ships"}]
    if sim.alarm_day is not None:
        shapes.append({"type": "line", "x0": sim.alarm_day, "x1": sim.alarm_day, "y0": 0,
                       "y1": 1, "yref": "paper", "line": {"color": "red"}})
        notes.append({"x": sim.alarm_day, "y": 0.9, "yref": "paper", "showarrow": False,
                      "text": "alarm"})
    days = list(sim.days)
    return {"data": [
        {"type": "scatter", "mode": "markers", "opacity": 0.5, "name": "thumbs-up rate (daily)",
         "x": days, "y": list(sim.thumbs_up_rate)},
        {"type": "scatter", "name": "7-day rolling, as observed", "x": days,
         "y": list(sim.rolling_thumbs_up)},
        {"type": "scatter", "name": "follow-up rate", "yaxis": "y2", "x": days,
         "y": list(sim.follow_up_rate), "line": {"color": "#ff7f0e"}}],
        "layout": {"height": 380, "xaxis": {"title": "day"}, "shapes": shapes,
                   "annotations": notes,
                   "yaxis": {"title": "thumbs-up rate", "tickformat": ".0%"},
                   "yaxis2": {"overlaying": "y", "side": "right", "title": "follow-up rate",
                              "tickformat": ".1%"},
                   "margin": {"t": 30, "b": 10}, "legend": {"orientation": "h", "y": -0.3}}}


def cost_view(layers: list) -> dict:
    rows = [{"layer": r.layer, "USD per 1,000": r.usd_per_1000,
             "hours per 1,000": r.seconds_per_1000 / 3600, "how": r.note} for r in layers]
    usd = [r["USD per 1,000"] for r in rows]
    # a log axis cannot draw $0 (or an unknown price): say so in the label instead
    names = [f"{r['layer']} (price unknown)" if v is None or v != v else
             f"{r['layer']} ($0)" if v == 0 else r["layer"] for r, v in zip(rows, usd, strict=True)]
    shown = [v if v is not None and v == v and v > 0 else None for v in usd]
    fig = {"data": [{"type": "bar", "x": names, "y": shown, "marker": {"color": "#4f7cff"},
                     "text": [f"${v:,.2f}" if v else "" for v in shown],
                     "textposition": "outside", "cliponaxis": False}],
           "layout": {"yaxis": {"type": "log", "title": "USD per 1,000 evaluations (log)"},
                      "xaxis": {"title": "eval layer"}, "height": 380,
                      "margin": {"t": 30, "b": 10}}}
    return {"rows": rows, "figure": fig}
