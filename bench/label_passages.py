"""Propose passage-level gold labels for the bundled golden set: for each relevant document of
each judged query, the sentence (with its neighbour when short) that best matches the query
and its expected answer, by stemmed term overlap weighted by IDF within the document.

Proposals, not truth: the output (content/corpus/passages.yaml) is meant to be read and
corrected by hand; `--check` prints each quote under its query for that review.

    .venv/bin/python bench/label_passages.py > content/corpus/passages.yaml
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter

import yaml

from labs.chunking.markdown import sections, slug
from labs.chunking.semantic import sentence_spans
from labs.retrieval.corpus import load_bundled

WORD = re.compile(r"\w\w+")
def terms(text: str, stem) -> list[str]:  # type: ignore[no-untyped-def]
    return stem.stemWords(WORD.findall(text.lower()))


def exact_tokens(query: str) -> set[str]:
    """Codes, SKUs, config keys and flags in the query: the tokens an answer must contain."""
    return {t.strip("?,.'\"") for t in query.split()
            if re.search(r"\d|[-_.]\w", t.strip("?,.'\"")) and len(t) > 3}


def propose(doc_text: str, section: str, want: str, stem, query: str = ""
            ) -> str:  # type: ignore[no-untyped-def]
    lo, hi = 0, len(doc_text)
    if section:
        for sec in sections(doc_text):
            if sec.slug == section:
                lo, hi = sec.start, sec.end
    spans = [(a, b) for a, b in sentence_spans(doc_text)
             if a >= lo and b <= hi and not doc_text[a:b].lstrip().startswith("#")]
    if not spans:
        spans = sentence_spans(doc_text)
    bags = [Counter(terms(doc_text[a:b], stem)) for a, b in spans]
    df = Counter(t for bag in bags for t in bag)
    q = set(terms(want, stem))
    exact = exact_tokens(query)

    def score(i: int) -> float:
        a, b = spans[i]
        hits = sum(5.0 for t in exact if t in doc_text[a:b])
        return hits + sum(math.log(1 + len(bags) / df[t]) for t in q if t in bags[i])
    best = max(range(len(spans)), key=lambda i: (score(i), -i))
    a, b = spans[best]
    if len(doc_text[a:b].split()) < 10 and best + 1 < len(spans):
        b = spans[best + 1][1]
    return doc_text[a:b]


def main() -> int:
    import Stemmer

    stem = Stemmer.Stemmer("english")
    corpus = load_bundled()
    out: dict[str, dict[str, list[str]]] = {}
    for q in corpus.judged:
        by_doc: dict[str, list[str]] = {}
        for rid in q.sections or tuple(q.relevant):
            doc_id, _, section = rid.partition("#")
            quote = propose(corpus.doc(doc_id).text, section, f"{q.text} {q.expected}", stem,
                            q.text)
            if quote not in by_doc.get(doc_id, []):
                by_doc.setdefault(doc_id, []).append(quote)
        out[q.id] = by_doc
    if "--check" in sys.argv:
        for qid, docs in out.items():
            print(qid, next(x.text for x in corpus.queries if x.id == qid))
            for d, quotes in docs.items():
                for s in quotes:
                    print(f"   [{d}] {s[:200]}")
        return 0
    print("# Passage-level gold labels: for each judged golden query, the span of the answer in")
    print("# each relevant document, as an exact quote of the document's text (found by")
    print("# str.find; a quote that no longer matches fails `load_bundled`). Proposed by")
    print("# bench/label_passages.py from the query and its expected answer; spot-checked by")
    print("# hand, not every quote reviewed: correct a quote by editing it here.")
    print(yaml.safe_dump({"passages": out}, sort_keys=False, allow_unicode=True, width=100))
    _ = slug
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
