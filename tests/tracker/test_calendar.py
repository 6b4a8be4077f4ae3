"""The committee calendar's services: meeting-relative dues, and how they move when the calendar changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import calendar, services
from tracker.errors import ValidationError
from tracker.export import action_record
from tracker.ical import due_calendar
from tracker.models import Action, ActionStatus, CalendarChange, Meeting, MeetingRule, MinuteItem, User

if TYPE_CHECKING:
    from conftest import Seed

COMMITTEE = "Housing Scrutiny Panel"
SET_AT = date(2018, 10, 1)

#: our own minutes (written for these tests): one due per kind the calendar must tell apart
HOUSING_MINUTES = """Rent Arrears and Empty Homes

The Committee considered a report of the Director of Housing on rent arrears and empty homes.

RESOLVED that:

(1) the Director of Housing be requested to submit a further report on rent arrears to the next meeting.

(2) officers be asked to report on empty homes to the March meeting.

(3) the Chair be asked to write to the Cabinet Member before the next meeting of the Cabinet.

(4) officers be requested to circulate the figures to Members by 30 June 2019.
"""


def import_text(
    session: Session, text: str, when: date | None, *, author: User | None = None, committee: str = COMMITTEE
) -> MinuteItem:
    """Extract and import ``text`` as minutes of ``committee`` on ``when``."""
    source = services.read_upload(text.encode(), "housing.txt")
    extraction = services.extract_source(source, meeting_date=when)
    item = services.import_minutes(
        session,
        committee=committee,
        meeting_date=when,
        extraction=extraction,
        source_text=source.text,
        source_name=source.name,
        author=author,
    ).item
    session.commit()
    return item


@pytest.fixture
def housing(session: Session) -> dict[str, Action]:
    """The housing minutes imported for 1 October 2018: actions by what they are due at."""
    item = import_text(session, HOUSING_MINUTES, SET_AT)
    next_meeting, march, cabinet, june = item.actions
    return {"next": next_meeting, "march": march, "cabinet": cabinet, "june": june}


def committee_id(session: Session) -> int:
    return services.find_committee(session, COMMITTEE).id


def history(action: Action) -> list[str]:
    return [u.note for u in action.updates]


# --- reading due phrases ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("the next meeting", (MeetingRule.NEXT_MEETING, None)),
        ("The Next Meeting", (MeetingRule.NEXT_MEETING, None)),
        ("the next available meeting", (MeetingRule.NEXT_MEETING, None)),
        ("their next scheduled meeting", (MeetingRule.NEXT_MEETING, None)),
        ("a future meeting", (MeetingRule.NEXT_MEETING, None)),
        ("a future meeting of the Committee", (MeetingRule.NEXT_MEETING, None)),
        ("a subsequent meeting of this Panel", (MeetingRule.NEXT_MEETING, None)),
        ("a later meeting", (MeetingRule.NEXT_MEETING, None)),
        ("the next meeting of the Housing Scrutiny Panel", (MeetingRule.NEXT_MEETING, None)),
        ("the March meeting", (MeetingRule.MEETING_IN_MONTH, date(2019, 3, 1))),
        ("the December meeting", (MeetingRule.MEETING_IN_MONTH, date(2018, 12, 1))),
        ("the October meeting", (MeetingRule.MEETING_IN_MONTH, date(2019, 10, 1))),
        ("its meeting in July 2020", (MeetingRule.MEETING_IN_MONTH, date(2020, 7, 1))),
        ("the next meeting of the Cabinet", None),
        ("a future meeting of Council", None),
        ("the spring meeting", None),
        ("the next meeting on 5 March 2019", None),
        ("before final approval", None),
        ("when available", None),
        ("within two weeks", None),
        ("the next meeting, or sooner", None),
        ("", None),
        (None, None),
    ],
)
def test_meeting_phrases_become_rules(
    phrase: str | None, expected: tuple[MeetingRule, date | None] | None
) -> None:
    found = calendar.meeting_rule(phrase, meeting_date=SET_AT, committee=COMMITTEE)
    assert (tuple(found) if found else None) == expected


def test_a_month_without_a_year_needs_the_meeting_date() -> None:
    assert calendar.meeting_rule("the March meeting", meeting_date=None, committee=COMMITTEE) is None
    found = calendar.meeting_rule("the next meeting", meeting_date=None, committee=COMMITTEE)
    assert found == calendar.DueRule(MeetingRule.NEXT_MEETING)


def test_resolution_takes_the_first_known_meeting_after() -> None:
    dates = [date(2018, 9, 1), date(2018, 10, 1), date(2018, 11, 5), date(2019, 3, 4), date(2019, 3, 25)]
    nxt = calendar.DueRule(MeetingRule.NEXT_MEETING)
    assert calendar.resolve(nxt, after=date(2018, 10, 1), dates=dates) == date(2018, 11, 5)
    assert calendar.resolve(nxt, after=date(2018, 10, 2), dates=dates) == date(2018, 11, 5)
    assert calendar.resolve(nxt, after=date(2019, 3, 25), dates=dates) is None
    assert calendar.resolve(nxt, after=None, dates=dates) is None
    march = calendar.DueRule(MeetingRule.MEETING_IN_MONTH, date(2019, 3, 1))
    assert calendar.resolve(march, after=date(2018, 10, 1), dates=dates) == date(2019, 3, 4)
    assert calendar.resolve(march, after=date(2019, 3, 4), dates=dates) == date(2019, 3, 25)
    assert calendar.resolve(march, after=date(2018, 10, 1), dates=dates[:3]) is None


# --- importing ----------------------------------------------------------------------------------


def test_imported_meeting_dues_get_a_rule_and_wait_for_a_date(
    session: Session, housing: dict[str, Action]
) -> None:
    assert housing["next"].due_rule is MeetingRule.NEXT_MEETING and housing["next"].due_date is None
    assert housing["march"].due_rule is MeetingRule.MEETING_IN_MONTH
    assert housing["march"].due_rule_month == date(2019, 3, 1)
    assert housing["cabinet"].due_rule is None  # another body's meeting is not on this calendar
    assert housing["june"].due_rule is None and housing["june"].due_date == date(2019, 6, 30)
    today = date.today()
    for key in ("next", "march", "cabinet"):
        assert not housing[key].is_overdue(today)  # no date yet: not overdue
    assert housing["june"].is_overdue(today)
    assert all(a.updates == [] for a in housing.values())  # creating an action's due is not a move
    assert services.rag_status(housing["next"], today) is services.Rag.NONE


def test_an_import_resolves_against_meetings_already_known(session: Session, staff: User) -> None:
    earlier = import_text(session, "Allotments\n\nRESOLVED that the report be noted.\n", date(2018, 1, 1))
    calendar.add_meeting(session, earlier.meeting.committee_id, date(2018, 11, 5), author=staff)
    calendar.add_meeting(session, earlier.meeting.committee_id, date(2019, 3, 4), author=staff)
    session.commit()
    item = import_text(session, HOUSING_MINUTES, SET_AT)
    assert item.actions[0].due_date == date(2018, 11, 5)
    assert item.actions[1].due_date == date(2019, 3, 4)
    assert item.actions[0].updates == []


def test_minutes_of_a_new_meeting_move_earlier_actions(session: Session, housing: dict[str, Action]) -> None:
    import_text(session, "Allotments\n\nRESOLVED that the report be noted.\n", date(2018, 11, 5))
    session.refresh(housing["next"])
    assert housing["next"].due_date == date(2018, 11, 5)
    (update,) = housing["next"].updates
    assert update.author is None  # imported with nobody signed in
    assert "Due date moved from “next meeting, date not yet known” to 5 November 2018" in update.note
    assert "the minutes of the meeting on 5 November 2018 were imported" in update.note
    assert housing["march"].due_date is None and housing["march"].updates == []


def test_minutes_imported_by_staff_record_them_as_the_author(
    session: Session, housing: dict[str, Action], staff: User
) -> None:
    import_text(
        session, "Allotments\n\nRESOLVED that the report be noted.\n", date(2018, 11, 5), author=staff
    )
    assert [u.author for u in housing["next"].updates] == [staff]


def test_the_seed_future_meeting_follows_the_calendar(session: Session, seed_2018: Seed, staff: User) -> None:
    item = seed_2018.import_into(session).item
    session.commit()
    (waiting,) = [a for a in item.actions if a.due_rule is not None]
    assert waiting.due_text == "a future meeting of the Committee" and waiting.due_date is None
    change = calendar.add_meeting(session, item.meeting.committee_id, date(2018, 11, 14), author=staff)
    session.commit()
    assert waiting.due_date == date(2018, 11, 14) and change.actions_moved == 1


# --- changing the calendar ----------------------------------------------------------------------


def test_adding_meetings_moves_actions_and_records_who(
    session: Session, housing: dict[str, Action], staff: User
) -> None:
    cid = committee_id(session)
    later = calendar.add_meeting(session, cid, date(2019, 1, 14), author=staff)
    session.commit()
    assert housing["next"].due_date == date(2019, 1, 14) and later.actions_moved == 1
    earlier = calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    session.commit()
    assert housing["next"].due_date == date(2018, 11, 5) and earlier.actions_moved == 1
    assert housing["march"].due_date is None
    notes = history(housing["next"])
    assert len(notes) == 2
    assert "to 14 January 2019: a meeting on 14 January 2019 was added to the calendar" in notes[0]
    assert "from 14 January 2019 to 5 November 2018" in notes[1]
    assert {u.author.id for u in housing["next"].updates} == {staff.id}
    assert housing["next"].version == 3  # each move is a change of the action
    changes = session.scalars(select(CalendarChange).order_by(CalendarChange.id)).all()
    assert [(c.kind.value, c.new_date, c.author_id) for c in changes] == [
        ("added", date(2019, 1, 14), staff.id),
        ("added", date(2018, 11, 5), staff.id),
    ]


def test_a_meeting_before_the_action_or_after_its_date_moves_nothing(
    session: Session, housing: dict[str, Action], staff: User
) -> None:
    cid = committee_id(session)
    calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    session.commit()
    before = calendar.add_meeting(session, cid, date(2018, 9, 3), author=staff)
    after = calendar.add_meeting(session, cid, date(2018, 12, 3), author=staff)
    session.commit()
    assert (before.actions_moved, after.actions_moved) == (0, 0)
    assert housing["next"].due_date == date(2018, 11, 5) and len(housing["next"].updates) == 1


def test_the_month_rule_waits_for_a_meeting_in_that_month(
    session: Session, housing: dict[str, Action], staff: User
) -> None:
    cid = committee_id(session)
    calendar.add_meeting(session, cid, date(2019, 2, 25), author=staff)
    calendar.add_meeting(session, cid, date(2019, 4, 1), author=staff)
    session.commit()
    assert housing["march"].due_date is None
    calendar.add_meeting(session, cid, date(2019, 3, 18), author=staff)
    session.commit()
    assert housing["march"].due_date == date(2019, 3, 18)
    assert housing["next"].due_date == date(2019, 2, 25)


def test_moving_and_removing_a_meeting_moves_its_actions(
    session: Session, housing: dict[str, Action], staff: User
) -> None:
    cid = committee_id(session)
    first = calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    calendar.add_meeting(session, cid, date(2019, 1, 14), author=staff)
    session.commit()
    meeting_id = calendar.meeting_on(session, cid, date(2018, 11, 5))
    moved = calendar.move_meeting(session, meeting_id, date(2018, 11, 19), author=staff)
    session.commit()
    assert housing["next"].due_date == date(2018, 11, 19) and moved.actions_moved == 1
    assert "the meeting on 5 November 2018 was moved to 19 November 2018" in history(housing["next"])[-1]
    removed = calendar.remove_meeting(session, meeting_id, author=staff)
    session.commit()
    assert housing["next"].due_date == date(2019, 1, 14) and removed.actions_moved == 1
    assert "the meeting on 19 November 2018 was removed from the calendar" in history(housing["next"])[-1]
    assert session.get(Meeting, meeting_id) is None
    last = calendar.remove_meeting(
        session, calendar.meeting_on(session, cid, date(2019, 1, 14)), author=staff
    )
    session.commit()
    assert housing["next"].due_date is None and last.actions_moved == 1
    assert "to “next meeting, date not yet known”" in history(housing["next"])[-1]
    assert first.kind.value == "added"
    kinds = [c.kind.value for c in session.scalars(select(CalendarChange).order_by(CalendarChange.id))]
    assert kinds == ["added", "added", "moved", "removed", "removed"]


def test_closed_actions_stay_where_they_were(
    session: Session, housing: dict[str, Action], staff: User
) -> None:
    services.close_action(session, housing["next"].id, author=staff, note="Done.", reason="completed")
    session.commit()
    calendar.add_meeting(session, committee_id(session), date(2018, 11, 5), author=staff)
    session.commit()
    assert housing["next"].due_date is None and len(housing["next"].updates) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s, cid, sch, held, u: calendar.add_meeting(s, cid, date(2018, 11, 5), author=u),
            "already has",
        ),
        (
            lambda s, cid, sch, held, u: calendar.add_meeting(s, cid, date(1066, 10, 14), author=u),
            "not a plausible",
        ),
        (
            lambda s, cid, sch, held, u: calendar.move_meeting(s, sch, date(2018, 11, 5), author=u),
            "already on",
        ),
        (
            lambda s, cid, sch, held, u: calendar.move_meeting(s, sch, SET_AT, author=u),
            "already has a meeting",
        ),
        (
            lambda s, cid, sch, held, u: calendar.move_meeting(s, held, date(2018, 12, 3), author=u),
            "has minutes",
        ),
        (lambda s, cid, sch, held, u: calendar.remove_meeting(s, held, author=u), "has minutes imported"),
        (
            lambda s, cid, sch, held, u: calendar.meeting_on(s, cid, date(2030, 1, 1)),
            "no meeting on 1 January 2030",
        ),
    ],
)
def test_refused_changes_change_nothing(
    session: Session,
    housing: dict[str, Action],
    staff: User,
    row_counts: Callable[[Session], dict[str, int]],
    change: Callable[..., object],
    message: str,
) -> None:
    cid = committee_id(session)
    calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    session.commit()
    scheduled = calendar.meeting_on(session, cid, date(2018, 11, 5))
    held = calendar.meeting_on(session, cid, SET_AT)
    before = row_counts(session)
    with pytest.raises(ValidationError, match=message):
        change(session, cid, scheduled, held, staff)
    session.rollback()
    assert row_counts(session) == before
    assert housing["next"].due_date == date(2018, 11, 5)


# --- staff editing an action --------------------------------------------------------------------


def test_an_explicit_due_date_overrides_the_rule(
    session: Session, housing: dict[str, Action], staff: User
) -> None:
    cid = committee_id(session)
    calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    session.commit()
    action = housing["next"]
    services.edit_action(
        session, action.id, author=staff, text=action.text, owner=action.owner,
        due_text=action.due_text, due_date=date(2018, 12, 1),
    )  # fmt: skip
    session.commit()
    assert action.due_rule is None and action.due_date == date(2018, 12, 1)
    assert "due follows the committee calendar “yes” → “no”" in action.updates[-1].note
    calendar.add_meeting(session, cid, date(2018, 10, 15), author=staff)
    session.commit()
    assert action.due_date == date(2018, 12, 1)
    # clearing the date hands the due back to the calendar
    services.edit_action(
        session, action.id, author=staff, text=action.text, owner=action.owner,
        due_text=action.due_text, due_date=None,
    )  # fmt: skip
    session.commit()
    assert action.due_rule is MeetingRule.NEXT_MEETING and action.due_date == date(2018, 10, 15)
    assert "due date “2018-12-01” → “2018-10-15”" in action.updates[-1].note
    assert "due follows the committee calendar “no” → “yes”" in action.updates[-1].note


def test_editing_other_fields_keeps_the_rule(
    session: Session, housing: dict[str, Action], staff: User
) -> None:
    cid = committee_id(session)
    calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    session.commit()
    action = housing["next"]
    services.edit_action(
        session, action.id, author=staff, text=action.text, owner="the Head of Housing",
        due_text=action.due_text, due_date=action.due_date,
    )  # fmt: skip
    session.commit()
    assert action.due_rule is MeetingRule.NEXT_MEETING
    calendar.add_meeting(session, cid, date(2018, 10, 22), author=staff)
    session.commit()
    assert action.due_date == date(2018, 10, 22)


def test_rewording_a_due_as_a_meeting_sets_the_rule(
    session: Session, housing: dict[str, Action], staff: User
) -> None:
    calendar.add_meeting(session, committee_id(session), date(2018, 11, 5), author=staff)
    session.commit()
    action = housing["cabinet"]
    services.edit_action(
        session, action.id, author=staff, text=action.text, owner=action.owner,
        due_text="a future meeting", due_date=None,
    )  # fmt: skip
    session.commit()
    assert action.due_rule is MeetingRule.NEXT_MEETING and action.due_date == date(2018, 11, 5)


# --- overdue and RAG follow the resolved date -----------------------------------------------------


def test_overdue_and_rag_follow_the_resolved_date(session: Session, staff: User) -> None:
    today = date.today()
    set_at = today - timedelta(days=60)
    text = "Rent Arrears\n\nRESOLVED that officers be asked to report on rent arrears to the next meeting.\n"
    item = import_text(session, text, set_at)
    (action,) = item.actions
    cid = item.meeting.committee_id
    assert not action.is_overdue(today)
    calendar.add_meeting(session, cid, today + timedelta(days=10), author=staff)
    session.commit()
    assert services.rag_status(action, today) is services.Rag.AMBER
    assert action_record(action, today)["due"] == (today + timedelta(days=10)).isoformat()
    ics = due_calendar("due", [action], url_for_action=lambda a: f"https://example.org/actions/{a.id}")
    assert f"DTSTART;VALUE=DATE:{(today + timedelta(days=10)):%Y%m%d}" in ics
    calendar.add_meeting(session, cid, today - timedelta(days=3), author=staff)
    session.commit()
    assert services.rag_status(action, today) is services.Rag.RED
    assert action_record(action, today)["overdue"] is True
    overdue = services.list_actions(session, status="overdue", committee=COMMITTEE, today=today)
    assert [a.id for a in overdue] == [action.id]
    assert services.dashboard(session, today=today).overdue == 1
    found = services.search_actions(session, services.ActionSearch(overdue=True), today=today)
    assert [a.id for a in found.actions] == [action.id]


def test_the_status_change_of_a_moved_action_is_left_alone(
    session: Session, housing: dict[str, Action], staff: User
) -> None:
    services.change_status(session, housing["next"].id, "in_progress", author=staff, note="Started.")
    session.commit()
    calendar.add_meeting(session, committee_id(session), date(2018, 11, 5), author=staff)
    session.commit()
    assert housing["next"].status is ActionStatus.IN_PROGRESS
    assert housing["next"].updates[-1].to_status is None


# --- upgrading a database that holds meeting dues ---------------------------------------------------


_ITEM_SQL = (
    "INSERT INTO minute_item (id, meeting_id, source_text, text_sha256, extraction, review_state,"
    " imported_at) VALUES (1, 1, 'minutes', :sha, '{}', 'pending', :now)"
)
_ACTION_SQL = (
    "INSERT INTO action (id, minute_item_id, position, text, due_text, origin, span_start,"
    " span_end, status, close_reason, created_at, updated_at, closed_at, version)"
    " VALUES (:id, 1, :pos, 'do it', :due, 'resolution', 0, 5, :status, :reason, :now, :now,"
    " :closed_at, 1)"
)


def test_the_upgrade_gives_existing_meeting_dues_their_rule(empty_database_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from tracker import db

    engine = db.make_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            command.upgrade(db.alembic_config(conn), "7c3e9a1d5b20")
            now = "2018-10-01 09:00:00+00:00"
            conn.execute(
                text("INSERT INTO committee (id, name, created_at) VALUES (1, :name, :now)"),
                {"name": COMMITTEE, "now": now},
            )
            for meeting_id, day in ((1, "2018-10-01"), (2, "2018-11-05")):
                conn.execute(
                    text(
                        "INSERT INTO meeting (id, committee_id, date, created_at) VALUES (:id, 1, :day, :now)"
                    ),
                    {"id": meeting_id, "day": day, "now": now},
                )
            conn.execute(
                text(_ITEM_SQL),
                {"sha": "0" * 64, "now": now},
            )
            dues = [
                ("a future meeting of the Committee", "open"),
                ("the next meeting", "closed"),
                ("the next meeting of the Cabinet", "open"),
                ("the March meeting", "in_progress"),
            ]
            for position, (due, status) in enumerate(dues):
                closed = status == "closed"
                conn.execute(
                    text(_ACTION_SQL),
                    {
                        "id": position + 1,
                        "pos": position,
                        "due": due,
                        "status": status,
                        "reason": "completed" if closed else None,
                        "closed_at": now if closed else None,
                        "now": now,
                    },
                )
        db.upgrade_database(engine)
        with Session(engine) as session:
            actions = session.scalars(select(Action).order_by(Action.id)).all()
            assert [(a.due_rule, a.due_date, a.version) for a in actions] == [
                (MeetingRule.NEXT_MEETING, date(2018, 11, 5), 2),
                (None, None, 1),  # closed: left alone
                (None, None, 1),  # another body's meeting
                (MeetingRule.MEETING_IN_MONTH, None, 1),  # no March meeting known yet
            ]
            (note,) = actions[0].updates
            assert note.author is None and "Due date set to 5 November 2018" in note.note
            assert actions[3].due_rule_month == date(2019, 3, 1) and actions[3].updates == []
        with pytest.raises(RuntimeError, match="cannot downgrade: 1 action history entries have no author"):
            with engine.begin() as conn:
                command.downgrade(db.alembic_config(conn), "7c3e9a1d5b20")
    finally:
        engine.dispose()
