"""Worst-case answers for the offline grader against a normal one, CPU time per grade once
the model and the prompt's rubric vectors are loaded. Budget: < 1 s CPU for any answer
under the 4,000-word cap.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_whiteboard_worst.py [--rounds 3] [--json]

Cases (prompt docs-chatbot): the strong reference answer; 300 tokens of 5,000 characters
each (the issue's 8 s case); 1,999 two-word sentences (3,998 words, the most sentences under
the cap); 1,333 three-word sentences; ~3,990 words of distinct prose sentences (each one new
to the embedding cache, so every counted sentence is embedded). The embedding cache is a
temporary folder, so every round embeds afresh.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def cases(strong: str) -> dict[str, str]:
    subj = ["The router", "Each tenant", "Our cache", "The reranker", "A nightly job",
            "The gateway", "Every trace", "The judge", "This queue", "The index", "A replica"]
    verb = ["keeps", "sends", "checks", "stores", "drops", "merges", "limits", "logs",
            "ranks", "splits", "guards", "streams", "rebuilds"]
    obj = ["private chunks", "stale pages", "slow requests", "costly prompts",
           "fresh embeddings", "deleted docs", "tenant quotas", "judge scores"]
    why = ["because latency matters", "so answers stay faithful", "since budgets are tight",
           "which cuts spend", "to stop leaks", "so reviewers trust it"]
    prose = " ".join(f"{subj[i % 11]} {verb[i % 13]} {obj[i % 8]} {why[i % 6]}."
                     for i in range(460))
    return {
        "normal (strong reference)": strong,
        "300 tokens of 5,000 chars": " ".join("x" * 5000 + str(i) for i in range(300)),
        "1,999 two-word sentences": " ".join(f"Use cache{i}." for i in range(1999)),
        "1,333 three-word sentences": " ".join(f"We cache {i}." for i in range(1333)),
        "3,990 words of prose": prose,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from labs.embeddings import EmbeddingCache, get_embedder
    from labs.whiteboard.grader import grade_offline
    from labs.whiteboard.loader import load_prompt

    p = load_prompt("docs-chatbot")
    tmp = Path(tempfile.mkdtemp(prefix="wb-worst-"))
    emb = get_embedder(tmp / "warm.sqlite")
    grade_offline(p, p.reference_answers.ok, embedder=emb)  # embeds the rubric once
    out = {}
    for name, text in cases(p.reference_answers.strong).items():
        cpu, wall = [], []
        for _ in range(args.rounds):
            emb.cache = EmbeddingCache(tmp / f"{time.monotonic_ns()}.sqlite")
            t0, w0 = time.process_time(), time.perf_counter()
            g = grade_offline(p, text, embedder=emb)
            cpu.append(time.process_time() - t0)
            wall.append(time.perf_counter() - w0)
        out[name] = {"words": len(text.split()), "cpu_ms": round(1000 * statistics.median(cpu)),
                     "wall_ms": round(1000 * statistics.median(wall)), "total": g.total}
        if not args.json:
            print(f"{name:28s} {out[name]['words']:5d} words  CPU {out[name]['cpu_ms']:5d} ms"
                  f"  wall {out[name]['wall_ms']:5d} ms  total {g.total}")
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
