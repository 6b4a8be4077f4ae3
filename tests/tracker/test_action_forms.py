"""The forms on an action's page: updates, status changes, closing, reopening, conflicts, and who may post."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker import services
from tracker.models import Action, ActionStatus, User

#: POST routes anyone may use: signing in, and signing out (which only ends one's own session)
#: POST routes any visitor (sign in, out) or any signed-in user (own password) may use; CSRF still applies
OPEN_TO_ALL = {"auth.login", "auth.logout", "users.own_password"}


@pytest.fixture
def action_id(make_actions: Callable[..., list[int]]) -> int:
    return make_actions(1)[0]


def _action(session: Session, action_id: int) -> Action:
    session.expire_all()
    return session.get(Action, action_id)


def _post(client: FlaskClient, url: str, **data: object) -> tuple[int, str]:
    response = client.post(url, data=data)
    return response.status_code, response.get_data(as_text=True)


def test_staff_add_an_update_with_markdown_and_evidence(
    client: FlaskClient, session: Session, login: Callable[[User], None], staff: User, action_id: int
) -> None:
    login(staff)
    status, _ = _post(
        client,
        f"/actions/{action_id}/update",
        note="Met the **team**.\n\n- one\n- two",
        version=1,
        evidence_url="https://example.org/report",
    )
    assert status == 302
    action = _action(session, action_id)
    assert action.status is ActionStatus.OPEN and action.version == 1  # a note leaves the row as it was
    (update,) = action.updates
    assert update.author_id == staff.id and update.evidence_url == "https://example.org/report"
    page = client.get(f"/actions/{action_id}").get_data(as_text=True)
    assert "<strong>team</strong>" in page and "<li>one</li>" in page
    assert "Your update was added to the history." in page


def test_a_note_cannot_inject_script_or_markup(
    client: FlaskClient, session: Session, login: Callable[[User], None], staff: User, action_id: int
) -> None:
    login(staff)
    note = (
        'Done <script>alert("x")</script> <img src=x onerror=alert(1)> '
        '[click](javascript:alert(1)) <a href="https://ok.example" onclick="evil()">ok</a>'
    )
    assert _post(client, f"/actions/{action_id}/update", note=note, version=1)[0] == 302
    page = client.get(f"/actions/{action_id}").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert "<script>alert" not in history and "onerror" not in history and "onclick" not in history
    assert "javascript:" not in history and "<img" not in history
    assert 'href="https://ok.example"' in history


def test_staff_move_close_and_reopen_an_action(
    client: FlaskClient, session: Session, login: Callable[[User], None], staff: User, action_id: int
) -> None:
    login(staff)
    assert (
        _post(client, f"/actions/{action_id}/update", note="Started", status="in_progress", version=1)[0]
        == 302
    )
    assert _action(session, action_id).status is ActionStatus.IN_PROGRESS
    status, _ = _post(
        client, f"/actions/{action_id}/close", note="Report went", close_reason="completed", version=2
    )
    assert status == 302
    action = _action(session, action_id)
    assert action.status is ActionStatus.CLOSED and action.close_reason.value == "completed"
    page = client.get(f"/actions/{action_id}").get_data(as_text=True)
    assert "Reopen this action" in page and "Close this action</h2>" not in page
    assert _post(client, f"/actions/{action_id}/reopen", note="Not finished after all", version=3)[0] == 302
    action = _action(session, action_id)
    assert action.status is ActionStatus.OPEN and len(action.updates) == 3


def test_a_refused_form_keeps_what_was_typed(
    client: FlaskClient, session: Session, login: Callable[[User], None], staff: User, action_id: int
) -> None:
    login(staff)
    status, page = _post(
        client, f"/actions/{action_id}/update", note="   ", evidence_url="ftp://nope.example/x", version=1
    )
    assert status == 400 and "Nothing was saved" in page
    assert 'value="ftp://nope.example/x"' in page
    status, page = _post(client, f"/actions/{action_id}/close", note="My careful words", version=1)
    assert status == 400 and "Choose why the action is being closed." in page
    assert ">My careful words</textarea>" in page
    status, page = _post(client, f"/actions/{action_id}/reopen", note="Again please", version=1)
    assert status == 400 and "only a closed action can be reopened" in page
    assert _action(session, action_id).version == 1 and not _action(session, action_id).updates


def test_saving_from_a_stale_page_shows_both_versions_and_loses_nothing(
    client: FlaskClient, session: Session, login: Callable[[User], None], staff: User, action_id: int
) -> None:
    other = services.create_user(
        session, email="b@example.org", name="Bea Other", role="staff", password="x" * 8
    )
    services.change_status(
        session, action_id, "in_progress", author=other, note="Bea took this on", expected_version=1
    )
    session.commit()
    login(staff)
    status, page = _post(
        client,
        f"/actions/{action_id}/close",
        note="My long note about <b>closing</b>",
        close_reason="completed",
        version=1,
    )
    assert status == 409
    assert "changed while you were editing" in page and "your change was not saved" in page
    assert "What you tried to save" in page and "The action now" in page
    assert "My long note about &lt;b&gt;closing&lt;/b&gt;" in page  # shown, and kept in the form
    assert ">My long note about &lt;b&gt;closing&lt;/b&gt;</textarea>" in page
    assert "Bea took this on" in page and "In progress" in page
    assert re.search(r'name="version" value="2"', page)
    action = _action(session, action_id)
    assert action.status is ActionStatus.IN_PROGRESS and len(action.updates) == 1


def _post_rules(app: Flask) -> list[tuple[str, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or set()) and rule.endpoint not in OPEN_TO_ALL:
            url = re.sub(r"<(?:int:)?[a-z_]+>", "1", rule.rule)
            rules.append((rule.endpoint, url))
    return rules


def test_every_state_changing_route_is_known(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _ in _post_rules(app)}
    assert endpoints == {
        "actions.update",
        "actions.close",
        "actions.reopen",
        "actions.edit",
        "imports.review",
        "imports.confirm",
        "links.confirm",
        "links.dismiss",
        "imports.batch_import",
        "resolutions.edit",
        "users.create",
        "users.update",
        "users.reset_password",
        "committees.add_meeting",
        "committees.move_meeting",
        "committees.remove_meeting",
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static" and rule.endpoint not in OPEN_TO_ALL | endpoints:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, f"{rule} changes state but is not checked"


def _form(action_id: int) -> dict[str, object]:
    return {"note": "sneaky", "status": "in_progress", "close_reason": "completed", "version": 1}


def test_anonymous_visitors_are_sent_to_sign_in(
    app: Flask, client: FlaskClient, session: Session, action_id: int
) -> None:
    for endpoint, url in _post_rules(app):
        response = client.post(url.replace("/1/", f"/{action_id}/"), data=_form(action_id))
        assert response.status_code == 302, endpoint
        assert response.location.startswith("/login"), endpoint
    assert _action(session, action_id).version == 1


def test_members_are_refused(
    app: Flask,
    client: FlaskClient,
    session: Session,
    login: Callable[[User], None],
    member: User,
    action_id: int,
) -> None:
    login(member)
    for endpoint, url in _post_rules(app):
        response = client.post(url.replace("/1/", f"/{action_id}/"), data=_form(action_id))
        assert response.status_code == 403, endpoint
        assert "You cannot do that" in response.get_data(as_text=True)
    assert _action(session, action_id).version == 1


def test_every_form_needs_its_csrf_token(
    app: Flask,
    client: FlaskClient,
    session: Session,
    login: Callable[[User], None],
    staff: User,
    action_id: int,
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    login(staff)
    for endpoint, url in [
        *_post_rules(app),
        ("auth.logout", "/logout"),
        ("users.own_password", "/account/password"),
    ]:
        response = client.post(url.replace("/1/", f"/{action_id}/"), data=_form(action_id))
        assert response.status_code == 400, endpoint
    assert _action(session, action_id).version == 1
    page = client.get(f"/actions/{action_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/actions/{action_id}/update", data={"note": "with a token", "version": 1, "csrf_token": token}
    )
    assert response.status_code == 302


def test_anonymous_visitors_cannot_read_pages(app: Flask, client: FlaskClient) -> None:
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in ("static", "auth.login"):
            url = re.sub(r"<(?:int:)?[a-z_]+>", "1", rule.rule)
            response = client.get(url)
            if rule.endpoint == "feeds.due_calendar":  # read by its signed token, not a session
                assert response.status_code == 404, url
                continue
            assert response.status_code == 302 and response.location.startswith("/login"), url
