"""Every page runs a fixed number of SQL queries, whatever the number of rows (no N+1)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql import compiler

from tracker.models import Action, User


@contextmanager
def counted(app: Flask, connection: object) -> Iterator[list[str]]:
    """Collect the SQL statements run on the test's connection while the block runs."""
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = connection.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _urls(session: Session, ids: list[int]) -> list[str]:
    action = session.get(Action, ids[-1])
    item = action.minute_item
    meeting = item.meeting
    return [
        "/",
        "/actions",
        "/actions?status=all&q=officer&overdue=1",
        f"/actions/{action.id}",
        "/committees",
        f"/committees/{meeting.committee_id}",
        f"/committees/{meeting.committee_id}/report",
        f"/committees/{meeting.committee_id}/report.csv",
        f"/committees/{meeting.committee_id}/due.ics",
        f"/meetings/{meeting.id}",
        f"/items/{item.id}",
    ]


def _counts(
    app: Flask, client: FlaskClient, connection: object, session: Session, ids: list[int]
) -> dict[str, int]:
    found = {}
    for url in _urls(session, ids):
        with counted(app, connection) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        found[re.sub(r"\d+", "N", url)] = len(statements)
    return found


@pytest.mark.parametrize("sizes", [(3, 60)])
def test_pages_run_the_same_number_of_queries_for_3_and_60_rows(
    app: Flask,
    client: FlaskClient,
    connection: object,
    session: Session,
    staff: User,
    login: Callable[[User], None],
    make_actions: Callable[..., list[int]],
    sizes: tuple[int, int],
) -> None:
    login(staff)
    small, large = sizes
    few = _counts(app, client, connection, session, make_actions(small, author=staff, committee="Few"))
    many = _counts(app, client, connection, session, make_actions(large, author=staff, committee="Many"))
    assert few == many
    assert all(2 <= n <= 8 for n in many.values()), many


def test_a_late_page_seeks_by_id_instead_of_counting_past_earlier_rows(
    app: Flask,
    client: FlaskClient,
    connection: object,
    staff: User,
    login: Callable[[User], None],
    make_actions: Callable[..., list[int]],
) -> None:
    ids = make_actions(120)
    login(staff)
    seen: list[tuple[str, object]] = []

    def record(conn: object, cursor: object, statement: str, parameters: object, *args: object) -> None:
        seen.append((statement, parameters))

    event.listen(connection.engine, "before_cursor_execute", record)  # type: ignore[attr-defined]
    try:
        page = client.get(f"/actions?status=all&after={ids[100]}").get_data(as_text=True)
    finally:
        event.remove(connection.engine, "before_cursor_execute", record)  # type: ignore[attr-defined]
    listing, parameters = next((s, p) for s, p in seen if "FROM action" in s and "LIMIT" in s)
    assert "action.id >" in listing
    if "OFFSET" in listing:  # SQLite always writes one: it must be zero
        values = list(parameters.values()) if isinstance(parameters, dict) else list(parameters)
        assert values[-1] == 0
    assert f'href="/actions/{ids[101]}"' in page and f'href="/actions/{ids[100]}"' not in page


def test_pages_compile_no_sql_once_warm(
    app: Flask,
    client: FlaskClient,
    session: Session,
    staff: User,
    login: Callable[[User], None],
    make_actions: Callable[..., list[int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second view of a page finds every statement in SQLAlchemy's cache: none is compiled again.

    A statement with no cache key (a custom construct without one, say) is compiled on every
    request, which costs more than running it.
    """
    login(staff)
    urls = _urls(session, make_actions(5, author=staff))
    for url in urls:
        assert client.get(url).status_code == 200, url
    compiled: list[str] = []
    original = compiler.SQLCompiler.__init__

    def counting(self: compiler.SQLCompiler, *args: object, **kwargs: object) -> None:
        kind = type(args[1]).__name__
        if "Savepoint" not in kind:  # the tests' savepoints (conftest.py), never cached
            compiled.append(kind)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(compiler.SQLCompiler, "__init__", counting)
    found = {}
    for url in urls:
        compiled.clear()
        assert client.get(url).status_code == 200, url
        found[url] = list(compiled)
    assert found == {url: [] for url in urls}
