"""The choices stamp: a value the database changes whenever the action list's filter choices may have.

The action list offers every committee and every owner as filters. Reading them is a round trip of
its own on each page view, and on PostgreSQL under load a round trip costs more than the query. So a
web process keeps the choices it last read together with this stamp, and the stamp is read in the
same statement as the signed-in account (:data:`tracker.services.SignedInUser`): while the stamp is
unchanged the kept choices are still exact, and no request pays for them.

The database keeps the stamp itself, with triggers, so that every writer changes it (the web app, a
batch import in another process, a restore, someone's SQL): any insert or delete of a committee or an
action, a change of a committee's name or an action's owner, or emptying either table writes a new
random value. Random rather than a counter, so that a database restored from a backup, or recreated
under the same URL, can never repeat a stamp a process has seen with other contents.

Table ``choices_stamp`` holds :data:`SLOTS` rows; the stamp is their values joined in id order. On
PostgreSQL a trigger writes the first row no other transaction holds (``FOR UPDATE SKIP LOCKED``), so
concurrent writers do not queue behind one row, nor deadlock through it with each other's action
rows. SQLite allows one writer at a time; its triggers write the first row. Triggers are per
statement on PostgreSQL and per row on SQLite (which has no other kind; SQLite rewrites the row in
place, in microseconds).

On PostgreSQL a transaction writes the stamp once, not once per statement: every write of a row
leaves a version behind that nobody can remove until the transaction ends, so a restore or bulk
insert of 100,000 rows, one statement each, spent minutes walking the stamp's versions (a benchmark
seed took 313 s; writing once per transaction, 12–21 s). The trigger marks the transaction (setting
:data:`WRITTEN`, which ends with it, and with a savepoint rolled back) and skips while the mark is
set. Other transactions see the new stamp only when the changes commit, all at once. Inside a
marked transaction the stamp reads as None, so a reader there reads the choices afresh and keeps
nothing: a later change of the same transaction would leave the stamp as it is. Web pages read
outside any writing transaction.

:func:`install` creates the triggers and fills the table; the migration that adds the table calls it,
and so does ``create_all()`` (see :mod:`tracker.models`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Text

TABLE = "choices_stamp"
#: rows of the table: PostgreSQL writers that may change the stamp at once without waiting
SLOTS = 8

#: PostgreSQL setting, local to a transaction: "yes" once it has written a new stamp
WRITTEN = "tracker.choices_stamp_written"

#: (table, what changes the choices) of each trigger
_WATCHED = (("committee", "name"), ("action", "owner"))
WATCHED_TABLES = tuple(table for table, _ in _WATCHED)

_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tracker_new_choices_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    slot integer;
BEGIN
    IF current_setting('{WRITTEN}', true) = 'yes' THEN
        RETURN NULL;  -- this transaction has written a new stamp already
    END IF;
    SELECT id INTO slot FROM {TABLE} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
    UPDATE {TABLE} SET stamp = gen_random_uuid()::text WHERE id = COALESCE(slot, 1);
    PERFORM set_config('{WRITTEN}', 'yes', true);
    RETURN NULL;
END
$$
"""

_SQLITE_NEW_STAMP = f"UPDATE {TABLE} SET stamp = lower(hex(randomblob(16))) WHERE id = 1;"


def _postgres_statements() -> list[str]:
    statements = [_POSTGRES_FUNCTION]
    for table, column in _WATCHED:
        name = f"{table}_changes_choices_stamp"
        statements += [
            f'DROP TRIGGER IF EXISTS {name} ON "{table}"',
            f'CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {column} OR TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION tracker_new_choices_stamp()",
        ]
    statements.append(
        f"INSERT INTO {TABLE} (id, stamp) SELECT n, gen_random_uuid()::text "
        f"FROM generate_series(1, {SLOTS}) AS n WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE id = n)"
    )
    return statements


def _sqlite_statements() -> list[str]:
    statements = []
    for table, column in _WATCHED:
        for event, when in (
            ("INSERT", ""),
            ("DELETE", ""),
            (f"UPDATE OF {column}", f" WHEN OLD.{column} IS NOT NEW.{column}"),
        ):
            name = f"{table}_{event.split()[0].lower()}_changes_choices_stamp"
            statements.append(
                f'CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON "{table}"{when} '
                f"BEGIN {_SQLITE_NEW_STAMP} END"
            )
    statements.append(
        f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {SLOTS}) "
        f"INSERT INTO {TABLE} (id, stamp) SELECT i, lower(hex(randomblob(16))) FROM n "
        f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE id = i)"
    )
    return statements


def install(connection: Connection) -> None:
    """Create the triggers and the table's rows (the table must exist); safe to repeat."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statements = _postgres_statements()
    elif dialect == "sqlite":
        statements = _sqlite_statements()
    else:  # pragma: no cover - the tracker supports these two
        raise NotImplementedError(f"no choices stamp triggers for {dialect}")
    for statement in statements:
        connection.exec_driver_sql(statement)


def uninstall(connection: Connection) -> None:
    """Drop what :func:`install` made, apart from the table (the migration's downgrade)."""
    if connection.dialect.name == "postgresql":
        for table, _ in _WATCHED:
            connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS {table}_changes_choices_stamp ON "{table}"')
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS tracker_new_choices_stamp()")
    else:
        for table, _ in _WATCHED:
            for event in ("insert", "delete", "update"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_{event}_changes_choices_stamp")


class CurrentStamp(FunctionElement[str]):
    """The stamp as a scalar subquery, to add to a statement: None when the table is empty.

    A ``FunctionElement`` with no arguments, so that a statement holding it is compiled once and
    then found in SQLAlchemy's statement cache (a bare ``ColumnElement`` has no cache key).
    """

    type = Text()
    inherit_cache = True
    name = "current_choices_stamp"


@compiles(CurrentStamp, "postgresql")
def _stamp_postgresql(element: CurrentStamp, compiler: Any, **kw: Any) -> str:
    # No stamp inside a transaction that has changed the choices: it writes its stamp once, so later
    # changes of its own would not change what a reader kept the choices under.
    return (
        f"(CASE WHEN current_setting('{WRITTEN}', true) = 'yes' THEN NULL"
        f" ELSE (SELECT string_agg(stamp, ',' ORDER BY id) FROM {TABLE}) END)"
    )


@compiles(CurrentStamp)
def _stamp_default(element: CurrentStamp, compiler: Any, **kw: Any) -> str:
    return f"(SELECT group_concat(stamp, ',') FROM (SELECT stamp FROM {TABLE} ORDER BY id))"
