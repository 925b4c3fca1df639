"""The progress store: fresh databases, upgrades from an older schema, and clear errors."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from labs.store import SCHEMA_VERSION, Store, StoreError, get_or_create_learner
from labs.store.models import Learner, QuizAttempt

V1_SCHEMA = """
CREATE TABLE learner (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL UNIQUE,
    created_at DATETIME NOT NULL, last_seen_at DATETIME NOT NULL);
CREATE TABLE quiz_attempt (id INTEGER PRIMARY KEY, learner_id INTEGER NOT NULL
    REFERENCES learner(id), module_id VARCHAR(64) NOT NULL, question_id VARCHAR(64) NOT NULL,
    chosen INTEGER NOT NULL, correct BOOLEAN NOT NULL, created_at DATETIME NOT NULL);
CREATE TABLE card_state (id INTEGER PRIMARY KEY, learner_id INTEGER NOT NULL, card_id VARCHAR(96)
    NOT NULL, module_id VARCHAR(64), source VARCHAR(24) NOT NULL, front VARCHAR, back VARCHAR,
    fsrs_json VARCHAR, due DATETIME NOT NULL, reviews INTEGER NOT NULL,
    UNIQUE (learner_id, card_id));
CREATE TABLE review_entry (id INTEGER PRIMARY KEY, learner_id INTEGER NOT NULL, card_id
    VARCHAR(96) NOT NULL, rating INTEGER NOT NULL, reviewed_at DATETIME NOT NULL,
    log_json VARCHAR NOT NULL);
CREATE TABLE module_progress (id INTEGER PRIMARY KEY, learner_id INTEGER NOT NULL, module_id
    VARCHAR(64) NOT NULL, lesson_read_at DATETIME, completed_at DATETIME,
    UNIQUE (learner_id, module_id));
CREATE TABLE schema_info (id INTEGER PRIMARY KEY, version INTEGER NOT NULL);
INSERT INTO schema_info VALUES (1, 1);
INSERT INTO learner VALUES (1, 'Ada', '2026-01-02 10:00:00', '2026-01-03 10:00:00');
INSERT INTO learner VALUES (2, 'Grace', '2026-01-02 11:00:00', '2026-01-02 11:00:00');
INSERT INTO quiz_attempt VALUES (1, 1, 'rag', 'rag-q1', 2, 1, '2026-01-02 10:05:00');
INSERT INTO quiz_attempt VALUES (2, 1, 'rag', 'rag-q2', 0, 0, '2026-01-02 10:06:00');
INSERT INTO quiz_attempt VALUES (3, 2, 'evals', 'evals-q1', 1, 0, '2026-01-02 11:05:00');
"""


def test_fresh_database_is_created_at_the_current_schema(isolated_data_dir: Path):
    store = Store()
    assert store.schema_version() == SCHEMA_VERSION
    assert (isolated_data_dir / "aie-bridge.db").exists()
    with sqlite3.connect(isolated_data_dir / "aie-bridge.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_v1_database_is_upgraded_without_losing_a_row(tmp_path: Path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_SCHEMA)
    store = Store(f"sqlite:///{path}")
    assert store.schema_version() == SCHEMA_VERSION == 4
    with store.session() as s:
        learners = s.exec(select(Learner).order_by(Learner.id)).all()
        attempts = s.exec(select(QuizAttempt).order_by(QuizAttempt.id)).all()
    assert [(x.id, x.name, x.last_module_id) for x in learners] == [
        (1, "Ada", None), (2, "Grace", None)]
    assert [(a.question_id, a.chosen, a.correct, a.workshop_id) for a in attempts] == [
        ("rag-q1", 2, True, None), ("rag-q2", 0, False, None), ("evals-q1", 1, False, None)]
    # the new column is usable after the upgrade, and reopening is a no-op
    from labs.store import set_last_module

    set_last_module(store, 1, "rag")
    again = Store(f"sqlite:///{path}")
    with again.session() as s:
        assert s.get(Learner, 1).last_module_id == "rag"


def test_database_from_a_newer_app_is_refused_clearly(tmp_path: Path):
    path = tmp_path / "new.db"
    Store(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_info SET version = 99")
    with pytest.raises(StoreError, match="newer AIE Bridge"):
        Store(f"sqlite:///{path}")


def test_corrupt_database_file_gives_an_actionable_error_and_is_left_alone(tmp_path: Path):
    path = tmp_path / "broken.db"
    garbage = b"this is not sqlite at all" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as e:
        Store(f"sqlite:///{path}")
    assert "not a database" in str(e.value) and "move it aside" in str(e.value)
    assert path.read_bytes() == garbage


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_unwritable_data_folder_gives_an_actionable_error(tmp_path: Path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(StoreError, match="AIE_BRIDGE_DATA_DIR"):
        Store(f"sqlite:///{ro / 'sub' / 'x.db'}")


def test_data_folder_that_is_a_file_gives_an_actionable_error(tmp_path: Path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(StoreError, match="Cannot create the data folder"):
        Store(f"sqlite:///{blocker / 'aie-bridge.db'}")


def test_learner_names_are_trimmed_and_reused():
    store = Store()
    a = get_or_create_learner(store, "  Ada   Lovelace ")
    b = get_or_create_learner(store, "Ada Lovelace")
    assert a.id == b.id and b.name == "Ada Lovelace"
    with pytest.raises(ValueError, match="empty"):
        get_or_create_learner(store, "   ")
