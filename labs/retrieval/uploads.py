"""Turn uploaded files into documents: .md, .txt, .pdf (pypdf) and .html (BeautifulSoup).

Each file either becomes a `Document` or an `UploadError` with a sentence a learner can act
on (binary, empty, encrypted, malformed, a decompression bomb, a duplicate, too large,
unsupported type); one bad file never sinks the batch. The 20 MB cap (by default) applies
to the files kept: a file that would pass it is refused with its size, and the files after
it are still read. Text may be UTF-8 or, with a byte-order mark, UTF-16 or UTF-32; a PDF
protected only by an owner password (an empty user password) is opened; a PDF whose pages
inflate past MAX_INFLATED_BYTES is refused as a decompression bomb without reading on.

Left out: OCR for scanned PDFs (a PDF without a text layer is reported as empty), .docx.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import PurePath

from labs.retrieval.corpus import Document

MAX_TOTAL_BYTES = 20 * 1024 * 1024
MAX_INFLATED_BYTES = 64 * 1024 * 1024  # decoded page content one PDF may make us read
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
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


def _mb(n: float) -> str:
    """A size as people write it: 20 MB, 25.3 MB, 1.5 kB, 600 bytes."""
    if n < 1024:
        return f"{n:.0f} bytes"
    value, unit = (n / 1024, "kB") if n < 1024 * 1024 else (n / (1024 * 1024), "MB")
    return f"{value:.1f}".removesuffix(".0") + " " + unit


def _text(data: bytes) -> str:
    for bom, codec in BOMS:  # UTF-32 first: its little-endian mark begins like UTF-16's
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as e:
                raise Unusable(f"starts with a {codec.upper()} byte-order mark but does not "
                               f"decode as {codec.upper()} (byte {e.start})") from e
    if b"\x00" in data[:8192]:
        raise Unusable("looks binary (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Unusable(f"is not UTF-8 text (undecodable byte at position {e.start})") from e


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError, PyPdfError

    if not data.lstrip().startswith(b"%PDF"):
        raise Unusable("is not a PDF (it lacks the %PDF header)")
    bomb = Unusable(f"looks like a decompression bomb: its pages inflate past "
                    f"{_mb(MAX_INFLATED_BYTES)} from a {_mb(len(data))} file, so it was not "
                    "read further")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone is fine
            raise Unusable("is encrypted: save an unprotected copy and upload that")
        texts, inflated = [], 0
        for page in reader.pages:
            contents = page.get_contents()
            inflated += len(contents.get_data()) if contents is not None else 0
            if inflated > MAX_INFLATED_BYTES:
                raise bomb
            texts.append(page.extract_text() or "")
        return "\n\n".join(texts)
    except Unusable:
        raise
    except LimitReachedError as e:
        raise bomb from e
    except (PyPdfError, PdfReadError, ValueError, KeyError, TypeError, AttributeError,
            IndexError, OSError) as e:
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
    """Documents from (name, bytes) pairs, and an error per file that could not be used.

    `max_total` bounds the bytes of the files kept; a file that would pass it is refused and
    the next ones still tried. A file with the bytes of an earlier one is reported, not kept
    twice."""
    docs: list[Document] = []
    errors: list[UploadError] = []
    ids = set(taken or ())
    kept = 0
    seen: dict[str, str] = {}  # content hash -> the reason the first copy got ("" = kept)
    first: dict[str, str] = {}
    limit = _mb(max_total)
    for name, data in files:
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            errors.append(UploadError(name, f"has the same content as {first[digest]}, "
                                            + ("which is already added" if not seen[digest]
                                               else f"which was not added: {seen[digest]}")))
            continue
        first[digest] = name
        if len(data) > max_total:
            reason = f"is {_mb(len(data))}, over the {limit} limit on what is kept"
        elif kept + len(data) > max_total:
            reason = (f"is {_mb(len(data))} and would take the kept files past the {limit} "
                      f"limit ({_mb(kept)} kept so far)")
        else:
            try:
                text = read_upload(name, data)
                reason = ""
            except Unusable as e:
                reason = str(e)
        seen[digest] = reason
        if reason:
            errors.append(UploadError(name, reason))
            continue
        kept += len(data)
        did = doc_id_for(name, ids)
        ids.add(did)
        docs.append(Document(did, PurePath(name).name, text, "upload", f"upload:{name}"))
    return docs, errors
