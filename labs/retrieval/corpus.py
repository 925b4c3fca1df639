"""Corpora for the retrieval lab: the bundled one (Northwind Relay docs + the nine lessons,
with the golden query set), BEIR-format folders, and uploaded files (uploads.py).

A `Corpus` is documents, queries and graded judgements (`relevant`: doc id → gain), which is
all the document-level metrics need. Judgements on a section (`doc#section`) count for the
document. The bundled golden set also has passage-level labels (content/corpus/passages.yaml:
the answer's span in each relevant document, written as an exact quote), so chunk rankings
can be scored: `Query.passages`. BEIR folders are scored per document.

Left out: BEIR splits other than `test`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
GOLDEN_FILES = ("golden_product.yaml", "golden_ops.yaml", "golden.yaml")
PASSAGES_FILE = "passages.yaml"
T = TypeVar("T")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.S)

DocId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
RelId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*(#[a-z0-9-]+)?$")]


class CorpusError(Exception):
    """The corpus or golden set does not load; each problem names the file and the field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class DocKind(StrEnum):
    product_guide = "product-guide"
    runbook = "runbook"
    api_reference = "api-reference"
    policy = "policy"
    release_notes = "release-notes"
    changelog = "changelog"
    faq = "faq"
    tutorial = "tutorial"
    lesson = "lesson"


class QueryKind(StrEnum):
    exact_token = "exact-token"
    paraphrase = "paraphrase"
    multi_hop = "multi-hop"
    unanswerable = "unanswerable"


class DocMeta(BaseModel):
    """Front matter of content/corpus/northwind/<id>.md."""

    model_config = ConfigDict(extra="forbid")
    id: DocId
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    kind: DocKind


class GoldenQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    kind: QueryKind
    relevant: list[RelId] = []
    expected: str = ""


class GoldenSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queries: list[GoldenQuery] = Field(min_length=1)


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str
    kind: str = ""
    source: str = ""  # where it came from: a path, an upload name, "beir:<folder>"


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    relevant: dict[str, int] = field(default_factory=dict)  # doc id → gain (> 0)
    kind: str = ""
    sections: tuple[str, ...] = ()  # the judged ids as written, sections included
    expected: str = ""
    passages: tuple[tuple[str, int, int], ...] = ()  # (doc id, start, end) of each answer


@dataclass
class Corpus:
    name: str
    documents: list[Document]
    queries: list[Query] = field(default_factory=list)

    def doc(self, doc_id: str) -> Document:
        return self._by_id()[doc_id]

    def _by_id(self) -> dict[str, Document]:
        if getattr(self, "_index", None) is None or len(self._index) != len(self.documents):
            self._index = {d.id: d for d in self.documents}
        return self._index

    @property
    def judged(self) -> list[Query]:
        """Queries with at least one relevant document (the others are skipped by metrics)."""
        return [q for q in self.queries if any(g > 0 for g in q.relevant.values())]


def _read_checked(path: Path, parse: Callable[[str], T], problems: list[str]) -> T | None:
    """`parse` of the file's text, or None with why not (unreadable, or which fields are
    invalid) added to `problems`."""
    try:
        return parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        problems.append(f"{path}: cannot read ({e})")
    except ValidationError as e:
        problems.extend(f"{path}: field {'.'.join(str(p) for p in x['loc']) or '(file)'}: "
                        f"{x['msg']}" for x in e.errors())
    return None


def _doc_file(raw: str) -> tuple[DocMeta, str]:
    meta, body = split_front_matter(raw)
    return DocMeta.model_validate(meta), body


def _golden_file(raw: str) -> GoldenSet:
    return GoldenSet.model_validate(yaml.safe_load(raw))


def split_front_matter(raw: str) -> tuple[dict, str]:
    m = _FRONT.match(raw)
    if not m:
        return {}, raw
    meta = yaml.safe_load(m.group(1))
    return (meta if isinstance(meta, dict) else {}), m.group(2)


def with_title(title: str, body: str) -> str:
    """The body under a `# title` heading, unless it already opens with a level-1 heading."""
    body = body.strip()
    return f"{body}\n" if body.startswith("# ") else f"# {title}\n\n{body}\n"


def load_documents(folder: Path) -> tuple[list[Document], list[str]]:
    docs, problems = [], []
    for path in sorted(folder.glob("*.md")):
        got = _read_checked(path, _doc_file, problems)
        if got is None:
            continue
        m, body = got
        if m.id != path.stem:
            problems.append(f"{path}: field id: {m.id!r} differs from the file name")
        docs.append(Document(m.id, m.title, with_title(m.title, body), m.kind.value,
                             _source(path)))
    return docs, problems


def _source(path: Path) -> str:
    """The file's path relative to the project when it lies inside it, else as given."""
    try:
        return str(path.relative_to(CONTENT_DIR.parent))
    except ValueError:
        return str(path)


