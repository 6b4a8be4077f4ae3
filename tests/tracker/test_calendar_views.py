"""The committee calendar on the web (the committee page and its forms) and on the command line."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session
from test_calendar import COMMITTEE, HOUSING_MINUTES, SET_AT, import_text
from test_query_counts import counted

from tracker import calendar, services
from tracker.models import Action, User


@pytest.fixture
def housing(session: Session) -> Action:
    """The housing minutes of 1 October 2018 imported; their action due at "the next meeting"."""
    return import_text(session, HOUSING_MINUTES, SET_AT).actions[0]


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_an_action_waiting_for_a_meeting_says_so_everywhere(
    client: FlaskClient, login: Callable[[User], None], member: User, housing: Action
) -> None:
    login(member)
    waiting = "next meeting (date not yet known)"
    cid = housing.minute_item.meeting.committee_id
    for url in (
        f"/actions/{housing.id}",
        f"/committees/{cid}",
        f"/committees/{cid}/report",
        f"/meetings/{housing.minute_item.meeting_id}",
        f"/items/{housing.minute_item_id}",
        "/actions?q=arrears",
    ):
        assert waiting in page(client, url), url
    assert "March 2019 meeting (date not yet known)" in page(client, f"/committees/{cid}")


def test_the_committee_page_shows_the_calendar(
    session: Session, client: FlaskClient, login: Callable[[User], None], staff: User, housing: Action
) -> None:
    cid = housing.minute_item.meeting.committee_id
    today = date.today()
    calendar.add_meeting(session, cid, today + timedelta(days=30), author=staff)
    calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    session.commit()
    login(staff)
    html = page(client, f"/committees/{cid}")
    assert 'id="calendar"' in html
    upcoming = html[html.index("Meetings to come</h3>") : html.index("Meetings held</h3>")]
    held = html[html.index("Meetings held</h3>") :]
    soon = today + timedelta(days=30)
    assert f"{soon.day} {soon:%B %Y}" in upcoming and "Scheduled; no minutes yet" in upcoming
    assert "1 October 2018" in held and "Rent Arrears and Empty Homes" in held
    assert "5 November 2018" in held and "No minutes imported" in held
    assert held.index("5 November 2018") < held.index("1 October 2018")  # latest first
    assert "Dated by its minutes" in held  # the imported meeting cannot be moved here
    assert html.count("Move this meeting") == 2 and html.count("Remove this meeting") == 2
    assert 'for="add-meeting-date"' in html and 'id="add-meeting-date"' in html
    assert "Dee Officer:" in html and "added a meeting on 5 November 2018" in html
    assert "1 due date moved" in html


def test_members_see_the_calendar_without_forms(
    session: Session,
    client: FlaskClient,
    login: Callable[[User], None],
    member: User,
    staff: User,
    housing: Action,
) -> None:
    cid = housing.minute_item.meeting.committee_id
    calendar.add_meeting(session, cid, date.today() + timedelta(days=7), author=staff)
    session.commit()
    login(member)
    html = page(client, f"/committees/{cid}")
    assert "Scheduled; no minutes yet" in html
    assert (
        "Add this meeting" not in html
        and "Move this meeting" not in html
        and "<form" not in html.split("<main")[-1]
    )


def test_staff_add_a_meeting_and_the_action_follows(
    session: Session, client: FlaskClient, login: Callable[[User], None], staff: User, housing: Action
) -> None:
    cid = housing.minute_item.meeting.committee_id
    login(staff)
    response = client.post(f"/committees/{cid}/meetings", data={"date": "2018-11-05"})
    assert response.status_code == 302 and response.location.endswith(f"/committees/{cid}#calendar")
    html = page(client, f"/committees/{cid}")
    assert "1 outstanding action was given a new due date" in html
    session.expire_all()
    assert session.get(Action, housing.id).due_date == date(2018, 11, 5)
    detail = page(client, f"/actions/{housing.id}")
    assert "5 November 2018" in detail
    assert f'follows <a href="/committees/{cid}#calendar">the committee\'s calendar</a>' in detail
    assert "a meeting on 5 November 2018 was added to the calendar" in detail
    assert "Dee Officer" in detail


def test_staff_move_and_remove_a_scheduled_meeting(
    session: Session, client: FlaskClient, login: Callable[[User], None], staff: User, housing: Action
) -> None:
    cid = housing.minute_item.meeting.committee_id
    calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    session.commit()
    meeting_id = calendar.meeting_on(session, cid, date(2018, 11, 5))
    login(staff)
    response = client.post(f"/meetings/{meeting_id}/move", data={"date": "2018-12-03"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Action, housing.id).due_date == date(2018, 12, 3)
    response = client.post(f"/meetings/{meeting_id}/remove")
    assert response.status_code == 302
    session.expire_all()
    action = session.get(Action, housing.id)
    assert action.due_date is None and len(action.updates) == 3
    assert "removed the meeting of 3 December 2018" in page(client, f"/committees/{cid}")


@pytest.mark.parametrize(
    ("url", "typed", "message"),
    [
        ("add", "05/11/2018", "Give the meeting&#39;s date as year-month-day"),
        ("add", "2018-10-01", "The committee already has a meeting on 1 October 2018."),
        ("add", "1066-10-14", "is not a plausible meeting date"),
        ("move-held", "2018-12-03", "has minutes imported, and its date comes from them"),
        ("move", "2018-10-01", "The committee already has a meeting on 1 October 2018."),
        ("move", "not a date", "Give the meeting&#39;s date as year-month-day"),
        ("remove-held", "", "has minutes imported"),
    ],
)
def test_refused_forms_change_nothing_and_keep_what_was_typed(
    session: Session,
    client: FlaskClient,
    login: Callable[[User], None],
    staff: User,
    housing: Action,
    row_counts: Callable[[Session], dict[str, int]],
    url: str,
    typed: str,
    message: str,
) -> None:
    cid = housing.minute_item.meeting.committee_id
    calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    session.commit()
    scheduled = calendar.meeting_on(session, cid, date(2018, 11, 5))
    held = calendar.meeting_on(session, cid, SET_AT)
    target = {
        "add": f"/committees/{cid}/meetings",
        "move": f"/meetings/{scheduled}/move",
        "move-held": f"/meetings/{held}/move",
        "remove-held": f"/meetings/{held}/remove",
    }[url]
    before = row_counts(session)
    login(staff)
    response = client.post(target, data={"date": typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Nothing was changed" in html and message in html
    if url in ("add", "move") and typed:
        assert f'value="{typed}"' in html  # kept in the form
    session.expire_all()
    assert row_counts(session) == before
    assert session.get(Action, housing.id).due_date == date(2018, 11, 5)


def test_members_and_visitors_cannot_change_the_calendar(
    session: Session,
    app: Flask,
    client: FlaskClient,
    login: Callable[[User], None],
    member: User,
    staff: User,
    housing: Action,
    row_counts: Callable[[Session], dict[str, int]],
) -> None:
    cid = housing.minute_item.meeting.committee_id
    calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    session.commit()
    scheduled = calendar.meeting_on(session, cid, date(2018, 11, 5))
    posts = [
        (f"/committees/{cid}/meetings", {"date": "2018-10-22"}),
        (f"/meetings/{scheduled}/move", {"date": "2018-10-22"}),
        (f"/meetings/{scheduled}/remove", {}),
    ]
    before = row_counts(session)
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code == 302 and response.location.startswith("/login"), url
    login(member)
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
        assert client.get(url).status_code == 405, url  # never by GET
    app.config["WTF_CSRF_ENABLED"] = True
    login(staff)
    for url, data in posts:
        assert client.post(url, data=data).status_code == 400, url  # no CSRF token
    session.expire_all()
    assert row_counts(session) == before


def test_the_committee_page_runs_a_fixed_number_of_queries(
    session: Session,
    client: FlaskClient,
    connection: object,
    app: Flask,
    login: Callable[[User], None],
    staff: User,
    housing: Action,
) -> None:
    cid = housing.minute_item.meeting.committee_id
    login(staff)

    def queries() -> int:
        with counted(app, connection) as statements:
            page(client, f"/committees/{cid}")
        return len(statements)

    calendar.add_meeting(session, cid, date(2018, 11, 5), author=staff)
    session.commit()
    few = queries()
    for days in range(1, 25):
        calendar.add_meeting(session, cid, date(2019, 1, 1) + timedelta(days=7 * days), author=staff)
    import_text(session, "Allotments\n\nRESOLVED that the report be noted.\n", date(2018, 11, 5))
    session.commit()
    assert queries() == few


# --- the command line -----------------------------------------------------------------------------


def test_tracker_meetings_adds_moves_and_removes(
    session: Session, runner: FlaskCliRunner, staff: User, housing: Action
) -> None:
    result = runner.invoke(
        args=[
            "meetings",
            COMMITTEE.upper(),
            "--add",
            "2018-11-05",
            "--add",
            "2019-01-14",
            "--by",
            staff.email,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "added 2018-11-05: 1 due date moved" in result.output
    assert "added 2019-01-14: 0 due dates moved" in result.output
    assert re.search(r"2018-11-05\s+past\s+no minutes \(scheduled\)", result.output)
    assert re.search(r"2018-10-01\s+past\s+1 minute item", result.output)
    session.expire_all()
    action = session.get(Action, housing.id)
    assert action.due_date == date(2018, 11, 5) and action.updates[-1].author_id == staff.id
    result = runner.invoke(
        args=["meetings", COMMITTEE, "--move", "2018-11-05", "2018-11-19", "--remove", "2019-01-14"]
    )
    assert result.exit_code == 0, result.output
    assert "moved 2018-11-05 -> 2018-11-19: 1 due date moved" in result.output
    assert "removed 2019-01-14: 0 due dates moved" in result.output
    session.expire_all()
    action = session.get(Action, housing.id)
    assert action.due_date == date(2018, 11, 19) and action.updates[-1].author is None


def test_tracker_actions_shows_the_rule_and_the_resolved_date(
    session: Session, runner: FlaskCliRunner, staff: User, housing: Action
) -> None:
    table = runner.invoke(args=["actions", "--committee", COMMITTEE]).output
    assert re.search(rf"^{housing.id}\s+open\s+next meeting \(date not yet known\)\s", table, re.M)
    assert "meeting (date not yet known)" in table.replace("next meeting (date not yet known)", "")
    records = json.loads(runner.invoke(args=["actions", "--format", "json"]).output)
    mine = {r["id"]: r for r in records}[housing.id]
    assert (mine["due"], mine["due_rule"], mine["overdue"]) == (None, "next_meeting", False)
    calendar.add_meeting(session, housing.minute_item.meeting.committee_id, date(2018, 11, 5), author=staff)
    session.commit()
    records = json.loads(runner.invoke(args=["actions", "--format", "json"]).output)
    mine = {r["id"]: r for r in records}[housing.id]
    assert (mine["due"], mine["due_rule"], mine["overdue"]) == ("2018-11-05", "next_meeting", True)
    overdue = runner.invoke(args=["actions", "--status", "overdue", "--format", "csv"]).output
    assert f"\n{housing.id},open," in overdue


def test_changes_made_without_an_account_say_so(
    session: Session,
    runner: FlaskCliRunner,
    client: FlaskClient,
    login: Callable[[User], None],
    member: User,
    housing: Action,
) -> None:
    assert runner.invoke(args=["meetings", COMMITTEE, "--add", "2018-11-05"]).exit_code == 0
    login(member)
    detail = page(client, f"/actions/{housing.id}")
    assert "The command line" in detail and "a meeting on 5 November 2018 was added" in detail
    assert "the command line:</span>" in page(
        client, f"/committees/{housing.minute_item.meeting.committee_id}"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Nobody's Committee", "--add", "2019-01-14"], "there is no committee named"),
        (
            [COMMITTEE, "--add", "2019-01-14", "--add", "2018-10-01"],
            "already has a meeting on 1 October 2018",
        ),
        ([COMMITTEE, "--remove", "2018-10-01"], "has minutes imported"),
        ([COMMITTEE, "--remove", "2030-01-01"], "has no meeting on 1 January 2030"),
        ([COMMITTEE, "--add", "2019-01-14", "--by", "member@example.org"], "no staff or admin account"),
    ],
)
def test_tracker_meetings_refuses_mistakes_and_changes_nothing(
    session: Session,
    runner: FlaskCliRunner,
    member: User,
    housing: Action,
    row_counts: Callable[[Session], dict[str, int]],
    args: list[str],
    message: str,
) -> None:
    before = row_counts(session)
    result = runner.invoke(args=["meetings", *args])
    assert result.exit_code == 1 and message in result.output
    session.expire_all()
    assert row_counts(session) == before
    assert services.get_action(session, housing.id).due_date is None


def test_tracker_meetings_refuses_a_malformed_date(runner: FlaskCliRunner, housing: Action) -> None:
    result = runner.invoke(args=["meetings", COMMITTEE, "--add", "5 Nov 2018"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output or "%Y-%m-%d" in result.output
