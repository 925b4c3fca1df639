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

from labs.chunking import THRESHOLD, Chunk, Tokenizer, chunk, minilm_tokenizer, parent_span
from labs.chunking.headers import header_for, with_header
from labs.chunking.markdown import sections
from labs.retrieval.corpus import Corpus, Query
from labs.retrieval.dense import AnnReport, DenseIndex, IndexParams, ann_report
from labs.retrieval.expansion import Feedback, rm3_weights, rocchio
from labs.retrieval.fusion import rrf, weighted
from labs.retrieval.metrics import evaluate, passage_metrics, relevant
from labs.retrieval.sparse import BM25Index, BM25Params

MODES = ("dense", "bm25", "hybrid")
WINDOW = 254  # MiniLM reads 256 tokens, two of which are [CLS] and [SEP]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Settings:
    strategy: str = "recursive"  # fixed | recursive | sentence | markdown | semantic
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
    threshold: float = THRESHOLD  # semantic chunker: cut below this adjacent-sentence cosine
    headers: bool = False  # contextual chunk headers: embed "title > section" + chunk
    expand: str = "none"  # none | rm3 | rocchio | both (pseudo-relevance feedback)
    feedback: Feedback = Feedback()

    def resolved(self) -> Settings:
        """The settings as the index applies them: size capped at the window, overlap below
        the size (what an experiment must record to re-run exactly)."""
        size = min(self.size, WINDOW)
        return replace(self, size=size, overlap=min(self.overlap, size - 1))


@dataclass(frozen=True)
class Unit:
    """One indexed chunk: the document it belongs to, where in it, and its header."""

    doc_id: str
    chunk: Chunk
    header: str = ""  # contextual header ("" when headers are off)

    @property
    def id(self) -> str:
        return f"{self.doc_id}#{self.chunk.index}"

    @property
    def text(self) -> str:
        """What is embedded and indexed: the chunk, under its header when there is one."""
        return with_header(self.header, self.chunk.text)


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


