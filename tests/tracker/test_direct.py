"""Statements run straight on the DBAPI cursor send, store and return what SQLAlchemy would.

``tracker.direct`` skips SQLAlchemy's per-statement layers for the import's hot path; these tests
hold it to SQLAlchemy's own behaviour on the test database (SQLite, or PostgreSQL when configured):
the same converted values back (dates, timestamps, enums, JSON), the same rows written, the same
exceptions, and statements still visible to anyone listening for them.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import bindparam, event, exc, insert, literal_column, select, update
from sqlalchemy.orm import Session

from tracker import direct
from tracker.models import (
    Action,
    ActionStatus,
    FollowUpLink,
    LinkStatus,
    Meeting,
    MinuteItem,
    Resolution,
    ResolutionKind,
    utcnow,
)

ITEM_COLUMNS = (
    MinuteItem.id,
    MinuteItem.title,
    MinuteItem.extraction,
    MinuteItem.review_state,
    MinuteItem.imported_at,
    MinuteItem.item_version,
    Meeting.date,
)
ITEMS_OF_DAY = (
    select(*ITEM_COLUMNS)
    .join(Meeting, MinuteItem.meeting_id == Meeting.id)
    .where(Meeting.date >= bindparam("since"))
    .order_by(MinuteItem.id)
)


def _resolution(item_id: int, position: int) -> dict[str, Any]:
    return {
        "minute_item_id": item_id,
        "position": position,
        "label": f"({position})",
        "text": f"Clause “{position}” — noted",
        "kind": ResolutionKind.DECISION,
        "needs_followup": position % 2 == 0,
        "owner": None if position % 3 else "officers",
        "due_text": "by March 2019" if position % 2 else None,
        "due_date": date(2019, 3, 31) if position % 2 else None,
        "span_start": position,
        "span_end": position + 10,
    }


def _written(session: Session, item_id: int, positions: range) -> list[tuple[Any, ...]]:
    columns = [c for c in Resolution.__table__.c if c.key != "id"]
    return [
        tuple(row)
        for row in session.execute(
            select(*columns)
            .where(Resolution.minute_item_id == item_id, Resolution.position.in_(list(positions)))
            .order_by(Resolution.position)
        )
    ]


def test_rows_come_back_converted_as_sqlalchemy_converts_them(
    session: Session, imported: dict[str, MinuteItem]
) -> None:
    params = {"since": date(2000, 1, 1)}
    expected = [tuple(row) for row in session.execute(ITEMS_OF_DAY, params)]
    got = direct.Statement(ITEMS_OF_DAY).rows(session, params)
    assert got == expected and len(got) == len(imported)
    item_id, _, extraction, review_state, imported_at, version, when = got[0]
    assert isinstance(extraction, dict) and extraction["schema"] == "minutes-extract/1"
    assert isinstance(when, date) and imported_at.tzinfo is not None
    assert review_state.__class__.__name__ == "ReviewState" and version == 1
    # literal values in the statement (an enum here) are sent as SQLAlchemy sends them
    open_actions = select(Action.id).where(Action.status != ActionStatus.CLOSED).order_by(Action.id)
    assert direct.Statement(open_actions).scalars(session, {}) == list(session.scalars(open_actions))


def test_a_parameter_used_twice_and_a_literal_percent_sign_survive_numbering(
    session: Session, imported: dict[str, MinuteItem]
) -> None:
    """On PostgreSQL the SQL is numbered for psycopg's RawCursor: a name used twice keeps one number,
    and an escaped ``%`` becomes a plain one again; both dialects answer as SQLAlchemy does."""
    statement = (
        select(MinuteItem.id)
        .where(
            (MinuteItem.id >= bindparam("low")) | (MinuteItem.title.like(literal_column("'%Contract%'"))),
            MinuteItem.id <= bindparam("low") + 1000,
            MinuteItem.title.like("%" + bindparam("word") + "%"),
        )
        .order_by(MinuteItem.id)
    )
    params = {"low": min(item.id for item in imported.values()), "word": "e"}
    expected = list(session.scalars(statement, params))
    assert direct.Statement(statement).scalars(session, params) == expected and expected
    plan = direct.Statement(statement).plan(session.get_bind().dialect)
    if plan.cursor is not None:
        assert "%(" not in plan.sql and "'%Contract%'" in plan.sql and plan.sql.count("$1") == 2


def test_insert_rows_writes_what_sqlalchemy_writes(session: Session, imported: dict[str, MinuteItem]) -> None:
    item_id = next(iter(imported.values())).id
    table = Resolution.__table__
    ours = [_resolution(item_id, p) for p in range(100, 350)]  # more than one statement's worth
    theirs = [_resolution(item_id, p) | {"position": p + 1000} for p in range(100, 350)]
    returned = direct.insert_rows(session, table, ours, returning=("id", "position"))
    session.execute(insert(table), theirs)
    assert sorted(p for _, p in returned) == list(range(100, 350))
    assert len({i for i, _ in returned}) == 250
    mine = _written(session, item_id, range(100, 350))
    other = _written(session, item_id, range(1100, 1350))
    at = [c.key for c in table.c if c.key != "id"].index("position")
    assert [r[:at] + r[at + 1 :] for r in mine] == [r[:at] + r[at + 1 :] for r in other]
    assert direct.insert_rows(session, table, []) == []


def test_a_refused_statement_raises_sqlalchemys_exception_and_rolls_back_cleanly(
    session: Session, imported: dict[str, MinuteItem]
) -> None:
    item_id = next(iter(imported.values())).id
    table = Resolution.__table__
    before = session.scalar(select(Resolution.id).order_by(Resolution.id.desc()).limit(1))
    with pytest.raises(exc.IntegrityError) as raised:  # (minute_item_id, position) is unique
        direct.insert_rows(session, table, [_resolution(item_id, 7), _resolution(item_id, 7)])
    assert "INSERT INTO resolution" in str(raised.value)
    session.rollback()
    assert session.scalar(select(Resolution.id).order_by(Resolution.id.desc()).limit(1)) == before


def test_what_cannot_run_directly_is_refused_when_first_used(session: Session) -> None:
    with pytest.raises(ValueError, match="expand"):
        direct.Statement(select(Meeting.id).where(Meeting.id.in_(bindparam("ids", expanding=True)))).rows(
            session, {"ids": [1]}
        )
    with pytest.raises(exc.ArgumentError, match="when"):
        direct.Statement(select(Meeting.id).where(Meeting.date == bindparam("when"))).rows(session, {})
    with pytest.raises(ValueError, match="created_at"):  # a Python default SQLAlchemy would fill in
        direct.insert_rows(session, Meeting.__table__, [{"committee_id": 1, "date": date(2019, 1, 1)}])


def test_a_listener_sees_every_statement(session: Session, imported: dict[str, MinuteItem]) -> None:
    seen: list[str] = []

    def listen(*args: Any) -> None:
        seen.append(args[2])

    engine = session.get_bind()
    params = {"since": date(2000, 1, 1)}
    quiet = direct.Statement(ITEMS_OF_DAY).rows(session, params)
    event.listen(engine, "before_cursor_execute", listen)
    try:
        watched = direct.Statement(ITEMS_OF_DAY).rows(session, params)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert watched == quiet
    assert [s for s in seen if "FROM minute_item JOIN meeting" in s]


@pytest.mark.parametrize("rows", [1, 2])
@pytest.mark.parametrize("watched", [False, True])
def test_json_serialised_beforehand_is_stored_as_the_object(
    session: Session, imported: dict[str, MinuteItem], watched: bool, rows: int
) -> None:
    """One row, and two in one multi-row INSERT: one serialised beforehand, one an object."""
    evidence = {"words": ["counselling", "waiting"], "note": "“quoted” — £4.63m", "score": 0.5}
    other = {"words": [], "note": None, "phrases": [["a", 1.0]]}
    item = next(iter(imported.values()))
    action_ids = session.scalars(select(Action.id).where(Action.minute_item_id == item.id).limit(2)).all()
    given = [direct.JsonText(json.dumps(evidence)), other][:rows]
    written = [
        {
            "action_id": action_id,
            "minute_item_id": item.id,  # its own item: the linker never pairs these, so the pair is free
            "score": 0.5,
            "evidence": value,
            "status": LinkStatus.SUGGESTED,
            "decided_by_id": None,
            "decided_at": None,
            "created_at": utcnow(),
        }
        for action_id, value in zip(action_ids[:rows], given, strict=True)
    ]
    listen = lambda *args: None  # noqa: E731
    engine = session.get_bind()
    if watched:
        event.listen(engine, "before_cursor_execute", listen)
    try:
        ids = direct.insert_rows(session, FollowUpLink.__table__, written, returning=("id", "action_id"))
    finally:
        if watched:
            event.remove(engine, "before_cursor_execute", listen)
    stored = dict(
        session.execute(
            select(FollowUpLink.action_id, FollowUpLink.evidence).where(
                FollowUpLink.id.in_([i for i, _ in ids])
            )
        ).all()
    )
    assert stored == dict(zip(action_ids[:rows], [evidence, other][:rows], strict=True))


@pytest.mark.parametrize("watched", [False, True])
def test_run_many_counts_every_row_changed(
    session: Session, imported: dict[str, MinuteItem], watched: bool
) -> None:
    """``executemany``: the count is the sum over the parameter sets (the calendar checks it to
    notice an action changed by someone else since it was read)."""
    table = Action.__table__
    bump = direct.Statement(
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
        .values(version=table.c.version + 1, updated_at=bindparam("b_now"))
    )
    rows = session.execute(select(Action.id, Action.version).order_by(Action.id).limit(3)).all()
    params = [{"b_id": i, "b_version": v, "b_now": utcnow()} for i, v in rows]
    stale = {**params[0], "b_version": rows[0][1] + 5}  # a version nobody has: matches nothing
    listen = lambda *args: None  # noqa: E731
    engine = session.get_bind()
    if watched:
        event.listen(engine, "before_cursor_execute", listen)
    try:
        assert bump.run_many(session, params) == 3
        assert bump.run_many(session, [stale]) == 0
    finally:
        if watched:
            event.remove(engine, "before_cursor_execute", listen)
    after = dict(
        session.execute(select(Action.id, Action.version).where(Action.id.in_([i for i, _ in rows]))).all()
    )
    assert after == {i: v + 1 for i, v in rows}
