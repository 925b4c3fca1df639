"""Parent-document retrieval: index small chunks (precise matches), return their parent
(the section or the whole document) so the reader gets enough context.

`parent_span` says which stretch of the source a chunk's parent covers; `collapse` turns a
ranking of chunks into a ranking of parents, each scored by its best chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from labs.chunking.base import Chunk
from labs.chunking.markdown import sections

PARENT_LEVELS = ("chunk", "section", "document")


def parent_span(text: str, chunk: Chunk, level: str) -> tuple[int, int]:
    """The span returned for `chunk`: itself, its markdown section, or the whole document.

    >>> from labs.chunking.base import WordTokenizer
    >>> from labs.chunking.markdown import markdown_headers
    >>> t = "# A\\none two three\\n# B\\nfour"
    >>> c = markdown_headers(t, size=2, tokenizer=WordTokenizer())[1]
    >>> c.text, t[slice(*parent_span(t, c, "section"))]
    ('one two', '# A\\none two three\\n')
    """
    if level == "chunk":
        return chunk.start, chunk.end
    if level == "document":
        return 0, len(text)
    if level != "section":
        raise ValueError(f"parent level must be one of {PARENT_LEVELS}")
    for sec in sections(text):
        if sec.start <= chunk.start < sec.end:
            return sec.start, sec.end
    return 0, len(text)


def collapse(ranked: Iterable[tuple[str, float]], parent_of: Sequence[str] | dict[str, str]
             ) -> list[tuple[str, float]]:
    """Chunk ids ranked by score → parent ids ranked by their best chunk.

    >>> collapse([("a#0", 0.9), ("b#1", 0.8), ("a#2", 0.7)], {"a#0": "a", "a#2": "a", "b#1": "b"})
    [('a', 0.9), ('b', 0.8)]
    """
    best: dict[str, float] = {}
    for cid, score in ranked:
        p = parent_of[cid]
        if p not in best:  # the input is sorted, so the first chunk seen is the best one
            best[p] = score
    return list(best.items())
