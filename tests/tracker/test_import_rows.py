"""The import's multi-row write path: every row it writes, checked against the extraction it came from.

``services.import_minutes`` writes attendance, resolutions, actions and notes with Core statements
and remembers committees, meetings and people for the transaction. These tests import the seeds
and bench-style variations of them (other committees, weekly dates, changed numbers, out of order)
and compare the whole tables with what the extractions say they must hold; the calendar's dates
are checked against a full recomputation. They run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import calendar, services
from tracker.models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    Attendance,
    Committee,
    Meeting,
    MinuteItem,
    Person,
    Resolution,
)

if TYPE_CHECKING:
    from conftest import Seed

_NUMBER = re.compile(r"\b\d{2,}\b")


def _variants(seeds: dict[str, Seed], n: int) -> list[tuple[str, str, date]]:
    """``n`` texts like ``bench/import.py``'s: the seeds with numbers changed, three committees, weekly."""
    bases = [s.source.text for s in seeds.values()]
    out = []
    for i in range(n):
        text = _NUMBER.sub(lambda m, i=i: str(int(m.group()) + i + 1), bases[i % len(bases)])
        text = f"{text.rstrip()}\n\nThis minute is generated item {i} of the test.\n"
        out.append((text, f"Committee {i % 3}", date(2018, 1, 2) + timedelta(days=7 * (i // 3))))
    # out of calendar order, so that later imports make earlier meetings' dates known
    return out[::2] + out[1::2]


def _import_all(session: Session, seeds: dict[str, Seed], n: int) -> list[tuple[MinuteItem, object]]:
    imported = []
    for seed in sorted(seeds.values(), key=lambda s: s.meeting_date, reverse=True):
        imported.append((seed.import_into(session).item, seed.extraction))
    for text, committee, when in _variants(seeds, n):
        source = services.read_upload(text.encode(), "variant.txt")
        extraction = services.extract_source(source, meeting_date=when)
        result = services.import_minutes(
            session,
            committee=committee,
            meeting_date=when,
            extraction=extraction,
            source_text=source.text,
            source_name=source.name,
        )
        assert result.created
        imported.append((result.item, extraction))
        session.commit()
    session.expire_all()
    return imported


def test_every_row_written_is_what_the_extraction_says(session: Session, seeds: dict[str, Seed]) -> None:
    imported = _import_all(session, seeds, 18)
    ids = [item.id for item, _ in imported]
    assert len(set(ids)) == len(ids)

    attendance = session.execute(
        select(Attendance.minute_item_id, Person.name, Attendance.role, Attendance.organisation)
        .add_columns(Attendance.capacity, Attendance.span_start, Attendance.span_end)
        .outerjoin(Person, Attendance.person_id == Person.id)
        .order_by(Attendance.id)
    ).all()
    assert [tuple(r) for r in attendance] == [
        (item.id, a.name, a.role, a.organisation, a.capacity, *a.span)
        for item, ex in imported
        for a in ex.attendees
    ]
    people = {p.name: p.honorific for p in session.scalars(select(Person))}
    named = {a.name: a.honorific for _, ex in imported for a in ex.attendees if a.name}
    assert set(people) == set(named)

    resolutions = session.scalars(select(Resolution).order_by(Resolution.id)).all()
    assert [
        (
            r.minute_item_id,
            r.position,
            r.label,
            r.text,
            r.kind.value,
            r.needs_followup,
            r.owner,
            r.due_text,
            r.due_date,
            r.span_start,
            r.span_end,
        )
        for r in resolutions
    ] == [
        (
            item.id,
            i,
            r.label,
            r.text,
            r.kind,
            r.needs_followup,
            r.owner,
            r.due.text if r.due else None,
            date.fromisoformat(r.due.date) if r.due and r.due.date else None,
            *r.span,
        )
        for item, ex in imported
        for i, r in enumerate(ex.resolutions)
    ]
    clause = {(r.minute_item_id, r.position): r.id for r in resolutions}

    actions = session.scalars(select(Action).order_by(Action.id)).all()
    assert [
        (
            a.minute_item_id,
            a.position,
            a.resolution_id,
            a.text,
            a.owner,
            a.due_text,
            a.origin.value,
            a.span_start,
            a.span_end,
        )
        for a in actions
    ] == [
        (
            item.id,
            i,
            clause[(item.id, a.resolution_index)] if a.resolution_index is not None else None,
            a.text,
            a.owner,
            (a.due.text or None) if a.due else None,
            a.origin,
            *a.span,
        )
        for item, ex in imported
        for i, a in enumerate(ex.actions)
    ]
    assert {a.status for a in actions} == {ActionStatus.OPEN}
    assert all(a.version >= 1 and a.created_at is not None for a in actions)

    committees = {c.id: c.name for c in session.scalars(select(Committee))}
    assert sorted(committees.values()) == sorted(
        {"Committee 0", "Committee 1", "Committee 2"} | {s.committee for s in seeds.values()}
    )
    meetings = session.execute(select(Meeting.committee_id, Meeting.date)).all()
    assert len(meetings) == len(set(meetings))  # one meeting per committee and date


def test_calendar_dates_equal_a_full_recomputation(session: Session, seeds: dict[str, Seed]) -> None:
    """Imports move only the actions a new meeting date can move: every other one is already right."""
    _import_all(session, seeds, 18)
    ruled = session.execute(
        select(Action, Meeting.date, Meeting.committee_id)
        .join(MinuteItem, Action.minute_item_id == MinuteItem.id)
        .join(Meeting, MinuteItem.meeting_id == Meeting.id)
        .where(Action.due_rule.is_not(None), Action.status.in_(OPEN_STATUSES))
    ).all()
    assert ruled, "the seeds' 'a future meeting of the Committee' must give ruled actions"
    moved = 0
    for action, set_at, committee_id in ruled:
        dates = calendar.meeting_dates(session, committee_id)
        rule = calendar.DueRule(action.due_rule, action.due_rule_month)
        assert action.due_date == calendar.resolve(rule, after=set_at, dates=dates)
        moved += bool(action.updates)
    assert moved  # some were imported before their next meeting was known, and moved since


def test_a_rollback_forgets_what_the_import_remembered(session: Session, seeds: dict[str, Seed]) -> None:
    """A committee made by a rolled-back import is made again, not taken from the cache."""
    seed_2017, seed_2018 = sorted(seeds.values(), key=lambda s: s.meeting_date)
    seed_2017.import_into(session, committee="Brand New Committee")
    session.rollback()
    assert session.scalar(select(Committee).where(Committee.name == "Brand New Committee")) is None
    item = seed_2018.import_into(session, committee="Brand New Committee").item
    session.commit()
    assert item.meeting.committee.name == "Brand New Committee"
    assert [c.name for c in session.scalars(select(Committee))] == ["Brand New Committee"]
