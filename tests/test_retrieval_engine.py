"""The retrieval engine on real MiniLM embeddings, FAISS and bm25s, over a tiny BEIR corpus;
the ANN indexes against exact search; the CLI's JSON; saved experiments."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from labs.cli import main
from labs.retrieval.corpus import Corpus, Document, Query, load_beir
from labs.retrieval.dense import DenseIndex, IndexParams, ann_report, ivf_nlist
from labs.retrieval.engine import RetrievalIndex, Settings
from labs.retrieval.experiments import comparison_rows, list_experiments, save_experiment
from labs.retrieval.fusion import rrf
from labs.retrieval.sparse import BM25Index, BM25Params
from labs.store import Store, get_or_create_learner
from tests.retrieval_helpers import make_beir


@pytest.fixture
def tiny(tmp_path: Path) -> Corpus:
    return load_beir(make_beir(tmp_path / "tiny"))


def unit_vectors(n: int, d: int = 64, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_hnsw_at_default_settings_reaches_recall_095_against_flat():
    x = unit_vectors(3000)
    queries = unit_vectors(100, seed=1)
    report = ann_report(DenseIndex(x, IndexParams("hnsw")), DenseIndex(x), queries)
    assert report.recall_at_10 >= 0.95


def test_ivf_probing_every_list_is_exact_and_probing_one_is_not():
    x, q = unit_vectors(3000), unit_vectors(100, seed=1)
    flat = DenseIndex(x)
    every = ann_report(DenseIndex(x, IndexParams("ivf", nlist=50, nprobe=50)), flat, q)
    one = ann_report(DenseIndex(x, IndexParams("ivf", nlist=50, nprobe=1)), flat, q)
    assert every.recall_at_10 == pytest.approx(1.0)
    assert one.recall_at_10 < 0.9


def test_ivf_nlist_is_capped_for_small_corpora():
    assert ivf_nlist(50) == 1 and ivf_nlist(390, wanted=100) == 10
    assert DenseIndex(unit_vectors(80), IndexParams("ivf", nlist=64)).nlist == 2


def test_bm25_stopwords_and_stemming_are_configurable():
    texts = ["the deliveries were retried", "a delivery retry policy", "the the the"]
    plain = BM25Index(texts, BM25Params(stopwords=True, stemming=False))
    stemmed = BM25Index(texts, BM25Params(stopwords=True, stemming=True))
    assert [i for i, _ in plain.search("delivery", 3)] == [1]
    assert {i for i, _ in stemmed.search("delivery", 3)} == {0, 1}
    assert plain.search("the", 3) == []  # only a stopword: nothing to match
    assert BM25Index(texts, BM25Params(stopwords=False)).search("the", 3)[0][0] == 2


def test_bm25_finds_the_exact_code_and_dense_finds_the_paraphrase(tiny, embedder):
    idx = RetrievalIndex.build(tiny, Settings(), embedder)
    assert idx.search("What does E-4013 mean?", "bm25", 3)[0].doc_id == "d1"
    q = "how long do we keep trying to deliver a message that failed"
    assert idx.search(q, "dense", 3)[0].doc_id == "d3"


def test_hybrid_is_the_rrf_of_the_dense_and_bm25_lists(tiny, embedder):
    idx = RetrievalIndex.build(tiny, Settings(rrf_k=60), embedder)
    q = "price of the Pro plan"
    lists = idx.search_all(q, 5)
    expected = rrf([[h.doc_id for h in idx.dense(q, 100)], [h.doc_id for h in idx.bm25(q, 100)]])
    assert [h.doc_id for h in lists["hybrid"]] == [d for d, _ in expected][:5]


def test_a_second_build_embeds_nothing(tiny, embedder):
    first = RetrievalIndex.build(tiny, Settings(size=32), embedder)
    second = RetrievalIndex.build(tiny, Settings(size=32, index=IndexParams("hnsw")), embedder)
    assert second.stats.embedded == 0 and second.stats.units == first.stats.units
    np.testing.assert_allclose(first.vectors, second.vectors)


def test_a_long_document_is_found_by_its_best_chunk(embedder):
    filler = " ".join(f"Paragraph {i} talks about rivers, boats and harbours." for i in range(60))
    long_doc = Document("long", "Long", filler + "\n\nThe secret rotation key is TANGERINE-77.")
    corpus = Corpus("t", [long_doc, Document("short", "Short", "Boats sail in harbours.")],
                    [Query("q", "TANGERINE-77 rotation key", {"long": 1})])
    idx = RetrievalIndex.build(corpus, Settings(strategy="recursive", size=128), embedder)
    assert len([u for u in idx.units if u.doc_id == "long"]) > 3
    hit = idx.search("TANGERINE-77 rotation key", "dense", 1)[0]
    assert hit.doc_id == "long" and "TANGERINE-77" in hit.unit.chunk.text


def test_evaluate_scores_each_pattern_and_skips_unjudged_queries(tiny, embedder):
    idx = RetrievalIndex.build(tiny, Settings(), embedder)
    ev = idx.evaluate(tiny.queries, k=3)
    assert ev.judged == 3 and ev.skipped == 1
    assert set(ev.mean) == {"dense", "bm25", "hybrid"}
    assert set(ev.per_query["dense"]) == {"q1", "q2", "q3"}
    assert ev.mean["bm25"]["mrr@10"] == pytest.approx(
        np.mean([v["mrr@10"] for v in ev.per_query["bm25"].values()]))
    assert all(0 <= v <= 1 for m in ev.mean.values() for v in m.values())


def test_parent_retrieval_returns_the_section_around_the_chunk(embedder):
    text = "# Guide\n\n## Install\nRun nwr install.\n\n## Rotate keys\nRun nwr keys rotate now."
    corpus = Corpus("t", [Document("g", "Guide", text)])
    idx = RetrievalIndex.build(corpus, Settings(strategy="markdown", size=8, overlap=0,
                                                parent="section"), embedder)
    hit = idx.search("rotate keys", "bm25", 1)[0]
    assert idx.context(hit) == "## Rotate keys\nRun nwr keys rotate now."


def test_cli_prints_exactly_the_issue_keys_as_json(tmp_path: Path, capsys, embedder):
    folder = make_beir(tmp_path / "cli")
    assert main(["retrieval-eval", "--beir", str(folder), "--mode", "hybrid", "--index",
                 "hnsw", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["pipeline", "mode", "ndcg@10", "recall@10", "recall@100", "mrr@10",
                         "queries", "docs", "seconds"]
    assert out["queries"] == 3 and out["docs"] == 5 and out["recall@100"] == 1.0


def test_cli_bm25_on_a_missing_folder_is_a_one_line_error(tmp_path: Path, capsys):
    assert main(["retrieval-eval", "--beir", str(tmp_path / "nope"), "--mode", "bm25",
                 "--json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "not a BEIR folder" in err


def test_experiments_are_saved_per_learner_and_compared(tiny, embedder):
    store = Store()
    ada, bob = get_or_create_learner(store, "Ada"), get_or_create_learner(store, "Bob")
    idx = RetrievalIndex.build(tiny, Settings(), embedder)
    ev = idx.evaluate(tiny.queries)
    save_experiment(store, ada.id, "baseline", tiny.name, idx.settings, ev)
    save_experiment(store, ada.id, "small chunks", tiny.name, replace(idx.settings, size=64), ev)
    assert [e.name for e in list_experiments(store, ada.id)] == ["baseline", "small chunks"]
    assert list_experiments(store, bob.id) == []
    rows = comparison_rows(list_experiments(store, ada.id))
    assert len(rows) == 6 and rows[0]["ndcg@10"] == round(ev.mean["dense"]["ndcg@10"], 4)
    with pytest.raises(ValueError):
        save_experiment(store, ada.id, "   ", tiny.name, idx.settings, ev)


def test_vectors_stay_in_chunk_order_though_embedded_longest_first(tiny, embedder):
    idx = RetrievalIndex.build(tiny, Settings(size=16, overlap=4), embedder)
    texts = [u.chunk.text for u in idx.units]
    assert len(set(map(len, texts))) > 1
    np.testing.assert_allclose(idx.vectors, embedder.encode(texts), atol=1e-6)


def test_cli_builtin_bm25_scores_the_judged_golden_queries(capsys):
    from labs.retrieval.corpus import load_bundled

    corpus = load_bundled()
    assert main(["retrieval-eval", "--builtin", "--mode", "bm25", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["queries"] == len(corpus.judged) < len(corpus.queries)  # unanswerable skipped
    assert out["docs"] == len(corpus.documents)
    assert 0 < out["ndcg@10"] <= 1 and out["recall@10"] <= out["recall@100"]
