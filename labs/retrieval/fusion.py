"""Hybrid retrieval: merge a dense and a sparse ranking into one.

Reciprocal rank fusion uses ranks only, so it needs no calibration between a cosine in
[-1, 1] and a BM25 score in [0, ∞). Weighted fusion uses the scores themselves, after
min-max normalisation of each list, and a weight per list.

    >>> [(d, round(s, 5)) for d, s in rrf([["a", "b", "c"], ["c", "a"]], k=60)]
    [('a', 0.03252), ('c', 0.03227), ('b', 0.01613)]

    a: 1/61 + 1/62; c: 1/63 + 1/61; b: 1/62 only. c beats b by appearing in both lists.

Left out: learned fusion (a trained ranker over both scores).
"""

from __future__ import annotations

from collections.abc import Sequence


def rrf(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Σ over lists of 1 / (k + rank), rank counted from 1; best first."""
    score: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            score[doc] = score.get(doc, 0.0) + 1.0 / (k + rank)
    return sorted(score.items(), key=lambda kv: -kv[1])


def minmax(scored: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Scores rescaled to [0, 1] within one list (all equal → all 1).

    >>> minmax([("a", 12.0), ("b", 7.0), ("c", 2.0)])
    {'a': 1.0, 'b': 0.5, 'c': 0.0}
    """
    if not scored:
        return {}
    lo, hi = min(s for _, s in scored), max(s for _, s in scored)
    return {d: (s - lo) / (hi - lo) if hi > lo else 1.0 for d, s in scored}


def weighted(lists: Sequence[Sequence[tuple[str, float]]], weights: Sequence[float]
             ) -> list[tuple[str, float]]:
    """Σ weight × normalised score; a document missing from a list gets 0 there.

    >>> weighted([[("a", 0.9), ("b", 0.5)], [("b", 10.0), ("c", 4.0)]], [0.5, 0.5])
    [('a', 0.5), ('b', 0.5), ('c', 0.0)]
    """
    total: dict[str, float] = {}
    for scored, w in zip(lists, weights, strict=True):
        for d, s in minmax(scored).items():
            total[d] = total.get(d, 0.0) + w * s
    return sorted(total.items(), key=lambda kv: -kv[1])
