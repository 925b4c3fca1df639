"""Markdown-header-aware chunking: a chunk never crosses a heading, and each chunk knows the
section it belongs to (its slug and its heading path).

Sections come from ATX headings (`#` to `######`) outside fenced code blocks. Each section
is then cut like `recursive` does, so a short section is one chunk and a long one several.
The section is also the natural *parent* for parent-document retrieval (parents.py).

Left out: setext headings (underlined with === or ---) and HTML headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from labs.chunking.base import Chunk, Tokenizer, check_window, merge, minilm_tokenizer
from labs.chunking.recursive import recursive_pieces

HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def slug(heading: str) -> str:
    """The section id of a heading, as the corpus format defines it.

    >>> slug("E-4013 Signature expired")
    'e-4013-signature-expired'
    >>> slug("The `nwr` CLI: install & configure")
    'the-nwr-cli-install-configure'
    """
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


@dataclass(frozen=True)
class Section:
    start: int  # where the heading line begins (or 0 for text before the first heading)
    end: int
    level: int  # 0 for the preamble before any heading
    title: str
    path: tuple[str, ...]  # titles from the top heading down to this one

    @property
    def slug(self) -> str:
        return slug(self.title) if self.title else ""


def sections(text: str) -> list[Section]:
    """Split markdown into sections at its headings, with each heading's path.

    >>> [(s.level, s.title, s.path) for s in sections("intro\\n# A\\nx\\n## B\\ny\\n# C\\n")]
    [(0, '', ()), (1, 'A', ('A',)), (2, 'B', ('A', 'B')), (1, 'C', ('C',))]
    """
    heads: list[tuple[int, int, str]] = []  # (offset, level, title)
    offset, fenced = 0, False
    for line in text.splitlines(keepends=True):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (m := HEADING.match(line.rstrip("\n"))):
            heads.append((offset, len(m.group(1)), m.group(2).strip()))
        offset += len(line)
    out: list[Section] = []
    if not heads or heads[0][0] > 0:
        first = heads[0][0] if heads else len(text)
        if text[:first].strip():
            out.append(Section(0, first, 0, "", ()))
    stack: list[tuple[int, str]] = []  # open headings (level, title)
    for i, (start, level, title) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        out.append(Section(start, end, level, title, tuple(t for _, t in stack)))
    return out


def markdown_headers(text: str, size: int = 200, overlap: int = 0,
                     tokenizer: Tokenizer | None = None) -> list[Chunk]:
    """Chunks that stay inside one markdown section, each labelled with its section.

    >>> from labs.chunking.base import WordTokenizer
    >>> t = "# Plans\\nStarter and Pro.\\n## Pro\\nPro has SSO and audit logs."
    >>> for c in markdown_headers(t, size=5, tokenizer=WordTokenizer()):
    ...     print(c.section, '|', c.heading, '|', repr(c.text))
    plans | Plans | '# Plans\\nStarter and Pro.'
    pro | Plans > Pro | '## Pro\\nPro has SSO'
    pro | Plans > Pro | 'and audit logs.'

    A heading with no text under it (a title straight above its first subheading) travels
    with the next section instead of becoming a chunk of its own.

    The Pro section (8 words) does not fit in 5, so it is cut by recursive's rules (line, then
    sentence, then word); no chunk reaches back into the Plans section.
    """
    check_window(size, overlap)
    tok = tokenizer or minilm_tokenizer()
    out: list[Chunk] = []
    carry: int | None = None  # start of a heading with no text of its own, joined to the next
    secs = sections(text)
    for i, sec in enumerate(secs):
        start = sec.start if carry is None else carry
        heading_only = not text[sec.start : sec.end].partition("\n")[2].strip()
        if heading_only and sec.level and i + 1 < len(secs):
            carry = start  # "# Title" straight above "## Part": one chunk, not a 3-token one
            continue
        carry = None
        # cut the section's own text; offsets come back relative to where it starts
        body = text[start : sec.end]
        for c in merge(body, recursive_pieces(body, size, tok), size, overlap):
            out.append(replace(c, start=c.start + start, end=c.end + start, index=len(out),
                               section=sec.slug, heading=" > ".join(sec.path)))
    return out
