"""How long a calendar change takes when many open actions wait for "the next meeting".

Builds one committee with N open actions due at "the next meeting", all set at a meeting on
1 January 2020, then adds three meetings: the first moves every action (a history line each),
the second (later) moves none, the third (earlier) moves every action again. Prints the time of
each, and of reading the committee's calendar. No target: the figures are in docs/CALENDAR.md.

    .venv/bin/python bench/calendar_moves.py [--actions N] [--database-url URL]

The database must be empty (a new SQLite file in a temporary folder by default); the tables are
made with ``create_all`` and left there.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.orm import Session

from tracker import calendar
from tracker.models import (
    Action,
    ActionOrigin,
    Base,
    Committee,
    Meeting,
    MeetingRule,
    MinuteItem,
    User,
    UserRole,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=2000, help="open actions waiting (default 2000)")
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'calendar.sqlite3'}"
        engine = create_engine(url)
        if inspect(engine).get_table_names():
            parser.error(f"{engine.url.render_as_string(hide_password=True)} is not empty")
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            run(session, args.actions)
        engine.dispose()


def run(session: Session, n: int) -> None:
    staff = User(email="staff@example.invalid", name="Staff", role=UserRole.STAFF, password_hash="-")
    committee = Committee(name="Benchmark Committee")
    item = MinuteItem(
        meeting=Meeting(committee=committee, date=date(2020, 1, 1)),
        source_text="-",
        text_sha256="0" * 64,
        extraction={},
    )
    session.add_all([staff, item])
    item.actions.extend(
        Action(
            position=i,
            text=f"Report {i}",
            due_text="the next meeting",
            due_rule=MeetingRule.NEXT_MEETING,
            origin=ActionOrigin.NARRATIVE,
            span_start=0,
            span_end=1,
        )
        for i in range(n)
    )
    session.commit()
    print(f"{session.get_bind().dialect.name}, {n} open actions waiting for the next meeting")
    for label, when in (
        ("add a meeting", date(2020, 3, 1)),
        ("add a later meeting", date(2020, 5, 1)),
        ("add an earlier meeting", date(2020, 2, 1)),
    ):
        start = time.perf_counter()
        change = calendar.add_meeting(session, committee.id, when, author=staff)
        session.commit()
        print(f"  {label:24} {change.actions_moved:6} moved  {time.perf_counter() - start:7.3f} s")
    start = time.perf_counter()
    calendar.committee_calendar(session, committee.id, today=date(2020, 1, 15))
    print(f"  {'read the calendar':24} {'':6}        {time.perf_counter() - start:7.3f} s")


if __name__ == "__main__":
    main()
