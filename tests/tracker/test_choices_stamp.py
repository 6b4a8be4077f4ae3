"""The choices stamp: the database changes it whenever the action list's filter choices may change,
and the list keeps its choices only while it is unchanged (``tracker/choices_stamp.py``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, select, text, update
from sqlalchemy.orm import Session

from tests.conftest import app_config, is_postgres
from tests.tracker.conftest import _make_actions
from tracker import choices_stamp, create_app, db, services
from tracker.models import Action, ActionStatus, Committee, User, UserRole


def _stamp(connection: Connection | Session) -> str | None:
    return connection.execute(select(choices_stamp.CurrentStamp())).scalar_one()


def _owner_options(page: str) -> list[str]:
    owners = page.split('<select id="owner"', 1)[1].split("</select>", 1)[0]
    return re.findall(r"<option\s*(?:selected)?>([^<]*)</option>", owners)


def _committee_options(page: str) -> list[str]:
    committees = page.split('<select id="committee"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', committees)


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _changes(engine: Engine, ids: list[int]) -> list[tuple[str, bool]]:
    """Run each kind of write in a transaction of its own, and say whether it changed the stamp."""
    cases = [
        ("add a committee", insert(Committee).values(name="Stamped Committee")),
        (
            "rename a committee",
            update(Committee).where(Committee.name == "Stamped Committee").values(name="Renamed"),
        ),
        ("change an owner", update(Action).where(Action.id == ids[0]).values(owner="Someone Else")),
        (
            "change a status",
            update(Action).where(Action.id == ids[0]).values(status=ActionStatus.IN_PROGRESS),
        ),
        ("change a text", update(Action).where(Action.id == ids[0]).values(text="Reworded.")),
        ("delete an action", delete(Action).where(Action.id == ids[-1])),
        ("delete a committee", delete(Committee).where(Committee.name == "Renamed")),
    ]
    found = []
    for name, statement in cases:
        with engine.connect() as reader:
            before = _stamp(reader)
        with engine.begin() as writer:
            writer.execute(statement)
        with engine.connect() as reader:
            found.append((name, _stamp(reader) != before))
    return found


EXPECTED_CHANGES = [
    ("add a committee", True),
    ("rename a committee", True),
    ("change an owner", True),
    ("change a status", False),
    ("change a text", False),
    ("delete an action", True),
    ("delete a committee", True),
]


@pytest.fixture
def migrated(empty_database_url: str) -> Iterator[Engine]:
    """An engine on a database made by ``tracker init-db``'s migrations, where commits are real."""
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade_database(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def committed_app(migrated: Engine) -> Iterator[Flask]:
    """An app on :func:`migrated`: each request commits or rolls back a transaction of its own."""
    app = create_app(app_config(migrated.url.render_as_string(hide_password=False)))
    try:
        yield app
    finally:
        db.get_db(app).engine.dispose()


def test_the_stamp_changes_with_committees_and_owners_and_nothing_else(migrated: Engine) -> None:
    with Session(migrated) as session:
        ids = _make_actions(session, 3)
    with migrated.connect() as reader:
        assert _stamp(reader)
    assert _changes(migrated, ids) == EXPECTED_CHANGES


def test_a_migrated_database_has_the_same_triggers(migrated: Engine) -> None:
    """``tracker init-db``'s migrations make the rows and triggers that ``create_all()`` makes."""
    with migrated.connect() as connection:
        stamps = connection.execute(text("SELECT id, stamp FROM choices_stamp ORDER BY id")).all()
    assert [i for i, _ in stamps] == list(range(1, choices_stamp.SLOTS + 1))
    assert len({s for _, s in stamps}) == choices_stamp.SLOTS  # random, so all different
    with migrated.begin() as connection:
        connection.execute(insert(Committee).values(name="C"))
    with migrated.connect() as connection:
        assert _stamp(connection) not in (None, ",".join(s for _, s in stamps))


def test_the_list_keeps_its_choices_until_the_stamp_changes(committed_app: Flask, migrated: Engine) -> None:
    with db.get_db(committed_app).sessions() as session:
        ids = _make_actions(session, 6)
        staff = services.create_user(
            session, email="officer@example.org", name="Dee Officer", role=UserRole.STAFF, password="pw pw pw"
        )
        session.commit()
        staff_id = staff.id
    client = committed_app.test_client()
    with client.session_transaction() as cookie:
        cookie["user_id"] = staff_id
    engine = db.get_db(committed_app).engine
    with _statements(engine) as first:
        page = client.get("/actions").get_data(as_text=True)
    assert _owner_options(page) == [f"Officer {i}" for i in range(5)]
    with _statements(engine) as second:
        again = client.get("/actions").get_data(as_text=True)
    assert again == page
    assert len(second) == len(first) - 1
    assert not any("owners" in s for s in second)  # the filter choices' query was not run

    # A write that no request of this app made, straight in SQL: the database changed the stamp.
    with migrated.begin() as writer:
        writer.execute(update(Action).where(Action.id == ids[0]).values(owner="Chief Executive"))
        writer.execute(insert(Committee).values(name="Audit Committee"))
    page = client.get("/actions").get_data(as_text=True)
    assert "Chief Executive" in _owner_options(page)
    assert _committee_options(page) == ["Audit Committee", "Test Committee"]


def test_without_a_stamp_the_list_reads_its_choices_every_time(
    client: FlaskClient,
    connection: Connection,
    staff: User,
    login: Callable[[User], None],
    make_actions: Callable[..., list[int]],
) -> None:
    make_actions(2)
    connection.execute(text("DELETE FROM choices_stamp"))
    login(staff)
    for _ in range(2):
        with _statements(connection.engine) as seen:
            assert client.get("/actions").status_code == 200
        assert any("owners" in s for s in seen)


@pytest.mark.postgres
def test_a_transaction_writes_the_stamp_once(migrated: Engine) -> None:
    """Many changes, one statement each, rewrite the stamp row once: each rewrite leaves a row version
    that lives until the transaction ends, and thousands of them made bulk writes quadratic. Inside
    the transaction the stamp reads as None (nothing may be kept under it); other transactions see a
    new stamp once it commits."""
    with Session(migrated) as session:
        ids = _make_actions(session, 3)
    with migrated.connect() as reader:
        before = _stamp(reader)
    with migrated.begin() as writer:
        start = writer.execute(_REWRITES).scalar_one()
        assert _stamp(writer) == before
        for i in range(40):
            writer.execute(insert(Committee).values(name=f"Bulk {i}"))
            writer.execute(update(Action).where(Action.id == ids[i % 3]).values(owner=f"Owner {i}"))
        writer.execute(delete(Action).where(Action.id == ids[0]))
        assert writer.execute(_REWRITES).scalar_one() - start == 1
        assert _stamp(writer) is None
    with migrated.connect() as reader:
        assert _stamp(reader) not in (None, before)


@pytest.mark.postgres
def test_a_savepoint_rolled_back_takes_its_stamp_with_it(migrated: Engine) -> None:
    with migrated.connect() as reader:
        before = _stamp(reader)
    with migrated.begin() as writer:
        savepoint = writer.begin_nested()
        writer.execute(insert(Committee).values(name="Undone"))
        assert _stamp(writer) is None
        savepoint.rollback()
        assert _stamp(writer) == before  # no change of this transaction's is left
        writer.execute(insert(Committee).values(name="Kept"))
        assert _stamp(writer) is None
    with migrated.connect() as reader:
        assert _stamp(reader) not in (None, before)


_REWRITES = text("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relid = 'choices_stamp'::regclass")


@pytest.mark.postgres
def test_concurrent_writers_do_not_wait_for_each_other_on_the_stamp(empty_database_url: str) -> None:
    """Two transactions adding committees at once: the second takes another slot instead of waiting."""
    assert is_postgres(empty_database_url)
    engine = db.make_engine(empty_database_url)
    other = create_engine(engine.url)
    try:
        db.upgrade_database(engine)
        with engine.connect() as first, other.connect() as second:
            before = _stamp(first)
            first.execute(insert(Committee).values(name="First"))
            second.exec_driver_sql("SET lock_timeout = '2s'")  # waiting would fail the test, not hang it
            second.execute(insert(Committee).values(name="Second"))
            second.commit()
            after_second = _stamp(second)
            first.commit()
            after_both = _stamp(first)
        assert len({before, after_second, after_both}) == 3
    finally:
        other.dispose()
        engine.dispose()


def test_the_signed_in_account_statement_is_compiled_once() -> None:
    """Every page view runs it: it must have a cache key, or SQLAlchemy compiles it on each request."""
    assert services._SIGNED_IN_USER._generate_cache_key() is not None
