"""Fixed-size chunking: cut every `size` tokens, stepping back `overlap` tokens each time.

The simplest chunker and the baseline the others are measured against. It ignores meaning:
a boundary can fall in the middle of a sentence or a word-piece run like `E-4013`.
"""

from __future__ import annotations

from labs.chunking.base import Chunk, Tokenizer, check_window, minilm_tokenizer


def fixed_tokens(text: str, size: int = 200, overlap: int = 0,
                 tokenizer: Tokenizer | None = None) -> list[Chunk]:
    """Windows of `size` tokens that start every `size - overlap` tokens.

    >>> from labs.chunking.base import WordTokenizer
    >>> [c.text for c in fixed_tokens("a b c d e f g", size=3, overlap=1,
    ...                               tokenizer=WordTokenizer())]
    ['a b c', 'c d e', 'e f g']
    """
    check_window(size, overlap)
    spans = (tokenizer or minilm_tokenizer()).spans(text)
    step = size - overlap
    chunks: list[Chunk] = []
    for first in range(0, len(spans), step):
        window = spans[first : first + size]
        start, end = window[0][0], window[-1][1]  # span from the first to the last token
        chunks.append(Chunk(text[start:end], start, end, len(window), index=len(chunks)))
        if first + size >= len(spans):
            break  # this window reached the end; another would only repeat its tail
    return chunks
