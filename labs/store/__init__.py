"""The progress store: SQLModel on SQLite (WAL, busy timeout) or PostgreSQL via DATABASE_URL."""

from labs.store.db import SCHEMA_VERSION, Store, StoreError, data_dir, database_url
from labs.store.learners import get_or_create_learner, most_recent_learner, set_last_module

__all__ = [
    "SCHEMA_VERSION",
    "Store",
    "StoreError",
    "data_dir",
    "database_url",
    "get_or_create_learner",
    "most_recent_learner",
    "set_last_module",
]