def load_lessons(folder: Path) -> list[Document]:
    """The nine lessons as documents `lesson-<module-id>`."""
    out = []
    for path in sorted(folder.glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        if "id" in meta and "title" in meta:
            out.append(Document(f"lesson-{meta['id']}", str(meta["title"]),
                                with_title(str(meta["title"]), body), "lesson",
                                _source(path)))
    return out


def load_golden(paths: list[Path], doc_ids: set[str]) -> tuple[list[Query], list[str]]:
    """Every golden file there is, merged; ids must be unique and references must resolve."""
    queries: list[Query] = []
    problems: list[str] = []
    seen: set[str] = set()
    for path in paths:
        gold = _read_checked(path, _golden_file, problems)
        if gold is None:
            continue
        for i, g in enumerate(gold.queries):
            where = f"{path}: queries.{i} ({g.id})"
            if g.id in seen:
                problems.append(f"{where}: duplicate query id")
            seen.add(g.id)
            missing = [r for r in g.relevant if r.split("#")[0] not in doc_ids]
            if missing:
                problems.append(f"{where}: relevant ids not in the corpus: {', '.join(missing)}")
            if g.kind == QueryKind.unanswerable and g.relevant:
                problems.append(f"{where}: an unanswerable query cannot have relevant ids")
            rel = {r.split("#")[0]: 1 for r in g.relevant}
            queries.append(Query(g.id, g.query, rel, g.kind.value, tuple(g.relevant),
                                 g.expected))
    return queries, problems


def load_bundled(root: Path = CONTENT_DIR, strict: bool = True) -> Corpus:
    """Northwind Relay's docs, the lessons and the golden queries, validated.

    `strict` raises CorpusError on any problem; otherwise invalid files are left out.
    """
    corpus, problems = load_bundled_checked(root)
    if problems and strict:
        raise CorpusError(problems)
    return corpus


def load_bundled_checked(root: Path = CONTENT_DIR) -> tuple[Corpus, list[str]]:
    """The bundled corpus without the files that fail validation, and the problems found."""
    docs, problems = load_documents(root / "corpus" / "northwind")
    docs += load_lessons(root / "modules")
    ids = [d.id for d in docs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        problems.append(f"{root / 'corpus'}: duplicate document ids: {', '.join(dupes)}")
    paths = [root / "corpus" / n for n in GOLDEN_FILES if (root / "corpus" / n).exists()]
    queries, golden_problems = load_golden(paths, set(ids))
    problems += golden_problems
    corpus = Corpus("bundled", docs, queries)
    if (root / "corpus" / PASSAGES_FILE).exists():
        problems += attach_passages(corpus, root / "corpus" / PASSAGES_FILE)
    return corpus, problems


def attach_passages(corpus: Corpus, path: Path) -> list[str]:
    """Read passage labels (query id → doc id → quotes) into the corpus's queries; every
    quote must occur in its document and the document must be judged relevant."""
    problems: list[str] = []
    raw = _read_checked(path, lambda t: yaml.safe_load(t) or {}, problems)
    labels = (raw or {}).get("passages") if isinstance(raw, dict) else None
    if raw is not None and not isinstance(labels, dict):
        return problems + [f"{path}: field passages: expected a mapping of query ids"]
    by_id = {q.id: i for i, q in enumerate(corpus.queries)}
    for qid, docs in (labels or {}).items():
        where = f"{path}: passages.{qid}"
        if qid not in by_id or not isinstance(docs, dict):
            problems.append(f"{where}: not a judged query id with a mapping of documents")
            continue
        q = corpus.queries[by_id[qid]]
        spans = []
        for doc_id, quotes in docs.items():
            if doc_id not in q.relevant:
                problems.append(f"{where}.{doc_id}: not a relevant document of {qid}")
                continue
            text = corpus.doc(doc_id).text
            for quote in quotes if isinstance(quotes, list) else [quotes]:
                at = text.find(str(quote))
                if at < 0 or not str(quote).strip():
                    problems.append(f"{where}.{doc_id}: quote not found in the document: "
                                    f"{str(quote)[:60]!r}")
                else:
                    spans.append((doc_id, at, at + len(str(quote))))
        corpus.queries[by_id[qid]] = replace(q, passages=tuple(spans))
    return problems


def load_beir(folder: str | Path, split: str = "test") -> Corpus:
    """A BEIR folder: corpus.jsonl, queries.jsonl and qrels/<split>.tsv.

    Document text is title and text joined by a space, as BEIR's evaluation does. Queries
    without judgements are kept (they are skipped when scoring).
    """
    root = Path(folder)
    need = [root / "corpus.jsonl", root / "queries.jsonl", root / "qrels" / f"{split}.tsv"]
    missing = [str(p.relative_to(root)) for p in need if not p.is_file()]
    if missing:
        raise CorpusError([f"{root}: not a BEIR folder, missing {', '.join(missing)}"])
    docs: list[Document] = []
    problems: list[str] = []

    def rows(path: Path):
        with path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as e:
                        problems.append(f"{path}:{n}: not JSON ({e.msg})")

    try:
        for r in rows(need[0]):
            title, text = str(r.get("title") or ""), str(r.get("text") or "")
            docs.append(Document(str(r["_id"]), title, f"{title} {text}" if title else text,
                                 source=f"beir:{root.name}"))
        texts = {str(r["_id"]): str(r.get("text") or "") for r in rows(need[1])}
        rel: dict[str, dict[str, int]] = {}
        with need[2].open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 3 or not parts[2].lstrip("-").isdigit():
                    if n > 1 and line.strip():
                        problems.append(f"{need[2]}:{n}: expected query-id, corpus-id, score")
                    continue
                if int(parts[2]) > 0:
                    rel.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    except (KeyError, UnicodeDecodeError, OSError) as e:
        raise CorpusError([f"{root}: cannot read ({e!r})"]) from e
    if problems:
        raise CorpusError(problems[:10])
    queries = [Query(qid, t, rel.get(qid, {})) for qid, t in texts.items()]
    return Corpus(f"beir:{root.name}", docs, queries)
