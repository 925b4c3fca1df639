"""The bundled embedder gives real, normalised vectors and never embeds a text twice."""

from __future__ import annotations

import numpy as np
import pytest

from labs.embeddings import DIM, Embedder, EmbeddingCache, cosine


@pytest.mark.slow
def test_vectors_are_normalised_and_paraphrases_are_closer_than_unrelated(embedder):
    v = embedder.encode(["How do I reset my password?", "I forgot my password, how can I "
                         "change it?", "The quarterly revenue grew by four percent."])
    assert v.shape == (3, DIM)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    sims = cosine(v, v)
    assert sims[0, 1] > 0.6 > sims[0, 2]


@pytest.mark.slow
def test_cached_texts_are_not_embedded_again(embedder, tmp_path):
    fresh = Embedder.__new__(Embedder)  # reuse the loaded model with an empty cache
    fresh.__dict__.update(embedder.__dict__)
    fresh.cache = EmbeddingCache(tmp_path / "c.sqlite")
    fresh.embedded_count = 0
    texts = ["alpha beta", "gamma delta", "alpha beta"]
    seen = []
    first = fresh.encode(texts, progress=lambda d, t: seen.append((d, t)))
    assert fresh.embedded_count == 2 and seen[-1] == (2, 2)
    again = fresh.encode(texts)
    assert fresh.embedded_count == 2
    assert np.array_equal(first, again)
    assert len(EmbeddingCache(tmp_path / "c.sqlite")) == 2  # survives a reopen


def test_model_work_queues_for_its_slot_instead_of_running_side_by_side():
    """With one slot, a second caller waits until the first batch is done, and is counted as
    waiting meanwhile (what a page shows as "waiting for the model")."""
    import threading

    from labs.embeddings import MODEL_SLOTS, model_slot, model_waiting

    assert MODEL_SLOTS == 1
    order: list[str] = []
    first_in, release = threading.Event(), threading.Event()

    def first() -> None:
        with model_slot():
            order.append("first in")
            first_in.set()
            release.wait(5)
            order.append("first out")

    def second() -> None:
        with model_slot():
            order.append("second in")

    a = threading.Thread(target=first)
    a.start()
    first_in.wait(5)
    b = threading.Thread(target=second)
    b.start()
    for _ in range(100):  # until the second caller is queued
        if model_waiting() == 2:
            break
        threading.Event().wait(0.01)
    assert model_waiting() == 2
    release.set()
    a.join(5)
    b.join(5)
    assert order == ["first in", "first out", "second in"]
    assert model_waiting() == 0
