"""Helpers for the tracker's tests: the seeds read and extracted once, and imported on demand."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from extract.records import Extraction
from extract.sources import SourceText
from tests.conftest import app_config
from tracker import create_app, db, services
from tracker.models import Base, MinuteItem, User, UserRole

SEED_2018 = "000_380f5c1928f18705.txt"
SEED_2017 = "001_5d45f58f76307487.txt"


@dataclass(frozen=True)
class Seed:
    """One seed file, read and extracted with its demo committee and meeting date."""

    path: Path
    committee: str
    meeting_date: date
    source: SourceText
    extraction: Extraction

    def import_into(self, session: Session, **changes: object) -> services.ImportResult:
        """Import this seed with :func:`services.import_minutes` (``changes`` override arguments)."""
        arguments = {
            "committee": self.committee,
            "meeting_date": self.meeting_date,
            "extraction": self.extraction,
            "source_text": self.source.text,
            "source_name": self.source.name,
            **changes,
        }
        return services.import_minutes(session, **arguments)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def seeds(seeds_dir: Path, seed_meetings: dict[str, dict[str, str]]) -> dict[str, Seed]:
    """Both seeds by file name, extracted once per test session (with their meeting dates)."""
    found = {}
    for name, meta in seed_meetings.items():
        path = seeds_dir / name
        when = date.fromisoformat(meta["date"])
        source = services.read_minutes(path)
        found[name] = Seed(
            path, meta["committee"], when, source, services.extract_source(source, meeting_date=when)
        )
    return found


@pytest.fixture(scope="session")
def seed_2017(seeds: dict[str, Seed]) -> Seed:
    """The 2017 briefing note (``001_…``): 8 resolutions, 7 actions."""
    return seeds[SEED_2017]


@pytest.fixture(scope="session")
def seed_2018(seeds: dict[str, Seed]) -> Seed:
    """The 2018 contract report (``000_…``), which the 2017 (6)(c) asked for: 3 resolutions, 4 actions."""
    return seeds[SEED_2018]


@pytest.fixture
def imported(session: Session, seeds: dict[str, Seed]) -> dict[str, MinuteItem]:
    """Both seeds imported and committed, the 2017 one twice: the demo database."""
    items = {name: seed.import_into(session).item for name, seed in seeds.items()}
    again = seeds[SEED_2017].import_into(session)
    assert not again.created
    session.commit()
    return items


@pytest.fixture
def staff(session: Session) -> User:
    """A committed staff user, to author action updates."""
    user = services.create_user(
        session,
        email="officer@example.org",
        name="Dee Officer",
        role=UserRole.STAFF,
        password="correct horse",
    )
    session.commit()
    return user


def _row_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


@pytest.fixture
def row_counts() -> Callable[[Session], dict[str, int]]:
    """``row_counts(session)``: rows in every tracker table, by table name."""
    return _row_counts


@pytest.fixture
def admin(session: Session) -> User:
    """A committed admin: manages accounts, and may do what staff do."""
    user = services.create_user(
        session, email="admin@example.org", name="Ada Admin", role=UserRole.ADMIN, password="admin pass"
    )
    session.commit()
    return user


@pytest.fixture
def member(session: Session) -> User:
    """A committed member: reads everything, changes nothing."""
    user = services.create_user(
        session, email="member@example.org", name="Mo Member", role=UserRole.MEMBER, password="member pass"
    )
    session.commit()
    return user


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], None]:
    """``login(user)``: sign the test client in as ``user`` (straight into the session cookie)."""

    def sign_in(user: User) -> None:
        with client.session_transaction() as cookie:
            cookie["user_id"] = user.id

    return sign_in


def _make_actions(
    session: Session, count: int, *, author: User | None = None, committee: str = "Test Committee"
) -> list[int]:
    """Add ``count`` open actions (varied owners and due dates) to a new meeting of ``committee``.

    Each action gets one update by ``author`` when given. Returns the actions' ids, in order.
    """
    from tracker.models import Action, ActionOrigin, ActionUpdate, Committee, Meeting

    found = session.scalar(select(Committee).where(Committee.name == committee))
    meeting = Meeting(
        committee=found or Committee(name=committee), date=date(2024, 1, 1) + timedelta(days=count)
    )
    text = " ".join(f"Officer {i} to report on item {i}." for i in range(count))
    item = MinuteItem(
        meeting=meeting,
        title=f"Generated item with {count} actions",
        source_text=text,
        text_sha256=services.text_sha256(text + str(count) + committee),
        extraction={},
    )
    session.add(item)
    at = 0
    for i in range(count):
        sentence = f"Officer {i} to report on item {i}."
        action = Action(
            position=i,
            text=sentence,
            owner=f"Officer {i % 5}",
            due_date=date(2020, 1, 1) + timedelta(days=60 * i) if i % 3 else None,
            origin=ActionOrigin.NARRATIVE,
            span_start=at,
            span_end=at + len(sentence),
        )
        at += len(sentence) + 1
        item.actions.append(action)
        if author is not None:
            action.updates.append(ActionUpdate(author=author, note=f"Started work on **{i}**."))
    session.commit()
    return [a.id for a in item.actions]


@pytest.fixture
def make_actions(session: Session) -> Callable[..., list[int]]:
    """``make_actions(count, author=None, committee="Test Committee")``: generated open actions, committed."""
    return functools.partial(_make_actions, session)


@pytest.fixture
def file_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a SQLite file with the schema in place (whatever the test database is): for what
    only a SQLite file has (its log, its durability settings)."""
    app = create_app(app_config(f"sqlite:///{tmp_path / 'tracker.sqlite3'}"))
    db.upgrade_database(db.get_db(app).engine)
    try:
        yield app
    finally:
        db.get_db(app).engine.dispose()
