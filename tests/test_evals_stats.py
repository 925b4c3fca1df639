"""The noise around eval numbers: intervals, the paired test, sample sizes, several raters."""

from __future__ import annotations

import numpy as np
import pytest

from labs.evals import stats


def test_bootstrap_interval_contains_the_mean_and_narrows_with_more_cases():
    rng = np.random.default_rng(0)
    small = stats.bootstrap_ci(rng.random(20))
    large = stats.bootstrap_ci(rng.random(2000))
    assert small.low < small.mean < small.high
    assert (large.high - large.low) < (small.high - small.low) / 5
    with pytest.raises(ValueError, match="at least one"):
        stats.bootstrap_ci([])


def test_a_tiny_average_gain_on_noisy_cases_is_not_distinguishable_from_noise():
    rng = np.random.default_rng(1)
    before = {f"q{i}": float(x) for i, x in enumerate(rng.random(30))}
    after = {q: v + rng.normal(0.01, 0.2) for q, v in before.items()}
    result = stats.paired_test(before, after)
    assert not result.distinguishable and result.p_value > 0.05
    assert result.verdict.startswith("Not distinguishable from noise")


def test_a_consistent_drop_on_every_case_is_beyond_noise():
    before = {f"q{i}": 0.8 for i in range(20)}
    after = {q: 0.6 + 0.01 * (i % 3) for i, q in enumerate(before)}
    result = stats.paired_test(before, after)
    assert result.distinguishable and result.difference.high < 0 and result.p_value < 0.01
    assert "worse beyond noise" in result.verdict


def test_paired_test_needs_two_shared_cases():
    with pytest.raises(ValueError, match="two cases"):
        stats.paired_test({"a": 1.0}, {"a": 0.0, "b": 1.0})


def test_sample_size_matches_mcnemar_by_hand_and_pairing_helps():
    # n = (1.96 sqrt(.1) + 0.8416 sqrt(.1 - .05^2))^2 / .05^2 = 311.6 -> 312
    n = stats.cases_needed(0.05, 0.9, 0.1)
    assert n.paired == 312 and n.unpaired > 2 * n.paired
    assert stats.cases_needed(0.05, 0.9, 0.05).paired < n.paired  # fewer flips, fewer cases
    assert stats.cases_needed(0.10, 0.9, 0.1).paired < n.paired  # bigger drop, fewer cases
    assert not stats.cases_needed(0.1, 0.9, 0.05).feasible  # a 10-point drop needs 10% flips
    with pytest.raises(ValueError):
        stats.cases_needed(0, 0.9, 0.1)


def test_fleiss_kappa_matches_the_worked_example_of_fleiss_1971():
    # Wikipedia's worked example: 10 items, 14 raters, 5 categories, kappa 0.210
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
             [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
             [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    ratings = [[c + 1 for c, k in enumerate(row) for _ in range(k)] for row in table]
    assert stats.fleiss_kappa(ratings) == pytest.approx(0.210, abs=0.001)
    with pytest.raises(ValueError, match="same number of raters"):
        stats.fleiss_kappa([[1, 2], [1]])


def test_disagreements_are_listed_widest_first():
    rows = stats.disagreements({"a": [5, 5], "b": [1, 4], "c": [3, 4]})
    assert [k for k, _ in rows] == ["b", "c"]
