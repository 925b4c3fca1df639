"""Metrics and fusion against examples worked out by hand, per trec_eval's definitions."""

from __future__ import annotations

import math

import pytest

from labs.retrieval.fusion import minmax, rrf, weighted
from labs.retrieval.metrics import evaluate, mrr_at, ndcg_at, precision_at, recall_at

RANKED = ["d3", "d1", "d7", "d2", "d5"]
REL = {"d1": 2, "d2": 1, "d9": 1, "d4": 0}  # d4 judged not relevant


def test_recall_counts_relevant_found_over_all_relevant():
    assert recall_at(RANKED, REL, 2) == pytest.approx(1 / 3)
    assert recall_at(RANKED, REL, 5) == pytest.approx(2 / 3)


def test_precision_divides_by_k_even_past_the_end_of_the_list():
    assert precision_at(RANKED, REL, 4) == pytest.approx(2 / 4)
    assert precision_at(RANKED, REL, 10) == pytest.approx(2 / 10)


def test_mrr_is_the_reciprocal_rank_of_the_first_relevant_within_the_cut():
    assert mrr_at(RANKED, REL, 10) == pytest.approx(1 / 2)
    assert mrr_at(RANKED, REL, 1) == 0.0


def test_ndcg_uses_graded_gains_and_the_ideal_ordering_of_the_judgements():
    dcg = 2 / math.log2(3) + 1 / math.log2(5)  # d1 at rank 2, d2 at rank 4
    idcg = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)  # gains 2, 1, 1
    assert ndcg_at(RANKED, REL, 10) == pytest.approx(dcg / idcg)


def test_ndcg_is_one_for_the_ideal_ranking():
    assert ndcg_at(["d1", "d2", "d9"], REL, 10) == pytest.approx(1.0)


def test_evaluate_skips_queries_without_a_relevant_judgement():
    mean, per = evaluate({"q1": RANKED, "q2": ["d1"], "q3": ["x"]},
                         {"q1": REL, "q2": {"d4": 0}}, ks=(5,))
    assert list(per) == ["q1"]
    assert mean["recall@5"] == pytest.approx(2 / 3)


def test_rrf_adds_reciprocal_ranks_with_k_60():
    fused = dict(rrf([["a", "b"], ["b", "c"]], k=60))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert list(dict(rrf([["a", "b"], ["b", "c"]]))) == ["b", "a", "c"]


def test_rrf_k_changes_how_much_the_top_rank_dominates():
    lists = [["a", "b", "c", "d"], ["d", "c", "b", "a"]]
    assert rrf(lists, k=1)[0][0] in ("a", "d")  # small k: a first place wins
    assert dict(rrf(lists, k=1000))["a"] == pytest.approx(dict(rrf(lists, k=1000))["b"], rel=1e-2)


def test_weighted_fusion_normalises_each_list_before_weighting():
    assert minmax([("a", 5.0), ("b", 5.0)]) == {"a": 1.0, "b": 1.0}
    fused = dict(weighted([[("a", 0.9), ("b", 0.7), ("c", 0.5)], [("c", 20.0), ("a", 10.0)]],
                          [0.75, 0.25]))
    assert fused == pytest.approx({"a": 0.75, "b": 0.375, "c": 0.25})
