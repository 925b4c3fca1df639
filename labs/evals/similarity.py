"""Embedding similarity against a golden answer, and the hard part: choosing the threshold.

Each labelled pair is embedded with the bundled MiniLM and scored by cosine similarity. A
threshold t calls a pair a match when cosine ≥ t; sweeping t over [0, 1] gives precision,
recall and F1 against the labels (paraphrase = should match; related-but-wrong and unrelated =
must not). The best threshold is the one with the highest F1 (ties: the higher threshold).

Left out: calibrating per domain, asymmetric costs of false matches (the page shows both rates).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labs.evals.models import SimilarityPair


@dataclass(frozen=True)
class SweepPoint:
    threshold: float
    precision: float | None  # None when nothing is called a match (0/0)
    recall: float
    f1: float
    false_match_rate: float  # share of must-not-match pairs called a match


def pair_similarities(pairs: list[SimilarityPair], embedder, progress=None) -> np.ndarray:
    """Cosine per pair (vectors are normalised, so a row-wise dot product)."""
    a = embedder.encode([p.a for p in pairs], progress=progress)
    b = embedder.encode([p.b for p in pairs])
    return np.einsum("ij,ij->i", a, b)


def sweep(similarities: np.ndarray, should_match: list[bool],
          thresholds: np.ndarray | None = None) -> list[SweepPoint]:
    """Precision, recall and F1 at each threshold.

    >>> pts = sweep(np.array([0.9, 0.8, 0.3]), [True, False, False], np.array([0.5, 0.85]))
    >>> [(p.threshold, p.precision, p.recall) for p in pts]
    [(0.5, 0.5, 1.0), (0.85, 1.0, 1.0)]
    >>> sweep(np.array([0.4]), [True], np.array([0.9]))[0].precision is None  # 0/0
    True
    """
    if thresholds is None:
        thresholds = np.round(np.arange(0.0, 1.0001, 0.01), 2)
    sims = np.asarray(similarities, dtype=float)
    truth = np.asarray(should_match, dtype=bool)
    out = []
    for t in thresholds:
        called = sims >= t
        tp = int(np.sum(called & truth))
        fp = int(np.sum(called & ~truth))
        fn = int(np.sum(~called & truth))
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision else 0.0
        negatives = int(np.sum(~truth))
        out.append(SweepPoint(float(t), precision, recall, f1, fp / negatives if negatives else 0))
    return out


def best_threshold(points: list[SweepPoint]) -> SweepPoint:
    return max(points, key=lambda p: (round(p.f1, 9), p.threshold))
