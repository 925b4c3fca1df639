"""Passage-level scoring on a hand-labelled fixture: a chunk holds an answer when it contains
80 % of its span; a chunking that splits the answer shows up as a loss; the bundled labels load."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.retrieval.corpus import Corpus, Document, Query, attach_passages, load_bundled
from labs.retrieval.engine import RetrievalIndex, Settings
from labs.retrieval.metrics import holds, passage_metrics

ANSWER = "Deliveries are retried with exponential backoff for at most twenty four hours."
DOC = ("# Retries\n\nA failed delivery is not lost. " + ANSWER +
       " After that the message moves to the dead-letter queue where it can be replayed.\n")
OTHER = "# Pricing\n\nThe Pro plan costs forty nine dollars a month and includes single sign-on.\n"


def labelled_corpus(tmp_path: Path) -> Corpus:
    c = Corpus("fixture", [Document("retries", "Retries", DOC), Document("pricing", "Pricing",
                                                                        OTHER)],
               [Query("q1", "how long are deliveries retried with backoff", {"retries": 1})])
    labels = tmp_path / "passages.yaml"
    labels.write_text(f"passages:\n  q1:\n    retries: [{ANSWER!r}]\n")
    assert attach_passages(c, labels) == []
    return c


def test_hand_labelled_ranking_scores_as_worked_out():
    spans = [("d1", 100, 200), ("d2", 0, 50)]
    ranked = [("d1", 0, 120),    # holds 20 % of span 1: no
              ("d2", 0, 60),     # holds span 2: gain 1 at rank 2
              ("d2", 10, 60),    # 80 % of span 2, but it was already credited: gain 0
              ("d1", 90, 210)]   # holds span 1: gain 1 at rank 4
    m = passage_metrics(ranked, spans, 10)
    import math
    ideal = 1 + 1 / math.log2(3)
    assert m["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)
    assert m["mrr@10"] == 0.5 and m["recall@10"] == 1.0
    assert passage_metrics(ranked, spans, 3)["recall@3"] == 0.5


def test_a_chunk_holds_an_answer_only_with_80_percent_of_it():
    assert holds(("d", 0, 80), ("d", 0, 100)) and not holds(("d", 0, 79), ("d", 0, 100))
    assert not holds(("other", 0, 100), ("d", 0, 100))


def test_the_fixture_label_resolves_to_the_answer_span(tmp_path: Path):
    q = labelled_corpus(tmp_path).queries[0]
    (doc_id, s, e), = q.passages
    assert doc_id == "retries" and DOC[s:e] == ANSWER


def test_chunks_that_split_the_answer_score_a_loss(tmp_path: Path):
    corpus = labelled_corpus(tmp_path)

    def score(size: int) -> dict:
        idx = RetrievalIndex.build(corpus, Settings(strategy="fixed", size=size, overlap=0),
                                   None, dense=False)
        return idx.evaluate_passages(corpus.queries, ("bm25",)).mean["bm25"]

    whole = score(64)   # the whole document fits one chunk: the answer is held at rank 1
    split = score(12)   # 12-token chunks cut the 16-token answer: no chunk holds 80 % of it
    assert whole["recall@10"] == 1.0 and whole["mrr@10"] == 1.0
    assert split["recall@10"] == 0.0 and split["ndcg@10"] == 0.0


def test_a_quote_not_in_its_document_is_reported_with_its_place(tmp_path: Path):
    c = Corpus("fixture", [Document("retries", "Retries", DOC)],
               [Query("q1", "x", {"retries": 1})])
    bad = tmp_path / "passages.yaml"
    bad.write_text("passages:\n  q1:\n    retries: ['words that are not there']\n"
                   "  q9:\n    retries: ['A failed delivery']\n")
    problems = attach_passages(c, bad)
    assert any("passages.q1.retries: quote not found" in p for p in problems)
    assert any("passages.q9" in p for p in problems)


def test_every_judged_bundled_query_has_passage_labels_inside_its_relevant_documents():
    corpus = load_bundled()
    for q in corpus.judged:
        assert q.passages, q.id
        assert {d for d, _, _ in q.passages} <= set(q.relevant)
