"""The chunkers against hand-worked examples, and their invariants on real text with the
MiniLM tokenizer: every chunk is the source slice its span names, and none exceeds its size."""

from __future__ import annotations

import pytest

from labs.chunking import (
    CHUNKERS,
    Chunk,
    WordTokenizer,
    chunk,
    collapse,
    fixed_tokens,
    markdown_headers,
    minilm_tokenizer,
    parent_span,
    recursive,
    sections,
    sentences,
    slug,
)
from labs.chunking.view import segments, to_html
from labs.retrieval.corpus import CONTENT_DIR

W = WordTokenizer()


def topic_embed(texts):
    """A hand-checkable embedding for the fixtures: one axis per topic word. Sentences about
    the same topic point the same way (cosine 1), different topics are orthogonal (0)."""
    import numpy as np

    axes = ("cat", "rain", "tax")
    rows = [[1.0 if a in t.lower() else 0.0 for a in axes] + [0.1] for t in texts]
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)
LESSON = (CONTENT_DIR / "modules" / "02-rag.md").read_text(encoding="utf-8")


def texts(chunks: list[Chunk]) -> list[str]:
    return [c.text for c in chunks]


def test_fixed_tokens_steps_by_size_minus_overlap():
    t = "a b c d e f g h"
    assert texts(fixed_tokens(t, 3, 0, W)) == ["a b c", "d e f", "g h"]
    assert texts(fixed_tokens(t, 4, 2, W)) == ["a b c d", "c d e f", "e f g h"]
    c = fixed_tokens(t, 4, 2, W)[1]
    assert (c.start, c.end, c.tokens) == (4, 11, 4)


def test_fixed_tokens_rejects_overlap_not_smaller_than_size():
    with pytest.raises(ValueError, match="overlap"):
        fixed_tokens("a b", 2, 2, W)


def test_recursive_keeps_paragraphs_whole_when_they_fit():
    t = "Alpha beta gamma.\n\nDelta epsilon.\n\nZeta eta theta iota."
    assert texts(recursive(t, 4, 0, W)) == ["Alpha beta gamma.", "Delta epsilon.",
                                            "Zeta eta theta iota."]


def test_recursive_falls_back_to_sentences_then_words():
    t = "One two three. Four five six seven eight nine."
    # the line (9 words) is too long; sentence 1 fits (3), sentence 2 (6) is cut into
    # words; then the pieces are packed 4 tokens at a time
    assert texts(recursive(t, 4, 0, W)) == ["One two three. Four", "five six seven eight",
                                            "nine."]


def test_recursive_overlap_repeats_the_tail_of_the_previous_chunk():
    t = "a. b. c. d. e."
    assert texts(recursive(t, 2, 1, W)) == ["a. b.", "b. c.", "c. d.", "d. e."]


def test_sentence_chunker_never_cuts_inside_a_sentence_that_fits():
    t = "One two. Three four five. Six. Seven eight."
    assert texts(sentences(t, 5, 0, W)) == ["One two. Three four five.", "Six. Seven eight."]
    assert texts(sentences(t, 5, 3, W)) == ["One two. Three four five.",
                                            "Three four five. Six.", "Six. Seven eight."]


def test_markdown_chunks_carry_their_section_and_never_cross_a_heading():
    t = ("# Errors\n\n## E-4013 Signature expired\nResync the clock.\n"
         "## E-4290 Rate limited\nBack off.")
    chunks = markdown_headers(t, 50, 0, W)
    assert [(c.section, c.heading) for c in chunks] == [
        ("e-4013-signature-expired", "Errors > E-4013 Signature expired"),
        ("e-4290-rate-limited", "Errors > E-4290 Rate limited")]
    assert chunks[0].text.startswith("# Errors") and "Back off" not in chunks[0].text


def test_sections_ignore_hashes_inside_code_fences():
    t = "# A\n```bash\n# not a heading\n```\n# B\n"
    assert [s.title for s in sections(t)] == ["A", "B"]


def test_slug_follows_the_corpus_format():
    assert slug("E-4013 Signature expired") == "e-4013-signature-expired"


def test_parent_span_returns_the_section_of_a_chunk():
    t = "# A\none two three\n# B\nfour five"
    c = next(c for c in markdown_headers(t, 2, 0, W) if c.text == "four five")
    assert t[slice(*parent_span(t, c, "section"))] == "# B\nfour five"
    assert parent_span(t, c, "document") == (0, len(t))


def test_collapse_keeps_each_parent_at_its_best_chunk():
    ranked = [("x#3", 0.9), ("y#0", 0.7), ("x#1", 0.6), ("z#2", 0.1)]
    assert collapse(ranked, {"x#3": "x", "x#1": "x", "y#0": "y", "z#2": "z"}) == [
        ("x", 0.9), ("y", 0.7), ("z", 0.1)]


