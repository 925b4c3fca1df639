"""AppTest of the retrieval playground: build an index on a tiny BEIR corpus, run a query,
see the three result lists and the metrics; bad uploads get clear errors, the rest is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import no_exceptions, page_test
from tests.retrieval_helpers import BAD_FILES, GOOD_HTML, GOOD_MD, encrypted_pdf, make_beir

PAGE = "app_pages/retrieval.py"


@pytest.mark.slow
def test_page_builds_an_index_runs_a_query_and_shows_three_lists_and_metrics(
        tmp_path: Path, embedder):
    folder = make_beir(tmp_path / "tiny")
    at = page_test(PAGE, timeout=180).run()
    no_exceptions(at)
    at.radio(key="ret_source").set_value("BEIR folder").run()
    at.text_input(key="ret_beir_path").input(str(folder)).run()
    no_exceptions(at)
    assert [m.value for m in at.metric][:3] == ["5", "3", "1"]  # docs, judged, skipped
    assert any("Press **Build index**" in i.value for i in at.info)  # nothing embedded yet
    at.slider(key="ret_size").set_value(64).run()  # a chunking change redraws, embeds nothing
    assert "ret_index" not in at.session_state
    at.selectbox(key="ret_expand").set_value("rm3").run()
    at.button(key="ret_build").click().run()
    no_exceptions(at)
    at.selectbox(key="ret_pick").set_value("q1").run()
    no_exceptions(at)
    assert [h.value for h in at.subheader][:3] == [
        "Dense (MiniLM + FAISS)", "BM25 (bm25s)", "Hybrid"]
    terms = next(d.value for d in at.dataframe if "term" in d.value.columns)
    assert "4013" in set(terms["term"])  # the expansion terms are shown
    bm25 = next(d.value for d in at.dataframe if "hybrid rank" in d.value.columns)
    assert bm25.iloc[0]["doc"] == "d1" and bm25.iloc[0]["relevant"] == "✓"
    assert any("<mark>E-4013</mark>" in h.proto.body for h in at.get("html"))  # snippets
    assert any("What does E-4013 mean?" in c.value and "[system]" in c.value for c in at.code)
    at.toggle(key="ret_map").set_value(True).run()  # the embedding map draws
    no_exceptions(at)
    at.button(key="ret_evaluate").click().run()
    no_exceptions(at)
    table = next(d.value for d in at.dataframe if "ndcg@10" in d.value.columns
                 and "pattern" in d.value.columns)
    assert list(table["pattern"]) == ["dense", "bm25", "hybrid"]
    at.button(key="ret_exp_save").click().run()
    assert any("Saved as #" in s.value for s in at.success)
    at.button(key="ret_exp_save").click().run()  # the same configuration again
    assert any("already saved as #1" in e.value for e in at.error)
    no_exceptions(at)


def test_changing_the_chunk_size_keeps_the_overlap_the_learner_chose():
    at = page_test(PAGE).run()
    at.slider(key="ret_overlap").set_value(40).run()
    at.slider(key="ret_size").set_value(200).run()
    no_exceptions(at)
    assert at.slider(key="ret_overlap").value == 40
    at.slider(key="ret_size").set_value(60).run()  # too small for 40: 30 is used, and said
    assert at.slider(key="ret_overlap").value == 40
    assert any("Using 30" in c.value for c in at.caption)


def test_bad_uploads_get_clear_errors_and_the_good_files_are_kept():
    at = page_test(PAGE).run()
    at.radio(key="ret_source").set_value("Upload files").run()
    at.checkbox(key="ret_with_bundled").uncheck().run()
    files = [("notes.md", GOOD_MD, "text/markdown"), ("page.html", GOOD_HTML, "text/html")]
    files += [(n, b if b is not None else encrypted_pdf(), "application/octet-stream")
              for n, b in BAD_FILES]
    at.file_uploader(key="ret_uploads").set_value(files).run()
    no_exceptions(at)
    errors = " ".join(e.value for e in at.error)
    for name, word in [("empty.txt", "empty"), ("binary.txt", "binary"),
                       ("locked.pdf", "encrypted"), ("broken.pdf", "malformed")]:
        assert name in errors and word in errors
    assert any("Added 2 of 6" in s.value for s in at.success)
    assert at.metric[0].value == "2"  # the two good documents make the corpus
    assert at.selectbox(key="ret_view_doc").options == [
        "upload-notes · notes.md", "upload-page · page.html"]


@pytest.mark.slow
def test_an_hnsw_index_shows_recall_against_flat_and_a_reranked_pattern_is_scored(
        tmp_path: Path, embedder):
    folder = make_beir(tmp_path / "tiny")
    at = page_test(PAGE, timeout=180).run()
    at.radio(key="ret_source").set_value("BEIR folder").run()
    at.text_input(key="ret_beir_path").input(str(folder)).run()
    at.selectbox(key="ret_kind").set_value("hnsw").run()
    at.button(key="ret_build").click().run()
    at.checkbox(key="ret_eval_rerank").check()
    at.button(key="ret_evaluate").click().run()
    no_exceptions(at)
    table = next(d.value for d in at.dataframe if "pattern" in d.value.columns
                 and "ndcg@10" in d.value.columns)
    assert list(table["pattern"]) == ["dense", "bm25", "hybrid", "hybrid+maxsim"]
    recall = next(m for m in at.metric if m.label == "HNSW recall@10 vs Flat")
    assert float(recall.value) == 1.0  # five vectors: the graph finds them all


@pytest.mark.slow
def test_the_semantic_chunker_draws_its_split_points(tmp_path: Path, embedder):
    at = page_test(PAGE, timeout=180).run()
    at.radio(key="ret_source").set_value("BEIR folder").run()
    at.text_input(key="ret_beir_path").input(str(make_beir(tmp_path / "tiny"))).run()
    at.selectbox(key="ret_strategy").set_value("semantic").run()  # draws its split points
    no_exceptions(at)
