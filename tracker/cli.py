"""The ``tracker`` console script: a Flask command group over :func:`tracker.create_app`.

``tracker extract`` prints what the extractor reads and needs no database: files in, extraction out
(text for a person, JSON for a program). ``init-db``, ``create-user``, ``import`` and ``actions``
work on the database; ``run`` and ``shell`` are Flask's. The database commands are thin: parse the
arguments, open the command's Session, call one service, commit (or roll everything back), print a
line. Errors a user can fix are one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import sys
import textwrap
from collections.abc import Iterator, Sequence
from concurrent.futures import BrokenExecutor
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, run_command, shell_command, with_appcontext
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.serving import run_simple

from extract import extract_many
from extract.errors import ExtractionError
from extract.records import Attendee, Due, Extraction
from extract.sources import SourceText, iter_sources, read_source

from . import backup, batch, calendar, create_app, db, links, resource_dir, services
from .errors import TrackerError
from .export import ACTION_KEYS as ACTION_KEYS  # re-exported: the documented keys of `tracker actions`
from .export import action_record, records_csv
from .models import MinuteItem, User, UserRole

FORMATS = ("text", "json", "jsonl")
ACTION_FORMATS = ("table", "csv", "json")
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: how much of a resolution's or action's text the ``text`` format shows
SHORT_TEXT = 240
#: how many files needing a meeting date the import summary names (the web app lists them all)
NEEDING_SHOWN = 20
_WIDTH = 100


@click.group(
    cls=FlaskGroup,
    create_app=lambda: create_app(cli=True),
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    context_settings=dict(CONTEXT_SETTINGS),
)
@click.version_option(package_name="minutes-tracker", prog_name="tracker")
def main() -> None:
    """Read UK committee minutes and track what they resolve and who must act.

    \b
    Examples:
      tracker extract seeds/
      tracker init-db
      tracker import seeds/001_5d45f58f76307487.txt --committee "Scrutiny Co-ordination Committee" \\
          --date 2017-04-12
      tracker actions --status overdue --format csv
    """


# The app comes from create_app and its settings from TRACKER_* variables, so Flask's --app and
# --env-file options would only mislead; --debug stays (it matters to `tracker run`).
main.params = [p for p in main.params if p.name not in ("app", "env_file")]


def init_app(app: Flask) -> None:
    """Register the database commands on ``app.cli`` too (``flask --app tracker``, test runners)."""
    for command in DATABASE_COMMANDS:
        app.cli.add_command(command)


# ---------------------------------------------------------------------------------------------
# database commands


@contextmanager
def _database_errors() -> Iterator[None]:
    """Turn "cannot connect" and tracker errors into a one-line message."""
    try:
        yield
    except TrackerError as err:
        raise click.ClickException(str(err)) from err
    except OperationalError as err:
        where = db.get_db().engine.url.render_as_string(hide_password=True)
        reason = " ".join(str(err.orig).split())
        raise click.ClickException(f"cannot use the database {where}: {reason}") from err


def _session() -> Session:
    """The command's Session, once the database is known to have this code's schema.

    :raise click.ClickException: no schema yet (run ``tracker init-db``), or another revision.
    """
    with _database_errors():
        session = db.get_session()
        problem = db.schema_problem(session.connection())
        session.rollback()  # end the read; the command's work is its own transaction
    if problem:
        raise click.ClickException(problem)
    return session


@contextmanager
def _transaction(session: Session) -> Iterator[Session]:
    """Commit what the block did, or roll all of it back; tracker errors become one-line messages."""
    try:
        with _database_errors():
            yield session
            session.commit()
    except BaseException:
        session.rollback()
        raise


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database schema, or upgrade it to this version's. Safe to run again.

    The database is TRACKER_DATABASE_URL, or the SQLite file tracker.sqlite3 in the instance folder.
    """
    engine = db.get_db().engine
    with _database_errors():
        before, after = db.upgrade_database(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"{where}: schema already up to date (revision {after})")
    elif before is None:
        click.echo(f"{where}: created the schema (revision {after})")
    else:
        click.echo(f"{where}: upgraded the schema from revision {before} to {after}")


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in UserRole]),
    default=UserRole.MEMBER.value,
    show_default=True,
    help="admin, staff or member.",
)
@click.option("--name", metavar="NAME", help="The person's name; asked for when not given.")
@with_appcontext
def create_user_command(email: str, role: str, name: str | None) -> None:
    """Create a user account with e-mail address EMAIL; asks for the password (twice).

    The password must have at least 8 characters; only a salted hash of it is stored.
    """
    session = _session()
    with _database_errors():
        address = services.normalise_email(email)
    if name is None:
        name = click.prompt("Name")
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _transaction(session):
        user = services.create_user(session, email=address, name=name, role=role, password=password)
    click.echo(f"created user {user.id}: {user.email} ({user.name}), role {user.role.value}")


