"""Semantic-cache lab: replay a labelled query log through a cache and measure, per similarity
threshold, how often it answers from the cache (hit rate) and how often that answer belongs to
another question (false-hit rate), beside a plain exact-match cache.

The replay, for one threshold t: queries arrive in log order; a query hits when the most
similar query already in the cache has cosine similarity ≥ t, and is then answered with that
query's cached answer — a false hit when the two belong to different intent clusters. A query
that misses makes an LLM call and its answer is cached. Similarities are cosine on the bundled
MiniLM embeddings (normalised, so a dot product).

    hit rate        = hits ÷ queries
    false-hit rate  = false hits ÷ hits      (the share of cached answers that are wrong)
    ideal hit rate  = queries whose cluster was asked before ÷ queries (a perfect cache)

Leaves out: cache eviction and TTLs (the cache keeps everything), an ANN index (a 350-query
log needs none: a matrix product is exact and instant), and per-tenant cache isolation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, Field, model_validator

LOG_PATH = Path(__file__).resolve().parents[2] / "content" / "costsim" / "query_log.yaml"
THRESHOLDS = tuple(round(0.80 + 0.01 * i, 2) for i in range(20))  # 0.80 … 0.99


class Cluster(BaseModel):
    intent: str = Field(min_length=1)


class Entry(BaseModel):
    q: str = Field(min_length=1)
    cluster: str


class QueryLog(BaseModel):
    description: str = ""
    clusters: dict[str, Cluster]
    near_misses: list[tuple[str, str]] = Field(default_factory=list)
    log: list[Entry]

    @model_validator(mode="after")
    def _labels_known(self) -> QueryLog:
        unknown = sorted({e.cluster for e in self.log} - set(self.clusters))
        if unknown:
            raise ValueError(f"log entries name unknown clusters: {unknown}")
        bad = sorted({c for pair in self.near_misses for c in pair} - set(self.clusters))
        if bad:
            raise ValueError(f"near_misses name unknown clusters: {bad}")
        return self

    @property
    def texts(self) -> list[str]:
        return [e.q for e in self.log]

    @property
    def labels(self) -> list[str]:
        return [e.cluster for e in self.log]


@lru_cache(maxsize=4)
def load_query_log(path: Path = LOG_PATH) -> QueryLog:
    return QueryLog.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def normalise(text: str) -> str:
    """What an exact-match cache keys on: lower case, punctuation and extra spaces removed.

    >>> normalise("  Where is my ORDER?? ")
    'where is my order'
    """
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def exact_hit_rate(texts: list[str]) -> float:
    """Share of queries whose normalised text was seen before (an exact-match cache)."""
    seen: set[str] = set()
    hits = 0
    for t in texts:
        key = normalise(t)
        hits += key in seen
        seen.add(key)
    return hits / len(texts) if texts else 0.0


def ideal_hit_rate(labels: list[str]) -> float:
    """Share of queries whose intent was asked before: the most any cache could serve right."""
    seen: set[str] = set()
    hits = 0
    for c in labels:
        hits += c in seen
        seen.add(c)
    return hits / len(labels) if labels else 0.0


@dataclass(frozen=True)
class Replay:
    threshold: float
    queries: int
    hits: int
    false_hits: int

    @property
    def hit_rate(self) -> float:
        return self.hits / self.queries if self.queries else 0.0

    @property
    def false_hit_rate(self) -> float:
        return self.false_hits / self.hits if self.hits else 0.0

    @property
    def correct_hit_rate(self) -> float:
        return (self.hits - self.false_hits) / self.queries if self.queries else 0.0


def replay(sims: np.ndarray, labels: list[str], threshold: float,
           hits_log: list[tuple[int, int, float]] | None = None) -> Replay:
    """Run the log through a cache at one threshold; `sims` is the query × query cosine matrix.

    Pass a list as `hits_log` to receive every hit as (query, cached query it was served, sim).
    """
    n = len(labels)
    cached: list[int] = []
    hits = false_hits = 0
    for i in range(n):
        if cached:
            row = sims[i, cached]
            j = int(np.argmax(row))
            if row[j] >= threshold:
                hits += 1
                false_hits += labels[cached[j]] != labels[i]
                if hits_log is not None:
                    hits_log.append((i, cached[j], float(row[j])))
                continue
        cached.append(i)  # a miss: call the LLM and cache its answer
    return Replay(threshold=threshold, queries=n, hits=hits, false_hits=false_hits)


def sweep(vectors: np.ndarray, labels: list[str],
          thresholds: tuple[float, ...] = THRESHOLDS) -> list[Replay]:
    sims = np.asarray(vectors, dtype=np.float32) @ np.asarray(vectors, dtype=np.float32).T
    return [replay(sims, labels, t) for t in thresholds]


def near_miss_table(vectors: np.ndarray, log: QueryLog) -> list[dict]:
    """For each near-miss pair of clusters, their two closest queries and that similarity."""
    labels = np.array(log.labels)
    texts = log.texts
    rows = []
    for a, b in log.near_misses:
        ia, ib = np.flatnonzero(labels == a), np.flatnonzero(labels == b)
        if not ia.size or not ib.size:
            continue
        s = vectors[ia] @ vectors[ib].T
        i, j = np.unravel_index(int(np.argmax(s)), s.shape)
        rows.append({"cluster A": a, "cluster B": b, "closest A query": texts[ia[i]],
                     "closest B query": texts[ib[j]], "similarity": round(float(s[i, j]), 3)})
    return sorted(rows, key=lambda r: -r["similarity"])


def embed_log(embedder, log: QueryLog,
              progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """The log's queries as normalised vectors (the embedder caches them on disk)."""
    return embedder.encode(log.texts, progress=progress)


