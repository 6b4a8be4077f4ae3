"""Signing in and out, safe redirects after sign-in, and CSRF protection of forms."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tracker.auth import safe_next
from tracker.models import User


def test_the_sign_in_page_labels_its_fields(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="email">E-mail address</label>' in page
    assert '<label for="password">Password</label>' in page
    assert 'href="#main"' in page and 'id="main"' in page


def test_sign_in_and_out(client: FlaskClient, staff: User) -> None:
    response = client.post("/login", data={"email": "OFFICER@example.org ", "password": "correct horse"})
    assert response.status_code == 302
    with client.session_transaction() as cookie:
        assert cookie["user_id"] == staff.id
    assert response.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as Dee Officer." in page and "Outstanding actions" in page

    response = client.post("/logout")
    assert response.status_code == 302 and response.location == "/login"
    with client.session_transaction() as cookie:
        assert "user_id" not in cookie


def test_a_failed_sign_in_keeps_the_address_and_says_so(client: FlaskClient, staff: User) -> None:
    response = client.post("/login", data={"email": "officer@example.org", "password": "wrong horse"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "do not match an account" in page
    assert 'value="officer@example.org"' in page
    with client.session_transaction() as cookie:
        assert "user_id" not in cookie


def test_an_unknown_address_is_refused_the_same_way(client: FlaskClient, staff: User) -> None:
    response = client.post("/login", data={"email": "nobody@example.org", "password": "correct horse"})
    assert response.status_code == 400
    assert "do not match an account" in response.get_data(as_text=True)


def test_sign_in_goes_back_to_the_page_asked_for(client: FlaskClient, staff: User) -> None:
    response = client.post(
        "/login?next=/committees%3Fx%3D1",
        data={"email": "officer@example.org", "password": "correct horse"},
    )
    assert response.location == "/committees?x=1"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "evil", ""],
)
def test_next_only_allows_paths_on_this_site(target: str) -> None:
    assert safe_next(target) is None


def test_next_off_site_is_ignored_after_sign_in(client: FlaskClient, staff: User) -> None:
    response = client.post(
        "/login",
        data={"email": "officer@example.org", "password": "correct horse", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and "evil" not in response.location


def test_forms_need_a_csrf_token(app: Flask, client: FlaskClient, staff: User) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": "officer@example.org", "password": "correct horse"})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": "officer@example.org", "password": "correct horse", "csrf_token": token}
    )
    assert response.status_code == 302


def test_an_unknown_page_says_so_with_a_way_back(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and 'href="/"' in page


def test_a_page_that_needs_sign_in_comes_back_after_it(client: FlaskClient, staff: User) -> None:
    response = client.get("/committees?sort=name")
    assert response.status_code == 302
    assert response.location == "/login?next=/committees?sort%3Dname"
    page = client.get(response.location).get_data(as_text=True)
    assert 'name="next" value="/committees?sort=name"' in page
    response = client.post(
        "/login?next=/committees?sort%3Dname",
        data={"email": "officer@example.org", "password": "correct horse"},
    )
    assert response.location == "/committees?sort=name"


def test_a_form_posted_while_signed_out_does_not_come_back_to_the_form_target(client: FlaskClient) -> None:
    response = client.post("/actions/1/update", data={"note": "x", "version": 1})
    assert response.status_code == 302 and response.location == "/login"
