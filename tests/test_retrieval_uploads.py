"""Uploads keep every good file: the size cap counts what is kept, UTF-16 text and PDFs with an
empty user password are read, decompression bombs and duplicates are named as such."""

from __future__ import annotations

import codecs
import io
import time
import zlib

from labs.retrieval import uploads
from labs.retrieval.uploads import load_uploads

GOOD = b"# Notes\n\nThe relay restarts at noon.\n"
GOOD2 = b"Second file: the scheduler runs hourly.\n"


def text_pdf(text: str = "Hello from the PDF", *, user: str | None = None,
             owner: str | None = None, flate_content: bytes | None = None, pages: int = 1) -> bytes:
    """A PDF with a real text layer (Helvetica), optionally encrypted or with a raw
    FlateDecode content stream (for bombs)."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        DecodedStreamObject,
        DictionaryObject,
        EncodedStreamObject,
        NameObject,
    )

    w = PdfWriter()
    font = w._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for _ in range(pages):
        page = w.add_blank_page(width=300, height=300)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        if flate_content is None:
            stream = DecodedStreamObject()
            stream.set_data(f"BT /F1 12 Tf 20 150 Td ({text}) Tj ET".encode())
        else:
            stream = EncodedStreamObject()
            stream._data = flate_content
            stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        page[NameObject("/Contents")] = w._add_object(stream)
    if user is not None:
        w.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def whitespace_flate(n: int) -> bytes:
    co = zlib.compressobj(9)
    out = co.compress(b"BT /F1 12 Tf 20 150 Td (x) Tj ET\n")
    chunk = b" " * (1 << 20)
    for _ in range(n >> 20):
        out += co.compress(chunk)
    return out + co.flush()


def test_an_oversized_file_does_not_drop_the_good_files_after_it():
    files = [("good.md", GOOD), ("big25mb.txt", b"a" * (25 * 1024 * 1024)), ("good2.txt", GOOD2)]
    docs, errors = load_uploads(files)
    assert [d.title for d in docs] == ["good.md", "good2.txt"]
    assert errors[0].name == "big25mb.txt"
    assert "25 MB" in errors[0].reason and "20 MB limit" in errors[0].reason


def test_the_limit_counts_the_files_kept_and_says_how_much_is_kept():
    files = [("a.txt", b"x" * 600), ("b.txt", b"y" * 600), ("c.txt", b"z" * 300)]
    docs, errors = load_uploads(files, max_total=1000)
    assert [d.title for d in docs] == ["a.txt", "c.txt"]
    assert errors[0].name == "b.txt" and "600 bytes kept so far" in errors[0].reason


def test_a_refused_file_does_not_count_against_the_limit():
    files = [("broken.pdf", b"%PDF-1.4 garbage" + b" " * 900), ("ok.txt", b"w" * 900)]
    docs, errors = load_uploads(files, max_total=1000)
    assert [d.title for d in docs] == ["ok.txt"] and "malformed" in errors[0].reason


def test_utf16_text_with_a_byte_order_mark_is_decoded():
    text = "Café notes: résumé of the rollout.\n"
    files = [("le.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le")),
             ("be.md", codecs.BOM_UTF16_BE + text.encode("utf-16-be")),
             ("u32.txt", text.encode("utf-32"))]
    docs, errors = load_uploads(files)
    assert errors == [] and [d.text for d in docs] == [text] * 3


def test_a_pdf_with_an_empty_user_password_is_opened():
    docs, errors = load_uploads([("owner-only.pdf", text_pdf("Owner only", user="",
                                                              owner="owner-secret"))])
    assert errors == [] and "Owner only" in docs[0].text


def test_a_pdf_with_a_real_user_password_is_still_refused_as_encrypted():
    _, errors = load_uploads([("locked.pdf", text_pdf(user="secret", owner="secret"))])
    assert "encrypted" in errors[0].reason


def test_a_decompression_bomb_is_named_and_stops_early(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_INFLATED_BYTES", 16 << 20)  # 64 MB in the app
    bomb = text_pdf(flate_content=whitespace_flate(10 << 20), pages=20)  # 20 x 10 MB of spaces
    assert len(bomb) < 1024 * 1024
    t0 = time.perf_counter()
    docs, errors = load_uploads([("bomb.pdf", bomb), ("good.md", GOOD)])
    assert "decompression bomb" in errors[0].reason and "scanned" not in errors[0].reason
    assert [d.title for d in docs] == ["good.md"]
    assert time.perf_counter() - t0 < 5  # two pages read, not twenty


def test_a_stream_past_pypdfs_own_limit_is_a_bomb_not_a_traceback():
    bomb = text_pdf(flate_content=whitespace_flate(100 << 20))
    _, errors = load_uploads([("one-stream.pdf", bomb)])
    assert "decompression bomb" in errors[0].reason


def test_the_same_file_twice_is_kept_once_with_a_message():
    docs, errors = load_uploads([("notes.md", GOOD), ("copy of notes.md", GOOD)])
    assert [d.title for d in docs] == ["notes.md"]
    assert errors[0].name == "copy of notes.md"
    assert "same content as notes.md" in errors[0].reason


def test_the_bomb_budget_is_a_module_setting(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_INFLATED_BYTES", 1000)
    pdf = text_pdf(flate_content=whitespace_flate(1 << 20))
    _, errors = load_uploads([("small-bomb.pdf", pdf)])
    assert "1000 bytes" in errors[0].reason
