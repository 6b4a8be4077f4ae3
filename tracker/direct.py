"""Core statements of the import's hot path, compiled once per dialect and run on the DBAPI cursor.

Why: a batch writes a dozen small statements for every file, and SQLAlchemy's execution layers
(cache key of the statement, parameter processing, result set-up) cost several times the
statement itself: about 46 µs for a one-row ``SELECT`` that the driver runs in 7 µs. Here a
statement is compiled by SQLAlchemy once per dialect, with SQLAlchemy's own bind and result
processors for its columns' types, so the driver receives exactly the SQL and values SQLAlchemy
would send, and the rows come back converted as SQLAlchemy would convert them. What is skipped is
the per-execution bookkeeping, not any behaviour: the statement runs on the Session's connection,
inside its transaction, after the same autoflush; a driver error becomes SQLAlchemy's own
exception (``IntegrityError``…), and a lost connection is invalidated as SQLAlchemy would do.
When anyone watches the statements (an engine or connection event listener: tests that count
statements, tracing tools; or ``echo``), they run through ``Connection.execute`` instead, so that
the watcher sees every one.

Only statements whose parameters are plain values fit (no expanding ``IN`` lists); an ``INSERT``
of several rows is compiled per row count (:func:`insert_rows`).

On PostgreSQL the SQL is numbered once (``$1``, ``$2`` …) and run on psycopg's ``RawCursor``:
psycopg otherwise parses a ``%(name)s`` statement's placeholders on every execution, unless the
statement is short and has at most 50 parameters, which a multi-row ``INSERT`` rarely is (0.1 to
0.3 ms a statement: a fifth of a batch writer's time on PostgreSQL).
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, exc, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from . import db

Processor = Callable[[Any], Any] | None
_REQUIRED = object()
#: a named placeholder, or an escaped percent sign, in SQL compiled for the ``pyformat`` style
_PYFORMAT = re.compile(r"%\((\w+)\)s|%%")


class JsonText(str):
    """A JSON column's value already serialised with ``json.dumps`` (as SQLAlchemy would): sent as it is.

    A batch's workers serialise each extraction while the writer is busy with the previous file.
    """

    __slots__ = ()


class _Plan:
    """One statement compiled for one dialect: its SQL, how to lay out its parameters, and its results."""

    __slots__ = ("sql", "positional", "binds", "results", "cursor")

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.escaped_bind_names:
            raise ValueError("direct statements need plain parameter names")
        names = compiled.positiontup if compiled.positional else list(compiled.bind_names.values())
        self.sql = compiled.string
        self.positional = compiled.positional
        #: (name in the SQL, key in the caller's parameters, value when not given, processor)
        self.binds: list[tuple[str, str, Any, Processor]] = []
        for name in names or ():
            bind = compiled.binds[name]
            if bind.expanding:
                raise ValueError(f"direct statements cannot expand {name!r} (an IN list)")
            if bind.callable is not None:
                raise ValueError(f"direct statements cannot call for {name!r} (a callable value)")
            default = _REQUIRED if bind.required else bind.value
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            self.binds.append((name, bind.key, default, processor))
        #: the cursor class to run on, when not the connection's own: psycopg's RawCursor, the SQL
        #: numbered (see the module's docstring); imported here, so that SQLite's users never load it
        self.cursor: type | None = None
        if dialect.driver == "psycopg" and not self.positional:
            from psycopg import RawCursor

            self.cursor = RawCursor
            self._number()
        columns = getattr(statement, "exported_columns", ())
        processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        self.results: list[Processor] | None = processors if any(processors) else None

    def _number(self) -> None:
        """``%(name)s`` placeholders as ``$1``, ``$2`` … (a name used twice keeps its number), and
        the parameters in that order."""
        by_name = {b[0]: b for b in self.binds}
        numbers: dict[str, int] = {}

        def numbered(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return "%"
            return f"${numbers.setdefault(name, len(numbers) + 1)}"

        self.sql = _PYFORMAT.sub(numbered, self.sql)
        self.binds = [by_name[name] for name in numbers]
        self.positional = True

    def parameters(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = []
        for _name, key, default, processor in self.binds:
            value = params.get(key, default)
            if value is _REQUIRED:
                raise exc.ArgumentError(f"a value is required for bind parameter {key!r}")
            if processor is not None and value is not None and type(value) is not JsonText:
                value = processor(value)
            values.append(value)
        if self.positional:
            return values
        return {b[0]: v for b, v in zip(self.binds, values, strict=True)}

    def convert(self, rows: list[Any]) -> list[tuple[Any, ...]]:
        if self.results is None:
            return rows
        processors = self.results
        return [
            tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True)) for row in rows
        ]


class Statement:
    """A Core statement run directly on the Session's DBAPI connection (see the module's docstring)."""

    __slots__ = ("statement", "_plans", "__weakref__")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: weakref.WeakKeyDictionary[Dialect, _Plan] = weakref.WeakKeyDictionary()

    def plan(self, dialect: Dialect) -> _Plan:
        found = self._plans.get(dialect)
        if found is None:
            found = self._plans[dialect] = _Plan(self.statement, dialect)
        return found

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row the statement returns, converted as SQLAlchemy would."""
        connection = db.core(session)
        if db.watched(connection):
            return [tuple(row) for row in connection.execute(self.statement, _decoded(params))]
        plan = self.plan(connection.dialect)
        return plan.convert(_run(connection, plan, plan.parameters(params), fetch=True))

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, or None."""
        found = self.rows(session, params)
        return found[0] if found else None

    def scalars(self, session: Session, params: Mapping[str, Any]) -> list[Any]:
        """The first column of every row."""
        return [row[0] for row in self.rows(session, params)]

    def run(self, session: Session, params: Mapping[str, Any]) -> int:
        """Execute a statement that returns no rows; the number of rows it changed."""
        connection = db.core(session)
        if db.watched(connection):
            return connection.execute(self.statement, _decoded(params)).rowcount
        plan = self.plan(connection.dialect)
        return _run(connection, plan, plan.parameters(params), fetch=False)  # type: ignore[return-value]

    def run_many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
        """Execute a statement that returns no rows once per parameter set (``executemany``); the
        number of rows changed in all."""
        connection = db.core(session)
        if db.watched(connection):
            return connection.execute(self.statement, [_decoded(r) for r in rows]).rowcount
        plan = self.plan(connection.dialect)
        return _run(connection, plan, [plan.parameters(r) for r in rows], fetch=False, many=True)  # type: ignore[return-value]


#: multi-row INSERTs by (table, columns, returning), each compiled per row count and dialect
_INSERTS: dict[tuple[Table, tuple[str, ...], tuple[str, ...]], dict[int, Statement]] = {}
#: at most this many rows go into one INSERT (SQLite allows 32,766 parameters a statement)
_ROWS_PER_INSERT = 100


def insert_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, returning: Iterable[str] = ()
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (each with the same keys) with multi-row ``INSERT``s; the ``returning`` columns.

    The rows returned are not promised to be in the rows' order: return a column that tells them
    apart (an id with a position). Every column with a client-side default must be given.
    """
    if not rows:
        return []
    keys = tuple(rows[0])
    back = tuple(returning)
    by_count = _INSERTS.setdefault((table, keys, back), {})
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        statement = by_count.get(len(chunk))
        if statement is None:
            statement = by_count[len(chunk)] = _insert_statement(table, keys, back, len(chunk))
        params = {f"r{i}_{k}": v for i, row in enumerate(chunk) for k, v in row.items()}
        if back:
            out += statement.rows(session, params)
        else:
            statement.run(session, params)
    return out


