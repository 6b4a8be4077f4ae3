"""Fixtures shared by every test: the seed minutes and the database URL the suite runs against.

``TRACKER_TEST_DATABASE_URL`` picks the database (unset: in-memory SQLite). CI runs the suite twice,
once on SQLite and once on PostgreSQL; tests marked ``postgres`` only run in the second pass.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
