"""Contextual chunk headers: before a chunk is embedded (and indexed by BM25), prefix it with
its document's title and the heading path it sits under, so "Set it to 30 seconds." is
embedded as "Webhooks > Retries > Timeouts: Set it to 30 seconds."

This is the offline half of contextual retrieval (Anthropic, 2024): there an LLM writes a
sentence of context per chunk; here the document's own structure supplies it. The chunk's
span and text are unchanged; only the embedded text grows.

    >>> doc = "# Webhooks\\n\\n## Retries\\n\\nSet it to 30 seconds."
    >>> header_for("Webhooks", doc, doc.index("Set"))
    'Webhooks > Retries'

Left out: LLM-written context sentences (they need a key and cost money per chunk).
"""

from __future__ import annotations

from labs.chunking.markdown import sections


def header_for(title: str, text: str, start: int, _secs=None) -> str:  # type: ignore[no-untyped-def]
    """Title > heading path of the section in which offset `start` falls (title repeated at
    the top of the path is dropped)."""
    path: tuple[str, ...] = ()
    for sec in _secs if _secs is not None else sections(text):
        if sec.start <= start:
            path = sec.path
    parts = [title.strip()] if title.strip() else []
    parts += [p for p in path if not parts or p.strip() != parts[0]]
    return " > ".join(parts)


def with_header(header: str, chunk_text: str) -> str:
    """The text that is embedded for a chunk under contextual headers."""
    return f"{header}\n\n{chunk_text}" if header else chunk_text
