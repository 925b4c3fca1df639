"""Small corpora for the retrieval tests: a BEIR folder of a few documents, and files to upload."""

from __future__ import annotations

import io
import json
from pathlib import Path

DOCS = {
    "d1": ("Webhook signatures", "Error E-4013 means the webhook signature expired; resync the "
                                 "clock and sign again."),
    "d2": ("Pricing", "The Pro plan NWR-PRO-12 costs 49 dollars a month and includes SSO."),
    "d3": ("Retries", "Failed deliveries are retried with exponential backoff for 24 hours."),
    "d4": ("Regions", "Data is stored in the eu1 or us1 region chosen when the account is made."),
    "d5": ("Cats", "A cat sleeps most of the day and hunts at dusk."),
}
QUERIES = {
    "q1": "What does E-4013 mean?",
    "q2": "How much does the professional tier cost per month?",
    "q3": "how long do we keep trying to deliver a message that failed",
    "q4": "a query nobody judged",
}
QRELS = [("q1", "d1", 1), ("q2", "d2", 2), ("q3", "d3", 1)]


def make_beir(root: Path) -> Path:
    (root / "qrels").mkdir(parents=True, exist_ok=True)
    with (root / "corpus.jsonl").open("w") as f:
        for i, (title, text) in DOCS.items():
            f.write(json.dumps({"_id": i, "title": title, "text": text}) + "\n")
    with (root / "queries.jsonl").open("w") as f:
        for i, text in QUERIES.items():
            f.write(json.dumps({"_id": i, "text": text}) + "\n")
    (root / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t{s}\n" for q, d, s in QRELS))
    return root


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    w.encrypt("secret")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def blank_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


GOOD_MD = b"# Rollout notes\n\nThe flag relay.v2 turns on the new scheduler.\n"
GOOD_HTML = (b"<html><head><script>alert(1)</script></head><body><h1>Runbook</h1>"
             b"<p>Restart relayd when memory passes 4 GB.</p></body></html>")
BAD_FILES = [
    ("empty.txt", b""),
    ("binary.txt", b"\x00\x01\x02\x03binary"),
    ("locked.pdf", None),  # filled by the tests: encrypted_pdf()
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage"),
]
