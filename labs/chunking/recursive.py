"""Recursive chunking: split on the coarsest boundary that works, paragraph → line →
sentence → word, then pack the pieces back together up to `size` tokens.

A paragraph that fits stays whole; one that does not is split into lines, a line into
sentences, a sentence into words, and a single over-long "word" (a URL, a hash) into
fixed token windows. Structure is kept wherever the budget allows it.

Left out: language-specific sentence rules (abbreviations such as "e.g." end a sentence here).
"""

from __future__ import annotations

import re

from labs.chunking.base import Chunk, Tokenizer, check_window, merge, minilm_tokenizer, trim

# Each level's boundary, coarsest first. A match is the separator itself.
LEVELS: list[tuple[str, re.Pattern[str]]] = [
    ("paragraph", re.compile(r"\n[ \t]*\n\s*")),
    ("line", re.compile(r"\n")),
    ("sentence", re.compile(r"(?<=[.!?])\s+")),
    ("word", re.compile(r"\s+")),
]


def split_spans(text: str, start: int, end: int, pattern: re.Pattern[str]
                ) -> list[tuple[int, int]]:
    """The non-blank spans of text[start:end] between matches of `pattern`.

    >>> split_spans("one\\n\\ntwo three", 0, 13, LEVELS[0][1])
    [(0, 3), (5, 13)]
    """
    out, cursor = [], start
    for m in pattern.finditer(text, start, end):
        out.append(trim(text, cursor, m.start()))
        cursor = m.end()
    out.append(trim(text, cursor, end))
    return [(s, e) for s, e in out if e > s]


def pieces(text: str, start: int, end: int, size: int, tokenizer: Tokenizer,
           level: int = 0) -> list[tuple[int, int, int]]:
    """Cut text[start:end] into pieces of at most `size` tokens, as coarse as possible."""
    n = len(tokenizer.spans(text[start:end]))
    if n <= size:
        return [(start, end, n)]
    if level == len(LEVELS):  # one word longer than the budget: cut it by tokens
        spans = tokenizer.spans(text[start:end])
        return [(start + spans[i][0], start + spans[min(i + size, n) - 1][1],
                 min(size, n - i)) for i in range(0, n, size)]
    out: list[tuple[int, int, int]] = []
    for s, e in split_spans(text, start, end, LEVELS[level][1]):
        out.extend(pieces(text, s, e, size, tokenizer, level + 1))
    return out


def recursive(text: str, size: int = 200, overlap: int = 0,
              tokenizer: Tokenizer | None = None) -> list[Chunk]:
    """Chunks of at most `size` tokens that break at the coarsest boundary possible.

    >>> from labs.chunking.base import WordTokenizer
    >>> t = "Intro line.\\n\\nFirst point. Second point here.\\n\\nEnd."
    >>> for c in recursive(t, size=4, tokenizer=WordTokenizer()):
    ...     print(c.start, c.end, c.tokens, repr(c.text))
    0 25 4 'Intro line.\\n\\nFirst point.'
    26 50 4 'Second point here.\\n\\nEnd.'

    The second paragraph (5 words) was too long, so it was split into its sentences; the
    pieces were then packed back four words at a time.
    """
    check_window(size, overlap)
    tok = tokenizer or minilm_tokenizer()
    s, e = trim(text, 0, len(text))
    if e == s:
        return []
    return merge(text, pieces(text, s, e, size, tok), size, overlap)


def recursive_pieces(text: str, size: int, tokenizer: Tokenizer) -> list[tuple[int, int, int]]:
    """The pieces `recursive` packs, for chunkers that reuse the splitting (markdown.py)."""
    s, e = trim(text, 0, len(text))
    return pieces(text, s, e, size, tokenizer) if e > s else []


__all__ = ["LEVELS", "Chunk", "recursive", "recursive_pieces", "split_spans"]
