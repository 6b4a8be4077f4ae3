"""The pages: dashboard, action list (filters, search, pages), action page and its forms, committees."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import services
from tracker.models import Action, ActionStatus, MinuteItem, User

COMMITTEE = "Scrutiny Co-ordination Committee"


@pytest.fixture
def as_staff(login: Callable[[User], None], staff: User) -> User:
    login(staff)
    return staff


@pytest.fixture
def as_member(login: Callable[[User], None], member: User) -> User:
    login(member)
    return member


def _page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _first_action(session: Session) -> Action:
    return session.scalars(select(Action).order_by(Action.id)).first()


def test_smoke_every_page(
    client: FlaskClient, imported: dict[str, MinuteItem], as_member: User, session: Session
) -> None:
    action = _first_action(session)
    item = action.minute_item
    for url in [
        "/",
        "/actions",
        f"/actions/{action.id}",
        "/committees",
        f"/committees/{item.meeting.committee_id}",
        f"/meetings/{item.meeting_id}",
        f"/items/{item.id}",
    ]:
        page = _page(client, url)
        assert "<h1>" in page and 'id="main"' in page


def test_the_dashboard_counts_outstanding_actions(
    client: FlaskClient, imported: dict[str, MinuteItem], as_member: User
) -> None:
    page = _page(client, "/")
    assert "11 actions are not yet closed" in page
    assert "By committee" in page and "By owner" in page and "By status" in page
    assert re.search(rf">{COMMITTEE}</a></td><td>11</td>", page)
    assert re.search(r">Open</a></td><td>11</td>", page)


def test_the_dashboard_says_when_there_is_nothing(client: FlaskClient, as_member: User) -> None:
    assert "There are no outstanding actions" in _page(client, "/")


def _action_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a href="/actions/(\d+)">Action', page)]


def test_filters_and_search(
    client: FlaskClient, session: Session, imported: dict[str, MinuteItem], as_member: User, staff: User
) -> None:
    everything = _action_ids(_page(client, "/actions"))
    assert len(everything) == 11 and everything == sorted(everything)
    committee_id = imported["001_5d45f58f76307487.txt"].meeting.committee_id
    assert len(_action_ids(_page(client, f"/actions?committee={committee_id}"))) == 11
    assert _action_ids(_page(client, f"/actions?committee={committee_id + 99}")) == []

    owners = services.list_owners(session)
    owner = owners[0]
    wanted = [a.id for a in session.scalars(select(Action).where(Action.owner == owner).order_by(Action.id))]
    assert _action_ids(_page(client, f"/actions?owner={owner}")) == wanted

    # text search: an action's words, any case; and a resolution's words find its actions
    target = _first_action(session)
    word = target.text.split()[-1].upper()
    assert target.id in _action_ids(_page(client, f"/actions?q={word}"))
    clause = session.scalars(select(Action).where(Action.resolution_id.is_not(None))).first()
    phrase = " ".join(clause.resolution.text.split()[:4])
    assert clause.id in _action_ids(_page(client, f"/actions?q={phrase}"))
    assert _action_ids(_page(client, "/actions?q=zzzz-no-such-words")) == []
    assert "No actions match these filters" in _page(client, "/actions?q=zzzz")
    assert _action_ids(_page(client, "/actions?q=100%25")) == []  # % is a character, not a wildcard

    services.close_action(session, target.id, "completed", author=staff, note="done")
    session.commit()
    assert target.id not in _action_ids(_page(client, "/actions"))
    assert _action_ids(_page(client, "/actions?status=closed")) == [target.id]
    assert len(_action_ids(_page(client, "/actions?status=all"))) == 11


def test_due_before_and_overdue(
    client: FlaskClient, session: Session, make_actions: Callable[..., list[int]], as_member: User
) -> None:
    ids = make_actions(60)
    actions = [session.get(Action, i) for i in ids]
    cut = date(2022, 1, 1)
    before = [a.id for a in actions if a.due_date and a.due_date < cut]
    assert before and len(before) < 60
    assert _action_ids(_page(client, f"/actions?due_before={cut.isoformat()}")) == before
    overdue = [a.id for a in actions if a.due_date and a.due_date < date.today()]
    assert overdue and _action_ids(_page(client, "/actions?overdue=1")) == overdue
    both = _action_ids(_page(client, "/actions?overdue=1&owner=Officer+2&due_before=2023-01-01"))
    assert both == [
        a.id for a in actions if a.id in overdue and a.owner == "Officer 2" and a.due_date < date(2023, 1, 1)
    ]


def test_a_filter_that_cannot_be_read_is_reported_and_kept(client: FlaskClient, as_member: User) -> None:
    page = _page(client, "/actions?due_before=31/03/2025&status=nonsense", status=400)
    assert "year-month-day" in page and "no status called" in page
    assert 'value="31/03/2025"' in page


def test_the_next_page_link_continues_the_list(
    client: FlaskClient, make_actions: Callable[..., list[int]], as_member: User
) -> None:
    ids = make_actions(services.PAGE_SIZE * 2 + 5)
    seen: list[int] = []
    url = "/actions?status=all&owner=Officer+1"
    pages = 0
    while url:
        page = _page(client, url)
        seen += _action_ids(page)
        found = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', page)
        url = found.group(1).replace("&amp;", "&") if found else None
        pages += 1
        assert "Officer+1" in (url or "owner=Officer+1")  # filters are kept
    wanted = [i for n, i in enumerate(ids) if n % 5 == 1]
    assert seen == wanted and pages == 1
    seen, url = [], "/actions?status=all"
    while url:
        page = _page(client, url)
        seen += _action_ids(page)
        found = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == ids
    assert "First page" in _page(client, f"/actions?after={ids[10]}")


def test_the_action_page_shows_clause_source_history_and_rag(
    client: FlaskClient, session: Session, imported: dict[str, MinuteItem], as_member: User, staff: User
) -> None:
    action = session.scalars(select(Action).where(Action.resolution_id.is_not(None))).first()
    services.add_update(session, action.id, author=staff, note="Wrote to the *Cabinet Member*.")
    session.commit()
    page = _page(client, f"/actions/{action.id}")
    assert action.resolution.text in page
    excerpt = action.minute_item.source_text[action.span_start : action.span_end]
    assert f"<mark>{excerpt}</mark>" in page.replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')
    assert "Wrote to the <em>Cabinet Member</em>." in page
    assert "Dee Officer" in page
    assert "rag-" in page
    assert "only staff add updates" in page and '<form method="post" action="/actions/' not in page


@pytest.mark.parametrize(
    ("days", "label"),
    [(-1, "Overdue"), (0, "Due soon"), (14, "Due soon"), (15, "On track"), (None, "No due date")],
)
def test_rag_status(
    session: Session, make_actions: Callable[..., list[int]], days: int | None, label: str
) -> None:
    action = session.get(Action, make_actions(1)[0])
    today = date(2025, 6, 1)
    action.due_date = today + timedelta(days=days) if days is not None else None
    assert services.RAG_LABELS[services.rag_status(action, today)] == label


def test_a_closed_action_is_closed_not_overdue(
    session: Session, make_actions: Callable[..., list[int]]
) -> None:
    action = session.get(Action, make_actions(1)[0])
    action.due_date, action.status = date(2000, 1, 1), ActionStatus.CLOSED
    assert services.rag_status(action, date(2025, 1, 1)) is services.Rag.CLOSED


def test_an_unknown_action_is_a_404_page(client: FlaskClient, as_member: User) -> None:
    page = _page(client, "/actions/999999", status=404)
    assert "there is no action 999999" in page and "Go to the outstanding actions" in page


def test_an_unexpected_error_shows_a_plain_500_page(
    app, client: FlaskClient, as_member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "dashboard", broken)
    page = _page(client, "/", status=500)
    assert "Something went wrong" in page and "nothing was saved" in page and "boom" not in page
