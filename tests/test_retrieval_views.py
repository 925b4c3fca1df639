"""The playground's view layer without Streamlit: every figure spec is valid plotly, snippets
highlight and escape, hybrid's movement is read over the whole fused depth, the advice never
suggests the fusion already on, the embedding map is deterministic, experiments keep every
setting and refuse duplicates, pipelines round-trip, and the CLI runs a named pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from labs.chunking import Chunk
from labs.cli import main
from labs.retrieval import compare, embedmap, views
from labs.retrieval.corpus import Corpus, load_beir
from labs.retrieval.engine import Evaluation, Hit, RetrievalIndex, Settings, Unit
from labs.retrieval.expansion import Feedback, drift
from labs.retrieval.experiments import (
    as_pipeline,
    comparison_rows,
    list_experiments,
    save_experiment,
)
from labs.retrieval.pipelines import (
    PIPELINES,
    load_pipeline,
    pipeline_from_dict,
    settings_from_dict,
    settings_to_dict,
)
from labs.store import Store, get_or_create_learner
from tests.retrieval_helpers import make_beir


def valid(spec: dict) -> go.Figure:
    return go.Figure(spec)  # validates every property: a typo in a view fails here


def hits(*ids: str) -> list[Hit]:
    return [Hit(d, 1.0 / (i + 1), i + 1) for i, d in enumerate(ids)]


def units(n: int = 6) -> list[Unit]:
    return [Unit(f"d{i % 3}", Chunk(f"text {i}", 0, 6, 2 + i, index=i)) for i in range(n)]


def toy_eval(modes=("dense", "bm25", "hybrid")) -> Evaluation:
    per = {m: {"q1": {"ndcg@10": v, "mrr@10": v}, "q2": {"ndcg@10": v / 2, "mrr@10": v}}
           for m, v in zip(modes, (0.8, 0.1, 0.5), strict=False)}
    mean = {m: {"ndcg@10": float(np.mean([r["ndcg@10"] for r in per[m].values()])),
                "mrr@10": 0.5} for m in modes}
    return Evaluation(10, mean, per, {m: {"q1": [], "q2": []} for m in modes}, 2, 0)


class Q:
    def __init__(self, kind: str):
        self.kind = kind


def test_every_panel_figure_is_a_valid_plotly_figure():
    from labs.chunking.semantic import Split

    u = units()
    valid(views.length_histogram(u))
    valid(views.split_figure([Split(5, 0.9, False), Split(9, 0.1, True)], 0.3))
    ev = toy_eval()
    valid(views.metrics_figure(ev))
    valid(views.kinds_figure(ev, {"q1": Q("exact-token"), "q2": Q("paraphrase")}))
    valid(views.drift_figure(drift(ev.per_query["bm25"], ev.per_query["hybrid"]), "hybrid"))
    rows = [{"experiment": "#1 a", "pattern": "dense", "ndcg@10": 0.5}]
    valid(views.experiments_figure(rows, "ndcg@10"))
    spec, _ = embedmap.map_figure(u, np.eye(6, 4, dtype=np.float32), {}, np.ones((1, 4)),
                                  None, [0, 2])
    valid(spec)


def test_chunk_summary_counts_chunks_and_tokens():
    assert dict(views.chunk_summary(units(), 3)) == {
        "Chunks": "6", "Mean tokens": "4", "Smallest / largest": "2 / 7",
        "Chunks per document": "2.0"}


def test_snippet_highlights_query_terms_and_escapes_the_document():
    text = "Intro words. <script>x</script> Error E-4013 means the webhook signature expired."
    out = views.snippet(text, "What does E-4013 mean for a signature?", 60)
    assert "<mark>E-4013</mark>" in out and "<mark>signature</mark>" in out
    assert "<script>" not in out
    assert "<mark>does</mark>" not in out  # stopwords are not highlighted


def test_hybrid_movement_reads_ranks_beyond_the_top_k_instead_of_saying_new():
    # hybrid's top document sits at rank 12 in dense and 15 in BM25: not "new" in either
    dense = hits(*[f"x{i}" for i in range(11)], "d", "y")
    bm25 = hits(*[f"z{i}" for i in range(14)], "d")
    results = {"dense": dense, "bm25": bm25, "hybrid": hits("d", "x0")}
    row = compare.grid(results, None, None, k=10)[0]
    assert row["hybrid"] == "d · dense ▲11 · bm25 ▲14"
    assert len(compare.grid(results, None, None, k=10)) == 10
    table = compare.side_by_side(results, None, None, k=10)["hybrid"][0]
    assert (table["vs dense"], table["dense rank"]) == ("▲11", "12")
    assert compare.grid({"dense": hits("a"), "bm25": hits("b"), "hybrid": hits("b")},
                        k=10)[0]["hybrid"] == "b · dense new · bm25 ="


def test_the_verdict_suggests_weighted_fusion_only_when_it_is_not_already_on():
    ev = toy_eval()
    kinds = {"q1": Q("paraphrase"), "q2": Q("paraphrase")}
    won, text = views.verdict(ev, kinds, "rrf")
    assert not won and "Try weighted fusion" in text
    _, text = views.verdict(ev, kinds, "weighted")
    assert "Try weighted fusion" not in text and "dense weight" in text


def test_embedding_map_projection_is_deterministic_and_sign_fixed():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((40, 16))
    a, b = embedmap.pca(x), embedmap.pca(x.copy())
    assert np.array_equal(a.transform(x), b.transform(x))
    for c in a.components:  # the largest loading of each axis is positive
        assert c[np.argmax(np.abs(c))] > 0
    flipped = embedmap.pca(-x)  # same cloud mirrored: axes keep their sign convention
    assert np.allclose(np.abs(flipped.transform(-x)), np.abs(a.transform(x)))
    assert a.explained[0] >= a.explained[1] > 0


def test_clicking_a_map_point_names_its_chunk():
    u = units()
    _, points = embedmap.map_figure(u, np.eye(6, 4, dtype=np.float32), {}, max_docs=2)
    curve = 1
    row = embedmap.picked_unit({"points": [{"curve_number": curve, "point_index": 0}]}, points)
    assert row == points[curve][0]
    assert embedmap.picked_unit({"points": []}, points) is None


def test_experiments_record_the_applied_overlap_fusion_and_refuse_duplicates(tmp_path: Path):
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    me = get_or_create_learner(store, "ana")
    s = Settings(size=40, overlap=60, fusion="weighted", dense_weight=0.7, expand="rm3",
                 feedback=Feedback(docs=3, terms=5, weight=0.2))
    save_experiment(store, me.id, "first", "bundled", s, toy_eval())
    with pytest.raises(ValueError, match="already saved as #1 first"):
        save_experiment(store, me.id, "again", "bundled", s, toy_eval())
    save_experiment(store, me.id, "other corpus", "beir:x", s, toy_eval())  # allowed
    saved = list_experiments(store, me.id)
    row = comparison_rows(saved)[0]
    assert row["overlap"] == 39  # what the chunker applied (below the size), not 60
    assert (row["fusion"], row["dense weight"], row["expand"]) == ("weighted", 0.7, "rm3")
    assert row["feedback"] == "3 docs, 5 terms, w 0.2"
    again = as_pipeline(saved[0], "hybrid")
    assert again.settings == s.resolved()  # re-runs exactly


def test_pipelines_round_trip_through_json_and_refuse_unknown_settings(tmp_path: Path):
    for p in PIPELINES.values():
        assert pipeline_from_dict(json.loads(json.dumps(p.to_dict()))) == p
    s = Settings(expand="both", headers=True, strategy="semantic", threshold=0.4)
    assert settings_from_dict(settings_to_dict(s)) == s
    with pytest.raises(ValueError, match="unknown setting"):
        settings_from_dict({"chunk_size": 10})
    with pytest.raises(ValueError, match="unknown pipeline"):
        load_pipeline("no-such")
    f = tmp_path / "p.json"
    f.write_text(json.dumps(PIPELINES["hybrid-rm3"].to_dict()))
    assert load_pipeline(str(f)) == PIPELINES["hybrid-rm3"]
    assert load_pipeline("best").name in PIPELINES


def test_expansion_view_shows_rm3_terms_and_where_they_came_from(tmp_path: Path):
    corpus: Corpus = load_beir(make_beir(tmp_path / "tiny"))
    idx = RetrievalIndex.build(corpus, Settings(expand="rm3", bm25_units="documents"), None,
                               dense=False)
    ex = views.expansion_view(idx, "E-4013 clock")
    got = {r["term"]: r["from"] for r in ex["terms"]}
    assert got["4013"] == "query" and got.get("signatur") == "feedback"
    assert sum(r["weight"] for r in ex["terms"]) == pytest.approx(1.0, abs=1e-3)


def test_cli_runs_a_named_pipeline_and_reports_expansion_wins_and_losses(tmp_path: Path,
                                                                         capsys):
    folder = make_beir(tmp_path / "tiny")
    assert main(["retrieval-eval", "--beir", str(folder), "--pipeline", "bm25-rm3",
                 "--fb-docs", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pipeline"] == "bm25-rm3 (changed)" and out["mode"] == "bm25"
    assert out["expansion"]["kind"] == "rm3"
    assert out["expansion"]["wins"] + out["expansion"]["losses"] + out["expansion"]["ties"] == 3
    assert "passage" not in out  # BEIR folders are scored per document
    assert main(["retrieval-eval", "--beir", str(folder), "--pipeline", "nope"]) == 1
    assert "unknown pipeline" in capsys.readouterr().err


def test_cli_best_pipeline_survives_an_odd_beir_folder(tmp_path: Path, capsys, embedder):
    """Numeric ids, an empty document, extra fields, a stopword-only query and a judgement
    on a document the corpus lacks: scored, not a traceback."""
    root = tmp_path / "odd"
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text(
        '{"_id": 1, "title": "", "text": ""}\n'
        '{"_id": "2", "text": "Wind tunnel tests of a swept wing at high Mach numbers."}\n'
        '{"_id": "3", "title": "Heat", "text": "Heat transfer in laminar boundary layers.", '
        '"metadata": {"x": 1}}\n')
    (root / "queries.jsonl").write_text('{"_id": "a", "text": "swept wing mach"}\n'
                                        '{"_id": "b", "text": "the of and"}\n')
    (root / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\na\t2\t1\n"
                                             "b\t3\t1\nb\t99\t1\n")
    assert main(["retrieval-eval", "--beir", str(root), "--pipeline", "best", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["queries"] == 2 and out["docs"] == 3 and 0 < out["ndcg@10"] <= 1