@pytest.mark.parametrize("strategy", list(CHUNKERS))
@pytest.mark.parametrize("size,overlap", [(64, 0), (128, 16), (254, 32)])
def test_every_chunk_is_its_span_and_fits_its_size_in_minilm_tokens(strategy, size, overlap):
    tok = minilm_tokenizer()
    chunks = chunk(LESSON, strategy, size, overlap, embed=topic_embed)
    assert chunks
    for c in chunks:
        assert LESSON[c.start : c.end] == c.text
        assert len(tok.spans(c.text)) == c.tokens <= size
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)


@pytest.mark.parametrize("strategy", list(CHUNKERS))
def test_chunks_cover_every_word_of_the_source(strategy):
    chunks = chunk(LESSON, strategy, 100, 0, embed=topic_embed)
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(LESSON) if not ch.isspace())


def test_minilm_tokenizer_does_not_import_torch():
    import subprocess
    import sys

    code = ("import sys; from labs.chunking import chunk; chunk('a b. c d.', 'recursive', 8);"
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_chunk_view_escapes_text_and_marks_overlaps():
    t = "<script>x</script> tail words here"
    chunks = fixed_tokens(t, 3, 1, W)
    html = to_html(t, chunks)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert any(len(cover) == 2 for _, _, cover in segments(t, chunks))
    assert "#fde68a" in html  # the overlap colour


@pytest.mark.parametrize("module", [
    "labs.chunking.base", "labs.chunking.fixed", "labs.chunking.recursive",
    "labs.chunking.sentence", "labs.chunking.markdown", "labs.chunking.parents",
    "labs.chunking.view", "labs.chunking", "labs.chunking.headers",
    "labs.retrieval.expansion", "labs.retrieval.metrics", "labs.retrieval.fusion",
    "labs.retrieval.compare", "labs.retrieval.dense", "labs.retrieval.rerank"])
def test_worked_examples_in_docstrings_hold(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0


SEMANTIC_FIXTURE = ("The cat sleeps all day. A cat hunts at dusk. Rain fell on Monday. "
                    "The rain stopped at noon. Tax forms are due in April.")


def test_semantic_chunker_cuts_exactly_where_the_topic_changes():
    from labs.chunking import semantic, splits

    gaps = splits(SEMANTIC_FIXTURE, topic_embed, threshold=0.5)
    # four gaps between five sentences: same topic, change, same topic, change
    assert [g.cut for g in gaps] == [False, True, False, True]
    assert [SEMANTIC_FIXTURE[g.at:].split(".")[0] for g in gaps if g.cut] == [
        "Rain fell on Monday", "Tax forms are due in April"]
    assert gaps[0].similarity == pytest.approx(1.0) and gaps[1].similarity < 0.1
    got = semantic(SEMANTIC_FIXTURE, size=50, tokenizer=W, embed=topic_embed, threshold=0.5)
    assert texts(got) == ["The cat sleeps all day. A cat hunts at dusk.",
                          "Rain fell on Monday. The rain stopped at noon.",
                          "Tax forms are due in April."]


def test_semantic_chunker_still_respects_the_size_within_one_topic():
    from labs.chunking import semantic

    got = semantic(SEMANTIC_FIXTURE, size=6, tokenizer=W, embed=topic_embed, threshold=0.5)
    assert texts(got)[:2] == ["The cat sleeps all day.", "A cat hunts at dusk."]
    assert all(c.tokens <= 6 for c in got)


def test_semantic_chunker_with_threshold_zero_packs_like_the_sentence_chunker():
    from labs.chunking import semantic

    got = semantic(SEMANTIC_FIXTURE, size=50, tokenizer=W, embed=topic_embed, threshold=-1.0)
    assert texts(got) == texts(sentences(SEMANTIC_FIXTURE, size=50, tokenizer=W))


def test_semantic_chunker_without_an_embedding_says_so():
    with pytest.raises(ValueError, match="embedding"):
        chunk(SEMANTIC_FIXTURE, "semantic", 50)


def test_contextual_header_names_the_title_and_the_section_path():
    from labs.chunking import header_for

    doc = "# Relay\n\nIntro.\n\n## Webhooks\n\n### Retries\n\nSet it to 30 seconds.\n"
    assert header_for("Relay", doc, doc.index("Intro")) == "Relay"
    assert header_for("Relay", doc, doc.index("Set")) == "Relay > Webhooks > Retries"
    assert header_for("Cranfield 12", "no headings here", 3) == "Cranfield 12"
