"""Draw chunks over their source text: alternating colours, overlaps marked, gaps plain.

`segments` cuts the text at every chunk boundary and says which chunks cover each piece;
`to_html` turns that into HTML in which every piece of source text goes through
`html.escape`, so a document containing `<script>` shows the characters, never runs them.

Left out: interactivity (hover to see a chunk's tokens); the page lists chunks separately.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from labs.chunking.base import Chunk

COLOURS = ("#dbeafe", "#dcfce7")  # chunk 0, 2, 4… blue; 1, 3, 5… green
OVERLAP = "#fde68a"  # text in two or more chunks
GAP = "transparent"  # text in no chunk (whitespace between pieces, usually)


def segments(text: str, chunks: Sequence[Chunk]) -> list[tuple[int, int, tuple[int, ...]]]:
    """(start, end, indices of the chunks covering it) for consecutive pieces of `text`.

    >>> c = [Chunk("abcd", 0, 4, 1, 0), Chunk("cdef", 2, 6, 1, 1)]
    >>> segments("abcdefg", c)
    [(0, 2, (0,)), (2, 4, (0, 1)), (4, 6, (1,)), (6, 7, ())]
    """
    cuts = sorted({0, len(text), *(c.start for c in chunks), *(c.end for c in chunks)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b > a:
            cover = tuple(i for i, c in enumerate(chunks) if c.start <= a and b <= c.end)
            out.append((a, b, cover))
    return out


def to_html(text: str, chunks: Sequence[Chunk], max_chars: int = 40_000) -> str:
    """The text with each chunk shaded, overlaps in amber and a ⟨n⟩ marker where chunk n starts.

    >>> to_html("<b>hi</b>", [Chunk("<b>hi</b>", 0, 9, 3, 0)]).count("&lt;b&gt;")
    1
    """
    text = text[:max_chars]
    starts = {c.start: i for i, c in enumerate(chunks)}
    parts = ['<div style="white-space:pre-wrap;font-family:ui-monospace,monospace;'
             'font-size:0.85rem;line-height:1.6">']
    for a, b, cover in segments(text, [c for c in chunks if c.start < len(text)]):
        if a in starts:
            parts.append(f'<sup style="color:#64748b;font-weight:600">⟨{starts[a] + 1}⟩</sup>')
        if len(cover) > 1:
            style = f"background:{OVERLAP};border-bottom:2px solid #d97706"
        elif cover:
            style = f"background:{COLOURS[cover[0] % 2]}"
        else:
            style = f"background:{GAP};color:#94a3b8"
        parts.append(f'<span style="{style}">{html.escape(text[a:b])}</span>')
    parts.append("</div>")
    return "".join(parts)
