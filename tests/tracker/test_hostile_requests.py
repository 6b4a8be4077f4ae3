"""Hostile requests never break a page: injection in every filter, and random input to every form.

SQL injection attempts in query parameters must come back as ordinary results (empty lists,
"no such" pages or 400s with a message), never a 500 and never more rows than an honest search.
Hypothesis then sends every state-changing route random form data, as a signed-in admin (who may
use them all), and checks the app answers with a page, not a crash (status < 500).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tracker.models import MinuteItem, User

INJECTIONS = (
    "' OR '1'='1",
    "1 OR 1=1",
    "'; DROP TABLE action; --",
    '" OR ""="',
    "1) UNION SELECT id, email, password_hash FROM user --",
    "%' AND 1=1 AND '%'='",
    "\\'; SELECT pg_sleep(5); --",
    "x\x00' OR 1=1",
)
#: query parameters the pages read
PARAMS = ("q", "owner", "committee", "status", "due_before", "overdue", "after", "next")
#: every form field name the app's forms use, for random form data
FIELDS = (
    "note", "status", "close_reason", "evidence_url", "evidence_item_id", "version", "text", "owner",
    "due_text", "due_date", "kind", "followup", "was_text", "was_kind", "was_followup", "email", "name",
    "role", "password", "active", "current", "new", "committee", "new_committee", "meeting_date", "date",
    "payload", "signature", "a0-owner", "a0-text", "a0-drop", "r0-kind", "r0-text", "p0-name",
)  # fmt: skip


def _get_urls(app: Flask, item: MinuteItem) -> list[str]:
    ids = {
        "action_id": item.actions[0].id,
        "committee_id": item.meeting.committee_id,
        "meeting_id": item.meeting_id,
        "item_id": item.id,
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or set()) and rule.endpoint != "static" and "<token>" not in rule.rule:
            url = re.sub(r"<(?:int:)?([a-z_]+)>", lambda m: str(ids.get(m.group(1), 1)), rule.rule)
            urls.append(url)
    return urls


def test_injection_in_any_parameter_of_any_page_is_an_ordinary_answer(
    app: Flask,
    client: FlaskClient,
    login: Callable[[User], None],
    admin: User,
    imported: dict[str, MinuteItem],
) -> None:
    login(admin)
    item = next(iter(imported.values()))
    for url in _get_urls(app, item):
        for param in PARAMS:
            for attempt in INJECTIONS:
                response = client.get(url, query_string={param: attempt})
                assert response.status_code in (200, 302, 400, 404), (
                    url,
                    param,
                    attempt,
                    response.status_code,
                )
                response.close()


def test_a_nul_character_is_refused_in_addresses_and_forms(
    client: FlaskClient, login: Callable[[User], None], admin: User, imported: dict[str, MinuteItem]
) -> None:
    login(admin)
    assert client.get("/actions", query_string={"q": "\x00"}).status_code == 400
    assert client.get("/search", query_string={"q\x00": "x"}).status_code == 400
    response = client.post(f"/users/{admin.id}", data={"name": "Ada\x00", "role": "admin", "active": "1"})
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    assert admin.name == "Ada Admin"


@pytest.mark.parametrize("attempt", [i for i in INJECTIONS if "\x00" not in i])
def test_injection_in_searches_finds_nothing_rather_than_everything(
    client: FlaskClient,
    login: Callable[[User], None],
    admin: User,
    imported: dict[str, MinuteItem],
    attempt: str,
) -> None:
    login(admin)
    actions = client.get("/actions", query_string={"q": attempt, "status": "all"}).get_data(as_text=True)
    assert "No actions match these filters" in actions
    owners = client.get("/actions", query_string={"owner": attempt, "status": "all"}).get_data(as_text=True)
    assert "No actions match these filters" in owners
    found = client.get("/search", query_string={"q": attempt}).get_data(as_text=True)
    assert "No resolution clause holds" in found


text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["", " ", "0", "-1", "99999999999999999999", "2024-02-30", "open", "closed", "admin", *INJECTIONS]
)
forms = st.dictionaries(st.sampled_from(FIELDS), text, max_size=12)


def _post_urls(app: Flask, item: MinuteItem, admin: User) -> list[str]:
    ids = {
        "action_id": item.actions[0].id,
        "resolution_id": item.resolutions[0].id,
        "user_id": admin.id,
        "item_id": item.id,
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or set()) and rule.endpoint not in ("auth.logout",):
            urls.append(re.sub(r"<(?:int:)?([a-z_]+)>", lambda m: str(ids.get(m.group(1), 1)), rule.rule))
    return sorted(urls)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_input_to_every_form_never_breaks_the_app(
    app: Flask,
    client: FlaskClient,
    session: Session,
    login: Callable[[User], None],
    admin: User,
    imported: dict[str, MinuteItem],
    data: st.DataObject,
) -> None:
    login(admin)
    item = next(iter(imported.values()))
    for url in _post_urls(app, item, admin):
        if url == "/login":
            continue
        form = data.draw(forms, label=url)
        response = client.post(url, data=form)
        assert response.status_code < 500, (url, form, response.get_data(as_text=True)[:500])
        session.rollback()
