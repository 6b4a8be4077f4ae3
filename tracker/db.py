"""The database handle: one engine and session factory per app, one Session per request or command.

:func:`init_app` builds the engine from ``DATABASE_URL`` and a ``sessionmaker(expire_on_commit=False)``
and keeps both on ``app.extensions``; :func:`get_session` caches a Session on ``g`` and the app
context's teardown closes it (flaskr's ``get_db``/``close_db`` pair, in ORM form). Whoever calls a
service owns the transaction: services never commit.

The schema belongs to Alembic: :func:`upgrade_database` runs the migrations in
``tracker/migrations`` up to the head revision (what ``tracker init-db`` does), and
:func:`schema_problem` tells a command that the database is missing or behind.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Connection, Engine, create_engine, event, exc, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from .errors import DatabaseSchemaError

EXTENSION_KEY = "tracker.db"
#: the execution option that makes :func:`_sqlite_on_begin` emit ``BEGIN IMMEDIATE``
IMMEDIATE = "tracker_sqlite_immediate"
#: the execution option that makes a transaction commit without syncing to disk (a batch import's
#: writer only: see :func:`batch_bind`; SQLite ``synchronous=NORMAL``, PostgreSQL ``synchronous_commit=off``)
BATCH_SYNC = "tracker_batch_sync"
#: on a DBAPI connection's pool record: the settings it had before a batch writer changed them
_RELAXED_FROM = "tracker_sqlite_synchronous_was"
#: what a batch writer's SQLite connection runs with (see :func:`_sqlite_synchronous`); anyone
#: else's transaction on the same pooled connection puts back what it had
BATCH_PRAGMAS = {"synchronous": 1, "wal_autocheckpoint": 10000}
#: the requests that only read: their Session is :attr:`Database.readers`
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Alembic context options shared by ``migrations/env.py`` and the model/migration drift test
MIGRATION_OPTIONS: dict[str, Any] = {"render_as_batch": True, "compare_type": True}


@dataclass(frozen=True, slots=True)
class Database:
    """What :func:`init_app` keeps on ``app.extensions``: the engine and the session factory."""

    engine: Engine
    sessions: sessionmaker[Session]
    #: Sessions for requests that only read (GET, HEAD, OPTIONS); see :func:`init_app`
    readers: sessionmaker[Session]


def make_engine(url: str | URL, **options: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys enforced and SQLAlchemy-managed transactions.

    pysqlite starts transactions lazily and on its own terms, which breaks SAVEPOINT and makes DDL
    non-transactional; the SQLAlchemy recipe (``dialects/sqlite/base.py``, "Serializable isolation /
    Savepoints / Transactional DDL") turns that off and emits ``BEGIN`` itself. ``PRAGMA foreign_keys``
    makes SQLite enforce what PostgreSQL enforces.
    """
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        if make_url(url).database not in (None, "", ":memory:"):
            event.listen(engine, "connect", _sqlite_file_on_connect)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _postgresql_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_file_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """A database file in WAL mode: pages read while someone writes, and a crash loses nothing
    committed. Waits up to 15 s for another writer instead of failing at once."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    """``BEGIN``, or ``BEGIN IMMEDIATE`` for a transaction that will write (see :func:`writing_session`).

    Two deferred transactions that both read and then write deadlock in SQLite: neither can take
    the write lock while the other holds its read, and both fail with "database is locked".
    Taking the write lock at the start makes the second writer wait for the first instead.
    """
    options = connection.get_execution_options()
    _sqlite_synchronous(connection, relaxed=options.get(BATCH_SYNC, False))
    if options.get(IMMEDIATE, False):  # may wait for another writer, and fail: SQLAlchemy's errors
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif watched(connection):
        connection.exec_driver_sql("BEGIN")
    else:  # takes no lock, cannot fail: on the DBAPI connection (a batch begins one a file)
        connection.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]


def watched(connection: Connection) -> bool:
    """Does anyone watch this connection's statements (cursor event listeners, ``echo``)?

    Statements the import runs straight on the DBAPI connection (:mod:`tracker.direct`, a SQLite
    ``BEGIN``) go through SQLAlchemy instead when someone does, so that the watcher sees every one.
    """
    dispatch = connection.dispatch
    return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute or connection._echo)


def driver_error(
    connection: Connection, err: Exception, sql: str, params: Any, cursor: Any = None
) -> Exception:
    """SQLAlchemy's exception for a driver's ``err`` from a statement run on ``connection``'s DBAPI
    connection, the connection invalidated when it was lost: what ``Connection.execute`` does."""
    dialect = connection.dialect
    if dialect.is_disconnect(err, connection.connection.driver_connection, cursor):  # type: ignore[arg-type]
        connection.invalidate(err)
    return exc.DBAPIError.instance(sql, params, err, dialect.loaded_dbapi.Error, dialect=dialect)


_SYNC_OFF = "SET LOCAL synchronous_commit TO OFF"


def _postgresql_on_begin(connection: Connection) -> None:
    """A batch writer's transaction commits without waiting for its log to reach the disk.

    ``SET LOCAL``: for this transaction only, so nobody else's commit changes (web requests keep
    PostgreSQL's default, ``synchronous_commit=on``). See :func:`batch_bind`. Unless someone watches
    the statements, it goes to the server in one round trip with psycopg's own ``BEGIN`` (a
    pipeline), not after it: one round trip a file less.
    """
    if not connection.get_execution_options().get(BATCH_SYNC, False):
        return
    if watched(connection) or connection.dialect.driver != "psycopg":  # psycopg 3 has pipelines
        connection.exec_driver_sql(_SYNC_OFF)
        return
    raw = connection.connection.driver_connection
    try:
        with raw.pipeline():  # type: ignore[union-attr]
            raw.execute(_SYNC_OFF)  # type: ignore[union-attr]
    except connection.dialect.loaded_dbapi.Error as err:
        raise driver_error(connection, err, _SYNC_OFF, ()) from err


def _sqlite_synchronous(connection: Connection, *, relaxed: bool) -> None:
    """Before ``BEGIN`` (SQLite refuses the change inside a transaction): a batch writer's settings
    (:data:`BATCH_PRAGMAS`) for its transactions, and the connection's own back for anyone else's.

    - ``synchronous=NORMAL``: see :func:`batch_bind`.
    - A checkpoint every 10,000 pages of log (about 40 MB) instead of every 1,000: each checkpoint
      syncs the database file, and a page written by many files in between is copied back once.
      A batch of 1,000 files made 166 syncs before, 10 after. The log is emptied when the last
      connection closes, as before. (A larger page cache saved about 20 reads from the operating
      system a file, 0.1 ms, and cost its size in the writer's memory: not done.)

    The settings belong to the DBAPI connection, which the pool hands to the next user, so they are
    put back lazily, by the next transaction that is not a batch writer's: a batch pays its
    ``PRAGMA``s once per connection, not per file, and a web request never commits with NORMAL.
    """
    info = connection.info
    if relaxed and _RELAXED_FROM not in info:
        info[_RELAXED_FROM] = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in BATCH_PRAGMAS
        }
        for name, value in BATCH_PRAGMAS.items():
            connection.exec_driver_sql(f"PRAGMA {name}={int(value)}")
    elif not relaxed and _RELAXED_FROM in info:
        for name, value in info.pop(_RELAXED_FROM).items():
            connection.exec_driver_sql(f"PRAGMA {name}={int(value)}")


def init_app(app: Flask) -> None:
    """Build the app's engine and session factory, and close the request's Session on teardown.

    Nothing connects yet. When ``DATABASE_URL`` is a SQLite file in the instance folder (the
    default), the folder is created on the first connection.
    """
    url = make_url(app.config["DATABASE_URL"])
    engine = make_engine(url)
    if _is_file_in(url, Path(app.instance_path)):
        instance_path = app.instance_path

        @event.listens_for(engine, "do_connect")
        def _make_instance_folder(*args: Any) -> None:
            os.makedirs(instance_path, exist_ok=True)

    sessions = sessionmaker(engine, expire_on_commit=False)
    readers = sessions
    if engine.dialect.name == "postgresql":
        # A page view changes nothing, so on PostgreSQL it reads in autocommit mode: each statement
        # is its own snapshot, and the BEGIN and ROLLBACK round trips around every page are gone
        # (two of a list page's five). psycopg switches modes without talking to the server.
        readers = sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)
    app.extensions[EXTENSION_KEY] = Database(engine, sessions, readers)
    app.teardown_appcontext(close_session)


def _is_file_in(url: URL, folder: Path) -> bool:
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return False
    return Path(url.database).resolve().parent == folder.resolve()


def get_db(app: Flask | None = None) -> Database:
    """The :class:`Database` of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]


