"""``tracker export`` and ``tracker restore``: the whole database to one JSON file and back, exactly."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import app_config, is_postgres, postgres_schema
from tracker import accounts, backup, calendar, create_app, services, throttle
from tracker.db import get_db
from tracker.models import Action, Committee, UserRole

#: the start of a backup file, up to its tables
HEAD = '{"format": "minutes-tracker-backup/1", "revision": "x", "tables": '


def _content(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("exported_at")
    return data


@pytest.fixture
def source(empty_app: Flask, seeds: dict) -> Flask:
    """A committed database (export reads it from a connection of its own) with a history on every
    kind of row: imports, updates, a closure, an account change, a throttled login, odd text."""
    assert empty_app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with get_db(empty_app).sessions() as session:
        for seed in seeds.values():
            seed.import_into(session)
        staff = services.create_user(
            session, email="s@example.org", name="Sam Staff", role="staff", password="x" * 8
        )
        admin = services.create_user(
            session, email="a@example.org", name="Ädmin “quotes” \\ ✓", role="admin", password="x" * 8
        )
        member = services.create_user(
            session, email="m@example.org", name="Mo", role="member", password="x" * 8
        )
        ids = [a.id for a in session.scalars(select(Action).order_by(Action.id))]
        services.add_update(session, ids[0], note="Line one\n\n**bold** <b>raw</b> 🚀", author=staff)
        services.close_action(
            session, ids[1], "completed", author=staff, note="done", evidence_url="https://example.org/r"
        )
        accounts.update_account(
            session, member.id, author=admin, name="Mo Renamed", role=UserRole.MEMBER, active=False
        )
        clause = session.get(Action, ids[2]).resolution_id
        services.edit_resolution(
            session, clause, author=staff, text="Corrected “clause” ✓", kind="request", needs_followup=True
        )
        committee_id = session.get(Action, ids[0]).minute_item.meeting.committee_id
        calendar.add_meeting(session, committee_id, dt.date(2031, 1, 15), author=staff)
        limits = throttle.Limits(5, 50, dt.timedelta(minutes=15))
        throttle.record_failure(session, "x@example.org", "192.0.2.1", limits)
        session.commit()
    return empty_app


@pytest.fixture
def target(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A second empty database with the schema, to restore into."""
    if is_postgres(database_url):
        with postgres_schema(database_url) as url:
            app = create_app(app_config(url))
            yield app
            get_db(app).engine.dispose()
    else:
        app = create_app(app_config(f"sqlite:///{tmp_path / 'target.sqlite3'}"))
        yield app
        get_db(app).engine.dispose()


def test_export_then_restore_into_an_empty_database_round_trips_exactly(
    source: Flask, target: Flask, tmp_path: Path
) -> None:
    first = tmp_path / "backup.json"
    result = source.test_cli_runner().invoke(args=["export", str(first)])
    assert result.exit_code == 0, result.output
    assert "exported" in result.output
    other = target.test_cli_runner()
    assert other.invoke(args=["init-db"]).exit_code == 0
    result = other.invoke(args=["restore", str(first)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "again.json"
    assert other.invoke(args=["export", str(second)]).exit_code == 0
    assert _content(first) == _content(second)
    data = _content(first)
    assert {t.name for t in backup.tables_backed_up()} == set(data["tables"])
    with get_db(source).sessions() as session, get_db(target).sessions() as restored:
        for table in backup.tables_backed_up():
            there = session.scalar(select(func.count()).select_from(table))
            assert restored.scalar(select(func.count()).select_from(table)) == there, table.name
            assert there, f"the source database has no {table.name} rows: the test would prove little"
        # new rows after a restore get fresh ids (PostgreSQL's sequences were moved on)
        made = restored.scalar(select(func.max(Committee.id)))
        restored.add(Committee(name="Made after the restore"))
        restored.commit()
        assert restored.scalar(select(func.max(Committee.id))) == made + 1


def test_restore_refuses_a_database_that_is_not_empty(source: Flask, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    runner = source.test_cli_runner()
    runner.invoke(args=["export", str(path)])
    result = runner.invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert "the database is not empty" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json at all", "not JSON"),
        ('{"format": "something else", "tables": {}}', "expected format minutes-tracker-backup/1"),
        (
            HEAD + '{"nope": {"columns": [], "rows": []}}}',
            "table 'nope' is not one",
        ),
        (
            HEAD + '{"committee": {"columns": ["id"], "rows": []}}}',
            "has columns ['id']",
        ),
        (
            '{"format": "minutes-tracker-backup/1", "revision": "0000", "tables": {}}',
            "made at schema revision 0000",
        ),
    ],
)
def test_a_bad_backup_is_named_and_changes_nothing(
    empty_app: Flask, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    other = empty_app.test_cli_runner()
    other.invoke(args=["init-db"])
    result = other.invoke(args=["restore", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    if "revision" not in message:
        assert str(path) in result.output


def test_a_row_that_does_not_fit_rolls_the_whole_restore_back(
    source: Flask, target: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "backup.json"
    source.test_cli_runner().invoke(args=["export", str(path)])
    data = json.loads(path.read_text(encoding="utf-8"))
    data["tables"]["action"]["rows"][-1][1] = 999_999  # a minute item that does not exist
    path.write_text(json.dumps(data), encoding="utf-8")
    other = target.test_cli_runner()
    other.invoke(args=["init-db"])
    result = other.invoke(args=["restore", str(path)])
    assert result.exit_code == 1 and "refused a row of table 'action'" in result.output
    with get_db(target).sessions() as s:
        for table in backup.tables_backed_up():
            assert s.scalar(select(func.count()).select_from(table)) == 0, table.name


def test_an_export_that_fails_leaves_no_file(source: Flask, tmp_path: Path) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked").chmod(0o500)
    path = tmp_path / "locked" / "backup.json"
    try:
        result = source.test_cli_runner().invoke(args=["export", str(path)])
    finally:
        (tmp_path / "locked").chmod(0o700)
    assert result.exit_code != 0 or os.geteuid() == 0  # root may write anyway
    assert not list(tmp_path.glob("**/*.part"))


def test_export_needs_a_migrated_database(empty_app: Flask, tmp_path: Path) -> None:
    result = empty_app.test_cli_runner().invoke(args=["export", str(tmp_path / "b.json")])
    assert result.exit_code == 1 and "tracker init-db" in result.output
    assert backup.FORMAT == "minutes-tracker-backup/1"
