"""Export the whole database to one JSON file, and restore it into an empty database, exactly.

This is the backup that works the same on SQLite and PostgreSQL and can move a tracker from one
to the other. Every table the models declare is written (but the choices stamp, which the database
keeps itself: :mod:`tracker.choices_stamp`), in foreign-key order, row by row (the export streams:
memory does not grow with the database), with the schema revision it was made at. A restore
needs an empty database at that same revision (``tracker init-db`` makes one); it inserts
everything in one transaction, so a bad file leaves the database as it was, then moves
PostgreSQL's id sequences past the restored ids. Exporting the restored database gives the same
file, apart from the time it was made.

File shape (``minutes-tracker-backup/1``)::

    {"format": "minutes-tracker-backup/1", "revision": "…", "exported_at": "…",
     "tables": {"committee": {"columns": ["id", "name", "created_at"], "rows": [[1, "…", "…"], …]}, …}}

Values: dates and times as ISO 8601 (times in UTC with their offset), enums as their stored
values, JSON columns as JSON, everything else as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Date, Enum, Integer, Table, func, insert, select, text
from sqlalchemy.types import TypeEngine

from . import db
from .errors import TrackerError
from .models import Base, UTCDateTime

FORMAT = "minutes-tracker-backup/1"
#: rows inserted per statement on restore
BATCH = 1000


class BackupError(TrackerError):
    """A backup file that cannot be restored here (named, with the reason); nothing was changed."""

    status = 400
    title = "The backup cannot be restored"


def tables_backed_up() -> list[Table]:
    """The tables a backup holds: all but derived state (``info["derived"]``, kept by triggers)."""
    return [t for t in Base.metadata.sorted_tables if not t.info.get("derived")]


# --- export --------------------------------------------------------------------------------------


def export_database(connection: Connection, path: str | os.PathLike[str]) -> dict[str, int]:
    """Write every table to ``path`` (atomically: a temporary file renamed into place).

    :return: the number of rows written per table.
    :raise BackupError: the database's schema is missing or not this code's revision.
    """
    problem = db.schema_problem(connection)
    if problem:
        raise BackupError(problem)
    target = Path(path)
    counts: dict[str, int] = {}
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            _write(connection, out, counts)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return counts


def _write(connection: Connection, out: IO[str], counts: dict[str, int]) -> None:
    header = {
        "format": FORMAT,
        "revision": db.current_revision(connection),
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    out.write("{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in header.items()))
    out.write(', "tables": {')
    for t, table in enumerate(tables_backed_up()):
        columns = [c.name for c in table.columns]
        encoders = [_encoder(c.type) for c in table.columns]
        out.write(
            ("," if t else "") + f'\n{json.dumps(table.name)}: {{"columns": {json.dumps(columns)}, "rows": ['
        )
        n = 0
        for row in _rows(connection, table):
            values = [enc(v) for enc, v in zip(encoders, row, strict=True)]
            out.write(
                ("," if n else "") + "\n" + json.dumps(values, ensure_ascii=False, separators=(",", ":"))
            )
            n += 1
        out.write("]}")
        counts[table.name] = n
    out.write("\n}}\n")


def _rows(connection: Connection, table: Table) -> Iterator[Any]:
    order = list(table.primary_key.columns)
    stmt = select(table).order_by(*order).execution_options(stream_results=True, yield_per=BATCH)
    result = connection.execute(stmt)  # statement options: Connection.execution_options would stick
    yield from result


def _encoder(kind: TypeEngine[Any]) -> Any:
    if isinstance(kind, UTCDateTime):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return lambda v: None if v is None else v.value
    return lambda v: v


# --- restore -------------------------------------------------------------------------------------


def read_backup(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a backup file's shape.

    :raise BackupError: unreadable, not JSON, not a backup of this format, or tables/columns that
        this version of the tracker does not have.
    """
    name = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as err:
        raise BackupError(f"{name}: cannot read the file ({err.strerror or err})") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BackupError(f"{name}: not a backup made by `tracker export` (not JSON: {err})") from err
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("tables"), dict):
        raise BackupError(f"{name}: not a backup made by `tracker export` (expected format {FORMAT})")
    known = {t.name: t for t in tables_backed_up()}
    for table_name, content in data["tables"].items():
        table = known.get(table_name)
        if table is None:
            raise BackupError(f"{name}: table {table_name!r} is not one this version of the tracker has")
        if not isinstance(content, dict) or not isinstance(content.get("rows"), list):
            raise BackupError(f"{name}: table {table_name!r} has no list of rows")
        if content.get("columns") != [c.name for c in table.columns]:
            raise BackupError(
                f"{name}: table {table_name!r} has columns {content.get('columns')!r}, "
                f"this version of the tracker has {[c.name for c in table.columns]!r}"
            )
    return data


def restore_database(connection: Connection, path: str | os.PathLike[str]) -> dict[str, int]:
    """Insert a backup's rows into an empty database at the backup's revision, in the caller's transaction.

    :return: the number of rows restored per table.
    :raise BackupError: the file is not a backup, was made at another schema revision, a row does
        not fit (the caller then rolls back: nothing is kept), or the database is not empty.
    """
    name = os.fspath(path)
    data = read_backup(path)
    problem = db.schema_problem(connection)
    if problem:
        raise BackupError(problem)
    here = db.current_revision(connection)
    if data.get("revision") != here:
        raise BackupError(
            f"{name}: made at schema revision {data.get('revision')}, but this database is at {here}; "
            "restore it with the version of the tracker that made it, then upgrade"
        )
    occupied = [t.name for t in tables_backed_up() if connection.scalar(select(func.count()).select_from(t))]
    if occupied:
        raise BackupError(
            f"the database is not empty ({', '.join(occupied)} have rows); restore into a new database "
            "made with `tracker init-db`"
        )
    counts: dict[str, int] = {}
    for table in tables_backed_up():
        content = data["tables"].get(table.name, {"rows": []})
        decoders = [_decoder(c.type) for c in table.columns]
        names = [c.name for c in table.columns]
        rows = content["rows"]
        try:
            for start in range(0, len(rows), BATCH):
                batch = [
                    {n: dec(v) for n, dec, v in zip(names, decoders, row, strict=True)}
                    for row in rows[start : start + BATCH]
                ]
                if batch:
                    connection.execute(insert(table), batch)
        except (ValueError, TypeError) as err:
            raise BackupError(f"{name}: a row of table {table.name!r} does not fit: {err}") from err
        except Exception as err:  # IntegrityError and other database refusals
            if err.__class__.__module__.startswith("sqlalchemy"):
                reason = " ".join(str(getattr(err, "orig", err)).split())
                raise BackupError(
                    f"{name}: the database refused a row of table {table.name!r}: {reason}"
                ) from err
            raise
        counts[table.name] = len(rows)
    _move_sequences(connection)
    return counts


def _decoder(kind: TypeEngine[Any]) -> Any:
    if isinstance(kind, UTCDateTime):
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    if isinstance(kind, Enum) and kind.enum_class is not None:
        cls = kind.enum_class
        return lambda v: None if v is None else cls(v)
    return lambda v: v


def _move_sequences(connection: Connection) -> None:
    """On PostgreSQL, set each serial id's sequence to the largest restored id (SQLite needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables_backed_up():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0].name
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE((SELECT MAX("{column}") FROM "{table.name}"), 0) + 1, false)'
            ),
            {"table": f'"{table.name}"', "column": column},
        )
