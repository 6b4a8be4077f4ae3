"""A batch import's writer commits without syncing to disk; every other Session keeps the default.

SQLite: ``synchronous=NORMAL`` for the writer, FULL for everyone else. Each file stays its own
transaction. The level belongs to the pooled DBAPI connection, so the test checks that a web request
handed the same connection afterwards commits with FULL again; the writer's rarer checkpoints are
put back the same way. PostgreSQL: ``synchronous_commit=off`` for the writer's transactions only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from tracker import db

if TYPE_CHECKING:
    from conftest import Seed

FULL, NORMAL = 2, 1


def _level(session: Session) -> int:
    return session.execute(text("PRAGMA synchronous")).scalar_one()


def _settings(session: Session) -> dict[str, int]:
    return {name: session.execute(text(f"PRAGMA {name}")).scalar_one() for name in db.BATCH_PRAGMAS}


def _dbapi(session: Session) -> object:
    return session.connection().connection.dbapi_connection


def _postgresql_commit(session: Session) -> str:
    return session.execute(text("SHOW synchronous_commit")).scalar_one()


@pytest.mark.postgres
def test_on_postgresql_only_the_batch_writers_transactions_commit_asynchronously(empty_app: Flask) -> None:
    db.upgrade_database(db.get_db(empty_app).engine)
    sessions = db.get_db(empty_app).sessions
    with sessions() as plain:
        assert _postgresql_commit(plain) == "on"
    writer = db.batch_writer(sessions())
    assert _postgresql_commit(writer) == "off"
    used = _dbapi(writer)
    writer.commit()
    assert _postgresql_commit(writer) == "off"  # every transaction of the writer
    writer.rollback()
    assert _postgresql_commit(writer) == "off"  # after a rolled-back file too
    writer.close()
    with empty_app.test_request_context("/", method="POST"):
        request_session = db.get_session()
        assert _dbapi(request_session) is used  # the pool's connection, handed on
        assert _postgresql_commit(request_session) == "on"


def test_the_batch_writer_commits_with_normal_and_requests_keep_full(file_app: Flask) -> None:
    with db.get_db(file_app).sessions() as plain:
        before = _settings(plain)
    assert before["synchronous"] == FULL
    writer = db.batch_writer(db.get_db(file_app).sessions())
    assert _level(writer) == NORMAL
    assert _settings(writer) == db.BATCH_PRAGMAS != before
    used = _dbapi(writer)
    writer.commit()
    assert _level(writer) == NORMAL  # every transaction of the writer, not only the first
    writer.close()
    for method in ("POST", "GET"):
        with file_app.test_request_context("/", method=method):
            request_session = db.get_session()
            assert _dbapi(request_session) is used  # the pool's only connection, handed on
            assert _level(request_session) == FULL
            assert _settings(request_session) == before
    again = db.batch_writer(db.get_db(file_app).sessions())
    assert _level(again) == NORMAL
    again.close()


def test_a_session_in_a_transaction_cannot_become_a_batch_writer(file_app: Flask) -> None:
    with db.get_db(file_app).sessions() as session:
        session.connection()
        with pytest.raises(ValueError, match="between transactions"):
            db.batch_writer(session)


def test_tracker_import_writes_each_file_in_its_own_normal_transaction(
    file_app: Flask, tmp_path: Path, seed_2017: Seed, seed_2018: Seed
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, seed in (("a.txt", seed_2017), ("b.txt", seed_2018)):
        (folder / name).write_text(seed.source.text, encoding="utf-8")
    engine = db.get_db(file_app).engine
    pragmas: list[str] = []
    commits: list[int] = []

    def statement(conn, cursor, sql, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if sql.startswith("PRAGMA synchronous"):
            pragmas.append(sql)

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", lambda conn: commits.append(1))
    result = file_app.test_cli_runner().invoke(args=["import", str(folder), "--committee", "Cabinet"])
    assert result.exit_code == 0, result.output
    assert "Imported 2," in result.output
    assert pragmas[-1] == f"PRAGMA synchronous={NORMAL}"
    assert len(commits) == 2  # one transaction per file
    with file_app.test_request_context("/", method="POST"):
        assert _level(db.get_session()) == FULL
