"""A committee's outstanding actions report (page and CSV) and its calendar of due dates (.ics)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker import services
from tracker.export import ACTION_KEYS
from tracker.ical import escape_text, fold
from tracker.models import Action, User


@pytest.fixture
def committee(
    session: Session, make_actions: Callable[..., list[int]], staff: User
) -> tuple[int, list[Action]]:
    ids = make_actions(6, author=staff, committee="Audit, Risk; and \\ Scrutiny")
    actions = [session.get(Action, i) for i in ids]
    actions[0].due_date = date(2030, 5, 1)
    actions[0].text = '=HYPERLINK("http://evil") report, with commas; and a\nnewline'
    session.commit()
    services.close_action(session, ids[1], "completed", author=staff, note="done")
    session.commit()
    return actions[0].minute_item.meeting.committee_id, actions


def test_the_report_lists_outstanding_actions_with_their_latest_update(
    client: FlaskClient, login: Callable[[User], None], member: User, committee: tuple[int, list[Action]]
) -> None:
    login(member)
    committee_id, actions = committee
    page = client.get(f"/committees/{committee_id}/report").get_data(as_text=True)
    assert "Audit, Risk; and \\ Scrutiny: outstanding actions" in page
    assert "5 actions not yet closed" in page
    assert f'href="/actions/{actions[1].id}"' not in page  # closed
    assert "Started work on <strong>2</strong>." in page
    assert 'media="print"' in page and "print.css" in page
    with client.get("/static/print.css") as response:
        printable = response.get_data(as_text=True)
    assert "@page" in printable and "display: none" in printable


def test_the_report_as_csv(
    client: FlaskClient, login: Callable[[User], None], member: User, committee: tuple[int, list[Action]]
) -> None:
    login(member)
    committee_id, actions = committee
    response = client.get(f"/committees/{committee_id}/report.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "audit-risk-and-scrutiny" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert tuple(rows[0]) == ACTION_KEYS
    assert {int(r["id"]) for r in rows} == {a.id for a in actions} - {actions[1].id}
    first = next(r for r in rows if int(r["id"]) == actions[0].id)
    assert first["text"].startswith("'=HYPERLINK")  # never a formula in a spreadsheet
    assert first["committee"] == "Audit, Risk; and \\ Scrutiny"


def _unfold(body: str) -> list[str]:
    assert "\n" not in body.replace("\r\n", "")  # only CRLF line endings
    return body.replace("\r\n ", "").split("\r\n")[:-1]


def test_the_calendar_feed(
    client: FlaskClient, login: Callable[[User], None], member: User, committee: tuple[int, list[Action]]
) -> None:
    login(member)
    committee_id, actions = committee
    response = client.get(f"/committees/{committee_id}/due.ics")
    assert response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = _unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    dated_open = [a for a in actions if a.due_date and a is not actions[1]]
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == len(dated_open)
    uids = [line for line in lines if line.startswith("UID:")]
    assert sorted(uids) == sorted(f"UID:action-{a.id}@minutes-tracker" for a in dated_open)
    for a in dated_open:
        assert f"DTSTART;VALUE=DATE:{a.due_date:%Y%m%d}" in lines
    assert client.get(f"/committees/{committee_id}/due.ics").get_data(as_text=True).count("UID:") == len(uids)
    summary = next(line for line in lines if line.startswith(f"SUMMARY:Action {actions[0].id} "))
    assert "report\\, with commas\\; and a newline" in summary
    assert "X-WR-CALNAME:Audit\\, Risk\\; and \\\\ Scrutiny: actions due" in lines


def test_text_escaping_and_folding() -> None:
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    long = "SUMMARY:" + "é" * 100
    folded = fold(long)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == long


def test_a_committee_with_nothing_outstanding(
    client: FlaskClient,
    session: Session,
    login: Callable[[User], None],
    member: User,
    staff: User,
    make_actions: Callable[..., list[int]],
) -> None:
    (only,) = make_actions(1, committee="Quiet Committee")
    services.close_action(session, only, "withdrawn", author=staff, note="not needed")
    session.commit()
    login(member)
    committee_id = session.get(Action, only).minute_item.meeting.committee_id
    assert "nothing to report" in client.get(f"/committees/{committee_id}/report").get_data(as_text=True)
    body = client.get(f"/committees/{committee_id}/due.ics").get_data(as_text=True)
    assert "BEGIN:VEVENT" not in body and body.endswith("END:VCALENDAR\r\n")
