"""Models: names and vocabularies, what the database enforces, UTC times, versions, append-only history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, UniqueConstraint, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from extract.records import CAPACITIES, KINDS, ORIGINS
from tracker import services
from tracker.models import (
    NAMING_CONVENTION,
    OPEN_STATUSES,
    Action,
    ActionOrigin,
    ActionStatus,
    ActionUpdate,
    Base,
    Capacity,
    CloseReason,
    Committee,
    Meeting,
    MinuteItem,
    ResolutionKind,
    User,
    utcnow,
)


def test_enums_share_the_extractors_vocabulary() -> None:
    assert tuple(k.value for k in ResolutionKind) == KINDS
    assert tuple(o.value for o in ActionOrigin) == ORIGINS
    assert tuple(c.value for c in Capacity) == CAPACITIES
    assert set(OPEN_STATUSES) == set(ActionStatus) - {ActionStatus.CLOSED}
    assert [r.value for r in CloseReason] == ["completed", "superseded", "withdrawn"]


def test_every_constraint_and_index_is_named_by_the_convention() -> None:
    prefixes = {f"{key}_" for key in NAMING_CONVENTION}
    for table in Base.metadata.sorted_tables:
        for item in [*table.constraints, *table.indexes]:
            assert item.name and str(item.name)[:3] in prefixes, f"{table.name}: {item!r}"


def test_the_indexes_we_rely_on_exist() -> None:
    tables = Base.metadata.tables
    action_indexes = {tuple(c.name for c in ix.columns) for ix in tables["action"].indexes}
    assert ("status", "due_date") in action_indexes
    uniques = {
        (table.name, tuple(c.name for c in uc.columns))
        for table in Base.metadata.sorted_tables
        for uc in table.constraints
        if isinstance(uc, UniqueConstraint)
    }
    assert {("committee", ("name",)), ("minute_item", ("text_sha256",)), ("user", ("email",))} <= uniques


def test_timestamp_defaults_are_called_per_row_not_frozen() -> None:
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if column.name.endswith("_at") and column.default is not None:
                assert column.default.is_callable, f"{table.name}.{column.name}"


def test_times_come_back_aware_in_utc(session: Session) -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    committee = Committee(name="Audit Committee", created_at=dt.datetime(2019, 3, 14, 12, 0, tzinfo=plus_two))
    session.add(committee)
    session.commit()
    session.expire_all()
    stored = session.get(Committee, committee.id)
    assert stored.created_at == dt.datetime(2019, 3, 14, 10, 0, tzinfo=dt.UTC)
    assert stored.created_at.utcoffset() == dt.timedelta(0)
    assert utcnow().tzinfo is dt.UTC


def test_naive_times_are_refused(session: Session) -> None:
    session.add(Committee(name="Audit Committee", created_at=dt.datetime(2019, 3, 14, 12, 0)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()


def test_foreign_keys_are_enforced(session: Session) -> None:
    """On SQLite too: db.make_engine turns ``PRAGMA foreign_keys`` on."""
    session.add(Meeting(committee_id=999_999, date=dt.date(2019, 3, 14)))
    with pytest.raises(IntegrityError):
        session.flush()


def test_a_closed_action_needs_a_reason_in_the_database(session: Session, imported) -> None:
    action = session.scalars(select(Action)).first()
    action.status = ActionStatus.CLOSED  # bypassing services: the CHECK constraint still holds
    with pytest.raises(IntegrityError):
        session.flush()


def test_unknown_enum_values_are_refused(session: Session, imported) -> None:
    action_id = session.scalars(select(Action.id)).first()
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE action SET status = 'finished' WHERE id = :id"), {"id": action_id})


def test_the_version_goes_up_on_every_change_of_the_row(session: Session, imported) -> None:
    action = session.scalars(select(Action)).first()
    assert action.version == 1
    action.owner = "the Director"
    session.commit()
    assert action.version == 2
    action.due_text = "next month"
    session.flush()
    assert action.version == 3


def test_action_updates_are_append_only(session: Session, imported, staff: User) -> None:
    action = session.scalars(select(Action)).first()
    update = services.add_update(session, action.id, author=staff, note="First note.")
    session.commit()
    update.note = "Rewritten history."
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(session.get(ActionUpdate, update.id))
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()


def test_minute_item_text_is_unique(session: Session, imported) -> None:
    item = session.scalars(select(MinuteItem)).first()
    session.add(
        MinuteItem(
            meeting=item.meeting,
            source_text=item.source_text,
            text_sha256=item.text_sha256,
            extraction=item.extraction,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_reprs_are_short(session: Session, imported, staff: User) -> None:
    action = session.scalars(select(Action)).first()
    update = services.add_update(session, action.id, author=staff, note="n")
    objects = [
        action,
        update,
        staff,
        action.minute_item,
        action.minute_item.meeting,
        action.minute_item.meeting.committee,
        *action.minute_item.attendances[:1],
        *action.minute_item.resolutions[:1],
        action.minute_item.attendances[0].person,
    ]
    for obj in objects:
        assert repr(obj).startswith(f"<{type(obj).__name__} ") and len(repr(obj)) < 120


@pytest.mark.postgres
def test_the_suite_really_runs_on_postgresql_in_its_own_schema(connection: Connection) -> None:
    assert connection.dialect.name == "postgresql"
    schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
    assert schema.startswith("tracker_test_")
    tables = set(
        connection.exec_driver_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).scalars()
    )
    assert {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"} == tables
