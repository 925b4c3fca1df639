"""Learner profiles: a display name is the whole identity of a local learner."""

from __future__ import annotations

import unicodedata

from sqlmodel import col, select

from labs.store.db import Store
from labs.store.models import Learner, utcnow

MAX_NAME = 80


def clean_name(name: str) -> str:
    """A display name as stored and shown everywhere: NFKC (full-width and ligature forms fold
    to plain letters), control, format and bidi characters removed, white space collapsed;
    empty or over-long names are refused with a clear message.

    >>> clean_name(" A\\u200blice\\u202e ")
    'Alice'
    """
    folded = unicodedata.normalize("NFKC", name)
    kept = "".join(" " if ch.isspace() else ch for ch in folded
                   if ch.isspace() or unicodedata.category(ch)[0] != "C")
    cleaned = " ".join(kept.split())
    if not cleaned:
        raise ValueError("A display name cannot be empty.")
    if len(cleaned) > MAX_NAME:
        raise ValueError(f"A display name can have at most {MAX_NAME} characters.")
    return cleaned


def get_or_create_learner(store: Store, name: str) -> Learner:
    name = clean_name(name)
    with store.session() as s:
        learner = s.exec(select(Learner).where(Learner.name == name)).first()
        if learner is None:
            learner = Learner(name=name)
        learner.last_seen_at = utcnow()
        s.add(learner)
        s.flush()
        s.refresh(learner)
        return learner


def most_recent_learner(store: Store) -> Learner | None:
    """The local learner who used the app last; workshop participants are never picked, so a
    fresh session on a shared server does not open someone else's work."""
    from labs.store.models import WorkshopMember

    members = select(WorkshopMember.learner_id)
    with store.session() as s:
        return s.exec(select(Learner).where(col(Learner.id).not_in(members))
                      .order_by(col(Learner.last_seen_at).desc())).first()


def set_last_module(store: Store, learner_id: int, module_id: str) -> None:
    with store.session() as s:
        learner = s.get(Learner, learner_id)
        if learner is not None:
            learner.last_module_id = module_id
            learner.last_seen_at = utcnow()
            s.add(learner)
