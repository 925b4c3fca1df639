"""Running a retrieval evaluation: the one function the page, the CLI and the bench call.

`evaluate_pipeline` builds (or reuses) the index, runs the judged queries through the
pipeline's modes, reranks when the pipeline says so, scores documents (trec_eval's way),
scores chunks against the answer spans when the corpus has them, and, when the pipeline
expands queries, scores the same queries without expansion to show wins and losses (drift).

    report = evaluate_pipeline(load_bundled(), load_pipeline("best"), get_embedder())
    report.summary()   # → {"ndcg@10": …, "recall@10": …, "passage": {…}, "expansion": {…}}

`RetrievalIndex.evaluate(queries, modes, k, runs)` stays the lower-level call (the evals lab's
golden-set tab uses it).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from labs.retrieval.corpus import Corpus
from labs.retrieval.engine import Evaluation, Progress, RetrievalIndex, chunk_corpus
from labs.retrieval.expansion import drift
from labs.retrieval.metrics import recall_at
from labs.retrieval.pipelines import Pipeline
from labs.retrieval.sparse import BM25Index


@dataclass
class EvalReport:
    pipeline: Pipeline
    corpus: str
    docs: int
    evaluation: Evaluation  # document level
    passages: Evaluation | None  # chunk level, on corpora with answer spans
    drift: dict[str, dict]  # mode → wins/losses against the same mode without expansion
    index: RetrievalIndex
    seconds: float

    @property
    def main(self) -> str:
        """The mode the pipeline is about (its reranked run when it reranks)."""
        p = self.pipeline
        return f"{p.mode}+{p.rerank}" if p.rerank else p.mode

    def summary(self, mode: str | None = None) -> dict:
        """The CLI's JSON: document metrics at the top, then passage and expansion blocks."""
        m = mode or self.main
        ev = self.evaluation
        judged = list(ev.per_query[m])
        qrels = {q.id: q.relevant for q in self.index.corpus.queries}
        r10 = [recall_at([h.doc_id for h in ev.runs[m][q]], qrels[q], 10) for q in judged]
        vals = ev.mean[m]
        out: dict = {"pipeline": self.pipeline.name, "mode": m,
                     "ndcg@10": round(vals["ndcg@10"], 4),
                     "recall@10": round(sum(r10) / len(r10), 4) if r10 else 0.0,
                     f"recall@{ev.k}": round(vals[f"recall@{ev.k}"], 4),
                     "mrr@10": round(vals["mrr@10"], 4), "queries": ev.judged,
                     "docs": self.docs, "seconds": round(self.seconds, 2)}
        if self.passages is not None and m in self.passages.mean:
            out["passage"] = {k: round(v, 4) for k, v in self.passages.mean[m].items()}
            out["passage"]["queries"] = self.passages.judged
        if m in self.drift:
            d = self.drift[m]
            out["expansion"] = {"kind": self.pipeline.settings.expand, "wins": d["wins"],
                                "losses": d["losses"], "ties": d["ties"],
                                "ndcg@10 without": round(d["base"], 4)}
        return out


def chunk_level(index: RetrievalIndex) -> RetrievalIndex:
    """The same index with BM25 over chunks (passage scoring ranks chunks); no re-embedding."""
    if index.settings.bm25_units == "chunks":
        return index
    s = replace(index.settings, bm25_units="chunks")
    if not index.units:  # a BM25-only build over documents has no chunks yet: cut them
        return RetrievalIndex.build(index.corpus, s, index.embedder, dense=False, units=(
            chunk_corpus(index.corpus, s, embed=getattr(index.embedder, "encode", None))))
    return RetrievalIndex(index.corpus, s, index.units, index.vectors, index.dense_index,
                          BM25Index([u.text for u in index.units], s.bm25), index.embedder,
                          index.stats)


def evaluate_pipeline(corpus: Corpus, pipeline: Pipeline, embedder=None,  # type: ignore[no-untyped-def]
                      modes: Sequence[str] | None = None, k: int = 100,
                      progress: Progress | None = None, index: RetrievalIndex | None = None,
                      passages: bool = True, with_drift: bool = True,
                      rerank_scorer=None) -> EvalReport:
    """Score `pipeline` (or `modes` under its settings) on the corpus's judged queries.

    `index` reuses a built index (its build-time settings win; query-time ones are set from
    the pipeline). Raises ValueError when there is nothing to score."""
    t0 = time.perf_counter()
    judged = corpus.judged
    if not judged:
        raise ValueError("No query has a relevance judgement; nothing to score.")
    modes = tuple(modes or (pipeline.mode,))
    s = pipeline.settings
    dense = any(m in ("dense", "hybrid") for m in modes)
    if index is None:
        index = RetrievalIndex.build(corpus, s, embedder, progress=progress, dense=dense)
    else:
        index.configure(parent=s.parent, fusion=s.fusion, rrf_k=s.rrf_k,
                        dense_weight=s.dense_weight, depth=s.depth, expand=s.expand,
                        feedback=s.feedback)
    runs = index.runs(judged, modes, max(k, 10))
    if pipeline.rerank:
        from labs.retrieval.rerank import MaxSimReranker, rerank_runs

        scorer = rerank_scorer or MaxSimReranker(index.embedder.model)
        runs[f"{pipeline.mode}+{pipeline.rerank}"] = rerank_runs(
            index, judged, runs[pipeline.mode], scorer, pipeline.rerank_depth)
    ev = index.evaluate(judged, modes, k=k, runs=runs)
    ev.skipped = len(corpus.queries) - len(judged)
    drifts: dict[str, dict] = {}
    if with_drift and s.expand != "none":
        plain = index.settings
        index.settings = replace(plain, expand="none")
        try:
            base = index.evaluate(judged, modes, k=k)
        finally:
            index.settings = plain
        for m in modes:
            drifts[m] = drift(base.per_query[m], ev.per_query[m]) | {
                "base": base.mean[m]["ndcg@10"]}
    pev = None
    if passages and any(q.passages for q in judged):
        pev = chunk_level(index).evaluate_passages(judged, modes, k=10)
    return EvalReport(pipeline, corpus.name, len(corpus.documents), ev, pev, drifts, index,
                      time.perf_counter() - t0)
