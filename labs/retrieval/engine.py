"""The retrieval pipeline: chunk a corpus, embed the chunks, index them in FAISS and BM25,
search by dense, sparse or hybrid retrieval, and score rankings on judged queries.

Matching happens on chunks; results are documents, each scored by its best chunk (so a
document longer than the model's window is found by whichever part matches). With parent
retrieval the text handed back is the chunk's section or whole document (labs.chunking.parents).

    idx = RetrievalIndex.build(corpus, Settings(), embedder, progress=print)
    idx.search("What does E-4013 mean?", "hybrid")[:3]     # → [Hit(doc_id=…, …), …]
    idx.evaluate(corpus.judged, ["dense", "bm25", "hybrid"])

Left out: incremental updates (a changed setting rebuilds; the embedding cache makes a
rebuild cheap), metadata filters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from labs.chunking import Chunk, Tokenizer, chunk, minilm_tokenizer, parent_span
from labs.retrieval.corpus import Corpus, Query
from labs.retrieval.dense import AnnReport, DenseIndex, IndexParams, ann_report
from labs.retrieval.fusion import rrf, weighted
from labs.retrieval.metrics import evaluate, relevant
from labs.retrieval.sparse import BM25Index, BM25Params

MODES = ("dense", "bm25", "hybrid")
WINDOW = 254  # MiniLM reads 256 tokens, two of which are [CLS] and [SEP]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Settings:
    strategy: str = "recursive"  # fixed | recursive | sentence | markdown
    size: int = 200  # tokens per chunk (capped at the model's window)
    overlap: int = 20
    parent: str = "document"  # chunk | section | document: what a hit hands back
    index: IndexParams = IndexParams()
    bm25: BM25Params = BM25Params()
    bm25_units: str = "chunks"  # chunks | documents (BM25 has no window to respect)
    fusion: str = "rrf"  # rrf | weighted
    rrf_k: int = 60
    dense_weight: float = 0.5  # for weighted fusion; BM25 gets 1 - this
    depth: int = 100  # documents each retriever hands to fusion


@dataclass(frozen=True)
class Unit:
    """One indexed chunk: the document it belongs to and where in it."""

    doc_id: str
    chunk: Chunk

    @property
    def id(self) -> str:
        return f"{self.doc_id}#{self.chunk.index}"


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float
    rank: int
    unit: Unit | None = None  # the best-matching chunk (None for document-level BM25)


@dataclass
class BuildStats:
    units: int = 0
    embedded: int = 0  # chunks run through the model in this build (the rest were cached)
    embed_seconds: float = 0.0
    index_seconds: float = 0.0
    seconds: float = 0.0


def chunk_corpus(corpus: Corpus, settings: Settings, tokenizer: Tokenizer | None = None
                 ) -> list[Unit]:
    """Every document cut with the settings' chunker; no chunk exceeds the model's window."""
    tok = tokenizer or minilm_tokenizer()
    size = min(settings.size, WINDOW)
    overlap = min(settings.overlap, size - 1)
    units = []
    for d in corpus.documents:
        for c in chunk(d.text, settings.strategy, size, overlap, tok):
            units.append(Unit(d.id, c))
    return units


def embed_by_length(embedder, texts: list[str], progress: Progress | None = None
                    ) -> np.ndarray:
    """Embed texts longest first, then put the rows back in order.

    The embedder works through its texts a few batches at a time; handing them over sorted
    keeps texts of similar length in the same batch, so little compute goes on padding (a
    bare `SentenceTransformer.encode` sorts the same way, over the whole list).
    """
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    vecs = embedder.encode([texts[i] for i in order], progress=progress)
    out = np.empty_like(vecs)
    out[order] = vecs
    return out


@dataclass
class RetrievalIndex:
    corpus: Corpus
    settings: Settings
    units: list[Unit]
    vectors: np.ndarray
    dense_index: DenseIndex
    bm25_index: BM25Index
    embedder: object
    stats: BuildStats = field(default_factory=BuildStats)
    _flat: DenseIndex | None = None

    @classmethod
    def build(cls, corpus: Corpus, settings: Settings, embedder, progress: Progress | None = None,
              units: list[Unit] | None = None, dense: bool = True) -> RetrievalIndex:
        """Chunk, embed (cached texts are not embedded again) and index.

        `dense=False` skips the embedding (a BM25-only run needs no model: `embedder` may
        be None)."""
        t0 = time.perf_counter()
        if units is None:
            sparse_only = not dense and settings.bm25_units == "documents"
            units = [] if sparse_only else chunk_corpus(corpus, settings)  # nothing to chunk
        if not units and not corpus.documents:
            raise ValueError("The corpus has no text to index: add documents first.")
        if not units and dense:
            raise ValueError("The corpus has no text to index: every document is empty.")
        before = embedder.embedded_count if dense else 0
        t1 = time.perf_counter()
        vectors = (embed_by_length(embedder, [u.chunk.text for u in units], progress) if dense
                   else np.zeros((len(units), 384), dtype=np.float32))
        t2 = time.perf_counter()
        dense_index = DenseIndex(vectors, settings.index)
        texts = ([u.chunk.text for u in units] if settings.bm25_units == "chunks"
                 else [d.text for d in corpus.documents])
        bm25 = BM25Index(texts, settings.bm25)
        t3 = time.perf_counter()
        embedded = embedder.embedded_count - before if dense else 0
        stats = BuildStats(len(units), embedded, t2 - t1, t3 - t2, t3 - t0)
        return cls(corpus, settings, units, vectors, dense_index, bm25, embedder, stats)

    # -- one retriever at a time ---------------------------------------------------------

    def _depth(self, k: int, rows: int | None = None) -> int:
        # enough chunks that, collapsed to documents, k distinct documents usually remain
        return min(len(self.units) if rows is None else rows, max(k * 4, 200))

    def _collapse(self, rows: np.ndarray, scores: np.ndarray, k: int) -> list[Hit]:
        best: dict[str, tuple[float, Unit]] = {}
        for r, s in zip(rows, scores, strict=True):
            if r < 0:
                continue
            u = self.units[int(r)]
            if u.doc_id not in best:
                best[u.doc_id] = (float(s), u)
            if len(best) == k:
                break
        return [Hit(d, s, i + 1, u) for i, (d, (s, u)) in enumerate(best.items())]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.encode(list(texts))

    def dense(self, query: str | np.ndarray, k: int = 10, index: DenseIndex | None = None
              ) -> list[Hit]:
        qv = self.embed_queries([query]) if isinstance(query, str) else query
        scores, rows = (index or self.dense_index).search(qv, self._depth(k))
        return self._collapse(rows[0], scores[0], k)

    def bm25(self, query: str, k: int = 10) -> list[Hit]:
        return self._bm25_hits(self.bm25_index.search(query, self._bm25_depth(k)), k)

    def _bm25_depth(self, k: int) -> int:
        return self._depth(k, self.bm25_index.size)

    def _bm25_hits(self, found: list[tuple[int, float]], k: int) -> list[Hit]:
        if self.settings.bm25_units == "documents":
            docs = self.corpus.documents
            return [Hit(docs[i].id, s, n + 1) for n, (i, s) in enumerate(found[:k])]
        rows = np.array([i for i, _ in found], dtype=np.int64)
        return self._collapse(rows, np.array([s for _, s in found]), k)

    def fuse(self, dense_hits: list[Hit], bm25_hits: list[Hit], k: int) -> list[Hit]:
        s = self.settings
        if s.fusion == "weighted":
            fused = weighted([[(h.doc_id, h.score) for h in dense_hits],
                              [(h.doc_id, h.score) for h in bm25_hits]],
                             [s.dense_weight, 1 - s.dense_weight])
        else:
            fused = rrf([[h.doc_id for h in dense_hits], [h.doc_id for h in bm25_hits]],
                        k=s.rrf_k)
        unit_of = {h.doc_id: h.unit for h in bm25_hits} | {h.doc_id: h.unit for h in dense_hits}
        return [Hit(d, sc, i + 1, unit_of.get(d)) for i, (d, sc) in enumerate(fused[:k])]

    def search(self, query: str, mode: str = "hybrid", k: int = 10) -> list[Hit]:
        if mode == "dense":
            return self.dense(query, k)
        if mode == "bm25":
            return self.bm25(query, k)
        if mode == "hybrid":
            depth = max(k, self.settings.depth)
            return self.fuse(self.dense(query, depth), self.bm25(query, depth), k)
        raise ValueError(f"mode must be one of {', '.join(MODES)}")

    def search_all(self, query: str, k: int = 10) -> dict[str, list[Hit]]:
        """Dense, BM25 and hybrid for one query, embedding the query once."""
        depth = max(k, self.settings.depth)
        qv = self.embed_queries([query])
        d, b = self.dense(qv, depth), self.bm25(query, depth)
        return {"dense": d[:k], "bm25": b[:k], "hybrid": self.fuse(d, b, k)}

    # -- whole query sets -----------------------------------------------------------------

    def runs(self, queries: Sequence[Query], modes: Sequence[str] = MODES, k: int = 100
             ) -> dict[str, dict[str, list[Hit]]]:
        """mode → query id → hits, with every query embedded in one batch."""
        depth = max(k, self.settings.depth)
        need_dense = any(m in modes for m in ("dense", "hybrid"))
        qvs = self.embed_queries([q.text for q in queries]) if queries and need_dense else None
        bm = self.bm25_index.search_many([q.text for q in queries], self._bm25_depth(depth))
        out: dict[str, dict[str, list[Hit]]] = {m: {} for m in modes}
        for i, q in enumerate(queries):
            d = self.dense(qvs[i : i + 1], depth) if qvs is not None else []
            b = self._bm25_hits(bm[i], depth)
            if "dense" in out:
                out["dense"][q.id] = d[:k]
            if "bm25" in out:
                out["bm25"][q.id] = b[:k]
            if "hybrid" in out:
                out["hybrid"][q.id] = self.fuse(d, b, k)
        return out

    def evaluate(self, queries: Sequence[Query], modes: Sequence[str] = MODES, k: int = 10,
                 runs: dict[str, dict[str, list[Hit]]] | None = None) -> Evaluation:
        """Mean and per-query metrics for each mode over the judged queries."""
        judged = [q for q in queries if relevant(q.relevant)]
        runs = runs or self.runs(judged, modes, max(k, 10))
        qrels = {q.id: q.relevant for q in judged}
        mean, per = {}, {}
        for m in runs:
            ranked = {qid: [h.doc_id for h in hits] for qid, hits in runs[m].items()}
            mean[m], per[m] = evaluate(ranked, qrels, ks=(k,))
        return Evaluation(k, mean, per, runs, len(judged), len(queries) - len(judged))

    # -- approximate indexes -------------------------------------------------------------

    def flat(self) -> DenseIndex:
        if self.settings.index.kind == "flat":
            return self.dense_index
        if self._flat is None:
            self._flat = DenseIndex(self.vectors, IndexParams("flat"))
        return self._flat

    def ann_report(self, queries: np.ndarray, params: IndexParams | None = None) -> AnnReport:
        """Recall@10 of an approximate index (this one's, or `params`) against Flat."""
        ann = DenseIndex(self.vectors, params) if params else self.dense_index
        return ann_report(ann, self.flat(), queries)

    # -- what a hit hands back ------------------------------------------------------------

    def context(self, hit: Hit) -> str:
        """The text returned for a hit: its chunk, its section or its document."""
        doc = self.corpus.doc(hit.doc_id)
        if hit.unit is None:
            return doc.text
        s, e = parent_span(doc.text, hit.unit.chunk, self.settings.parent)
        return doc.text[s:e]

    def configure(self, **query_time) -> RetrievalIndex:
        """Change settings that need no rebuild: parent, fusion, rrf_k, dense_weight, depth,
        and the index's ef_search / nprobe. Build-time settings raise ValueError."""
        allowed = {"parent", "fusion", "rrf_k", "dense_weight", "depth"}
        idx_changes = {k: query_time.pop(k) for k in ("ef_search", "nprobe") if k in query_time}
        if bad := set(query_time) - allowed:
            raise ValueError(f"{', '.join(sorted(bad))} need a rebuild")
        self.dense_index.set_search_params(**idx_changes)
        self.settings = replace(self.settings, index=replace(self.settings.index, **idx_changes),
                                **query_time)
        return self


def build_key(s: Settings) -> tuple:
    """The settings a change of which means re-chunking, re-embedding or re-indexing."""
    i = s.index
    return (s.strategy, s.size, s.overlap, i.kind, i.hnsw_m, i.ef_construction, i.nlist,
            s.bm25, s.bm25_units)


@dataclass
class Evaluation:
    k: int
    mean: dict[str, dict[str, float]]  # mode → metric → value
    per_query: dict[str, dict[str, dict[str, float]]]  # mode → query id → metric → value
    runs: dict[str, dict[str, list[Hit]]]
    judged: int
    skipped: int  # queries without judgements (e.g. unanswerable ones)

    def table(self) -> list[dict]:
        return [{"pattern": m, **{k: round(v, 4) for k, v in vals.items()}}
                for m, vals in self.mean.items()]
