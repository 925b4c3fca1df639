"""Side-by-side rank moves, the per-kind breakdown and the misses drill-down."""

from __future__ import annotations

from labs.retrieval import compare
from labs.retrieval.corpus import Query
from labs.retrieval.engine import Evaluation, Hit


def hits(*ids: str) -> list[Hit]:
    return [Hit(d, 1.0 / (i + 1), i + 1) for i, d in enumerate(ids)]


QUERIES = {"q1": Query("q1", "E-4013?", {"a": 1}, "exact-token"),
           "q2": Query("q2", "clock drift", {"b": 1}, "paraphrase")}
RUNS = {"dense": {"q1": hits("x", "a"), "q2": hits("b", "x")},
        "bm25": {"q1": hits("a", "x"), "q2": hits("x", "y")},
        "hybrid": {"q1": hits("a", "x"), "q2": hits("x", "b")}}
PER = {m: {q: {"ndcg@10": 1.0 if r[0].doc_id in QUERIES[q].relevant else 0.5}
           for q, r in runs.items()} for m, runs in RUNS.items()}
PER["bm25"]["q2"]["ndcg@10"] = 0.0
EV = Evaluation(2, {m: {"ndcg@10": sum(v["ndcg@10"] for v in p.values()) / 2}
                    for m, p in PER.items()}, PER, RUNS, 2, 0)


def test_side_by_side_marks_moves_against_each_list_and_relevance():
    t = compare.side_by_side({m: RUNS[m]["q1"] for m in RUNS}, {"a": 1})
    first = t["hybrid"][0]
    assert (first["doc"], first["vs dense"], first["vs bm25"], first["relevant"]) == (
        "a", "▲1", "=", "✓")
    assert t["dense"][1]["hybrid rank"] == "1"


def test_by_kind_and_hybrid_trails_point_at_the_paraphrases():
    rows = {(r["kind"], r["pattern"]): r["ndcg@10"] for r in compare.by_kind(EV, QUERIES)}
    assert rows[("paraphrase", "dense")] == 1.0 and rows[("paraphrase", "hybrid")] == 0.5
    assert compare.hybrid_trails(EV, QUERIES) == [("paraphrase", 0.5, "dense", 1.0)]
    assert compare.beats_both(EV) is False


def test_misses_lists_queries_a_pattern_left_without_its_relevant_document():
    rows = compare.misses(EV, QUERIES, k=2)
    assert [r["query"] for r in rows] == ["q2"]  # bm25 never found b
    assert rows[0]["bm25 first hit"] is None and rows[0]["hybrid first hit"] == 2
