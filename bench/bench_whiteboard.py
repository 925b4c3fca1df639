"""How long the offline rubric grader takes on one answer once the model is loaded.
Budget: 2 s per answer.

    .venv/bin/python bench/bench_whiteboard.py [--rounds 1]

Three cases per reference answer of every prompt in content/whiteboard/prompts/:
- new answer: the prompt's rubric concepts are already embedded (the first grade of any
  answer to that prompt embeds them, once per data folder), the answer's sentences are not;
  this is what a learner waits for after pressing "Grade".
- regrade: the same answer again (every sentence in the embedding cache).
- cold: a fresh cache, rubric and answer both embedded (the first grade on a new install).
Also the interviewer: one question classified (its ~45 example questions cached).
The embedding cache is a temporary folder, so nothing of the learner's is touched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()

    from labs.embeddings import EmbeddingCache, get_embedder
    from labs.whiteboard.grader import grade_offline
    from labs.whiteboard.interviewer import classify_offline
    from labs.whiteboard.loader import load_prompts

    tmp = Path(tempfile.mkdtemp(prefix="bench-wb-"))
    t0 = time.perf_counter()
    emb = get_embedder(tmp / "warm.sqlite")
    print(f"model load: {time.perf_counter() - t0:.2f} s")
    prompts = load_prompts()

    # cold: a fresh cache for one prompt's strong answer
    cold_cache = EmbeddingCache(tmp / "cold.sqlite")
    warm_cache = emb.cache
    emb.cache = cold_cache
    p0 = next(iter(prompts.values()))
    t = time.perf_counter()
    grade_offline(p0, p0.reference_answers.strong, embedder=emb)
    cold = time.perf_counter() - t
    emb.cache = warm_cache

    new, new_cpu, regrade, words = [], [], [], []
    for _ in range(args.rounds):
        emb.cache = EmbeddingCache(tmp / f"round-{time.monotonic_ns()}.sqlite")
        for p in prompts.values():
            grade_offline(p, "We build it.", embedder=emb)  # embeds this prompt's rubric
            for quality in ("strong", "ok", "weak"):
                answer = getattr(p.reference_answers, quality)
                t, c = time.perf_counter(), time.process_time()
                grade_offline(p, answer, embedder=emb)
                new.append(time.perf_counter() - t)
                new_cpu.append(time.process_time() - c)
                t = time.perf_counter()
                grade_offline(p, answer, embedder=emb)
                regrade.append(time.perf_counter() - t)
                words.append(len(answer.split()))

    qs = ["How often do the docs change?", "What's the p95 target?", "Is it multi-tenant?"]
    classify_offline(qs[0], emb)
    t = time.perf_counter()
    for q in qs:
        classify_offline(q, emb)
    ask = (time.perf_counter() - t) / len(qs)

    def fmt(xs: list[float]) -> str:
        return (f"median {statistics.median(xs) * 1000:7.0f} ms   p90 "
                f"{sorted(xs)[int(len(xs) * 0.9)] * 1000:7.0f} ms   max {max(xs) * 1000:7.0f} ms")

    print(f"prompts: {len(prompts)}, answers graded: {len(new)} "
          f"({min(words)}-{max(words)} words, median {statistics.median(words):.0f})")
    print(f"new answer (rubric cached): {fmt(new)}   budget 2000 ms: "
          f"{'OK' if max(new) <= 2.0 else 'OVER'}")
    print(f"  its CPU time (all threads): {fmt(new_cpu)}   load average now: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"regrade (all cached):       {fmt(regrade)}")
    print(f"cold (nothing cached):      {cold * 1000:7.0f} ms  (one strong answer, {p0.id})")
    print(f"interviewer, one question:  {ask * 1000:7.0f} ms")
    print(f"ratio new / regrade: {statistics.median(new) / statistics.median(regrade):.1f}x "
          f"(the difference is embedding the answer's sentences)")


if __name__ == "__main__":
    main()
