"""The action list page: every value a person typed or imported is escaped, and the rows' links lead
to the action, its committee and its meeting (the list writes its table and links itself)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker.models import Action, Resolution, ResolutionKind, User

HOSTILE = '<script>alert("x")</script>'


def test_every_value_in_a_row_is_escaped_and_its_links_lead_to_its_pages(
    client: FlaskClient,
    session: Session,
    member: User,
    login: Callable[[User], None],
    make_actions: Callable[..., list[int]],
) -> None:
    (action_id,) = make_actions(1, committee=f"Scrutiny {HOSTILE}")
    action = session.get(Action, action_id)
    item = action.minute_item
    action.text = f"Report on {HOSTILE} costs"
    action.owner = f"Director {HOSTILE}"
    action.due_text = f"soon {HOSTILE}"
    action.due_date = None
    action.resolution = Resolution(
        minute_item=item,
        position=0,
        label=f"(1){HOSTILE}",
        text="That the committee notes the report.",
        kind=ResolutionKind.REQUEST,
        needs_followup=True,
        span_start=0,
        span_end=10,
    )
    session.commit()
    login(member)
    page = client.get("/actions?status=all").get_data(as_text=True)
    assert "<script>" not in page
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    for shown in (
        f"Report on {escaped} costs",
        f"Director {escaped}",
        f"“soon {escaped}” (no date)",
        f"(clause (1){escaped})",
        f"Scrutiny {escaped}",
    ):
        assert shown in page, shown
    meeting = item.meeting
    assert f'<a href="/actions/{action_id}">Action {action_id}</a>' in page
    assert f'<a href="/committees/{meeting.committee_id}">Scrutiny {escaped}</a>' in page
    assert f'<a href="/meetings/{meeting.id}">meeting of ' in page
    for url in (f"/actions/{action_id}", f"/committees/{meeting.committee_id}", f"/meetings/{meeting.id}"):
        assert client.get(url).status_code == 200, url


def test_a_due_that_follows_the_calendar_reads_the_same_as_on_the_action_page(
    client: FlaskClient,
    session: Session,
    member: User,
    login: Callable[[User], None],
    make_actions: Callable[..., list[int]],
) -> None:
    import datetime as dt

    from tracker.models import MeetingRule

    next_id, month_id = make_actions(2)
    for action_id, rule, month in (
        (next_id, MeetingRule.NEXT_MEETING, None),
        (month_id, MeetingRule.MEETING_IN_MONTH, dt.date(2031, 3, 1)),
    ):
        action = session.get(Action, action_id)
        action.due_date, action.due_text, action.due_rule, action.due_rule_month = None, "x", rule, month
    session.commit()
    login(member)
    listed = client.get("/actions").get_data(as_text=True)
    assert "next meeting (date not yet known)" in listed
    assert "March 2031 meeting (date not yet known)" in listed
    assert "next meeting (date not yet known)" in client.get(f"/actions/{next_id}").get_data(as_text=True)


def test_the_filter_options_are_escaped_and_mark_the_chosen_ones(
    client: FlaskClient,
    session: Session,
    member: User,
    login: Callable[[User], None],
    make_actions: Callable[..., list[int]],
) -> None:
    (action_id,) = make_actions(1, committee=f"Scrutiny {HOSTILE}")
    action = session.get(Action, action_id)
    action.owner = f"Director {HOSTILE}"
    session.commit()
    committee_id = action.minute_item.meeting.committee_id
    make_actions(1, committee="Audit")
    login(member)
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"

    def selects(query: str) -> tuple[str, str]:
        page = client.get(f"/actions?{query}").get_data(as_text=True)
        assert "<script>" not in page
        committees = page.split('<select id="committee"', 1)[1].split("</select>", 1)[0]
        owners = page.split('<select id="owner"', 1)[1].split("</select>", 1)[0]
        return committees, owners

    committees, owners = selects("status=all")
    assert f'<option value="{committee_id}">Scrutiny {escaped}</option>' in committees
    assert f"<option>Director {escaped}</option>" in owners
    assert "selected" not in committees and "selected" not in owners

    owner = urlencode({"owner": action.owner})
    committees, owners = selects(f"status=all&committee={committee_id}&{owner}")
    assert f'<option value="{committee_id}" selected>Scrutiny {escaped}</option>' in committees
    assert f"<option selected>Director {escaped}</option>" in owners
    assert committees.count("selected") == 1 and owners.count("selected") == 1
    assert "Audit</option>" in committees
