"""BM25 over the lessons, section by section: what the `search_curriculum` tool answers with.

Each lesson is split at its `##` headings; every section becomes one BM25 document, tokenized
with an English stemmer and stop-word list (the retrieval lab's `BM25Index`: bm25s +
PyStemmer). No embeddings, no torch: the index builds in milliseconds, so an MCP server can
answer its first call at once.

Left out: dense or hybrid retrieval (the retrieval playground teaches those) and the Northwind
corpus (this index covers the curriculum only).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from labs.curriculum.lesson import lesson_sections as split_lesson
from labs.curriculum.loader import Curriculum


@dataclass(frozen=True)
class Section:
    id: str  # "lesson-<module-id>#<slug>"
    module_id: str
    module_title: str
    heading: str
    text: str


def slug(heading: str) -> str:
    """The corpus README's section slug.

    >>> slug("E-4013 Signature expired")
    'e-4013-signature-expired'
    """
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def lesson_sections(curriculum: Curriculum) -> list[Section]:
    """Every `##` section of every lesson, plus the text before the first heading if any: the
    same split the lesson page navigates by."""
    out: list[Section] = []
    for m in curriculum.modules:
        for part in split_lesson(m.body):
            head, _, rest = part.text.lstrip("\n").partition("\n")
            if not head.startswith("## "):  # the lead-in before the first heading
                out.append(Section(f"lesson-{m.id}#intro", m.id, m.title, m.title,
                                   part.text.strip()))
            else:
                out.append(Section(f"lesson-{m.id}#{slug(part.title)}", m.id, m.title,
                                   part.title, rest.strip()))
    return out


@dataclass(frozen=True)
class Hit:
    section: Section
    score: float


class CurriculumIndex:
    """A BM25 index over lesson sections. Build once, query many times (read-only after build).

    The retrieval lab's `BM25Index` with English stop words and Snowball stemming; each
    section is indexed as "module title. heading. text".
    """

    def __init__(self, sections: list[Section]):
        import bm25s  # noqa: F401 - imported first: it sets its own logger to DEBUG on import

        from labs.retrieval.sparse import BM25Index, BM25Params

        # so quiet it after the import, or its index-build lines flood a stdio server's stderr
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.sections = sections
        self._bm25 = BM25Index([f"{s.module_title}. {s.heading}. {s.text}" for s in sections],
                               BM25Params(stemming=True))

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The top-k sections for `query`; zero-score sections (no shared term) are dropped."""
        return [Hit(self.sections[i], score) for i, score in self._bm25.search(query, max(1, k))]
