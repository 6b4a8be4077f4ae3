"""Changing accounts after they are made: role, name, disabling, password resets, own passwords."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import accounts, services
from tracker.errors import ValidationError
from tracker.models import AccountChange, User, UserRole


def _sign_in(client: FlaskClient, email: str, password: str) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def test_an_admin_changes_role_and_name_and_it_is_recorded(
    client: FlaskClient, session: Session, login: Callable[[User], None], admin: User, member: User
) -> None:
    login(admin)
    assert f'href="/users/{member.id}"' in client.get("/users").get_data(as_text=True)
    response = client.post(
        f"/users/{member.id}", data={"name": " Mo  Staffer ", "role": "staff", "active": "1"}
    )
    assert response.status_code == 302
    session.refresh(member)
    assert member.role is UserRole.STAFF and member.name == "Mo Staffer"
    page = client.get(f"/users/{member.id}").get_data(as_text=True)
    assert "role: member → staff" in page and "name: “Mo Member” → “Mo Staffer”" in page
    assert "Ada Admin" in page


def test_saving_without_changes_records_nothing(session: Session, admin: User, member: User) -> None:
    accounts.update_account(session, member.id, author=admin, name=member.name, role="member", active=True)
    assert accounts.account_history(session, member.id) == []


def test_a_disabled_account_cannot_sign_in_and_its_session_ends(
    app: Flask,
    client: FlaskClient,
    session: Session,
    login: Callable[[User], None],
    admin: User,
    member: User,
) -> None:
    theirs = app.test_client()
    assert _sign_in(theirs, "member@example.org", "member pass") == 302
    assert theirs.get("/").status_code == 200
    login(admin)
    client.post(f"/users/{member.id}", data={"name": member.name, "role": "member"})  # box unticked
    session.refresh(member)
    assert member.active is False
    assert theirs.get("/").status_code == 302  # back to the sign-in page
    assert _sign_in(app.test_client(), "member@example.org", "member pass") == 400
    assert "Disabled" in client.get("/users").get_data(as_text=True)
    client.post(f"/users/{member.id}", data={"name": member.name, "role": "member", "active": "1"})
    assert _sign_in(app.test_client(), "member@example.org", "member pass") == 302


def test_nobody_disables_themselves_or_removes_the_last_admin(
    client: FlaskClient, session: Session, login: Callable[[User], None], admin: User
) -> None:
    login(admin)
    response = client.post(f"/users/{admin.id}", data={"name": "Typed Name", "role": "admin"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "cannot disable your own account" in page
    assert 'value="Typed Name"' in page  # what was typed is kept
    with pytest.raises(ValidationError, match="only active admin"):
        accounts.update_account(session, admin.id, author=admin, name=admin.name, role="staff", active=True)
    other = services.create_user(
        session, email="b@example.org", name="Bo", role="admin", password="bo password"
    )
    accounts.update_account(session, admin.id, author=other, name=admin.name, role="staff", active=True)
    assert admin.role is UserRole.STAFF


def test_a_password_reset_signs_the_person_out_everywhere(
    app: Flask,
    client: FlaskClient,
    session: Session,
    login: Callable[[User], None],
    admin: User,
    member: User,
) -> None:
    theirs = app.test_client()
    _sign_in(theirs, "member@example.org", "member pass")
    login(admin)
    short = client.post(f"/users/{member.id}/password", data={"password": "short"})
    assert short.status_code == 400 and "at least 8 characters" in short.get_data(as_text=True)
    assert client.post(f"/users/{member.id}/password", data={"password": "a new secret"}).status_code == 302
    assert theirs.get("/").status_code == 302
    assert _sign_in(app.test_client(), "member@example.org", "member pass") == 400
    assert _sign_in(app.test_client(), "member@example.org", "a new secret") == 302
    notes = session.scalars(select(AccountChange.note).where(AccountChange.user_id == member.id)).all()
    assert notes == ["password reset by an admin; signed out everywhere"]
    assert all("a new secret" not in n for n in notes)


def test_anyone_changes_their_own_password_and_stays_signed_in_here_only(
    app: Flask, session: Session, member: User
) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    _sign_in(here, "member@example.org", "member pass")
    _sign_in(elsewhere, "member@example.org", "member pass")
    wrong = here.post("/account/password", data={"current": "not it", "new": "another secret"})
    assert wrong.status_code == 400 and "current password is not right" in wrong.get_data(as_text=True)
    assert (
        here.post("/account/password", data={"current": "member pass", "new": "another secret"}).status_code
        == 302
    )
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    session.refresh(member)
    assert member.check_password("another secret")


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/users/{id}"), ("post", "/users/{id}"), ("post", "/users/{id}/password")],
)
def test_only_admins_manage_accounts(
    client: FlaskClient, login: Callable[[User], None], staff: User, member: User, method: str, path: str
) -> None:
    url = path.format(id=member.id)
    assert getattr(client, method)(url).status_code == 302  # not signed in: to the sign-in page
    login(staff)
    assert (
        getattr(client, method)(
            url, data={"name": "x", "role": "admin", "password": "long enough"}
        ).status_code
        == 403
    )
    assert member.role is UserRole.MEMBER


def test_account_history_is_append_only(session: Session, admin: User, member: User) -> None:
    accounts.update_account(session, member.id, author=admin, name="Renamed", role="member", active=True)
    session.commit()
    change = accounts.account_history(session, member.id)[0]
    change.note = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()
    session.rollback()
