"""Fixed-size chunking: cut every `size` tokens, stepping back `overlap` tokens each time.

The simplest chunker and the baseline the others are measured against. It ignores meaning:
a boundary can fall in the middle of a sentence or of a code like `E-4013`. It does not fall
inside a word: a cut between two word pieces of one word (`sche` + `##ma`) moves back to the
word's start, because the chunk's text would re-tokenize into more tokens than it was counted
as ("hema" is not the piece "##ma").
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
    n = len(spans)

    def cut_ok(i: int) -> bool:
        """May a chunk boundary fall before token i? Not between two pieces of one word."""
        if i <= 0 or i >= n:
            return True
        (_, a_end), (b_start, _) = spans[i - 1], spans[i]
        return a_end < b_start or not (text[a_end - 1].isalnum() and text[b_start].isalnum())

    def snap(i: int, floor: int) -> int:
        """The nearest allowed boundary at or before i (but after `floor`), else i itself."""
        j = i
        while j > floor and not cut_ok(j):
            j -= 1
        return j if j > floor else i

    chunks: list[Chunk] = []
    first = 0
    while first < n:
        last = snap(min(first + size, n), first)  # at most `size` tokens, whole words
        start, end = spans[first][0], spans[last - 1][1]
        chunks.append(Chunk(text[start:end], start, end, last - first, index=len(chunks)))
        if last >= n:
            break  # this window reached the end; another would only repeat its tail
        nxt = snap(last - overlap, first) if overlap else last
        first = nxt if nxt > first else last
    return chunks
