"""The noise around an eval number: intervals, paired tests, sample sizes, several raters.

- `bootstrap_ci`: resample the per-case scores with replacement (seeded), take the 2.5th and
  97.5th percentiles of the resampled means: the percentile bootstrap 95% interval.
- `paired_test`: two versions scored on the same cases. The difference of means gets a paired
  bootstrap interval (resample cases, keep each case's pair together) and a sign-flip
  permutation p-value (under "no difference" each case's difference is as likely + as -).
  An interval that contains 0 means "not distinguishable from noise".
- `cases_needed`: how many paired cases a pass/fail gate needs to see a drop of `d` (0.05 = five
  points) at baseline pass rate `p` when a share `r` of cases change verdict between versions
  (McNemar's test, Connor 1987): n = (z_a sqrt(r) + z_b sqrt(r - d^2))^2 / d^2, two-sided
  alpha 0.05 and 80% power by default. Beside it, what two unpaired samples would need.
- `fleiss_kappa`: agreement of several raters beyond chance (Fleiss 1971).

Left out: multiple-comparison corrections, sequential testing, per-slice intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RESAMPLES = 2000
SEED = 13


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}]"


def bootstrap_ci(values, resamples: int = RESAMPLES, seed: int = SEED,
                 level: float = 0.95) -> Interval:
    """Percentile bootstrap interval of the mean.

    >>> bootstrap_ci([1.0, 1.0, 1.0])
    Interval(mean=1.0, low=1.0, high=1.0, n=3)
    """
    x = np.asarray(list(values), dtype=float)
    if x.size == 0:
        raise ValueError("an interval needs at least one score")
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(resamples, x.size))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return Interval(float(x.mean()), float(low), float(high), int(x.size))


@dataclass(frozen=True)
class PairedResult:
    difference: Interval  # candidate minus baseline, per case
    p_value: float  # two-sided sign-flip permutation test
    cases: int

    @property
    def distinguishable(self) -> bool:
        return not (self.difference.low <= 0 <= self.difference.high)

    @property
    def verdict(self) -> str:
        d = self.difference
        if not self.distinguishable:
            return (f"Not distinguishable from noise: the difference {d.mean:+.3f} has a 95% "
                    f"interval [{d.low:+.3f}, {d.high:+.3f}] that contains 0 "
                    f"(p = {self.p_value:.2f}, {self.cases} paired cases).")
        word = "better" if d.mean > 0 else "worse"
        return (f"The candidate is {word} beyond noise: {d.mean:+.3f}, 95% interval "
                f"[{d.low:+.3f}, {d.high:+.3f}] (p = {self.p_value:.3f}, {self.cases} cases).")


def paired_test(before: dict[str, float], after: dict[str, float],
                resamples: int = RESAMPLES, seed: int = SEED) -> PairedResult:
    """Paired bootstrap and permutation test on the cases both runs scored."""
    common = sorted(before.keys() & after.keys())
    if len(common) < 2:
        raise ValueError("a paired test needs at least two cases scored by both versions")
    diff = np.array([after[c] - before[c] for c in common], dtype=float)
    ci = bootstrap_ci(diff, resamples, seed)
    rng = np.random.default_rng(seed + 1)
    signs = rng.choice([-1.0, 1.0], size=(resamples, diff.size))
    observed = abs(diff.mean())
    null = np.abs((signs * diff).mean(axis=1))
    p = (1 + int(np.sum(null >= observed - 1e-12))) / (resamples + 1)
    return PairedResult(ci, float(min(1.0, p)), len(common))


def _z(q: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(q))


@dataclass(frozen=True)
class SampleSize:
    paired: int  # cases, each run through both versions
    unpaired: int  # cases per version if the two samples were independent
    feasible: bool
    note: str = ""


def cases_needed(d: float, p: float, r: float, alpha: float = 0.05,
                 power: float = 0.8) -> SampleSize:
    """Cases to detect a drop of `d` at baseline pass rate `p`, disagreement rate `r`.

    >>> cases_needed(0.05, 0.9, 0.1).paired   # a 5-point drop, 10% of cases flip
    312
    """
    if not (0 < d < 1 and 0 < p < 1 and 0 < r <= 1):
        raise ValueError("d, p and r are shares between 0 and 1 (d and p strictly)")
    # the drop is the difference of the two kinds of flips: pass->fail minus fail->pass
    worse, better = (r + d) / 2, (r - d) / 2
    if better < 0 or worse > p or better > 1 - p:
        return SampleSize(0, 0, False, f"a drop of {d:.0%} needs at least {d:.0%} of cases to "
                          f"change verdict, and no more than the baseline allows")
    za, zb = _z(1 - alpha / 2), _z(power)
    paired = (za * math.sqrt(r) + zb * math.sqrt(r - d * d)) ** 2 / (d * d)
    p2 = p - d
    pbar = (p + p2) / 2
    unpaired = (za * math.sqrt(2 * pbar * (1 - pbar)) +
                zb * math.sqrt(p * (1 - p) + p2 * (1 - p2))) ** 2 / (d * d)
    return SampleSize(math.ceil(paired), math.ceil(unpaired), True)


def fleiss_kappa(ratings: list[list[int]]) -> float:
    """Fleiss' kappa; `ratings[i]` holds every rater's label for item i (same count per item).

    >>> fleiss_kappa([[1, 1, 1], [2, 2, 2], [3, 3, 3]])
    1.0
    """
    if len(ratings) < 2:
        raise ValueError("Fleiss' kappa needs at least two items")
    m = {len(r) for r in ratings}
    if len(m) != 1 or m.pop() < 2:
        raise ValueError("every item needs the same number of raters, at least two")
    n_raters = len(ratings[0])
    cats = sorted({x for r in ratings for x in r})
    counts = np.array([[r.count(c) for c in cats] for r in ratings], dtype=float)
    p_item = ((counts ** 2).sum(axis=1) - n_raters) / (n_raters * (n_raters - 1))
    p_cat = counts.sum(axis=0) / counts.sum()
    p_bar, p_e = p_item.mean(), float((p_cat ** 2).sum())
    if p_e == 1.0:
        return 1.0
    return float((p_bar - p_e) / (1 - p_e))


def disagreements(ratings: dict[str, list[int]], spread: int = 1) -> list[tuple[str, list[int]]]:
    """Items whose raters' labels differ by at least `spread`, widest first."""
    rows = [(k, v) for k, v in ratings.items() if max(v) - min(v) >= spread]
    return sorted(rows, key=lambda kv: (-(max(kv[1]) - min(kv[1])), kv[0]))
