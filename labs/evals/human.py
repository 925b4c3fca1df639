"""Human labels and how well a judge agrees with them.

Cohen's kappa corrects raw agreement for the agreement two raters would reach by chance; on a
1-5 scale a quadratic-weighted kappa is also given, since 4 vs 5 is a smaller miss than 1 vs 5.
Spearman's rho checks that the judge ranks answers as the human does, whatever its scale.
Computed with scikit-learn and SciPy.

Several raters (Fleiss' kappa) are in stats.py. Left out: label adjudication.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Agreement:
    n: int
    raw: float  # share of identical labels
    kappa: float
    weighted_kappa: float
    spearman: float | None  # None when either side has no variance
    labels: list[int]
    confusion: list[list[int]]  # rows: human label, columns: judge label


def agreement(human: list[int], judge: list[int], labels: list[int] | None = None) -> Agreement:
    """Agreement of paired labels.

    >>> a = agreement([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    >>> (a.raw, a.kappa, round(a.spearman, 6))
    (1.0, 1.0, 1.0)
    """
    from scipy.stats import spearmanr
    from sklearn.metrics import cohen_kappa_score, confusion_matrix

    if len(human) != len(judge):
        raise ValueError("human and judge label lists differ in length")
    if len(human) < 2:
        raise ValueError("agreement needs at least two labelled items")
    labels = labels or sorted(set(human) | set(judge))
    h, j = np.asarray(human), np.asarray(judge)
    same_single_label = len(set(human) | set(judge)) == 1
    kappa = 1.0 if same_single_label else float(cohen_kappa_score(h, j, labels=labels))
    weighted = 1.0 if same_single_label else float(
        cohen_kappa_score(h, j, labels=labels, weights="quadratic"))
    rho = None
    if len(set(human)) > 1 and len(set(judge)) > 1:
        rho = float(spearmanr(h, j).statistic)
    return Agreement(n=len(human), raw=float(np.mean(h == j)), kappa=kappa,
                     weighted_kappa=weighted, spearman=rho, labels=labels,
                     confusion=confusion_matrix(h, j, labels=labels).tolist())


def to_pass_fail(scores: list[int], pass_at: int = 4) -> list[int]:
    """Collapse 1-5 scores to 1 (pass) / 0 (fail)."""
    return [int(s >= pass_at) for s in scores]
