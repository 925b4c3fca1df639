"""Dense search on FAISS: exact Flat (inner product), HNSW graphs and IVF-Flat clusters.

Vectors are L2-normalised, so inner product is cosine similarity. Flat is the ground truth;
for the approximate indexes `ann_report` measures recall@10 against Flat and the latency of
both, which is the trade a learner should see when they move M, efSearch, nlist or nprobe.

Left out: product quantisation (IVF-PQ), GPU indexes, on-disk indexes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

KINDS = ("flat", "hnsw", "ivf")


@dataclass(frozen=True)
class IndexParams:
    kind: str = "flat"
    hnsw_m: int = 32
    ef_search: int = 64
    ef_construction: int = 80
    nlist: int = 0  # 0 → about √n, capped for small corpora
    nprobe: int = 8


def ivf_nlist(n: int, wanted: int = 0) -> int:
    """Clusters for n vectors: √n by default, never more than n // 39 (FAISS wants about 39
    training points per centroid), at least 1.

    >>> ivf_nlist(100), ivf_nlist(10_000), ivf_nlist(10_000, wanted=1000)
    (2, 100, 256)
    """
    want = wanted or round(n ** 0.5)
    return max(1, min(want, n // 39))


class DenseIndex:
    """One FAISS index over the rows of `vectors`; row i is item i."""

    def __init__(self, vectors: np.ndarray, params: IndexParams = IndexParams()):
        import faiss

        if params.kind not in KINDS:
            raise ValueError(f"index kind must be one of {', '.join(KINDS)}")
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        n, d = x.shape
        self.params = params
        self.size = n
        self.nlist = 0
        if params.kind == "flat":
            index = faiss.IndexFlatIP(d)
        elif params.kind == "hnsw":
            index = faiss.IndexHNSWFlat(d, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = params.ef_construction
            index.hnsw.efSearch = params.ef_search
        else:
            self.nlist = ivf_nlist(n, params.nlist)
            quantizer = faiss.IndexFlatIP(d)
            index = faiss.IndexIVFFlat(quantizer, d, self.nlist, faiss.METRIC_INNER_PRODUCT)
            index.cp.min_points_per_centroid = 1  # we cap nlist ourselves; keep FAISS quiet
            index.train(x)
            index.nprobe = min(params.nprobe, self.nlist)
            self._quantizer = quantizer  # FAISS does not own it: keep it alive
        index.add(x)
        self.index = index

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, row ids) of shape (n_queries, k); ids are -1 where fewer were found."""
        q = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        return self.index.search(q, min(k, self.size))

    def set_search_params(self, ef_search: int | None = None, nprobe: int | None = None) -> None:
        if ef_search is not None and self.params.kind == "hnsw":
            self.index.hnsw.efSearch = ef_search
        if nprobe is not None and self.params.kind == "ivf":
            self.index.nprobe = min(nprobe, self.nlist)


@dataclass(frozen=True)
class AnnReport:
    kind: str
    recall_at_10: float  # mean share of Flat's top 10 that this index also returns
    ms_per_query: float
    flat_ms_per_query: float
    p95_ms: float


def _timed(index: DenseIndex, queries: np.ndarray, k: int) -> tuple[np.ndarray, list[float]]:
    ids, times = [], []
    for q in queries:  # one at a time: the latency a user's query sees
        t0 = time.perf_counter()
        _, i = index.search(q, k)
        times.append((time.perf_counter() - t0) * 1000)
        ids.append(i[0])
    return np.array(ids), times


def ann_report(ann: DenseIndex, flat: DenseIndex, queries: np.ndarray, k: int = 10
               ) -> AnnReport:
    """Recall@k of `ann` against exact search, and per-query latency of both."""
    exact, flat_t = _timed(flat, queries, k)
    approx, ann_t = _timed(ann, queries, k)
    recalls = [len(set(a) & set(e[e >= 0])) / max(1, int((e >= 0).sum()))
               for a, e in zip(approx, exact, strict=True)]
    return AnnReport(ann.params.kind, float(np.mean(recalls)), float(np.mean(ann_t)),
                     float(np.mean(flat_t)), float(np.percentile(ann_t, 95)))
