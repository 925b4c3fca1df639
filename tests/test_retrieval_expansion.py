"""Pseudo-relevance feedback against worked examples: RM3 on BM25, Rocchio on dense vectors,
and the per-query wins and losses that show query drift."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labs.retrieval.corpus import load_beir
from labs.retrieval.engine import RetrievalIndex, Settings
from labs.retrieval.expansion import Feedback, drift, rm3_weights, rocchio
from labs.retrieval.sparse import BM25Index, BM25Params
from tests.retrieval_helpers import make_beir

PLAIN = BM25Params(stopwords=False, stemming=False)


def test_rm3_mixes_the_query_with_the_score_weighted_term_distribution_of_the_feedback():
    # feedback docs "retry backoff" (score 2) and "retry retry limit" (score 1):
    # RM ∝ 2·{retry ½, backoff ½} + 1·{retry ⅔, limit ⅓} = {retry 5/3, backoff 1, limit 1/3}
    # sum 3 → {retry 5/9, backoff 3/9, limit 1/9}; q = {retry 1}; weight 0.5 → q' below
    got = rm3_weights(["retry"], [["retry", "backoff"], ["retry", "retry", "limit"]],
                      [2.0, 1.0], terms=10, weight=0.5)
    assert got == pytest.approx({"retry": 0.5 + 5 / 18, "backoff": 3 / 18, "limit": 1 / 18})
    assert list(got) == ["retry", "backoff", "limit"]  # heaviest first, as the page shows


def test_rm3_keeps_only_the_heaviest_terms_and_weight_zero_is_the_plain_query():
    fb = [["retry", "backoff"], ["retry", "retry", "limit"]]
    two = rm3_weights(["retry"], fb, [2.0, 1.0], terms=2, weight=0.5)
    # pruned to {retry 5/3, backoff 1}, renormalised to {retry 5/8, backoff 3/8}
    assert two == pytest.approx({"retry": 0.5 + 5 / 16, "backoff": 3 / 16})
    assert rm3_weights(["retry"], fb, [2.0, 1.0], weight=0.0) == {"retry": 1.0,
                                                                  "backoff": 0.0, "limit": 0.0}


def test_rm3_on_bm25_finds_a_document_the_plain_query_misses():
    texts = ["retry backoff jitter", "retry backoff limit", "backoff jitter schedule",
             "cats sleep all day"]
    idx = BM25Index(texts, PLAIN)
    plain = idx.search("retry", 4)
    assert [r for r, _ in plain] == [0, 1] or [r for r, _ in plain] == [1, 0]
    weights = rm3_weights(idx.query_terms("retry"), [idx.tokens[r] for r, _ in plain],
                          [s for _, s in plain], terms=10, weight=0.5)
    found = idx.search_weighted(weights, 4)
    assert 2 in [r for r, _ in found] and 3 not in [r for r, _ in found]
    # the expanded score is Σ weight(t) · BM25(t, row), term by term
    row2 = sum(w * idx.retriever.get_scores([t])[2] for t, w in weights.items())
    assert dict(found)[2] == pytest.approx(row2, rel=1e-5)


def test_rocchio_moves_the_query_to_the_feedback_centroid_and_stays_unit_length():
    q = np.array([1.0, 0.0, 0.0])
    fb = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    # (1 - 0.5)·q + 0.5·(0, ½, ½) = (0.5, 0.25, 0.25), normalised by √0.375
    assert rocchio(q, fb, 0.5) == pytest.approx(np.array([0.5, 0.25, 0.25]) / 0.375 ** 0.5)
    assert rocchio(q, fb, 0.0) == pytest.approx(q)
    assert rocchio(q, np.zeros((0, 3)), 0.9) == pytest.approx(q)


def test_feedback_parameters_out_of_range_are_refused():
    with pytest.raises(ValueError):
        Feedback(docs=0)
    with pytest.raises(ValueError):
        Feedback(weight=1.5)


def test_engine_rocchio_is_a_second_search_with_the_moved_vector(tmp_path: Path, embedder):
    corpus = load_beir(make_beir(tmp_path / "tiny"))
    fb = Feedback(docs=2, weight=0.4)
    idx = RetrievalIndex.build(corpus, Settings(expand="rocchio", feedback=fb), embedder)
    q = "how much does the plan cost"
    qv = idx.embed_queries([q])
    first = idx.dense_index.search(qv, 5)[1][0]
    moved = rocchio(qv, idx.vectors[first[:2]], 0.4)
    want = [idx.units[r].doc_id for r in idx.dense_index.search(moved[None, :], 5)[1][0]]
    assert [h.doc_id for h in idx.dense(q, 5)] == list(dict.fromkeys(want))


def test_engine_rm3_uses_the_feedback_of_its_own_first_bm25_pass(tmp_path: Path, embedder):
    corpus = load_beir(make_beir(tmp_path / "tiny"))
    idx = RetrievalIndex.build(corpus, Settings(expand="rm3", bm25_units="documents",
                                                feedback=Feedback(docs=1, terms=5)),
                               None, dense=False)
    first = idx.bm25_index.search("E-4013 clock", 5)
    weights = idx.rm3_query("E-4013 clock", first)
    assert set(idx.bm25_index.tokens[first[0][0]]) >= set(weights) - {"4013", "clock"}
    assert len(weights) <= 5 + 2 and sum(weights.values()) == pytest.approx(1.0)
    assert idx.bm25("E-4013 clock", 3)[0].doc_id == "d1"


def test_drift_lists_losses_first_and_counts_wins_losses_and_ties():
    base = {"q1": {"ndcg@10": 0.2}, "q2": {"ndcg@10": 0.9}, "q3": {"ndcg@10": 0.5}}
    after = {"q1": {"ndcg@10": 0.6}, "q2": {"ndcg@10": 0.3}, "q3": {"ndcg@10": 0.5}}
    d = drift(base, after)
    assert (d["wins"], d["losses"], d["ties"]) == (1, 1, 1)
    assert [r["query"] for r in d["rows"]] == ["q2", "q3", "q1"]
    assert d["rows"][0]["delta"] == pytest.approx(-0.6)