def _insert_statement(table: Table, keys: tuple[str, ...], back: tuple[str, ...], count: int) -> Statement:
    given = set(keys)
    for column in table.c:
        if column.key not in given and (column.default is not None or column.onupdate is not None):
            raise ValueError(f"insert_rows into {table.name}: give {column.key!r} (it has a Python default)")
    values = [{k: bindparam(f"r{i}_{k}", type_=table.c[k].type) for k in keys} for i in range(count)]
    statement = insert(table).values(values)
    if back:
        statement = statement.returning(*(table.c[k] for k in back))
    return Statement(statement)


def _decoded(params: Mapping[str, Any]) -> Mapping[str, Any]:
    """``params`` for SQLAlchemy, which serialises JSON values itself: :class:`JsonText` read back."""
    if not any(type(v) is JsonText for v in params.values()):
        return params
    return {k: json.loads(v) if type(v) is JsonText else v for k, v in params.items()}


def _run(
    connection: Connection, plan: _Plan, params: Any, *, fetch: bool, many: bool = False
) -> list[Any] | int:
    raw = connection.connection.driver_connection
    sql = plan.sql
    cursor = plan.cursor(raw) if plan.cursor is not None else raw.cursor()  # type: ignore[union-attr]
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        return cursor.fetchall() if fetch else cursor.rowcount
    except connection.dialect.loaded_dbapi.Error as err:
        raise db.driver_error(connection, err, sql, params, cursor) from err
    finally:
        cursor.close()