def chunk_corpus(corpus: Corpus, settings: Settings, tokenizer: Tokenizer | None = None,
                 embed=None) -> list[Unit]:  # type: ignore[no-untyped-def]
    """Every document cut with the settings' chunker; no chunk exceeds the model's window.
    `embed` (texts → unit rows) is needed by the semantic chunker only."""
    tok = tokenizer or minilm_tokenizer()
    s = settings.resolved()
    if s.strategy == "semantic" and embed is None:
        raise ValueError("The semantic chunker needs the embedding model.")
    units = []
    for d in corpus.documents:
        secs = sections(d.text) if s.headers else None
        for c in chunk(d.text, s.strategy, s.size, s.overlap, tok, embed=embed,
                       threshold=s.threshold):
            units.append(Unit(d.id, c, header_for(d.title, d.text, c.start, secs)
                              if s.headers else ""))
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
            units = [] if sparse_only else chunk_corpus(
                corpus, settings, embed=embedder.encode if embedder is not None else None)
        if not units and not corpus.documents:
            raise ValueError("The corpus has no text to index: add documents first.")
        if not units and dense:
            raise ValueError("The corpus has no text to index: every document is empty.")
        before = embedder.embedded_count if dense else 0
        t1 = time.perf_counter()
        vectors = (embed_by_length(embedder, [u.text for u in units], progress) if dense
                   else np.zeros((len(units), 384), dtype=np.float32))
        t2 = time.perf_counter()
        dense_index = DenseIndex(vectors, settings.index)
        texts = ([u.text for u in units] if settings.bm25_units == "chunks"
                 else [d.text for d in corpus.documents])
        bm25 = BM25Index(texts, settings.bm25)
        t3 = time.perf_counter()
        embedded = embedder.embedded_count - before if dense else 0
        stats = BuildStats(len(units), embedded, t2 - t1, t3 - t2, t3 - t0)
        return cls(corpus, settings, units, vectors, dense_index, bm25, embedder, stats)

    # -- one retriever at a time ---------------------------------------------------------
    # Each retriever first ranks rows (chunks, or documents for document-level BM25), with
    # pseudo-relevance feedback applied when the settings ask for it; rows then collapse to
    # documents (each scored by its best chunk) or stay chunks (passage-level scoring).

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

    def _chunks(self, rows: np.ndarray, scores: np.ndarray, k: int) -> list[Hit]:
        """Chunk-level hits: one per row, not collapsed (passage metrics rank chunks)."""
        out = [(int(r), float(s)) for r, s in zip(rows, scores, strict=True) if r >= 0][:k]
        return [Hit(self.units[r].doc_id, s, i + 1, self.units[r])
                for i, (r, s) in enumerate(out)]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.encode(list(texts))

    def _expands(self, side: str) -> bool:
        return self.settings.expand in (side, "both")

    def dense_rows(self, qv: np.ndarray, n: int, index: DenseIndex | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of the dense search, after Rocchio when it is on."""
        idx = index or self.dense_index
        scores, rows = idx.search(qv, n)
        if self._expands("rocchio"):
            fb = self.settings.feedback
            top = rows[0][rows[0] >= 0][: fb.docs]
            qv = rocchio(qv, self.vectors[top], fb.weight)[None, :]
            scores, rows = idx.search(qv, n)
        return rows[0], scores[0]

    def rm3_query(self, query: str, found: list[tuple[int, float]]) -> dict[str, float]:
        """The RM3-expanded query (term → weight) from the first BM25 results `found`."""
        fb = self.settings.feedback
        top = found[: fb.docs]
        toks = self.bm25_index.tokens
        return rm3_weights(self.bm25_index.query_terms(query), [toks[r] for r, _ in top],
                           [sc for _, sc in top], fb.terms, fb.weight)

    def bm25_rows(self, query: str, n: int, found: list[tuple[int, float]] | None = None
                  ) -> list[tuple[int, float]]:
        """(row, score) pairs of the BM25 search, after RM3 when it is on."""
        found = self.bm25_index.search(query, n) if found is None else found
        if self._expands("rm3") and found:
            found = self.bm25_index.search_weighted(self.rm3_query(query, found), n)
        return found

    def dense(self, query: str | np.ndarray, k: int = 10, index: DenseIndex | None = None,
              level: str = "document") -> list[Hit]:
        qv = self.embed_queries([query]) if isinstance(query, str) else query
        rows, scores = self.dense_rows(qv, self._depth(k), index)
        return (self._chunks if level == "chunk" else self._collapse)(rows, scores, k)

    def bm25(self, query: str, k: int = 10, level: str = "document") -> list[Hit]:
        return self._bm25_hits(self.bm25_rows(query, self._bm25_depth(k)), k, level)

    def _bm25_depth(self, k: int) -> int:
        return self._depth(k, self.bm25_index.size)

    def _bm25_hits(self, found: list[tuple[int, float]], k: int, level: str = "document"
                   ) -> list[Hit]:
        if self.settings.bm25_units == "documents":
            if level == "chunk":
                raise ValueError("Chunk-level BM25 needs BM25 over chunks, not documents.")
            docs = self.corpus.documents
            return [Hit(docs[i].id, s, n + 1) for n, (i, s) in enumerate(found[:k])]
        rows = np.array([i for i, _ in found], dtype=np.int64)
        scores = np.array([s for _, s in found])
        return (self._chunks if level == "chunk" else self._collapse)(rows, scores, k)

    def fuse(self, dense_hits: list[Hit], bm25_hits: list[Hit], k: int,
             level: str = "document") -> list[Hit]:
        s = self.settings

        def key(h: Hit) -> str:
            return h.unit.id if level == "chunk" and h.unit is not None else h.doc_id

        if s.fusion == "weighted":
            fused = weighted([[(key(h), h.score) for h in dense_hits],
                              [(key(h), h.score) for h in bm25_hits]],
                             [s.dense_weight, 1 - s.dense_weight])
        else:
            fused = rrf([[key(h) for h in dense_hits], [key(h) for h in bm25_hits]], k=s.rrf_k)
        hit_of = {key(h): h for h in bm25_hits} | {key(h): h for h in dense_hits}
        return [Hit(hit_of[x].doc_id, sc, i + 1, hit_of[x].unit)
                for i, (x, sc) in enumerate(fused[:k])]

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
        """Dense, BM25 and hybrid for one query, embedding the query once. Dense and BM25
        come back at fusion depth (the page cuts them at k and still knows where fusion's
        documents stood further down)."""
        depth = max(k, self.settings.depth)
        qv = self.embed_queries([query])
        d, b = self.dense(qv, depth), self.bm25(query, depth)
        return {"dense": d, "bm25": b, "hybrid": self.fuse(d, b, k)}

    # -- whole query sets -----------------------------------------------------------------

    def runs(self, queries: Sequence[Query], modes: Sequence[str] = MODES, k: int = 100,
             level: str = "document") -> dict[str, dict[str, list[Hit]]]:
        """mode → query id → hits (documents, or chunks with level="chunk"), with every
        query embedded in one batch."""
        depth = max(k, self.settings.depth)
        need_dense = any(m in modes for m in ("dense", "hybrid"))
        need_bm25 = any(m in modes for m in ("bm25", "hybrid"))
        qvs = self.embed_queries([q.text for q in queries]) if queries and need_dense else None
        n = self._bm25_depth(depth)
        bm = self.bm25_index.search_many([q.text for q in queries], n) if need_bm25 else []
        out: dict[str, dict[str, list[Hit]]] = {m: {} for m in modes}
        for i, q in enumerate(queries):
            d = self.dense(qvs[i : i + 1], depth, level=level) if qvs is not None else []
            b = (self._bm25_hits(self.bm25_rows(q.text, n, bm[i]), depth, level)
                 if need_bm25 else [])
            if "dense" in out:
                out["dense"][q.id] = d[:k]
            if "bm25" in out:
                out["bm25"][q.id] = b[:k]
            if "hybrid" in out:
                out["hybrid"][q.id] = self.fuse(d, b, k, level)
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

    def evaluate_passages(self, queries: Sequence[Query], modes: Sequence[str] = MODES,
                          k: int = 10) -> Evaluation:
        """Chunk-level scores against the answer spans (queries without spans are skipped)."""
        labelled = [q for q in queries if q.passages]
        runs = self.runs(labelled, modes, max(k, 10), level="chunk")
        mean, per = {}, {}
        for m, by_q in runs.items():
            per[m] = {q.id: passage_metrics([(h.doc_id, h.unit.chunk.start, h.unit.chunk.end)
                                             for h in by_q[q.id] if h.unit is not None],
                                            q.passages, k) for q in labelled}
            names = next(iter(per[m].values()), {}).keys()
            mean[m] = {n: float(np.mean([r[n] for r in per[m].values()])) for n in names}
        return Evaluation(k, mean, per, runs, len(labelled), len(queries) - len(labelled))

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
        expansion (expand, feedback) and the index's ef_search / nprobe. Build-time settings
        raise ValueError."""
        allowed = {"parent", "fusion", "rrf_k", "dense_weight", "depth", "expand", "feedback"}
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
            s.bm25, s.bm25_units, s.threshold if s.strategy == "semantic" else None, s.headers)


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