@click.command("import")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=str))
@click.option("--committee", metavar="NAME", help="The committee, for every file (else sidecar, else page).")
@click.option(
    "--date",
    "meeting_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The meeting's date, for every file (else sidecar, else page; else listed as needing a date).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Read and extract in this many worker processes; the database is written by one.",
)
@click.option("--dry-run", is_flag=True, help="Read, extract and report what would happen; write nothing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True, path_type=str),
    metavar="FILE.json",
    help="Also write what happened to each file, and the totals, as JSON.",
)
@with_appcontext
def import_command(
    paths: tuple[str, ...],
    committee: str | None,
    meeting_date: datetime | None,
    jobs: int,
    dry_run: bool,
    report_path: str | None,
) -> None:
    """Import minutes files: resolutions, attendance and open actions, one transaction per file.

    Each PATH is a minutes file (.txt, .html, .htm, .pdf or .docx), a directory (walked recursively in sorted
    order, hidden names skipped) or a glob such as 'minutes/**/*.html'. Committee and meeting date
    come from --committee/--date, else from a sidecar NAME.meta.json beside the file (keys
    committee, meeting_date, item, source_url), else from what the page states. A file with no
    committee fails; one with no date is imported and listed as needing a date.

    A text imported before is unchanged; a changed text of the same item (same source_url, else
    committee + date + item, else same path) becomes a new version of it. A file that fails is
    named with the reason and leaves nothing behind; the others go on, and the exit status is 1.
    Interrupted, it leaves no half-imported file: run it again to finish.
    """
    given = batch.Given(committee, meeting_date.date() if meeting_date else None)
    if committee is not None:
        with _database_errors():
            services.check_committee_name(committee)
    # each file is still its own transaction, committed without syncing to disk (db.batch_bind)
    session = db.batch_writer(_session())
    sources = list(batch.expand_paths(paths))
    single = len(paths) == 1 and len(sources) == 1 and os.path.isfile(paths[0])
    model = current_app.config.get("SPACY_MODEL")
    results = batch.import_all(
        session, batch.prepared_in_order(sources, given, jobs=jobs, model=model), dry_run=dry_run
    )
    try:
        report = batch.ReportWriter(report_path, dry_run=dry_run)
    except OSError as err:
        raise click.ClickException(f"cannot write the report {report_path}: {err.strerror or err}") from err
    summary = batch.Summary()
    needing: list[str] = []
    bar = None
    if not single and sys.stdout.isatty():
        bar = click.progressbar(length=len(sources), label="Importing", show_pos=True, show_eta=True)
    try:
        with bar or contextlib.nullcontext():
            for result in results:
                summary.add(result)
                report.add(result)
                if result.needs_date and len(needing) < NEEDING_SHOWN:
                    needing.append(result.file)
                line = batch.describe(result, dry_run=dry_run)
                if single and result.status == batch.FAILED:
                    report.finish(summary)
                    raise click.ClickException(line)
                if result.status == batch.FAILED:
                    # On a terminal, start below the progress bar rather than at its end.
                    click.echo(f"{'' if bar is None else chr(10)}failed: {line}", err=True)
                elif bar is None:
                    click.echo(line)
                if bar is not None:
                    bar.update(1)
    except BrokenExecutor as err:
        report.finish(summary, interrupted=True)
        click.echo(batch.summary_line(summary, dry_run=dry_run), err=True)
        raise click.ClickException(
            "a worker process stopped unexpectedly (out of memory?); the files reported above are "
            "imported; run the same command again to finish"
        ) from err
    except KeyboardInterrupt:
        report.finish(summary, interrupted=True)
        click.echo("", err=True)
        click.echo(batch.summary_line(summary, dry_run=dry_run), err=True)
        click.echo(
            "Interrupted: the file in progress was not imported. Run the same command again to finish.",
            err=True,
        )
        sys.exit(130)
    report.finish(summary)
    if single:
        return
    click.echo(batch.summary_line(summary, dry_run=dry_run))
    if summary.needing_date:
        more = summary.needing_date - len(needing)
        click.echo("Needing a meeting date (see Import minutes > Needing a date in the web app):")
        for name in needing:
            click.echo(f"  {name}")
        if more:
            click.echo(f"  … and {more} more")
    if summary.counts[batch.FAILED]:
        sys.exit(1)