def get_session() -> Session:
    """The Session of the current request or command, created on first use and closed at teardown.

    A request that may change something (POST and the like) and every command get a
    :func:`writing_session`; page views read in an ordinary transaction.
    """
    if "db_session" not in g:
        reading = has_request_context() and request.method in READING_METHODS
        g.db_session = get_db().readers() if reading else writing_session()
    return g.db_session


def writing_session(app: Flask | None = None) -> Session:
    """A Session whose first transaction takes SQLite's write lock at once (``BEGIN IMMEDIATE``).

    For work that reads and then writes, so that two such transactions queue instead of
    deadlocking. PostgreSQL ignores the option: its row locks and the actions' version check
    already order concurrent saves.
    """
    session = get_db(app).sessions()
    session.connection(execution_options={IMMEDIATE: True})
    return session


def core(session: Session) -> Connection:
    """The Session's connection, for the Core statements an import makes for every file it stores.

    ``Session.execute`` wraps every statement in the ORM's execution and result layers, even a Core
    ``select`` of columns or an ``insert`` into a table: about 80 µs a statement here, against the
    statement's own 60 µs. Pending ORM changes are flushed first, as ``Session.execute`` would.
    """
    if session.autoflush:
        session.flush()
    return session.connection()


def batch_bind(engine: Engine) -> Engine:
    """``engine`` for a batch import's writer: its transactions commit without syncing the log to disk.

    A batch commits once per file, and a commit that waits for the disk cost 0.3 to 0.8 ms a file
    here. On SQLite (WAL mode) the writer commits with ``synchronous=NORMAL`` instead of FULL: the
    log is synced at checkpoints only. On PostgreSQL with ``synchronous_commit=off``: the server
    writes the log out within a fraction of a second, on its own. Either way the database is never
    corrupted and a file is whole or absent; a crash of the import process (Ctrl-C, kill) loses
    nothing committed; only a power cut or a crash of the operating system (or of the PostgreSQL
    server) can lose the last commits, which rerunning the (idempotent) import puts back.
    ``docs/IMPORT.md`` says more. Everyone else's transactions keep the databases' defaults.
    """
    return engine.execution_options(**{BATCH_SYNC: True})


