"""Semantic chunking: cut where consecutive sentences stop talking about the same thing.

Each sentence is embedded; where the cosine similarity of a sentence with the next falls
below `threshold`, a chunk ends. Sentences between two cuts are packed as the sentence
chunker packs them (at most `size` tokens, overlap in whole sentences), so no chunk outgrows
the model's window even when a topic runs long.

The embedding function is passed in (`embed(texts) -> unit rows`): the lab passes MiniLM,
a worked example can pass anything. `splits()` returns every adjacent pair's similarity, so
the page can draw the curve, the threshold and the cuts.

Left out: percentile thresholds (cut at the n% least similar pairs) and windowed
similarities over several sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from labs.chunking.base import Chunk, Tokenizer, check_window, merge, minilm_tokenizer, trim
from labs.chunking.recursive import LEVELS, pieces, split_spans

Embed = Callable[[Sequence[str]], np.ndarray]
THRESHOLD = 0.1  # measured on the golden set (BENCHMARKS.md): higher cuts MiniLM text to crumbs
# A sentence ends at . ! ? before a capital, at a blank line, or before a list item, table
# row, heading or code fence; a line break inside a hard-wrapped paragraph does not end one
# (embedding half-sentences would put cuts in the middle of them).
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*\[(|])|\n\s*\n|\n(?=\s*(?:[-*|#>]|\d+\.|```))")


@dataclass(frozen=True)
class Split:
    """The gap between sentence i and i + 1: where it falls, how similar the two are."""

    at: int  # character offset where sentence i + 1 begins
    similarity: float
    cut: bool


def sentence_spans(text: str) -> list[tuple[int, int]]:
    s, e = trim(text, 0, len(text))
    return split_spans(text, s, e, SENTENCE)


def splits(text: str, embed: Embed, threshold: float = THRESHOLD) -> list[Split]:
    """Similarity of every sentence with the next, and whether the chunker cuts there."""
    spans = sentence_spans(text)
    if len(spans) < 2:
        return []
    v = np.asarray(embed([text[a:b] for a, b in spans]), dtype=np.float32)
    sims = (v[:-1] * v[1:]).sum(axis=1)
    return [Split(spans[i + 1][0], float(s), bool(s < threshold)) for i, s in enumerate(sims)]


def semantic(text: str, size: int = 200, overlap: int = 0, tokenizer: Tokenizer | None = None,
             embed: Embed | None = None, threshold: float = THRESHOLD) -> list[Chunk]:
    """Chunks that end where adjacent sentences diverge (or where `size` runs out)."""
    check_window(size, overlap)
    if embed is None:
        raise ValueError("semantic chunking needs an embedding function")
    tok = tokenizer or minilm_tokenizer()
    cuts = {s.at for s in splits(text, embed, threshold) if s.cut}
    groups: list[list[tuple[int, int, int]]] = [[]]
    for a, b in sentence_spans(text):
        if a in cuts and groups[-1]:
            groups.append([])
        n = len(tok.spans(text[a:b]))
        groups[-1].extend([(a, b, n)] if n <= size
                          else pieces(text, a, b, size, tok, len(LEVELS) - 1))
    out: list[Chunk] = []
    for g in groups:
        for c in merge(text, g, size, overlap) if g else []:
            out.append(Chunk(c.text, c.start, c.end, c.tokens, index=len(out)))
    return out