def _import_file(session: Session, path: str | Path, shown: str, committee: str, when: date | None) -> str:
    """Read, extract and import one file in its own transaction; return the one-line summary."""
    with _transaction(session):
        source = services.read_minutes(path)
        extraction = services.extract_source(
            source, meeting_date=when, model=current_app.config.get("SPACY_MODEL")
        )
        item, created = services.import_minutes(
            session,
            committee=committee,
            meeting_date=when,
            extraction=extraction,
            source_text=source.text,
            source_name=source.name,
        )
        return _import_summary(shown, item, created, len(extraction.warnings))


def _import_summary(file: str, item: MinuteItem, created: bool, warnings: int) -> str:
    meeting = item.meeting
    title = textwrap.shorten(item.title or "untitled", width=60, placeholder=" …")
    where = f"{meeting.committee.name}, {meeting.date.isoformat() if meeting.date else 'date unknown'}"
    if not created:
        return f'{file}: unchanged, already minute item {item.id} "{title}" ({where}); 0 actions created'
    notes = f", {warnings} warning{'s' * (warnings != 1)}" if warnings else ""
    return (
        f'{file}: new minute item {item.id} "{title}" ({where}): '
        f"{len(item.resolutions)} resolutions, {len(item.actions)} actions created{notes}"
    )


@click.command("actions")
@click.option(
    "--status",
    type=click.Choice([f.value for f in services.ActionFilter]),
    default=services.ActionFilter.OPEN.value,
    show_default=True,
    help="open: not closed; overdue: not closed and due before today; closed; all.",
)
@click.option("--committee", metavar="NAME", help="Only this committee's actions.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(ACTION_FORMATS),
    default="table",
    show_default=True,
    help="table: aligned columns to read; csv: a header row, then one row per action; json: a list.",
)
@with_appcontext
def actions_command(status: str, committee: str | None, fmt: str) -> None:
    """List actions with their committee, meeting, resolution and minute item."""
    session = _session()
    today = date.today()
    with _transaction(session):
        records = [
            action_record(a, today)
            for a in services.list_actions(session, status=status, committee=committee, today=today)
        ]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(records_csv(records), nl=False)
    elif records:
        click.echo("\n".join(_action_table(records)))
    else:
        click.echo(f"no {status} actions" if status != "all" else "no actions")


def _action_table(records: list[dict[str, Any]]) -> list[str]:
    header = ["ID", "STATUS", "DUE", "OWNER", "COMMITTEE", "MEETING", "CLAUSE", "ACTION"]
    rows = [header]
    for r in records:
        status = r["status"].replace("_", " ")
        if r["close_reason"]:
            status += f" ({r['close_reason']})"
        waiting = "next meeting" if r["due_rule"] == "next_meeting" else "meeting"
        due = r["due"] or (
            f"{waiting} (date not yet known)"
            if r["due_rule"]
            else textwrap.shorten(r["due_text"], 28, placeholder="…")
            if r["due_text"]
            else "-"
        )
        if r["overdue"]:
            due += " OVERDUE"
        rows.append(
            [
                str(r["id"]),
                status,
                due,
                textwrap.shorten(r["owner"] or "-", 24, placeholder="…"),
                textwrap.shorten(r["committee"], 32, placeholder="…"),
                r["meeting_date"] or "-",
                r["resolution_label"] or "-",
                textwrap.shorten(" ".join(r["text"].split()), 70, placeholder=" …"),
            ]
        )
    return _table(rows, indent="")