def batch_writer(session: Session) -> Session:
    """Make ``session`` a batch import's writer (see :func:`batch_bind`), from its next transaction on.

    :raise ValueError: the Session is inside a transaction (its connection's level is already set).
    """
    if session.in_transaction():
        raise ValueError("make the Session a batch writer between transactions")
    bind = session.get_bind()
    if isinstance(bind, Engine):  # a Session bound to a Connection (tests) keeps it as it is
        session.bind = batch_bind(bind)
    return session


def close_session(exc: BaseException | None = None) -> None:
    """Close the cached Session, if any: an uncommitted transaction is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


# ---------------------------------------------------------------------------------------------
# migrations


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations; no ``alembic.ini`` is needed.

    :param connection: when given, ``env.py`` migrates through it (inside its transaction) instead
        of opening its own.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision the models correspond to: the migrations' single head."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "tracker/migrations/versions holds no revision"
    return head


def current_revision(connection: Connection) -> str | None:
    """The database's Alembic revision, or None when it has none (empty, or never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_database(engine: Engine) -> tuple[str | None, str]:
    """Create the schema, or upgrade it to the head revision, in one transaction; safe to repeat.

    On SQLite, foreign keys are switched off while migrating (batch migrations copy and drop
    tables) and checked before committing.

    :return: the revision before (None for an empty database) and after.
    :raise DatabaseSchemaError: the database holds tracker tables but no Alembic revision.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # The pragma is ignored inside a transaction, and Connection.execute() would begin one:
            # talk to the driver's connection directly (it is in autocommit mode, see make_engine).
            _sqlite_foreign_keys(connection, on=False)
        try:
            with connection.begin():
                before = current_revision(connection)
                if before is None and inspect(connection).has_table("action"):
                    raise DatabaseSchemaError(
                        "the database already has tracker tables but no migration history "
                        "(alembic_version); it was not created by `tracker init-db`"
                    )
                command.upgrade(alembic_config(connection), "head")
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise DatabaseSchemaError(f"the migration broke foreign keys: {broken[:5]}")
                after = current_revision(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)
    assert after is not None
    return before, after


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def stamp_head(connection: Connection) -> None:
    """Record the head revision without migrating: for a schema made by ``create_all()`` (tests)."""
    command.stamp(alembic_config(connection), "head")


def schema_problem(connection: Connection) -> str | None:
    """Why the database cannot be used by this code (missing or out-of-date schema), or None."""
    script = ScriptDirectory.from_config(alembic_config())
    current, head = current_revision(connection), script.get_current_head()
    if current == head:
        return None
    if current is None:
        return "the database has no tracker tables yet; run `tracker init-db` first"
    if current not in {rev.revision for rev in script.walk_revisions()}:
        return f"the database schema is at revision {current}, which this version of tracker does not know"
    return f"the database schema is at revision {current}, this code needs {head}; run `tracker init-db`"
