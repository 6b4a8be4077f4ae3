"""Security headers on every response, and login throttling after repeated failures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.conftest import app_config
from tracker import create_app, throttle
from tracker.models import LoginFailure, User, utcnow


def _sign_in(client: FlaskClient, email: str, password: str, address: str = "192.0.2.1") -> int:
    data = {"email": email, "password": password}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address}).status_code


@pytest.mark.parametrize("path", ["/login", "/", "/static/style.css", "/no-such-page"])
def test_every_response_carries_the_security_headers(
    client: FlaskClient, login: Callable[[User], None], member: User, path: str
) -> None:
    login(member)
    with client.get(path) as response:
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # plain HTTP in tests


def test_pages_are_not_cached_and_hsts_is_sent_behind_https(database_url: str, connection: object) -> None:
    app = create_app(app_config(database_url, SESSION_COOKIE_SECURE=True))
    response = app.test_client().get("/login", base_url="https://tracker.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_samesite_and_secure_when_configured(
    app: Flask, client: FlaskClient, member: User
) -> None:
    client.post("/login", data={"email": "member@example.org", "password": "member pass"})
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_five_failures_pause_signing_in_even_with_the_right_password(
    app: Flask, client: FlaskClient, session: Session, member: User
) -> None:
    for _ in range(5):
        assert _sign_in(client, "Member@Example.org", "wrong guess") == 400
    response = client.post("/login", data={"email": "member@example.org", "password": "member pass"})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many failed attempts" in page and "try again in 15 minutes" in page
    assert 'value="member@example.org"' in page  # what was typed is kept
    assert "user_id" not in (client.get_cookie("session").value if client.get_cookie("session") else "")
    # other accounts are not affected
    other = app.test_client()
    assert _sign_in(other, "someone@example.org", "x") == 400


def test_the_pause_ends_with_the_window(
    app: Flask, client: FlaskClient, session: Session, member: User
) -> None:
    for _ in range(5):
        _sign_in(client, "member@example.org", "wrong guess")
    assert _sign_in(client, "member@example.org", "member pass") == 429
    session.execute(update(LoginFailure).values(window_start=utcnow() - dt.timedelta(minutes=16)))
    session.commit()
    assert _sign_in(client, "member@example.org", "member pass") == 302
    left = session.scalars(select(LoginFailure.key)).all()
    assert "email:member@example.org" not in left  # a success clears the address's count


def test_one_network_address_trying_many_accounts_is_paused(
    app: Flask, client: FlaskClient, session: Session, member: User
) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for i in range(3):
        assert _sign_in(client, f"guess{i}@example.org", "x", address="198.51.100.7") == 400
    assert _sign_in(client, "member@example.org", "member pass", address="198.51.100.7") == 429
    assert _sign_in(app.test_client(), "member@example.org", "member pass", address="203.0.113.9") == 302


def test_failures_are_counted_in_the_database_for_every_worker(session: Session) -> None:
    limits = throttle.Limits(per_email=2, per_address=10, window=dt.timedelta(minutes=15))
    throttle.record_failure(session, "a@example.org", "192.0.2.5", limits)
    throttle.record_failure(session, "A@example.org ", "192.0.2.5", limits)
    rows = dict(session.execute(select(LoginFailure.key, LoginFailure.failures)).all())
    assert rows == {"email:a@example.org": 2, "address:192.0.2.5": 2}
    assert throttle.locked_until(session, "a@example.org", None, limits) is not None
    assert throttle.locked_until(session, "b@example.org", "192.0.2.5", limits) is None
