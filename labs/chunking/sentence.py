"""Sentence chunking: boundaries only ever fall between sentences.

Sentences are packed into chunks of at most `size` tokens; the overlap is made of whole
sentences. A single sentence longer than `size` is cut at words (the only exception).

Left out: a trained sentence splitter; the rule is "., ! or ? followed by whitespace", plus
line breaks, which also end headings and list items.
"""

from __future__ import annotations

import re

from labs.chunking.base import Chunk, Tokenizer, check_window, merge, minilm_tokenizer, trim
from labs.chunking.recursive import LEVELS, pieces, split_spans

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")


def sentences(text: str, size: int = 200, overlap: int = 0,
              tokenizer: Tokenizer | None = None) -> list[Chunk]:
    """Whole sentences packed up to `size` tokens, overlapping by whole sentences.

    >>> from labs.chunking.base import WordTokenizer
    >>> t = "One two. Three four five. Six. Seven eight."
    >>> [c.text for c in sentences(t, size=5, overlap=0, tokenizer=WordTokenizer())]
    ['One two. Three four five.', 'Six. Seven eight.']
    >>> [c.text for c in sentences(t, size=5, overlap=3, tokenizer=WordTokenizer())]
    ['One two. Three four five.', 'Three four five. Six.', 'Six. Seven eight.']

    The overlap is counted in tokens but filled with whole sentences: with overlap=1 nothing
    carries over, because the last sentence ("Three four five.") alone is 3 tokens.
    """
    check_window(size, overlap)
    tok = tokenizer or minilm_tokenizer()
    s, e = trim(text, 0, len(text))
    spans: list[tuple[int, int, int]] = []
    for a, b in split_spans(text, s, e, SENTENCE_END):
        n = len(tok.spans(text[a:b]))
        # a sentence over budget is the one place we cut inside a sentence (at words)
        spans.extend([(a, b, n)] if n <= size else pieces(text, a, b, size, tok, len(LEVELS) - 1))
    return merge(text, spans, size, overlap)
