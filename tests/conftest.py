"""Fixtures shared by every test: the seed minutes, the database, and the app around it.

``TRACKER_TEST_DATABASE_URL`` picks the database (unset: in-memory SQLite). CI runs the suite twice,
once on SQLite and once on PostgreSQL; tests marked ``postgres`` only run in the second pass.

Database tests are isolated the SQLAlchemy way ("Joining a Session into an External Transaction"):
each test gets one connection inside a transaction that is rolled back afterwards, and every Session
the app or the test opens is bound to it with ``join_transaction_mode="create_savepoint"``, so code
under test may commit and roll back as it likes. On SQLite each test also gets a new in-memory
database with ``create_all()``; on PostgreSQL the tables are made once per test session, in a schema
of their own (``tracker_test_<random>``, dropped at the end) so that nothing else in the database is
touched. Tests of ``tracker init-db`` and of the migrations get an empty database of their own.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker import create_app
from tracker.db import get_db, make_engine, stamp_head
from tracker.models import Base

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "seeds"
DEFAULT_DATABASE_URL = "sqlite://"


def database_url_from_env() -> str:
    """The URL tests use: ``TRACKER_TEST_DATABASE_URL``, or in-memory SQLite when unset or blank."""
    return os.environ.get("TRACKER_TEST_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL


def is_postgres(url: str) -> bool:
    """True for ``postgresql://`` and ``postgresql+driver://`` URLs."""
    return url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``@pytest.mark.postgres`` tests unless the test database is PostgreSQL."""
    if is_postgres(database_url_from_env()):
        return
    reason = "needs TRACKER_TEST_DATABASE_URL=postgresql+psycopg://..."
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The ``seeds/`` directory: the seed minutes, byte for byte."""
    return SEEDS_DIR


@pytest.fixture(scope="session")
def seed_texts(seeds_dir: Path) -> dict[str, str]:
    """Each seed's text by file name (``000_….txt``), in sorted order."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))}


@pytest.fixture(scope="session")
def database_url() -> str:
    """The SQLAlchemy URL of the test database (``sqlite://`` unless the environment names one)."""
    return database_url_from_env()


@pytest.fixture(scope="session")
def seed_meetings(seeds_dir: Path) -> dict[str, dict[str, str]]:
    """``seeds/meetings.json``: each seed's committee and meeting date (demo metadata)."""
    return json.loads((seeds_dir / "meetings.json").read_text(encoding="utf-8"))


# --- databases ------------------------------------------------------------------------------------


def url_with_schema(url: str, schema: str) -> str:
    """A PostgreSQL URL whose connections work in ``schema`` (``search_path``) and nowhere else."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """Create an empty schema, yield a URL that uses it, then drop it with everything in it."""
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        yield url_with_schema(url, name)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_engine(database_url: str) -> Iterator[Engine | None]:
    """On PostgreSQL: an engine on this run's own schema, with the tables made once. Else None."""
    if not is_postgres(database_url):
        yield None
        return
    with postgres_schema(database_url) as url:
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                Base.metadata.create_all(conn)
                stamp_head(conn)
            yield engine
        finally:
            engine.dispose()


@pytest.fixture
def connection(database_url: str, _postgres_engine: Engine | None) -> Iterator[Connection]:
    """One connection in a transaction that is rolled back after the test, with the tables in place."""
    engine = _postgres_engine or make_engine(database_url)
    conn = engine.connect()
    outer = conn.begin()
    if _postgres_engine is None:
        Base.metadata.create_all(conn)
        stamp_head(conn)
    try:
        yield conn
    finally:
        if outer.is_active:
            outer.rollback()
        conn.close()
        if _postgres_engine is None:
            engine.dispose()


def app_config(database_url: str, **extra: Any) -> dict[str, Any]:
    """The settings every test app gets: testing on, a fixed secret key, the given database.

    CSRF checks are off so that tests can post forms directly; ``tests/tracker/test_auth.py`` turns
    them on to check that every form needs its token.
    """
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        **extra,
    }


@pytest.fixture
def app(connection: Connection) -> Flask:
    """The app, its Sessions bound to the test's connection (see the module docstring)."""
    app = create_app(app_config(connection.engine.url.render_as_string(hide_password=False)))
    database = get_db(app)
    for factory in {database.sessions, database.readers}:  # the same factory on SQLite
        factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    return app


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A Session of the app's, for arranging and checking data; commits only reach a savepoint."""
    with get_db(app).sessions() as s:
        yield s


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Invokes the app's commands: ``runner.invoke(args=["actions", "--format", "json"])``."""
    return app.test_cli_runner()


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema (dropped after)."""
    if is_postgres(database_url):
        with postgres_schema(database_url) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.fixture
def empty_app(empty_database_url: str) -> Iterator[Flask]:
    """An app on :func:`empty_database_url`, using its own engine (no test transaction)."""
    app = create_app(app_config(empty_database_url))
    try:
        yield app
    finally:
        get_db(app).engine.dispose()
