"""Open the progress database: SQLite in the data folder by default, any SQLAlchemy URL
through DATABASE_URL (PostgreSQL with `postgresql+psycopg://`).

Opening checks the schema version and upgrades an older database in place, one numbered
migration at a time, inside a transaction, so no row is lost. Problems surface as
`StoreError` with a message a learner can act on, never as a driver traceback.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlmodel import Session, SQLModel, create_engine

from labs.store import models

T = TypeVar("T")

SCHEMA_VERSION = 4
SQLITE_BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The database cannot be opened or written; the message says where and what to do."""


def data_dir() -> Path:
    """AIE_BRIDGE_DATA_DIR, else $XDG_DATA_HOME/aie-bridge, else ~/.local/share/aie-bridge."""
    if env := os.environ.get("AIE_BRIDGE_DATA_DIR"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "aie-bridge"


def database_url() -> str:
    if url := os.environ.get("DATABASE_URL"):
        return url
    return f"sqlite:///{data_dir() / 'aie-bridge.db'}"


def _add_learner_last_module(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE learner ADD COLUMN last_module_id VARCHAR(64)"))


def _add_quiz_attempt_workshop(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE quiz_attempt ADD COLUMN workshop_id INTEGER"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_quiz_attempt_workshop_id "
                      "ON quiz_attempt (workshop_id)"))


def _add_workshop_member_name_key(conn: Connection) -> None:
    """Look-alike keys for existing members: their lower-cased name, made unique per workshop
    (a later duplicate gets its id appended) so the new unique index can be built."""
    if "workshop_member" not in inspect(conn).get_table_names():
        return  # created whole by create_all below
    conn.execute(text("ALTER TABLE workshop_member ADD COLUMN name_key VARCHAR(80)"))
    conn.execute(text("UPDATE workshop_member SET name_key = lower(display_name)"))
    conn.execute(text(
        "UPDATE workshop_member SET name_key = name_key || '#' || CAST(id AS VARCHAR(12)) "
        "WHERE id NOT IN (SELECT min(id) FROM workshop_member GROUP BY workshop_id, name_key)"))
    conn.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS ux_workshop_member_name_key "
                      "ON workshop_member (workshop_id, name_key)"))


# MIGRATIONS[v] upgrades a database at version v - 1 to version v.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    2: _add_learner_last_module,
    3: _add_quiz_attempt_workshop,
    4: _add_workshop_member_name_key,
}


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # Let SQLAlchemy's "begin" event open transactions (below) instead of the driver.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _redact(url: str) -> str:
    """The URL without its password, fit for an error message."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable DATABASE_URL>"


class Store:
    """One engine per database URL; sessions are short and per call."""

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        self.is_sqlite = self.url.startswith("sqlite")
        self.engine = self._open()

    def _open(self) -> Engine:
        where = _redact(self.url)
        if self.is_sqlite:
            path = Path(self.url.removeprefix("sqlite:///"))
            if self.url != "sqlite://" and ":memory:" not in self.url:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as e:
                    raise StoreError(
                        f"Cannot create the data folder {path.parent}: {e.strerror}. "
                        "Set AIE_BRIDGE_DATA_DIR to a folder you can write to."
                    ) from e
        try:
            engine = create_engine(
                self.url,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
                if self.is_sqlite
                else {},
                pool_pre_ping=not self.is_sqlite,
            )
        except (SQLAlchemyError, ImportError, ValueError) as e:
            raise StoreError(f"Cannot use the database {where}: {e}") from e
        if self.is_sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
            # BEGIN IMMEDIATE takes the write lock up front, so a busy database makes the
            # writer wait (busy_timeout) instead of failing on a read-to-write upgrade.
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        try:
            self._upgrade(engine)
        except (DatabaseError, OperationalError) as e:
            engine.dispose()
            reason = str(getattr(e, "orig", e)).strip()
            hint = (
                "The file is not a database this app can read: move it aside (it is kept as is) "
                "and restart to begin a fresh one, or set AIE_BRIDGE_DATA_DIR to another folder."
                if "not a database" in reason or "malformed" in reason
                else "Check that the file and its folder are writable, or set "
                "AIE_BRIDGE_DATA_DIR to a folder you can write to."
                if self.is_sqlite
                else "Check DATABASE_URL and that the server is reachable."
            )
            raise StoreError(f"Cannot open the progress database {where} ({reason}). {hint}") from e
        return engine

    def _upgrade(self, engine: Engine) -> None:
        with engine.begin() as conn:
            tables = set(inspect(conn).get_table_names())
            if "learner" not in tables:
                version = SCHEMA_VERSION  # a fresh database starts at the current shape
            elif "schema_info" in tables:
                row = conn.execute(text("SELECT version FROM schema_info WHERE id = 1")).first()
                version = row[0] if row else 1
            else:
                version = 1
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The progress database {_redact(self.url)} was written by a newer AIE Bridge "
                    f"(schema v{version}, this one knows v{SCHEMA_VERSION}). Upgrade the app."
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](conn)
            SQLModel.metadata.create_all(conn)
            conn.execute(text("DELETE FROM schema_info"))
            conn.execute(
                text("INSERT INTO schema_info (id, version) VALUES (1, :v)"), {"v": SCHEMA_VERSION}
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success; write failures become StoreError."""
        with Session(self.engine, expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except OperationalError as e:
                s.rollback()
                raise StoreError(f"Could not save to the progress database: {e.orig}") from e

    def write(self, fn: Callable[[Session], T], attempts: int = 5) -> T:
        """Run `fn` in a transaction, retrying when the database reports it is busy."""
        for attempt in range(1, attempts + 1):
            try:
                with Session(self.engine, expire_on_commit=False) as s:
                    result = fn(s)
                    s.commit()
                    return result
            except OperationalError as e:
                busy = any(w in str(e.orig).lower() for w in ("locked", "busy", "deadlock",
                                                               "could not serialize"))
                if not busy or attempt == attempts:
                    raise StoreError(f"Could not save to the progress database: {e.orig}") from e
                time.sleep(0.05 * 2**attempt * (0.5 + random.random()))
        raise AssertionError("unreachable")

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT version FROM schema_info WHERE id = 1")).scalar_one()


__all__ = ["Store", "StoreError", "SCHEMA_VERSION", "data_dir", "database_url", "models"]
