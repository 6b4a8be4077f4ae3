"""Migrations: an empty database upgrades to head and then matches the models exactly.

Runs on SQLite and, with ``TRACKER_TEST_DATABASE_URL`` set, on PostgreSQL (in a schema of its own).
If this fails after a model change, write the migration: ``alembic revision --autogenerate -m "..."``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.schema import CreateTable

from tracker import db
from tracker.errors import DatabaseSchemaError
from tracker.models import Base

TABLES = {t.name for t in Base.metadata.sorted_tables}


@pytest.fixture
def engine(empty_database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(empty_database_url)
    yield engine
    engine.dispose()


def _differences(engine: Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=dict(db.MIGRATION_OPTIONS))
        return compare_metadata(context, Base.metadata)


def test_there_is_one_linear_history() -> None:
    script = ScriptDirectory.from_config(db.alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_current_head() == db.head_revision()
    assert [rev.down_revision for rev in script.walk_revisions()][-1] is None


def test_upgrade_from_empty_to_head_matches_the_models(engine: Engine) -> None:
    assert db.upgrade_database(engine) == (None, db.head_revision())
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    assert _differences(engine) == []
    with engine.connect() as conn:
        assert db.current_revision(conn) == db.head_revision()
        assert db.schema_problem(conn) is None


def test_upgrade_again_changes_nothing(engine: Engine) -> None:
    head = db.head_revision()
    db.upgrade_database(engine)
    assert db.upgrade_database(engine) == (head, head)
    assert _differences(engine) == []


def test_downgrade_to_base_removes_everything_and_upgrade_restores_it(engine: Engine) -> None:
    db.upgrade_database(engine)
    with engine.begin() as conn:
        command.downgrade(db.alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    db.upgrade_database(engine)
    assert _differences(engine) == []


def test_the_constraints_the_models_declare_are_in_the_migrated_database(engine: Engine) -> None:
    """Autogenerate does not compare CHECK constraints; check their names by hand."""
    db.upgrade_database(engine)
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=engine.dialect))
        declared = set(re.findall(r"CONSTRAINT (ck_\w+) CHECK", ddl))
        assert declared or table.name in ("committee", "meeting", "person"), table.name
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert declared == found, table.name


def test_an_empty_database_is_reported_as_such(engine: Engine) -> None:
    with engine.connect() as conn:
        assert db.current_revision(conn) is None
        assert "run `tracker init-db` first" in db.schema_problem(conn)


def test_a_schema_made_without_migrations_is_refused(engine: Engine) -> None:
    Base.metadata.create_all(engine)
    with pytest.raises(DatabaseSchemaError, match="no migration history"):
        db.upgrade_database(engine)


def test_an_unknown_revision_is_reported(engine: Engine) -> None:
    db.upgrade_database(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfeedbeef'")
    with engine.connect() as conn:
        assert "does not know" in db.schema_problem(conn)
