"""How well the offline rubric judge agrees with people, on the sandbox's labelled answers
(the calibration set the judge was built against), on the held-out labelled file it was
never tuned on, and on a fresh file of three new questions in eight kinds (written after the
judge's rules, then two rules were added for its wrong-but-overlapping answers); and what one
judgement costs in time.

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 python bench/bench_judge.py [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from labs.evals.data import EVALS_DIR, load_items
from labs.evals.judge import RubricJudge
from labs.evals.judgefile import judge_lines, lines_from_items, parse_lines

HELD_OUT = EVALS_DIR / "judge_heldout.jsonl"
FRESH = EVALS_DIR / "judge_fresh.jsonl"


def summary(result: dict) -> dict:
    ag = result["agreement"]
    return {"items": ag["n"], "spearman": round(ag["spearman"], 3),
            "weighted_kappa": round(ag["weighted_kappa"], 3), "kappa": round(ag["kappa"], 3),
            "by_kind": {k: {"n": v["n"], "mean_label": round(v["mean_label"], 2),
                            "mean_score": round(v["mean_score"], 2)}
                        for k, v in ag.get("by_kind", {}).items()}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--held-out", type=Path, default=HELD_OUT)
    args = ap.parse_args()
    judge = RubricJudge(record=False)  # measuring the judge, not spending
    calibration = lines_from_items(load_items())
    judge_lines(calibration[:2], judge)  # load the model and warm the embedding cache
    t0 = time.perf_counter()
    cal = judge_lines(calibration, judge)
    ms = (time.perf_counter() - t0) * 1000 / len(calibration)
    without_kp = judge_lines([c.model_copy(update={"key_points": []}) for c in calibration], judge)
    held, errors = parse_lines(args.held_out.read_text(encoding="utf-8"))
    fresh, fresh_errors = parse_lines(FRESH.read_text(encoding="utf-8"))
    out = {"calibration": summary(cal), "calibration_reference_only": summary(without_kp),
           "held_out": summary(judge_lines(held, judge)) | {"errors": errors},
           "fresh": summary(judge_lines(fresh, judge)) | {"errors": fresh_errors},
           "ms_per_judgement": round(ms, 1)}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for name in ("calibration", "calibration_reference_only", "held_out", "fresh"):
            s = out[name]
            print(f"{name}: {s['items']} items, Spearman {s['spearman']}, weighted kappa "
                  f"{s['weighted_kappa']}, kappa {s['kappa']}")
        print(f"{out['ms_per_judgement']} ms per judgement (embeddings cached)")
    print(json.dumps({k: out[k]["spearman"] for k in ("calibration", "held_out", "fresh")}))


if __name__ == "__main__":
    main()
