"""Rerank the top K: reorder a short candidate list with a costlier scorer.

Three scorers:
- `MaxSimReranker` (offline, always there): late interaction à la ColBERT, computed over the
  bundled MiniLM's *token* embeddings: each query token takes its best-matching passage
  token, and the passage scores the mean of those maxima. It is labelled as what it is:
  MiniLM was trained for pooled sentence vectors, not for late interaction, so this shows
  the mechanism, not ColBERT's quality.
- `CrossEncoderReranker`: a sentence-transformers CrossEncoder loaded from a local folder
  the learner points to (nothing is downloaded).
- `LLMReranker`: asks the configured LLM (through labs.llm) to order the passages.

Left out: listwise distillation, score calibration between rerankers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

MAXSIM_LABEL = ("Late-interaction MaxSim over MiniLM token embeddings (offline; MiniLM is "
                "not a trained ColBERT, so this shows the mechanism, not its quality)")


class RerankError(Exception):
    """The reranker cannot run; the message says what to fix."""


def maxsim(q_tokens: np.ndarray, d_tokens: np.ndarray) -> float:
    """Mean over query tokens of the best cosine with any passage token.

    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> d = np.array([[1.0, 0.0], [0.6, 0.8]])
    >>> maxsim(q, d)  # token 1 matches d[0] (1.0), token 2 matches d[1] (0.8)
    0.9
    """
    return float((q_tokens @ d_tokens.T).max(axis=1).mean())


class MaxSimReranker:
    label = MAXSIM_LABEL

    def __init__(self, model, max_cached: int = 5000):  # type: ignore[no-untyped-def]
        self.model = model  # a SentenceTransformer (labs.embeddings.Embedder.model)
        self._cache: dict[str, np.ndarray] = {}
        self.max_cached = max_cached

    def tokens(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Normalised token vectors per text ([CLS] and [SEP] included, padding not)."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            from labs.embeddings import model_slot

            with model_slot():  # the same bounded model as every other embedding call
                out = self.model.encode(todo, output_value="token_embeddings", batch_size=16,
                                        show_progress_bar=False, convert_to_numpy=False)
            for t, m in zip(todo, out, strict=True):
                v = m.detach().cpu().numpy().astype(np.float32)
                self._cache[t] = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
            while len(self._cache) > self.max_cached:
                self._cache.pop(next(iter(self._cache)))
        return [self._cache[t] for t in texts]

    def scores(self, query: str, passages: Sequence[str]) -> list[float]:
        q = self.tokens([query])[0]
        return [maxsim(q, d) for d in self.tokens(list(passages))]


class CrossEncoderReranker:
    def __init__(self, folder: str | Path):
        path = Path(folder).expanduser()
        if not (path / "config.json").is_file():
            raise RerankError(f"{path} is not a model folder (no config.json). Point to a "
                              "downloaded cross-encoder, e.g. ms-marco-MiniLM-L-6-v2.")
        from sentence_transformers import CrossEncoder

        try:
            self.model = CrossEncoder(str(path), device="cpu", local_files_only=True)
        except Exception as e:  # a broken folder fails in many library-specific ways
            raise RerankError(f"Cannot load a cross-encoder from {path}: "
                              f"{type(e).__name__}: {str(e)[:200]}") from e
        self.label = f"CrossEncoder from {path.name}"

    def scores(self, query: str, passages: Sequence[str]) -> list[float]:
        return [float(s) for s in self.model.predict([(query, p) for p in passages],
                                                     show_progress_bar=False)]


class Ranking(BaseModel):
    order: list[int] = Field(description="passage numbers, most relevant first")


def llm_rerank_messages(query: str, passages: Sequence[str], max_chars: int = 700
                        ) -> list[dict[str, str]]:
    listing = "\n\n".join(f"[{i + 1}] {p[:max_chars]}" for i, p in enumerate(passages))
    return [{"role": "system", "content": "You rank passages by how well they answer a search "
                                          "query. Reply with JSON only."},
            {"role": "user", "content": f"Query: {query}\n\nPassages:\n{listing}\n\nReturn "
                                        '{"order": [passage numbers, most relevant first]}, '
                                        "listing every passage once."}]


class LLMReranker:
    def __init__(self, config=None, learner_id: int | None = None):  # type: ignore[no-untyped-def]
        from labs import llm

        self.config = config or llm.current_config()
        self.learner_id = learner_id
        self.label = f"LLM rerank ({self.config.label})"

    def scores(self, query: str, passages: Sequence[str]) -> list[float]:
        from labs import llm

        ranking = llm.complete(llm_rerank_messages(query, passages), schema=Ranking,
                               feature="retrieval.rerank", config=self.config,
                               learner_id=self.learner_id)
        n = len(passages)
        seen = [i - 1 for i in dict.fromkeys(ranking.order) if 1 <= i <= n]
        seen += [i for i in range(n) if i not in seen]  # anything the model left out goes last
        return [float(n - seen.index(i)) for i in range(n)]


def rerank(scorer, query: str, candidates: Sequence[tuple[str, str]]) -> list[tuple[str, float]]:
    """(id, text) candidates → (id, score) best first, by the scorer."""
    scores = scorer.scores(query, [t for _, t in candidates])
    order = sorted(range(len(candidates)), key=lambda i: -scores[i])
    return [(candidates[i][0], scores[i]) for i in order]


def candidates(index, hits) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(doc id, text) to rerank per hit: its best-matching chunk, else the start of what
    the index hands back for it (a document-level BM25 hit has no chunk)."""
    return [(h.doc_id, h.unit.chunk.text if h.unit else index.context(h)[:2000]) for h in hits]


def rerank_runs(index, queries, base: dict, scorer, n: int = 20,  # type: ignore[no-untyped-def]
                progress=None) -> dict:
    """Rerank the top `n` of each query's ranking in `base` (query id → hits); the rest of
    the ranking follows unchanged. Candidates are scored on their best-matching chunk."""
    from labs.retrieval.engine import Hit

    out = {}
    for i, q in enumerate(queries):
        hits = base[q.id]
        top = hits[:n]
        cands = candidates(index, top)
        unit_of = {h.doc_id: h.unit for h in top}
        ranked = rerank(scorer, q.text, cands) if cands else []
        new = [Hit(d, s, r + 1, unit_of[d]) for r, (d, s) in enumerate(ranked)]
        new += [Hit(h.doc_id, h.score, len(new) + j + 1, h.unit) for j, h in enumerate(hits[n:])]
        out[q.id] = new
        if progress:
            progress(i + 1, len(queries))
    return out
