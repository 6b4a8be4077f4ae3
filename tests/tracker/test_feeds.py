"""The calendar subscription address (``/feeds/TOKEN/due.ics``): no sign-in needed, the token is the key."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer
from sqlalchemy.orm import Session

from tracker.models import Action, User
from tracker.views.feeds import SALT


def _feed_path(page: str) -> str:
    found = re.search(r'id="feed-url" type="text" readonly value="http://localhost(/feeds/[^"]+)"', page)
    assert found, "the committee page shows the subscription address"
    return found.group(1)


def test_the_committee_page_gives_an_address_that_works_without_signing_in(
    app: Flask,
    session: Session,
    client: FlaskClient,
    login: Callable[[User], None],
    member: User,
    make_actions: Callable[..., list[int]],
) -> None:
    ids = make_actions(4)
    action = session.get(Action, ids[1])
    committee_id = action.minute_item.meeting.committee_id
    login(member)
    path = _feed_path(client.get(f"/committees/{committee_id}").get_data(as_text=True))
    with app.test_client() as anonymous:
        response = anonymous.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR") and action.text in body
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_each_address_reads_its_own_committee_only(
    app: Flask,
    session: Session,
    client: FlaskClient,
    login: Callable[[User], None],
    member: User,
    make_actions: Callable[..., list[int]],
) -> None:
    first = session.get(Action, make_actions(2, committee="First")[0])
    second = session.get(Action, make_actions(2, committee="Second")[0])
    login(member)
    path = _feed_path(
        client.get(f"/committees/{first.minute_item.meeting.committee_id}").get_data(as_text=True)
    )
    body = app.test_client().get(path).get_data(as_text=True)
    assert "First: actions due" in body and "Second" not in body
    assert second.minute_item.meeting.committee_id != first.minute_item.meeting.committee_id


def test_guessed_forged_and_revoked_tokens_find_nothing(
    app: Flask, session: Session, make_actions: Callable[..., list[int]]
) -> None:
    committee_id = session.get(Action, make_actions(1)[0]).minute_item.meeting.committee_id
    anonymous = app.test_client()
    forged = URLSafeSerializer("another secret key", salt=SALT).dumps(committee_id)
    wrong_salt = URLSafeSerializer(app.secret_key, salt="itsdangerous").dumps(committee_id)
    not_an_id = URLSafeSerializer(app.secret_key, salt=SALT).dumps("1 OR 1=1")
    for token in (str(committee_id), forged, wrong_salt, not_an_id, "x" * 300):
        assert anonymous.get(f"/feeds/{token}/due.ics").status_code == 404, token
    gone = URLSafeSerializer(app.secret_key, salt=SALT).dumps(committee_id + 1000)
    assert anonymous.get(f"/feeds/{gone}/due.ics").status_code == 404
