"""The database commands: init-db, create-user, import and actions (``tracker extract`` has its own file)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from tracker import cli, create_app, db, reading, services
from tracker.cli import ACTION_KEYS, main
from tracker.models import Action, Committee, User, UserRole

if TYPE_CHECKING:
    from conftest import Seed

Counts = Callable[[Session], dict[str, int]]
COMMITTEE = "Scrutiny Co-ordination Committee"
#: what `tracker actions --format json` promises at least
REQUIRED_KEYS = {
    "id",
    "text",
    "owner",
    "due",
    "status",
    "committee",
    "meeting_date",
    "resolution_label",
    "minute_item_title",
}


def import_seed(runner: CliRunner, seed: Seed, *extra: str) -> Result:
    args = ["import", str(seed.path), "--committee", seed.committee, "--date", seed.meeting_date.isoformat()]
    return runner.invoke(args=[*args, *extra])


def import_both(runner: CliRunner, seeds: dict[str, Seed]) -> None:
    for seed in seeds.values():
        result = import_seed(runner, seed)
        assert result.exit_code == 0, result.output


# --- init-db ------------------------------------------------------------------------------------


def test_init_db_creates_the_schema_then_changes_nothing(empty_app: Flask) -> None:
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert f"created the schema (revision {db.head_revision()})" in first.output
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0, second.output
    assert "schema already up to date" in second.output
    tables = set(inspect(db.get_db(empty_app).engine).get_table_names())
    assert {"action", "action_update", "committee", "user", "alembic_version"} <= tables


def test_init_db_refuses_tables_made_some_other_way(empty_app: Flask) -> None:
    from tracker.models import Base

    Base.metadata.create_all(db.get_db(empty_app).engine)
    result = empty_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1
    assert "no migration history" in result.output


def test_commands_need_init_db_first(empty_app: Flask) -> None:
    runner = empty_app.test_cli_runner()
    for args in (["actions"], ["import", "x.txt", "--committee", "C"], ["create-user", "a@example.org"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, args
        assert "run `tracker init-db` first" in result.output


def test_the_console_script_reads_the_database_url_from_the_environment(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seed_2017: Seed
) -> None:
    """`tracker` itself (not a test app): create_app() reads TRACKER_DATABASE_URL."""
    apps: list[Flask] = []

    def factory() -> Flask:
        apps.append(create_app(cli=True))
        return apps[-1]

    monkeypatch.setattr(main, "create_app", factory)
    env = {"TRACKER_DATABASE_URL": empty_database_url}
    try:
        runner = CliRunner()
        assert runner.invoke(main, ["init-db"], env=env).exit_code == 0
        result = runner.invoke(
            main,
            ["import", str(seed_2017.path), "--committee", COMMITTEE, "--date", "2017-04-12"],
            env=env,
        )
        assert result.exit_code == 0, result.output
        listed = runner.invoke(main, ["actions", "--format", "json"], env=env)
        assert len(json.loads(listed.output)) == 7
    finally:
        for app in apps:
            db.get_db(app).engine.dispose()
    assert apps and all(app.config["DATABASE_URL"] == empty_database_url for app in apps)


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/no/such/dir/x.sqlite3"})
    result = app.test_cli_runner().invoke(args=["actions"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot use the database sqlite:///")
    assert "unable to open database file" in result.output


# --- create-user --------------------------------------------------------------------------------


def test_create_user_asks_for_name_and_password(runner: CliRunner, session: Session) -> None:
    result = runner.invoke(
        args=["create-user", "Chair@Example.org", "--role", "admin"],
        input="Cllr Chair\nlong-password\nlong-password\n",
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User)).one()
    assert f"created user {user.id}: chair@example.org (Cllr Chair), role admin" in result.output
    assert "long-password" not in result.output  # hidden input is not echoed
    assert user.role is UserRole.ADMIN and user.check_password("long-password")


def test_create_user_with_name_option_and_default_role(runner: CliRunner, session: Session) -> None:
    result = runner.invoke(
        args=["create-user", "m@example.org", "--name", "Mo Member"], input="pw-pw-pw\npw-pw-pw\n"
    )
    assert result.exit_code == 0, result.output
    assert session.scalars(select(User)).one().role is UserRole.MEMBER


def test_create_user_refuses_bad_input_and_writes_nothing(runner: CliRunner, session: Session) -> None:
    bad_address = runner.invoke(args=["create-user", "nobody"], input="x\n")
    assert bad_address.exit_code == 1 and "'nobody' is not an e-mail address" in bad_address.output
    assert "Password" not in bad_address.output  # refused before asking
    short = runner.invoke(args=["create-user", "a@example.org", "--name", "A"], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    role = runner.invoke(args=["create-user", "a@example.org", "--role", "chair"])
    assert role.exit_code == 2
    assert session.scalars(select(User)).all() == []
    ok = runner.invoke(args=["create-user", "a@example.org", "--name", "A"], input="password1\npassword1\n")
    assert ok.exit_code == 0
    again = runner.invoke(
        args=["create-user", "A@example.org", "--name", "A"], input="password2\npassword2\n"
    )
    assert again.exit_code == 1 and "already a user" in again.output


# --- import -------------------------------------------------------------------------------------


def test_import_both_seeds_one_twice_gives_eleven_open_actions(
    runner: CliRunner, session: Session, seeds: dict[str, Seed], seed_2017: Seed
) -> None:
    outputs = [import_seed(runner, seed) for seed in seeds.values()]
    assert all(r.exit_code == 0 for r in outputs), [r.output for r in outputs]
    items = {a.minute_item.source_name: a.minute_item_id for a in services.list_actions(session)}
    first, second = (items[str(seed.path)] for seed in seeds.values())
    assert outputs[0].output.startswith(f"{seeds['000_380f5c1928f18705.txt'].path}: new minute item {first} ")
    assert (
        "(Scrutiny Co-ordination Committee, 2018-09-26): 3 resolutions, 4 actions created"
        in outputs[0].output
    )
    assert ": 8 resolutions, 7 actions created, 1 warning\n" in outputs[1].output
    again = import_seed(runner, seed_2017)
    assert again.exit_code == 0
    assert f"{seed_2017.path}: unchanged, already minute item {second} " in again.output
    assert again.output.rstrip().endswith("0 actions created")
    assert len(services.list_actions(session)) == 11


def test_import_without_a_date(runner: CliRunner, session: Session, seed_2017: Seed) -> None:
    result = runner.invoke(args=["import", str(seed_2017.path), "--committee", COMMITTEE])
    assert result.exit_code == 0, result.output
    assert f"({COMMITTEE}, date unknown)" in result.output
    assert session.scalars(select(Action)).first().minute_item.meeting.date is None


def test_import_the_same_text_for_another_committee_is_refused(
    runner: CliRunner, session: Session, seed_2017: Seed, row_counts: Counts
) -> None:
    import_seed(runner, seed_2017)
    before = row_counts(session)
    result = runner.invoke(
        args=["import", str(seed_2017.path), "--committee", "Cabinet", "--date", "2017-04-12"]
    )
    assert result.exit_code == 1
    item_id = session.scalars(select(Action.minute_item_id)).first()
    expected = f"already imported as minute item {item_id}, for Scrutiny Co-ordination Committee (2017-04-12)"
    assert expected in result.output
    assert row_counts(session) == before


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.txt", b"", "E_EMPTY"),
        ("blank.txt", b"   \n\n", "E_EMPTY"),
        ("scan.pdf", b"%PDF-1.4 ...", "E_CORRUPT"),
        ("notes.odt", b"PK\x03\x04...", "E_UNSUPPORTED"),
        ("binary.txt", b"\x00\x01\x02binary", "E_BINARY"),
        ("page.html", b"<html><body><nav>menu</nav></body></html>", "E_EMPTY"),
    ],
)
def test_a_bad_file_is_named_and_nothing_is_written(
    runner: CliRunner,
    session: Session,
    seed_2017: Seed,
    row_counts: Counts,
    tmp_path: Path,
    name: str,
    data: bytes,
    code: str,
) -> None:
    import_seed(runner, seed_2017)
    before = row_counts(session)
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(args=["import", str(path), "--committee", "New Committee", "--date", "2020-01-01"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: ")
    assert result.output.rstrip().endswith(f"[{code}]")
    assert row_counts(session) == before


def test_a_missing_file_and_an_empty_directory_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    missing = runner.invoke(args=["import", str(tmp_path / "nope.txt"), "--committee", "C"])
    assert missing.exit_code == 1 and "no such file or directory [E_NOT_FOUND]" in missing.output
    # A directory is walked for minutes files (tests/tracker/test_batch_cli.py); this one has none.
    folder = runner.invoke(args=["import", str(tmp_path), "--committee", "C"])
    assert folder.exit_code == 1
    assert "no .txt, .html, .htm, .pdf or .docx files in this directory" in folder.output


def test_an_import_failing_half_way_leaves_the_database_exactly_as_it_was(
    runner: CliRunner,
    session: Session,
    seed_2017: Seed,
    seed_2018: Seed,
    row_counts: Counts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import_seed(runner, seed_2017)
    before = row_counts(session)
    actions = seed_2018.extraction.actions
    broken = dataclasses.replace(
        seed_2018.extraction, actions=(*actions[:-1], dataclasses.replace(actions[-1], text=None))
    )
    monkeypatch.setattr(reading, "extract_source", lambda source, **kw: broken)
    result = runner.invoke(
        args=["import", str(seed_2018.path), "--committee", "A New Committee", "--date", "2018-09-26"]
    )
    assert result.exit_code != 0
    assert result.exception is not None
    assert row_counts(session) == before
    assert session.scalar(select(Committee).where(Committee.name == "A New Committee")) is None


def test_import_usage_errors(runner: CliRunner, seed_2017: Seed) -> None:
    # The committee may come from a sidecar or the page; this seed states none, so the file fails.
    no_committee = runner.invoke(args=["import", str(seed_2017.path)])
    assert no_committee.exit_code == 1 and "no committee: give --committee" in no_committee.output
    bad_date = runner.invoke(args=["import", str(seed_2017.path), "--committee", "C", "--date", "12/04/2017"])
    assert bad_date.exit_code == 2


# --- actions ------------------------------------------------------------------------------------


def test_actions_json_lists_the_open_actions_with_their_context(
    runner: CliRunner, seeds: dict[str, Seed]
) -> None:
    import_both(runner, seeds)
    result = runner.invoke(args=["actions", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert len(records) == 11
    assert all(REQUIRED_KEYS <= set(r) and tuple(r) == ACTION_KEYS for r in records)
    assert {r["status"] for r in records} == {"open"}
    assert {r["committee"] for r in records} == {COMMITTEE}
    assert {r["meeting_date"] for r in records} == {"2017-04-12", "2018-09-26"}
    c6 = next(r for r in records if r["resolution_label"] == "(6)(c)")
    assert c6["owner"] == "the Cabinet Member"
    assert c6["due"] is None and c6["due_text"] == "before final approval"
    assert c6["minute_item_title"].startswith("Progress Update on the Domestic Violence")
    assert len({r["id"] for r in records}) == 11


def test_actions_csv_has_a_header_and_one_row_per_action(runner: CliRunner, seeds: dict[str, Seed]) -> None:
    import_both(runner, seeds)
    result = runner.invoke(args=["actions", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 11
    assert tuple(rows[0]) == ACTION_KEYS
    assert {r["overdue"] for r in rows} == {"false"}
    assert {r["resolution_label"] for r in rows} >= {"", "(6)(c)"}


def test_actions_table_is_aligned(runner: CliRunner, seeds: dict[str, Seed]) -> None:
    import_both(runner, seeds)
    result = runner.invoke(args=["actions"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "DUE", "OWNER", "COMMITTEE", "MEETING", "CLAUSE", "ACTION"]
    assert len(lines) == 12
    start = lines[0].index("ACTION")
    assert all(len(line) > start and line[start - 2 : start] == "  " for line in lines[1:])
    assert any("before final approval" in line and "(6)(c)" in line for line in lines)


def test_actions_filters(runner: CliRunner, session: Session, seeds: dict[str, Seed], staff: User) -> None:
    import_both(runner, seeds)
    late, done = session.scalars(select(Action).order_by(Action.id).limit(2)).all()
    late.due_date = date(2019, 1, 31)
    services.close_action(session, done.id, "superseded", author=staff, note="Overtaken by the 2018 report.")
    session.commit()

    def listed(*args: str) -> list[dict]:
        result = runner.invoke(args=["actions", "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    overdue = listed("--status", "overdue")
    assert [(r["id"], r["due"], r["overdue"]) for r in overdue] == [(late.id, "2019-01-31", True)]
    closed = listed("--status", "closed")
    assert [(r["id"], r["status"], r["close_reason"]) for r in closed] == [(done.id, "closed", "superseded")]
    assert len(listed("--status", "open")) == 10
    assert len(listed("--status", "all")) == 11
    assert len(listed("--committee", "scrutiny co-ordination committee")) == 10
    table = runner.invoke(args=["actions", "--status", "overdue"]).output
    assert "2019-01-31 OVERDUE" in table
    closed_table = runner.invoke(args=["actions", "--status", "closed"]).output
    assert "closed (superseded)" in closed_table


def test_actions_when_there_are_none(runner: CliRunner) -> None:
    assert runner.invoke(args=["actions"]).output == "no open actions\n"
    assert runner.invoke(args=["actions", "--status", "all"]).output == "no actions\n"
    assert runner.invoke(args=["actions", "--format", "json"]).output == "[]\n"
    assert runner.invoke(args=["actions", "--format", "csv"]).output == ",".join(ACTION_KEYS) + "\n"


def test_actions_for_an_unknown_committee(runner: CliRunner, seeds: dict[str, Seed]) -> None:
    import_both(runner, seeds)
    result = runner.invoke(args=["actions", "--committee", "Audit"])
    assert result.exit_code == 1
    assert "no committee named 'Audit' (committees: Scrutiny Co-ordination Committee)" in result.output


def test_actions_usage_errors(runner: CliRunner) -> None:
    assert runner.invoke(args=["actions", "--status", "late"]).exit_code == 2
    assert runner.invoke(args=["actions", "--format", "xml"]).exit_code == 2


# --- the group ----------------------------------------------------------------------------------


def test_help_lists_every_command_without_touching_a_database() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("actions", "create-user", "extract", "import", "init-db", "run", "shell"):
        assert f"  {name} " in result.output
    assert "--app" not in result.output and "--env-file" not in result.output


def test_the_app_registers_the_database_commands() -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert {"init-db", "create-user", "import", "actions"} <= set(app.cli.commands)


# --- tracker demo -------------------------------------------------------------------------------------


def _logins(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+\w+\s+(\S+@example\.invalid)\s+password: (\S+)$", output, re.MULTILINE))


def test_demo_prepares_the_database_and_prints_the_logins(
    empty_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["demo", "--no-run"])
    assert result.exit_code == 0, result.output
    assert "new minute item" in result.output and "Open http://localhost:5000/ and sign in:" in result.output
    logins = _logins(result.output)
    assert set(logins) == {"staff@example.invalid", "member@example.invalid"}

    again = runner.invoke(args=["demo", "--no-run", "--port", "8080"])
    assert again.exit_code == 0, again.output
    assert again.output.count("unchanged, already minute item") == 2
    assert "http://localhost:8080/" in again.output
    new_logins = _logins(again.output)
    assert new_logins["staff@example.invalid"] != logins["staff@example.invalid"]

    listed = json.loads(runner.invoke(args=["actions", "--format", "json"]).output)
    assert len(listed) == 11

    client = empty_app.test_client()
    response = client.post(
        "/login", data={"email": "staff@example.invalid", "password": new_logins["staff@example.invalid"]}
    )
    assert response.status_code == 302
    assert "Demo Staff" in client.get("/").get_data(as_text=True)

    served: list[tuple[str, int]] = []
    monkeypatch.setattr(cli, "run_simple", lambda host, port, app, **kw: served.append((host, port)))
    result = runner.invoke(args=["demo", "--host", "0.0.0.0", "--port", "5001"])
    assert result.exit_code == 0, result.output
    assert served == [("0.0.0.0", 5001)]
