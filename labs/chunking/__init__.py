"""Chunkers you can read beside the RAG lesson: fixed-size tokens, recursive (paragraph →
line → sentence → word), sentence and markdown-header-aware, each with size and overlap in
MiniLM tokens, each chunk keeping its character span; plus parent-document retrieval.

Read in order: base.py (Chunk, tokenizers, merge) → fixed.py → recursive.py → sentence.py →
markdown.py → semantic.py → parents.py; headers.py prefixes each chunk with where it sits.

    >>> from labs.chunking import chunk, WordTokenizer
    >>> [c.text for c in chunk("a b c d e", "fixed", size=2, tokenizer=WordTokenizer())]
    ['a b', 'c d', 'e']

Semantic chunking needs an embedding function (`embed=`); the others need only the tokenizer.
"""

from __future__ import annotations

from labs.chunking.base import Chunk, HFTokenizer, Tokenizer, WordTokenizer, minilm_tokenizer
from labs.chunking.fixed import fixed_tokens
from labs.chunking.headers import header_for
from labs.chunking.markdown import markdown_headers, sections, slug
from labs.chunking.parents import PARENT_LEVELS, collapse, parent_span
from labs.chunking.recursive import recursive
from labs.chunking.semantic import THRESHOLD, semantic, splits
from labs.chunking.sentence import sentences

CHUNKERS = {
    "fixed": fixed_tokens,
    "recursive": recursive,
    "sentence": sentences,
    "markdown": markdown_headers,
    "semantic": semantic,
}
CHUNKER_LABELS = {
    "fixed": "Fixed-size tokens",
    "recursive": "Recursive (paragraph → line → sentence → word)",
    "sentence": "Sentence",
    "markdown": "Markdown headers",
    "semantic": "Semantic (cut where adjacent sentences diverge)",
}


def chunk(text: str, strategy: str = "recursive", size: int = 200, overlap: int = 0,
          tokenizer: Tokenizer | None = None, embed=None, threshold: float = THRESHOLD
          ) -> list[Chunk]:  # type: ignore[no-untyped-def]
    """Cut `text` with the named chunker; sizes in tokens of `tokenizer` (MiniLM's by default).
    `embed` and `threshold` are the semantic chunker's (see semantic.py)."""
    if strategy not in CHUNKERS:
        raise ValueError(f"unknown chunker {strategy!r}; choose one of {', '.join(CHUNKERS)}")
    if strategy == "semantic":
        return semantic(text, size, overlap, tokenizer, embed=embed, threshold=threshold)
    return CHUNKERS[strategy](text, size=size, overlap=overlap, tokenizer=tokenizer)


__all__ = ["CHUNKERS", "CHUNKER_LABELS", "PARENT_LEVELS", "Chunk", "HFTokenizer", "Tokenizer",
           "WordTokenizer", "chunk", "collapse", "fixed_tokens", "markdown_headers",
           "minilm_tokenizer", "parent_span", "recursive", "sections", "semantic", "sentences",
           "slug", "splits", "THRESHOLD", "header_for"]
