"""The retrieval lab's check for `aie-bridge content check`: the bundled corpus and its
golden set."""

from __future__ import annotations

from pathlib import Path

from labs.content import ContentError


def check_corpus(root: Path) -> str:
    from labs.retrieval.corpus import load_bundled_checked

    corpus, problems = load_bundled_checked(root)
    if problems:
        raise ContentError(problems)
    return f"{len(corpus.documents)} corpus documents, {len(corpus.queries)} golden queries"


CHECKS = [("retrieval corpus", check_corpus)]