@click.command("links")
@click.option(
    "--status",
    type=click.Choice(links.LIST_CHOICES),
    default="suggested",
    show_default=True,
    help="suggested: waiting for staff; confirmed; dismissed; all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help="table: aligned columns to read; json: a list of objects.",
)
@with_appcontext
def links_command(status: str, fmt: str) -> None:
    """List follow-up links: later minute items that may answer (or answer) earlier actions."""
    session = _session()
    with _transaction(session):
        records = [links.link_record(link) for link in links.list_links(session, status=status)]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif records:
        click.echo("\n".join(_link_table(records)))
    else:
        click.echo(f"no {status} links" if status != "all" else "no links")


def _link_table(records: list[dict[str, Any]]) -> list[str]:
    rows = [["LINK", "STATUS", "SCORE", "ACTION", "CLAUSE", "ASKED", "ITEM", "MEETING", "ANSWERING ITEM"]]
    for r in records:
        rows.append(
            [
                str(r["id"]),
                r["status"],
                f"{r['score']:.2f}",
                str(r["action_id"]),
                r["resolution_label"] or "-",
                r["action_meeting_date"] or "-",
                str(r["minute_item_id"]),
                r["meeting_date"] or "-",
                textwrap.shorten(r["minute_item_title"] or "untitled", 60, placeholder=" …"),
            ]
        )
    return _table(rows, indent="")


