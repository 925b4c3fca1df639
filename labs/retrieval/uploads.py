"""Turn uploaded files into documents: .md, .txt, .pdf (pypdf) and .html (BeautifulSoup).

Each file either becomes a `Document` or an `UploadError` with a sentence a learner can act
on (binary, empty, encrypted, malformed, too large, unsupported type); one bad file never
sinks the batch. The whole batch is capped (20 MB by default): files past the cap are
refused by name and the ones before it kept.

Left out: OCR for scanned PDFs (a PDF without a text layer is reported as empty), .docx.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import PurePath

from labs.retrieval.corpus import Document

MAX_TOTAL_BYTES = 20 * 1024 * 1024
TYPES = (".md", ".markdown", ".txt", ".pdf", ".html", ".htm")


@dataclass(frozen=True)
class UploadError:
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


class Unusable(Exception):
    """Why one file cannot be used; the message is shown as is."""


def doc_id_for(name: str, taken: set[str]) -> str:
    """A corpus id from a file name: `Q3 Report.pdf` → `upload-q3-report` (unique)."""
    base = "upload-" + (re.sub(r"[^a-z0-9]+", "-", PurePath(name).stem.lower()).strip("-")
                        or "file")
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    return out


def _text(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise Unusable("looks binary (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Unusable(f"is not UTF-8 text (undecodable byte at position {e.start})") from e


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise Unusable("is not a PDF (it lacks the %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unusable("is encrypted: save an unprotected copy and upload that")
        return "\n\n".join((p.extract_text() or "") for p in reader.pages)
    except Unusable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            OSError) as e:
        raise Unusable(f"is a malformed PDF ({type(e).__name__}: {str(e)[:120]})") from e


def _html(data: bytes) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_text(data), "html.parser")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    lines = (ln.strip() for ln in soup.get_text("\n").splitlines())
    return "\n".join(ln for ln in lines if ln)


def read_upload(name: str, data: bytes) -> str:
    """The text of one file, or Unusable saying why not."""
    ext = PurePath(name).suffix.lower()
    if ext not in TYPES:
        raise Unusable(f"has an unsupported type {ext or '(none)'}; use "
                       ".md, .txt, .pdf or .html")
    if not data:
        raise Unusable("is empty (0 bytes)")
    text = _pdf(data) if ext == ".pdf" else _html(data) if ext in (".html", ".htm") \
        else _text(data)
    if not text.strip():
        raise Unusable("has no text in it" + (" (a scanned PDF needs OCR first)"
                                              if ext == ".pdf" else ""))
    return text


def load_uploads(files: list[tuple[str, bytes]], taken: set[str] | None = None,
                 max_total: int = MAX_TOTAL_BYTES) -> tuple[list[Document], list[UploadError]]:
    """Documents from (name, bytes) pairs, and an error per file that could not be used."""
    docs: list[Document] = []
    errors: list[UploadError] = []
    ids = set(taken or ())
    total = 0
    for name, data in files:
        total += len(data)
        if total > max_total:
            errors.append(UploadError(name, f"skipped: the batch is over the "
                                            f"{max_total // (1024 * 1024)} MB limit"))
            continue
        try:
            text = read_upload(name, data)
        except Unusable as e:
            errors.append(UploadError(name, str(e)))
            continue
        did = doc_id_for(name, ids)
        ids.add(did)
        docs.append(Document(did, PurePath(name).name, text, "upload", f"upload:{name}"))
    return docs, errors
