"""How long the offline rubric grader takes on one answer once the model is loaded.
Budget: 2 s per answer.

    .venv/bin/python bench/bench_whiteboard.py [--rounds 1]

Three cases per reference answer of every prompt in content/whiteboard/prompts/:
- new answer: the prompt's rubric concepts are already embedded (the first grade of any
  answer to that prompt embeds them, once per process), the answer's sentences are not;
  this is what a learner waits for after pressing "Grade".
- regrade: the same answer again (every sentence in the embedding cache).
- cold: a fresh cache, rubric and answer both embedded (the first grade on a new install).
Also the interviewer: one question classified (its ~45 example questions cached), and a
20,000-word paste (refused with a message, not graded).
Wall and CPU time (all threads: torch uses both cores) are reported per grade with the load
average, since on the shared 2-core machine wall time follows the load. Each new answer is
also graded the grader's old way (its sentences in one batch of 32, on torch's default
threads), interleaved answer by answer so both see the same load: the ratio is what batching
by length on one thread saves (the old pure-Python matching is not reproduced: see regrade).
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

    import labs.whiteboard.grader as grader
    from labs.embeddings import EmbeddingCache, get_embedder
    from labs.whiteboard.grader import AnswerTooLong, grade_offline
    from labs.whiteboard.interviewer import classify_offline
    from labs.whiteboard.loader import load_prompts

    load_start = os.getloadavg()[0]
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

    def old_way(p, answer: str) -> tuple[float, float]:
        batch, threads = grader.ENCODE_BATCH, grader.ENCODE_THREADS
        grader.ENCODE_BATCH, grader.ENCODE_THREADS = 32, 0
        emb.cache = EmbeddingCache(tmp / f"old-{time.monotonic_ns()}.sqlite")
        try:
            t, c = time.perf_counter(), time.process_time()
            grade_offline(p, answer, embedder=emb)
            return time.perf_counter() - t, time.process_time() - c
        finally:
            grader.ENCODE_BATCH, grader.ENCODE_THREADS = batch, threads

    new, new_cpu, regrade, regrade_cpu, words, old, old_cpu = [], [], [], [], [], [], []
    for _ in range(args.rounds):
        for p in prompts.values():
            grade_offline(p, "We build it.", embedder=emb)  # embeds this prompt's rubric
            for quality in ("strong", "ok", "weak"):
                answer = getattr(p.reference_answers, quality)
                w, c = old_way(p, answer)
                old.append(w)
                old_cpu.append(c)
                emb.cache = EmbeddingCache(tmp / f"new-{time.monotonic_ns()}.sqlite")
                t, c = time.perf_counter(), time.process_time()
                grade_offline(p, answer, embedder=emb)
                new.append(time.perf_counter() - t)
                new_cpu.append(time.process_time() - c)
                t, c = time.perf_counter(), time.process_time()
                grade_offline(p, answer, embedder=emb)
                regrade.append(time.perf_counter() - t)
                regrade_cpu.append(time.process_time() - c)
                words.append(len(answer.split()))


    paste = "We cache the embeddings of every document nightly. " * 2_500  # 20,000 words
    t = time.perf_counter()
    try:
        grade_offline(p0, paste, embedder=emb)
        refused = "graded (not refused)"
    except AnswerTooLong as e:
        refused = f"refused: {str(e)[:60]}…"
    paste_ms = (time.perf_counter() - t) * 1000

    qs = ["How often do the docs change?", "What's the p95 target?", "Is it multi-tenant?"]
    classify_offline(qs[0], emb)
    t = time.perf_counter()
    for q in qs:
        classify_offline(q, emb)
    ask = (time.perf_counter() - t) / len(qs)

    def ratio(a: list[float], b: list[float]) -> float:
        return statistics.median(a) / statistics.median(b)

    def fmt(xs: list[float]) -> str:
        return (f"median {statistics.median(xs) * 1000:7.0f} ms   p90 "
                f"{sorted(xs)[int(len(xs) * 0.9)] * 1000:7.0f} ms   max {max(xs) * 1000:7.0f} ms")

    print(f"prompts: {len(prompts)}, answers graded: {len(new)} "
          f"({min(words)}-{max(words)} words, median {statistics.median(words):.0f})")
    print(f"new answer (rubric cached): {fmt(new)}   budget 2000 ms: "
          f"{'OK' if max(new) <= 2.0 else 'OVER'}")
    print(f"  its CPU time (all threads): {fmt(new_cpu)}")
    print(f"  the old way (one batch of 32, default threads), interleaved:\n"
          f"    wall {fmt(old)}\n    CPU  {fmt(old_cpu)}\n"
          f"    CPU old / new: median {ratio(old_cpu, new_cpu):.2f}x, total "
          f"{sum(old_cpu) / sum(new_cpu):.2f}x; wall old / new: median {ratio(old, new):.2f}x")
    print(f"regrade (all cached):       {fmt(regrade)}")
    print(f"  its CPU time:             {fmt(regrade_cpu)}")
    print(f"cold (nothing cached):      {cold * 1000:7.0f} ms  (one strong answer, {p0.id})")
    print(f"interviewer, one question:  {ask * 1000:7.0f} ms")
    print(f"20,000-word paste:          {paste_ms:7.0f} ms  ({refused})")
    print(f"load average (1 min): {load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end, "
          f"on {os.cpu_count()} cores")
    print(f"ratio new / regrade: {statistics.median(new) / statistics.median(regrade):.1f}x "
          f"(the difference is embedding the answer's sentences)")


if __name__ == "__main__":
    main()