#: the demo's seed minutes: ``meetings.json`` gives each file's committee and meeting date
SEEDS_DIR = resource_dir("seeds")
#: the demo accounts: e-mail address, name and role (their passwords are new on every run)
DEMO_USERS = (
    ("staff@example.invalid", "Demo Staff", UserRole.STAFF),
    ("member@example.invalid", "Demo Member", UserRole.MEMBER),
)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to serve on.")
@click.option("--port", default=5000, type=int, show_default=True, help="The port to serve on.")
@click.option("--no-run", is_flag=True, help="Prepare the database and the accounts, print them, and stop.")
@with_appcontext
def demo_command(host: str, port: int, no_run: bool) -> None:
    """Set up a demo and serve it: the schema, both seed minutes, a staff and a member account.

    Safe to run again: the seeds are imported once, and the two demo accounts are kept but get new
    passwords, printed with the address to open. Then Flask's development server starts (not for
    production: see the README).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    engine = db.get_db().engine
    with _database_errors():
        _, revision = db.upgrade_database(engine)
    click.echo(f"{engine.url.render_as_string(hide_password=True)}: schema at revision {revision}")
    session = _session()
    for path, committee, when in _demo_seeds():
        click.echo(_import_file(session, path, f"seeds/{path.name}", committee, when))
    logins = []
    with _transaction(session):
        for email, name, role in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            user = services.find_user(session, email)
            if user is None:
                services.create_user(session, email=email, name=name, role=role, password=password)
            else:
                services.set_password(session, user, password)
            logins.append((role.value, email, password))
    url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/"
    click.echo("")
    click.echo(f"Open {url} and sign in:")
    for role, email, password in logins:
        click.echo(f"  {role:<7} {email}  password: {password}")
    if no_run:
        return
    if app.config.get("SECRET_KEY") in (None, "", "dev") and not app.debug:
        # The demo needs no fixed key: a random one lasts as long as the server (sign in again after).
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    click.echo("Press CTRL+C to stop the server.")
    # Not app.run(): Flask ignores it inside a `flask`-style command.
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


def _demo_seeds() -> list[tuple[Path, str, date]]:
    """The seed files with their committee and date, from ``seeds/meetings.json``, oldest first."""
    listing = SEEDS_DIR / "meetings.json"
    if not listing.is_file():
        raise click.ClickException(
            f"the demo needs the seed minutes in {SEEDS_DIR}, which is not there; "
            "run it from a source checkout"
        )
    meetings = json.loads(listing.read_text(encoding="utf-8"))
    seeds = [
        (SEEDS_DIR / name, m["committee"], date.fromisoformat(m["date"])) for name, m in meetings.items()
    ]
    return sorted(seeds, key=lambda seed: (seed[2], seed[0].name))


@click.command("export")
@click.argument("file", metavar="FILE.json", type=click.Path(dir_okay=False, writable=True, path_type=str))
@with_appcontext
def export_command(file: str) -> None:
    """Write the whole database to FILE.json, a backup `tracker restore` reads back exactly.

    The file is written beside its final name and renamed when complete, so an interrupted export
    never leaves a partial backup under FILE.json.
    """
    _session()  # the schema check
    engine = db.get_db().engine
    # One snapshot for every table: PostgreSQL's default (read committed) would take one per query.
    snapshot = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with _database_errors(), engine.connect().execution_options(**snapshot) as connection:
        counts = backup.export_database(connection, file)
        connection.rollback()
    click.echo(f"{file}: exported {sum(counts.values())} rows from {len(counts)} tables")


@click.command("restore")
@click.argument("file", metavar="FILE.json", type=click.Path(exists=True, dir_okay=False, path_type=str))
@with_appcontext
def restore_command(file: str) -> None:
    """Restore a backup made by `tracker export` into an empty database.

    The database must have the schema (`tracker init-db`) at the revision the backup was made at,
    and no rows. Everything is restored in one transaction: a bad file changes nothing.
    """
    session = _session()
    with _transaction(session):
        counts = backup.restore_database(session.connection(), file)
    click.echo(f"{file}: restored {sum(counts.values())} rows into {len(counts)} tables")


_DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("meetings")
@click.argument("committee", metavar="COMMITTEE")
@click.option("--add", "added", multiple=True, type=_DAY, metavar="YYYY-MM-DD", help="Schedule a meeting.")
@click.option(
    "--move",
    "moved",
    multiple=True,
    nargs=2,
    type=_DAY,
    metavar="OLD NEW",
    help="Move a scheduled meeting (one with no minutes imported) from OLD to NEW.",
)
@click.option(
    "--remove", "removed", multiple=True, type=_DAY, metavar="YYYY-MM-DD", help="Remove a scheduled meeting."
)
@click.option(
    "--by", "by", metavar="EMAIL", help="The staff or admin account the changes are recorded under."
)
@with_appcontext
def meetings_command(
    committee: str,
    added: tuple[datetime, ...],
    moved: tuple[tuple[datetime, datetime], ...],
    removed: tuple[datetime, ...],
    by: str | None,
) -> None:
    """Show COMMITTEE's calendar, after adding, moving or removing meetings (options may repeat).

    Actions due at "the next meeting" or "a future meeting" are due on the committee's first known
    meeting after the one that set them; those a change moves get a line in their history. All the
    changes are made in one transaction: if one is refused, none is made.
    """
    session = _session()
    with _transaction(session):
        found = services.find_committee(session, committee)
        author = _calendar_author(session, by) if by else None
        done = [calendar.add_meeting(session, found.id, d.date(), author=author) for d in added]
        for old, new in moved:
            meeting_id = calendar.meeting_on(session, found.id, old.date())
            done.append(calendar.move_meeting(session, meeting_id, new.date(), author=author))
        for d in removed:
            done.append(
                calendar.remove_meeting(
                    session, calendar.meeting_on(session, found.id, d.date()), author=author
                )
            )
        today = date.today()
        plan = calendar.committee_calendar(session, found.id, today=today)
    for change in done:
        what = {
            "added": change.new_date,
            "moved": f"{change.old_date} -> {change.new_date}",
            "removed": change.old_date,
        }
        n = change.actions_moved
        click.echo(f"{change.kind.value} {what[change.kind.value]}: {n} due date{'s' * (n != 1)} moved")
    click.echo(f"{found.name}: {len(plan.past)} past meetings, {len(plan.upcoming)} to come")
    for entry in [*plan.upcoming[::-1], *plan.past]:
        when = entry.meeting.date.isoformat() if entry.meeting.date else "date unknown"
        state = "to come" if entry in plan.upcoming else "past"
        minutes = (
            f"{len(entry.items)} minute item{'s' * (len(entry.items) != 1)}"
            if entry.items
            else "no minutes (scheduled)"
        )
        click.echo(f"  {when:<12}  {state:<7}  {minutes}")


def _calendar_author(session: Session, email: str) -> User:
    user = services.find_user(session, email)
    if user is None or user.role is UserRole.MEMBER:
        raise click.ClickException(f"--by {email}: no staff or admin account has that address")
    return user


DATABASE_COMMANDS = (
    init_db_command,
    create_user_command,
    import_command,
    actions_command,
    links_command,
    meetings_command,
    demo_command,
    export_command,
    restore_command,
)
for _command in (*DATABASE_COMMANDS, run_command, shell_command):
    main.add_command(_command)


# ---------------------------------------------------------------------------------------------
# tracker extract


@main.command("extract")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: a summary to read; json: one pretty object (a list for several inputs); "
    "jsonl: one compact object per input, one per line.",
)
@click.option(
    "--meeting-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The meeting's date, for deadlines such as 'the next meeting'. Applies to every input.",
)
@click.pass_context
def extract_command(
    ctx: click.Context, paths: tuple[str, ...], fmt: str, meeting_date: datetime | None
) -> None:
    """Print what the extractor finds in minutes files. Needs no database.

    Each PATH is a .txt file (UTF-8; Windows-1252 is accepted with a warning), an .html or .htm page
    saved from a council's website (the text of its main content is read, and the output then
    carries that text), a .pdf with a text layer or a .docx document (their text is read the same
    way), or a directory, walked recursively for such files in sorted order.

    Output follows the input order. JSON output is the minutes-extract/1 schema: one object when a
    single file is named, otherwise a list.

    An input that cannot be read (missing, empty, binary, undecodable, over 5 MB) gets one line on
    stderr naming it and the reason; the other inputs are still printed, and the exit status is 2.
    """
    if any(not p for p in paths):
        raise click.BadParameter("a PATH is empty", param_hint="PATH")
    when = meeting_date.date() if meeting_date else None
    entries = list(_read_all(paths))
    results = _extract_all([e for e in entries if isinstance(e, SourceText)], when)
    single = len(paths) == 1 and not os.path.isdir(paths[0])

    failed = 0
    objects: list[dict] = []
    first_text = True
    for entry in entries:
        outcome: Extraction | ExtractionError | str = (
            next(results) if isinstance(entry, SourceText) else entry
        )
        if isinstance(outcome, Extraction):
            if fmt == "text":
                if not first_text:
                    click.echo()
                click.echo(format_text(outcome))
                first_text = False
            elif fmt == "jsonl":
                click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False, separators=(",", ":")))
            else:
                objects.append(outcome.to_dict())
            continue
        failed += 1
        click.echo(f"tracker extract: {_failure(entry, outcome)}", err=True)
    if fmt == "json" and (objects or not single):
        click.echo(json.dumps(objects[0] if single else objects, ensure_ascii=False, indent=2))
    if failed:
        ctx.exit(2)


def _failure(entry: SourceText | ExtractionError | str, outcome: ExtractionError | str) -> str:
    """``PATH: reason [CODE]`` for one stderr line."""
    if isinstance(outcome, str):
        return outcome  # already "PATH: reason"
    name = entry.name if isinstance(entry, SourceText) else outcome.source
    return f"{name}: {_one_line(outcome.message)} [{outcome.code}]"


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _read_all(paths: Sequence[str]) -> Iterator[SourceText | ExtractionError | str]:
    """Read every input in order; a failure stays in its place as the error (or an OS error's text)."""
    for item in iter_sources(paths):
        if isinstance(item, ExtractionError):
            yield item
            continue
        try:
            yield read_source(item)
        except ExtractionError as err:
            yield err
        except OSError as err:
            yield f"{item}: cannot read ({err.strerror or err})"


def _extract_all(
    sources: list[SourceText], meeting_date: date | None
) -> Iterator[Extraction | ExtractionError]:
    """One pipeline for all inputs, in order; a text the extractor refuses yields its error in place.

    ``extract_many`` is a generator, so an error ends it: start it again after the text that failed.
    """
    start = 0
    while start < len(sources):
        batch = sources[start:]
        items = ((s.text, {"source_name": s.name, "meeting_date": meeting_date}) for s in batch)
        try:
            for src, ex in zip(batch, extract_many(items, as_tuples=True), strict=False):
                start += 1
                if src.derived or src.warnings:
                    ex = dataclasses.replace(
                        ex, derived_text=src.derived, warnings=src.warnings + ex.warnings
                    )
                yield ex
        except ExtractionError as err:
            start += 1
            yield err


# ---------------------------------------------------------------------------------------------
# text format


def format_text(ex: Extraction) -> str:
    """A plain, aligned summary of one extraction for a person to read."""
    lines = [ex.source_name or "(text)", "=" * min(len(ex.source_name or "(text)"), _WIDTH)]
    facts = [
        ("Title", ex.title or "-"),
        ("Report", _report(ex)),
        ("Meeting", _meeting(ex)),
        ("Meeting date", ex.meeting_date or "-"),
        ("Text", f"{len(ex.text):,} characters" + (", read from HTML" if ex.derived_text else "")),
        ("SHA-256", ex.sha256),
    ]
    lines += _aligned(facts)
    lines += _section("Attendees", [_attendee_row(a) for a in ex.attendees])
    lines += _resolutions(ex)
    lines += _actions(ex)
    lines += _section("Amounts", [[a.text, f"{a.value:,} {a.currency}"] for a in ex.amounts])
    lines += _section("Dates", [[d.text, d.date or "(no date)"] for d in ex.dates])
    lines += _section("References", [[r.text] for r in ex.references])
    lines += _section("Warnings", [[w.code, w.message, _span(w.span)] for w in ex.warnings])
    return "\n".join(lines)


def _aligned(pairs: list[tuple[str, str]]) -> list[str]:
    width = max(len(k) for k, _ in pairs) + 2
    return [f"{k:<{width}}{v}" for k, v in pairs]


def _report(ex: Extraction) -> str:
    if ex.report is None:
        return "-"
    return f"{ex.report.kind} of {ex.report.author}" if ex.report.author else ex.report.kind


def _meeting(ex: Extraction) -> str:
    m = ex.meeting
    if m is None:
        return "-"
    parts = [m.committee, m.date, f"item {m.item}" if m.item else None]
    return ", ".join(p for p in parts if p) or "-"


def _span(span: tuple[int, int] | None) -> str:
    return f"at {span[0]}-{span[1]}" if span else ""


def _due(due: Due | None) -> str:
    if due is None:
        return "-"
    return f"{due.text} ({due.date})" if due.date else due.text


def _shorten(text: str) -> str:
    return textwrap.shorten(" ".join(text.split()), width=SHORT_TEXT, placeholder=" …")


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Left-align columns; the last column is never padded (it may be long)."""
    widths = [max(len(r[i]) for r in rows) for i in range(max(len(r) for r in rows))]
    out = []
    for row in rows:
        cells = [c.ljust(widths[i]) if i < len(row) - 1 else c for i, c in enumerate(row)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _section(title: str, rows: list[list[str]]) -> list[str]:
    if not rows:
        return ["", f"{title}: none"]
    return ["", f"{title} ({len(rows)})", *_table(rows)]


def _attendee_row(a: Attendee) -> list[str]:
    name = " ".join(p for p in (a.honorific, a.name) if p) or "(unnamed)"
    about = ", ".join(p for p in (a.role, a.organisation) if p) or "-"
    return [name, about, a.capacity]


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(_shorten(text), width=_WIDTH, initial_indent=indent, subsequent_indent=indent)


def _resolutions(ex: Extraction) -> list[str]:
    if not ex.resolutions:
        return ["", "Resolutions: none"]
    heads = _table(
        [
            [
                r.label or "-",
                r.kind,
                "follow-up" if r.needs_followup else "no follow-up",
                f"owner: {r.owner or '-'}",
                f"due: {_due(r.due)}" + (f"   item {r.item}" if r.item else ""),
            ]
            for r in ex.resolutions
        ]
    )
    out = ["", f"Resolutions ({len(ex.resolutions)})"]
    for head, r in zip(heads, ex.resolutions, strict=True):
        out += [head, *_wrapped(r.text, "      ")]
    return out


def _actions(ex: Extraction) -> list[str]:
    if not ex.actions:
        return ["", "Actions: none"]
    heads = _table(
        [
            [
                f"{i}.",
                f"owner: {a.owner or '-'}",
                f"due: {_due(a.due)}",
                f"from: {a.origin}" + (f" {a.resolution}" if a.resolution else ""),
            ]
            for i, a in enumerate(ex.actions, 1)
        ]
    )
    out = ["", f"Actions ({len(ex.actions)})"]
    for head, a in zip(heads, ex.actions, strict=True):
        out += [head, *_wrapped(a.text, "      ")]
    return out


if __name__ == "__main__":  # pragma: no cover
    main()