def sweep_table(replays: list[Replay], exact: float, ideal: float) -> list[dict]:
    return [{"threshold": r.threshold, "hit rate": r.hit_rate, "false-hit rate": r.false_hit_rate,
             "correct hits / queries": r.correct_hit_rate, "hits": r.hits,
             "false hits": r.false_hits, "exact-match hit rate": exact,
             "ideal hit rate": ideal} for r in replays]


def hits_at(vectors: np.ndarray, log: QueryLog, threshold: float) -> list[dict]:
    """Every hit of the replay at one threshold: the query, what it was served, right or wrong."""
    sims = np.asarray(vectors, dtype=np.float32) @ np.asarray(vectors, dtype=np.float32).T
    events: list[tuple[int, int, float]] = []
    replay(sims, log.labels, threshold, events)
    texts, labels = log.texts, log.labels
    return [{"query": texts[i], "served the answer of": texts[j], "similarity": round(s, 3),
             "correct": labels[i] == labels[j], "query cluster": labels[i],
             "served cluster": labels[j]} for i, j, s in events]


EXPLAINER = (
    "A bundled support-desk log of queries in intent clusters, replayed in order through a "
    "cache: a query **hits** when its nearest earlier cached query has cosine similarity at "
    "or above the threshold, and the hit is **false** when that query belongs to another "
    "intent (\"cancel my order\" answered with \"cancel my subscription\"). Embeddings are "
    "the bundled all-MiniLM-L6-v2, cached on disk.")
RATE_COLUMNS = ("hit rate", "false-hit rate", "correct hits / queries", "exact-match hit rate",
                "ideal hit rate")


def run_lab(embedder, log: QueryLog, progress=None) -> dict:
    """Embed the log, replay it at every threshold: what the semantic-cache tab shows."""
    vectors = embed_log(embedder, log, progress=progress)
    replays = sweep(vectors, log.labels)
    return {"vectors": vectors,
            "table": sweep_table(replays, exact_hit_rate(log.texts), ideal_hit_rate(log.labels)),
            "near": near_miss_table(vectors, log)}
