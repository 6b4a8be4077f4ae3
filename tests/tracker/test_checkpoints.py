"""A batch writer's SQLite log is copied back into the database file by a thread beside it.

The thread must copy while the writer commits (the database file then holds the commits without its
log), must not make the batch's kept candidates look stale (another connection's checkpoint is not
a write), and must exist only for a batch writer on a SQLite file.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from tracker import candidates, checkpoints, db


def _write(session: Session, n: int) -> None:
    for i in range(n):
        session.execute(
            text("INSERT INTO committee (name, created_at) VALUES (:name, CURRENT_TIMESTAMP)"),
            {"name": f"Committee {i} " + "x" * 150},
        )
        session.commit()


def _in_database_file(app: Flask) -> int:
    """Committees in the database file itself, its log ignored (``immutable``: the file alone)."""
    path = db.get_db(app).engine.url.database
    reader = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return reader.execute("SELECT count(*) FROM committee").fetchone()[0]
    finally:
        reader.close()


def _wait_for(checkpointer: checkpoints.Checkpointer, runs: int) -> None:
    deadline = time.monotonic() + 10
    while checkpointer.runs < runs and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpointer.runs >= runs


def test_the_thread_copies_the_log_back_while_the_writer_commits(
    file_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "INTERVAL", 0.01)
    writer = db.batch_writer(db.get_db(file_app).sessions())
    with checkpoints.beside(writer) as checkpointer:
        assert checkpointer is not None
        _write(writer, 50)
        _wait_for(checkpointer, checkpointer.runs + 2)  # a whole run after the last commit
        assert _in_database_file(file_app) == 50  # copied back: the log is not read here
    assert not checkpointer._thread.is_alive()
    with db.get_db(file_app).sessions() as reader:
        assert reader.scalar(text("SELECT count(*) FROM committee")) == 50
    writer.close()


def test_a_checkpoint_by_the_thread_keeps_the_batchs_candidates(
    file_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PRAGMA data_version`` moves when another connection writes; a checkpoint must not move it."""
    monkeypatch.setattr(checkpoints, "INTERVAL", 0.01)
    writer = db.batch_writer(db.get_db(file_app).sessions())
    candidates.keep(writer)
    with checkpoints.beside(writer) as checkpointer:
        assert checkpointer is not None
        _write(writer, 20)
        before = candidates._state(writer)
        writer.commit()
        _wait_for(checkpointer, checkpointer.runs + 2)
        assert candidates._state(writer) == before
        writer.commit()
    writer.close()


def test_only_a_batch_writer_on_a_sqlite_file_gets_the_thread(file_app: Flask, tmp_path: Path) -> None:
    with db.get_db(file_app).sessions() as plain, checkpoints.beside(plain) as checkpointer:
        assert checkpointer is None  # a web request's or a command's Session
    memory = db.make_engine("sqlite://")
    with Session(db.batch_bind(memory)) as writer, checkpoints.beside(writer) as checkpointer:
        assert checkpointer is None  # no log to copy
    memory.dispose()
    engine = db.get_db(file_app).engine
    with engine.connect() as connection, Session(bind=connection) as bound:
        with checkpoints.beside(bound) as checkpointer:
            assert checkpointer is None  # bound to one connection (tests): left as it is
