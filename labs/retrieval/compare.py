"""Side-by-side views of rankings: where each pattern put a document, how the fused list
moved it, and which judged queries each pattern missed (the drill-down).

Pure functions over `Hit` lists and `Evaluation`s, so the page only draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from labs.retrieval.engine import Evaluation, Hit
from labs.retrieval.metrics import relevant as judged_relevant


def rank_of(hits: Sequence[Hit], doc_id: str) -> int | None:
    for h in hits:
        if h.doc_id == doc_id:
            return h.rank
    return None


def movement(rank: int, before: int | None) -> str:
    """How a document moved from another list to this one.

    >>> movement(1, 4), movement(5, 2), movement(3, 3), movement(2, None)
    ('▲3', '▼3', '=', 'new')
    """
    if before is None:
        return "new"
    if before == rank:
        return "="
    return f"▲{before - rank}" if before > rank else f"▼{rank - before}"


def side_by_side(results: Mapping[str, Sequence[Hit]], relevant: Mapping[str, int] | None = None,
                 titles: Mapping[str, str] | None = None, k: int | None = None
                 ) -> dict[str, list[dict]]:
    """One table per pattern: rank, document, score, its rank in the other lists, relevance.

    Each list is shown to `k`, but ranks in the other lists are looked up over their whole
    length (fusion's depth), so a hybrid document found at rank 14 by dense says so instead
    of "new". The hybrid table also says how each document moved against dense and BM25.
    """
    rel = judged_relevant(relevant or {})
    out: dict[str, list[dict]] = {}
    for mode, hits in results.items():
        rows = []
        for h in hits[:k]:
            row = {"rank": h.rank, "doc": h.doc_id, "score": round(h.score, 4)}
            if titles is not None:
                row["title"] = titles.get(h.doc_id, "")
            for other, other_hits in results.items():
                if other != mode:
                    r = rank_of(other_hits, h.doc_id)
                    row[f"{other} rank"] = str(r) if r is not None else "–"
            if mode == "hybrid":
                row["vs dense"] = movement(h.rank, rank_of(results.get("dense", []), h.doc_id))
                row["vs bm25"] = movement(h.rank, rank_of(results.get("bm25", []), h.doc_id))
            if relevant is not None:
                row["relevant"] = "✓" if h.doc_id in rel else ""
            rows.append(row)
        out[mode] = rows
    return out


def grid(results: Mapping[str, Sequence[Hit]], relevant: Mapping[str, int] | None = None,
         labels: Mapping[str, str] | None = None, k: int | None = None) -> list[dict]:
    """The lists side by side, one row per rank: a document per list, ✓ when judged relevant,
    and in the hybrid column how fusion moved it against dense and BM25 (ranks looked up over
    each list's whole length; rows cut at `k`). Plain text cells, so three lists fit one
    readable table.

    >>> h = lambda *ids: [Hit(d, 1.0, i + 1) for i, d in enumerate(ids)]
    >>> grid({"dense": h("a", "b"), "bm25": h("b"), "hybrid": h("b", "a")}, {"b": 1})[0]
    {'rank': 1, 'dense': 'a', 'bm25': '✓ b', 'hybrid': '✓ b · dense ▲1 · bm25 ='}
    """
    rel = judged_relevant(relevant or {})
    names = labels or {}
    depth = max((len(v) for v in results.values()), default=0)
    depth = min(depth, k) if k is not None else depth
    rows = []
    for i in range(depth):
        row: dict = {"rank": i + 1}
        for mode, hits in results.items():
            cell = ""
            if i < len(hits):
                h = hits[i]
                cell = ("✓ " if h.doc_id in rel else "") + h.doc_id
                if mode == "hybrid":
                    cell += "".join(
                        f" · {other} {movement(h.rank, rank_of(results[other], h.doc_id))}"
                        for other in ("dense", "bm25") if other in results)
            row[names.get(mode, mode)] = cell
        rows.append(row)
    return rows


def misses(ev: Evaluation, queries: Mapping[str, object], k: int | None = None,
           missing: object = None) -> list[dict]:
    """Judged queries where some pattern left a relevant document out of its top k, worst
    first, with the rank of the first relevant document per pattern (`missing` when none is
    in the list: the page passes words, "not in top 10", rather than a bare None).
    """
    k = k or ev.k
    rows = []
    for qid in next(iter(ev.per_query.values()), {}):
        q = queries[qid]
        rel = judged_relevant(q.relevant)
        row: dict = {"query": qid, "kind": q.kind, "text": q.text}
        missed = False
        for mode, runs in ev.runs.items():
            ranks = [h.rank for h in runs[qid][:k] if h.doc_id in rel]
            row[f"{mode} first hit"] = ranks[0] if ranks else missing
            row[f"{mode} nDCG@10"] = round(ev.per_query[mode][qid]["ndcg@10"], 3)
            found = len(ranks)
            missed |= found < len(rel)
        if missed:
            rows.append(row)
    rows.sort(key=lambda r: sum(v for key, v in r.items() if key.endswith("nDCG@10")))
    return rows


def beats_both(ev: Evaluation, metric: str = "ndcg@10") -> bool | None:
    """Does hybrid beat dense and BM25 on `metric`? None when a pattern is missing."""
    m = ev.mean
    if not all(p in m for p in ("dense", "bm25", "hybrid")):
        return None
    return m["hybrid"][metric] > max(m["dense"][metric], m["bm25"][metric])


def by_kind(ev: Evaluation, queries: Mapping[str, object], metric: str = "ndcg@10"
            ) -> list[dict]:
    """Mean `metric` per query kind and pattern: where each pattern wins and loses.

    Exact-token queries are where BM25 should lead, paraphrases where dense should; when
    hybrid loses overall, this table usually says which kind pulled it down.
    """
    rows = []
    for mode, per in ev.per_query.items():
        kinds: dict[str, list[float]] = {}
        for qid, vals in per.items():
            kinds.setdefault(getattr(queries[qid], "kind", "") or "judged", []).append(vals[metric])
        for kind, vals in sorted(kinds.items()):
            rows.append({"kind": kind, "pattern": mode, metric: sum(vals) / len(vals),
                         "queries": len(vals)})
    return rows


def hybrid_trails(ev: Evaluation, queries: Mapping[str, object], metric: str = "ndcg@10"
                  ) -> list[tuple[str, float, str, float]]:
    """Query kinds where hybrid scores below the better single pattern:
    (kind, hybrid's score, the better pattern, its score)."""
    table: dict[str, dict[str, float]] = {}
    for row in by_kind(ev, queries, metric):
        table.setdefault(row["kind"], {})[row["pattern"]] = row[metric]
    out = []
    for kind, scores in table.items():
        if {"dense", "bm25", "hybrid"} <= set(scores):
            best = max(("dense", "bm25"), key=lambda m: scores[m])
            if scores["hybrid"] < scores[best]:
                out.append((kind, scores["hybrid"], best, scores[best]))
    return out
