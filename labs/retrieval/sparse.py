"""BM25 with `bm25s`: the sparse retriever that matches exact tokens (E-4013, NWR-PRO-12)
which dense vectors blur.

Configurable: English stopwords on or off, and Snowball stemming (PyStemmer) on or off; both
on by default, as bm25s' README indexes (measured in BENCHMARKS.md: stemming helps on
Cranfield and on the golden set). bm25s' defaults otherwise (Lucene's BM25, k1 = 1.5,
b = 0.75). Tokens are runs of two or more word characters, lower-cased, as bm25s tokenises
by default: "E-4013" becomes "4013" (a lone "e" is too short), which is still an exact match.

Left out: BM25F (field weights), phrase queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BM25Params:
    stopwords: bool = True
    stemming: bool = True
    k1: float = 1.5
    b: float = 0.75


class BM25Index:
    """bm25s over a list of texts; `search` returns (row, score) pairs with score > 0."""

    def __init__(self, texts: list[str], params: BM25Params = BM25Params()):
        import bm25s

        self.params = params
        self.size = len(texts)
        self._stemmer = None
        if params.stemming:
            import Stemmer

            self._stemmer = Stemmer.Stemmer("english")
        self.retriever = bm25s.BM25(k1=params.k1, b=params.b)
        self.tokens = self.tokenize(texts)  # kept: RM3 reads the feedback rows' terms
        self.retriever.index(self.tokens, show_progress=False)

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        import bm25s

        return bm25s.tokenize(texts, stopwords="en" if self.params.stopwords else None,
                              stemmer=self._stemmer, return_ids=False, show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        return self.search_many([query], k)[0]

    def search_many(self, queries: list[str], k: int) -> list[list[tuple[int, float]]]:
        toks = self.tokenize(queries)
        vocab = self.retriever.vocab_dict
        out: list[list[tuple[int, float]]] = []
        for q in toks:
            q = [t for t in q if t in vocab]
            if not q or self.size == 0:
                out.append([])  # nothing to match (only stopwords, or unknown words)
                continue
            ids, scores = self.retriever.retrieve([q], k=min(k, self.size), show_progress=False)
            out.append([(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True)
                        if s > 0])
        return out

    def query_terms(self, query: str) -> list[str]:
        """The query's tokens as the index sees them, unknown ones dropped."""
        vocab = self.retriever.vocab_dict
        return [t for t in self.tokenize([query])[0] if t in vocab]

    def search_weighted(self, weights: dict[str, float], k: int) -> list[tuple[int, float]]:
        """Rows ranked by Σ weight(t) · BM25(t, row): an expanded (RM3) query."""
        vocab = self.retriever.vocab_dict
        total = np.zeros(self.size, dtype=np.float64)
        for t, w in weights.items():
            if t in vocab and w > 0:
                total += w * self.retriever.get_scores([t])
        top = np.argsort(-total, kind="stable")[: min(k, self.size)]
        return [(int(i), float(total[i])) for i in top if total[i] > 0]

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every row for `query` (zeros when nothing matches)."""
        q = [t for t in self.tokenize([query])[0] if t in self.retriever.vocab_dict]
        return self.retriever.get_scores(q) if q else np.zeros(self.size, dtype=np.float32)
