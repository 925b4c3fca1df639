"""Ranking metrics, written out the way trec_eval defines them.

`ranked` is a list of document ids, best first; `rel` maps document id → graded judgement
(gain). A document is relevant when its gain is > 0; unjudged documents count as not relevant.

    >>> ranked = ["d3", "d1", "d7", "d2"]
    >>> rel = {"d1": 2, "d2": 1, "d9": 1}
    >>> recall_at(ranked, rel, 3)      # 1 of the 3 relevant docs is in the top 3
    0.3333333333333333
    >>> precision_at(ranked, rel, 4)   # 2 relevant among 4 retrieved
    0.5
    >>> mrr_at(ranked, rel, 10)        # first relevant at rank 2
    0.5

Passage level: a ranking of chunks `(doc id, start, end)` against answer spans. A chunk holds
an answer when it contains at least `HOLDS` (80 %) of the span's characters, so a chunking
that cuts an answer in two scores a miss for both halves.

    >>> spans = [("d1", 100, 200)]
    >>> passage_metrics([("d1", 0, 150), ("d1", 90, 210)], spans, 10)["mrr@10"]  # 2nd holds it
    0.5

Left out: trec_eval's tie-breaking by document id (our rankings never tie in position) and
measures we do not plot (MAP, bpref).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np


def relevant(rel: Mapping[str, int]) -> set[str]:
    return {d for d, g in rel.items() if g > 0}


def recall_at(ranked: Sequence[str], rel: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents found in the top k (trec_eval `recall_k`)."""
    want = relevant(rel)
    return len(want & set(ranked[:k])) / len(want) if want else 0.0


def precision_at(ranked: Sequence[str], rel: Mapping[str, int], k: int) -> float:
    """Relevant documents in the top k, divided by k even when fewer were retrieved
    (trec_eval `P_k`)."""
    want = relevant(rel)
    return sum(1 for d in ranked[:k] if d in want) / k


def mrr_at(ranked: Sequence[str], rel: Mapping[str, int], k: int = 10) -> float:
    """1 / rank of the first relevant document in the top k, else 0 (`recip_rank`, cut at k)."""
    want = relevant(rel)
    for i, d in enumerate(ranked[:k]):
        if d in want:
            return 1.0 / (i + 1)
    return 0.0


def dcg(gains: Sequence[float]) -> float:
    """Σ gain_i / log2(i + 1) over ranks i = 1, 2, …

    >>> round(dcg([3, 2, 0, 1]), 4)  # 3/1 + 2/log2(3) + 0 + 1/log2(5)
    4.6925
    """
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: Sequence[str], rel: Mapping[str, int], k: int = 10) -> float:
    """DCG of the top k over the DCG of the ideal top k (`ndcg_cut_k`; gain = judgement).

    >>> round(ndcg_at(["a", "b", "c"], {"b": 1}, 10), 4)   # 1/log2(3) over 1/log2(2)
    0.6309
    """
    ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:k]
    best = dcg(ideal)
    return dcg([max(rel.get(d, 0), 0) for d in ranked[:k]]) / best if best else 0.0


def evaluate(runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]],
             ks: Sequence[int] = (10,)) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Mean metrics over judged queries, and the per-query values.

    Queries without any relevant judgement are skipped, as trec_eval skips queries that are
    absent from the qrels.
    """
    per: dict[str, dict[str, float]] = {}
    for qid, ranked in runs.items():
        rel = qrels.get(qid, {})
        if not relevant(rel):
            continue
        row = {"ndcg@10": ndcg_at(ranked, rel, 10), "mrr@10": mrr_at(ranked, rel, 10)}
        for k in ks:
            row[f"recall@{k}"] = recall_at(ranked, rel, k)
            row[f"precision@{k}"] = precision_at(ranked, rel, k)
        per[qid] = row
    names = next(iter(per.values())).keys() if per else []
    mean = {m: float(np.mean([row[m] for row in per.values()])) for m in names}
    return mean, per


HOLDS = 0.8  # share of an answer span a chunk must contain to count as retrieving it


def holds(chunk: tuple[str, int, int], span: tuple[str, int, int], share: float = HOLDS) -> bool:
    """Does the chunk contain at least `share` of the span's characters?"""
    if chunk[0] != span[0]:
        return False
    inside = max(0, min(chunk[2], span[2]) - max(chunk[1], span[1]))
    return inside >= share * (span[2] - span[1])


def passage_metrics(ranked: Sequence[tuple[str, int, int]], spans: Sequence[tuple[str, int, int]],
                    k: int = 10) -> dict[str, float]:
    """nDCG@10, MRR@10, recall@k over a chunk ranking. Each answer span is credited once, to
    the first chunk that holds it (a second chunk with the same answer adds nothing, as a
    duplicate would not); recall@k is the share of spans held by some chunk in the top k."""
    def gains(cut: int) -> list[float]:
        seen: set[int] = set()
        out = []
        for c in ranked[:cut]:
            new = [i for i, s in enumerate(spans) if i not in seen and holds(c, s)]
            seen.update(new)
            out.append(float(len(new) > 0))
        return out

    g10, gk = gains(10), gains(k)
    ideal = dcg([1.0] * min(len(spans), 10))
    first = next((i for i, g in enumerate(g10) if g), None)
    return {"ndcg@10": dcg(g10) / ideal if ideal else 0.0,
            "mrr@10": 1.0 / (first + 1) if first is not None else 0.0,
            f"recall@{k}": sum(gk) / len(spans) if spans else 0.0}
