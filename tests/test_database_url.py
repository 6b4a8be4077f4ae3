"""The test database named by ``TRACKER_TEST_DATABASE_URL`` can be reached with its driver.

On the PostgreSQL pass of CI this proves psycopg 3 (the ``postgres`` extra) and the server work
before any model depends on them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text


def test_database_answers(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_uses_psycopg3(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
        assert version.split(".")[0].isdigit()
    finally:
        engine.dispose()
