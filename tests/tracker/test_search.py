"""Searching resolution clauses and minute item titles: the ``/search`` page and :mod:`tracker.search`."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from test_query_counts import counted

from tracker import search, services
from tracker.models import Committee, Meeting, MinuteItem, Resolution, ResolutionKind, User


def _item(
    session: Session, committee: str, title: str, clauses: list[str], when: date | None = None
) -> MinuteItem:
    """A minute item of ``committee`` holding one resolution clause per text in ``clauses``."""
    text = "\n".join(clauses)
    item = MinuteItem(
        meeting=Meeting(committee=Committee(name=committee), date=when),
        title=title,
        source_text=text,
        text_sha256=services.text_sha256(text + title + committee),
        extraction={},
    )
    at = 0
    for i, clause in enumerate(clauses):
        item.resolutions.append(
            Resolution(
                position=i,
                label=f"({i + 1})",
                text=clause,
                kind=ResolutionKind.REQUEST,
                needs_followup=True,
                span_start=at,
                span_end=at + len(clause),
            )
        )
        at += len(clause) + 1
    session.add(item)
    session.commit()
    return item


def test_finds_seed_clauses_by_their_words_in_any_case(
    client: FlaskClient, login: Callable[[User], None], member: User, imported: dict[str, MinuteItem]
) -> None:
    login(member)
    page = client.get("/search?q=WAITING+times").get_data(as_text=True)
    assert "<mark>waiting times</mark>" in page
    clause = next(r for item in imported.values() for r in item.resolutions if "waiting times" in r.text)
    assert f'href="/items/{clause.minute_item_id}#clause-{clause.id}"' in page
    assert "1 open action" in page
    assert 'href="/actions?q=WAITING+times&amp;status=all"' in page


def test_lists_minute_items_whose_titles_match(
    client: FlaskClient, login: Callable[[User], None], member: User, imported: dict[str, MinuteItem]
) -> None:
    login(member)
    page = client.get("/search?q=domestic").get_data(as_text=True)
    items = page.split("<h2>Minute items</h2>")[1].split("<h2>")[0]
    for item in imported.values():
        assert f'href="/items/{item.id}"' in items


def test_a_committee_filter_keeps_only_its_clauses(session: Session) -> None:
    a = _item(session, "Audit", "Internal audit plan", ["Requests a report on the audit plan."])
    _item(session, "Housing", "Repairs", ["Requests a report on the repairs backlog."])
    found = search.search(session, "requests a report", committee_id=a.meeting.committee_id)
    assert [c.item_id for c in found.clauses] == [a.id]
    assert len(search.search(session, "requests a report").clauses) == 2


def test_like_wildcards_are_matched_literally(session: Session) -> None:
    _item(session, "Finance", "Fees", ["Agrees a 5% rise in fees.", "Agrees a rise in 5 fees."])
    found = search.search(session, "5%")
    assert [c.text for c in found.clauses] == ["Agrees a 5% rise in fees."]
    assert search.search(session, "_").clauses == []


def test_no_words_finds_nothing_and_shows_the_form(
    client: FlaskClient, login: Callable[[User], None], member: User, imported: dict[str, MinuteItem]
) -> None:
    login(member)
    page = client.get("/search?q=+++").get_data(as_text=True)
    assert 'role="search"' in page and "Type a word or phrase" in page and "<mark>" not in page


def test_markup_in_clauses_titles_and_the_query_is_shown_as_text(
    session: Session, client: FlaskClient, login: Callable[[User], None], member: User
) -> None:
    _item(
        session, "Scrutiny <b>", "<script>alert(1)</script> item", ['Notes <img src=x onerror="alert(2)">.']
    )
    login(member)
    page = client.get("/search", query_string={"q": "<img src=x"}).get_data(as_text=True)
    assert "<img src=x" not in page and "<script>alert" not in page
    assert "<mark>&lt;img src=x</mark>" in page
    assert "Scrutiny &lt;b&gt;" in page


def test_pages_follow_on_by_id_without_repeats(
    session: Session, client: FlaskClient, login: Callable[[User], None], member: User
) -> None:
    clauses = [f"Requests a report on topic {i}." for i in range(search.CLAUSES_PER_PAGE + 5)]
    _item(session, "Cabinet", "Many reports", clauses)
    login(member)
    first = client.get("/search?q=requests+a+report").get_data(as_text=True)
    more = re.search(r'href="([^"]+)" rel="next"', first)
    assert more is not None
    second = client.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    seen_first = set(re.findall(r"topic (\d+)", first))
    seen_second = set(re.findall(r"topic (\d+)", second))
    assert len(seen_first) == search.CLAUSES_PER_PAGE and len(seen_second) == 5
    assert not seen_first & seen_second
    assert 'rel="next"' not in second and "<h2>Minute items</h2>" not in second


def test_the_page_runs_the_same_number_of_queries_for_few_and_many_clauses(
    app: Flask,
    session: Session,
    client: FlaskClient,
    connection: object,
    login: Callable[[User], None],
    member: User,
) -> None:
    login(member)
    _item(session, "Few", "Few reports", [f"Requests a report on few {i}." for i in range(2)])
    with counted(app, connection) as few:
        assert client.get("/search?q=requests+a+report").status_code == 200
    _item(session, "Many", "Many reports", [f"Requests a report on many {i}." for i in range(40)])
    with counted(app, connection) as many:
        assert client.get("/search?q=requests+a+report").status_code == 200
    assert len(few) == len(many)


@pytest.mark.parametrize("q", ["x' OR '1'='1", "'; DROP TABLE resolution; --", "\\", "%%"])
def test_injection_attempts_are_ordinary_searches(
    session: Session, client: FlaskClient, login: Callable[[User], None], member: User, q: str
) -> None:
    _item(session, "Audit", "Plan", ["Requests a report."])
    login(member)
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert "No resolution clause holds" in response.get_data(as_text=True)
    assert len(search.search(session, "requests").clauses) == 1


def test_signing_in_is_needed(client: FlaskClient) -> None:
    response = client.get("/search?q=x")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
