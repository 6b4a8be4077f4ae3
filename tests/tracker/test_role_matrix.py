"""The role matrix, route by route: anonymous, member, staff and admin against every route of the app.

Every route is listed here with the least role that may use it. A route missing from the table fails
the test, so a new page or form cannot ship without a decision about who may use it. Each route is
then requested (GET, or POST with an empty form, CSRF off) by each kind of visitor:

- anonymous: sent to sign in (``public`` routes answer; the calendar feed answers 404 to a bad token);
- a signed-in user below the route's role: 403;
- a signed-in user at or above it: neither sent to sign in nor refused (400 for an empty form is fine).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker import services
from tracker.models import MinuteItem, User, UserRole

#: the least role each route needs: public, token (its own signed token), member, staff or admin
REQUIRED = {
    "auth.login": "public",
    "auth.logout": "public",
    "static": "public",
    "feeds.due_calendar": "token",
    "actions.dashboard": "member",
    "actions.index": "member",
    "actions.detail": "member",
    "committees.index": "member",
    "committees.detail": "member",
    "committees.meeting": "member",
    "committees.item": "member",
    "committees.report": "member",
    "committees.report_csv": "member",
    "committees.calendar": "member",
    "search.index": "member",
    "users.own_password": "member",
    "actions.update": "staff",
    "actions.close": "staff",
    "actions.reopen": "staff",
    "actions.edit": "staff",
    "committees.add_meeting": "staff",
    "committees.move_meeting": "staff",
    "committees.remove_meeting": "staff",
    "imports.form": "staff",
    "imports.review": "staff",
    "imports.confirm": "staff",
    "imports.batch_form": "staff",
    "imports.batch_import": "staff",
    "imports.needs_date": "staff",
    "links.confirm": "staff",
    "links.dismiss": "staff",
    "resolutions.edit": "staff",
    "users.index": "admin",
    "users.create": "admin",
    "users.edit": "admin",
    "users.update": "admin",
    "users.reset_password": "admin",
}
RANK = {"member": 1, "staff": 2, "admin": 3}


def test_every_route_has_a_declared_role(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(REQUIRED), (
        f"undeclared: {sorted(endpoints - set(REQUIRED))}; gone: {sorted(set(REQUIRED) - endpoints)}"
    )


def _requests(app: Flask, item: MinuteItem, user_id: int) -> list[tuple[str, str, str]]:
    action = item.actions[0]
    ids = {
        "action_id": action.id,
        "committee_id": item.meeting.committee_id,
        "meeting_id": item.meeting_id,
        "item_id": item.id,
        "resolution_id": item.resolutions[0].id,
        "user_id": user_id,
        "link_id": 1,
        "token": "not-a-token",
        "filename": "style.css",
    }
    out = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            out.append((rule.endpoint, method, url))
    return out


@pytest.mark.parametrize("who", ["anonymous", "member", "staff", "admin"])
def test_each_kind_of_visitor_gets_what_the_table_says(
    app: Flask,
    client: FlaskClient,
    session: Session,
    login: Callable[[User], None],
    imported: dict[str, MinuteItem],
    who: str,
) -> None:
    user = None
    if who != "anonymous":
        user = services.create_user(
            session, email=f"{who}@example.org", name=who.title(), role=UserRole(who), password="x" * 12
        )
        session.commit()
        login(user)
    item = next(iter(imported.values()))
    for endpoint, method, url in _requests(app, item, user.id if user else 1):
        if endpoint == "auth.logout":
            continue  # would sign the visitor out for the rest of the loop
        need = REQUIRED[endpoint]
        with client.get(url) if method == "GET" else client.post(url, data={}) as response:
            status, location = response.status_code, response.headers.get("Location", "")
        to_login = status == 302 and location.startswith("/login")
        where = f"{who} {method} {url} ({endpoint}) -> {status}"
        if need == "public":
            assert not to_login and status != 403, where
        elif need == "token":
            assert status == 404, where
        elif user is None:
            assert to_login, where
        elif RANK[who] < RANK[need]:
            assert status == 403, where
        else:
            assert not to_login and status not in (401, 403), where
