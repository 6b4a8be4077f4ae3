"""The accounts page: admins list and make accounts; nobody else may."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker import services
from tracker.models import User, UserRole


def test_an_admin_makes_an_account(
    client: FlaskClient, session: Session, login: Callable[[User], None], admin: User
) -> None:
    login(admin)
    page = client.get("/users").get_data(as_text=True)
    assert "Ada Admin" in page and '<label for="account-email">E-mail address</label>' in page
    assert 'href="/users" aria-current="page"' in page
    response = client.post(
        "/users",
        data={"email": "New@Example.org", "name": "Nia New", "role": "staff", "password": "long enough"},
    )
    assert response.status_code == 302
    assert "Made an account for Nia New" in client.get("/users").get_data(as_text=True)
    made = services.find_user(session, "new@example.org")
    assert made.role is UserRole.STAFF and made.check_password("long enough")


def test_a_refused_account_keeps_what_was_typed_but_not_the_password(
    client: FlaskClient, login: Callable[[User], None], admin: User
) -> None:
    login(admin)
    response = client.post(
        "/users",
        data={"email": "admin@example.org", "name": "Twin", "role": "member", "password": "secret pass"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "already a user" in page and 'value="Twin"' in page and "secret pass" not in page


def test_staff_and_members_may_not_see_accounts(
    client: FlaskClient, login: Callable[[User], None], staff: User, member: User
) -> None:
    for user in (staff, member):
        login(user)
        assert client.get("/users").status_code == 403
        assert 'href="/users"' not in client.get("/").get_data(as_text=True)
