"""Corpora: the bundled one validates, BEIR folders load, uploads fail one file at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.retrieval.corpus import (
    CorpusError,
    load_beir,
    load_bundled_checked,
    load_golden,
)
from labs.retrieval.uploads import load_uploads
from tests.retrieval_helpers import (
    BAD_FILES,
    GOOD_HTML,
    GOOD_MD,
    blank_pdf,
    encrypted_pdf,
    make_beir,
)


def test_bundled_corpus_has_lessons_and_every_golden_reference_resolves():
    corpus, problems = load_bundled_checked()
    assert problems == []
    ids = {d.id for d in corpus.documents}
    assert "lesson-rag" in ids and len([i for i in ids if i.startswith("lesson-")]) == 9
    for q in corpus.queries:
        assert set(q.relevant) <= ids


def test_golden_set_rejects_unknown_ids_and_bad_kinds(tmp_path: Path):
    p = tmp_path / "golden_x.yaml"
    p.write_text("queries:\n"
                 "  - {id: g1, query: 'a?', kind: exact-token, relevant: [nope#sec]}\n"
                 "  - {id: g2, query: 'b?', kind: vague, relevant: []}\n")
    _, problems = load_golden([p], {"known"})
    assert any("kind" in m for m in problems)
    p.write_text("queries:\n  - {id: g1, query: 'a?', kind: exact-token, relevant: [nope#sec]}\n")
    queries, problems = load_golden([p], {"known"})
    assert problems == [f"{p}: queries.0 (g1): relevant ids not in the corpus: nope#sec"]


def test_section_judgements_count_for_their_document(tmp_path: Path):
    p = tmp_path / "g.yaml"
    p.write_text("queries:\n  - {id: g1, query: 'a?', kind: paraphrase, "
                 "relevant: [api-errors#e-4013-signature-expired]}\n")
    (q,), problems = load_golden([p], {"api-errors"})
    assert problems == [] and q.relevant == {"api-errors": 1}
    assert q.sections == ("api-errors#e-4013-signature-expired",)


def test_beir_folder_loads_documents_queries_and_graded_judgements(tmp_path: Path):
    c = load_beir(make_beir(tmp_path / "tiny"))
    assert len(c.documents) == 5 and c.doc("d1").text.startswith("Webhook signatures Error")
    assert {q.id for q in c.judged} == {"q1", "q2", "q3"}  # q4 has no judgement
    assert next(q for q in c.queries if q.id == "q2").relevant == {"d2": 2}


def test_a_folder_without_qrels_is_not_a_beir_folder(tmp_path: Path):
    make_beir(tmp_path / "b")
    (tmp_path / "b" / "qrels" / "test.tsv").unlink()
    with pytest.raises(CorpusError, match="missing qrels/test.tsv"):
        load_beir(tmp_path / "b")


def test_bad_uploads_get_a_reason_each_and_the_good_ones_are_kept():
    files = [("notes.md", GOOD_MD), ("page.html", GOOD_HTML)]
    files += [(n, b if b is not None else encrypted_pdf()) for n, b in BAD_FILES]
    files += [("scan.pdf", blank_pdf()), ("sheet.xlsx", b"PK\x03\x04")]
    docs, errors = load_uploads(files)
    assert [d.id for d in docs] == ["upload-notes", "upload-page"]
    assert "alert(1)" not in docs[1].text and "Restart relayd" in docs[1].text
    why = {e.name: e.reason for e in errors}
    assert "empty" in why["empty.txt"]
    assert "binary" in why["binary.txt"]
    assert "encrypted" in why["locked.pdf"]
    assert "malformed" in why["broken.pdf"]
    assert "no text" in why["scan.pdf"]
    assert "unsupported" in why["sheet.xlsx"]


def test_uploads_past_the_size_limit_are_refused_by_name():
    docs, errors = load_uploads([("a.txt", b"x" * 600), ("b.txt", b"y" * 600)], max_total=1000)
    assert [d.title for d in docs] == ["a.txt"]
    assert errors[0].name == "b.txt" and "limit" in errors[0].reason


def test_non_utf8_text_is_refused_with_the_byte_position():
    _, errors = load_uploads([("latin.txt", "café".encode("latin-1"))])
    assert "not UTF-8" in errors[0].reason
