"""A batch import keeps PostgreSQL's planner statistics in step with the tables it grows
(``tracker.batch._Statistics``): ``ANALYZE`` after 64, 128, 256 … stored files, never on SQLite."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import Connection, event

from tests.conftest import is_postgres


def test_a_batch_analyses_the_tables_it_grows_on_postgres_only(
    app: Flask, runner: FlaskCliRunner, connection: Connection, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(130):
        (folder / f"item{i:03d}.txt").write_text(
            f"Item {i}: Library opening hours in ward {i}\n\nRESOLVED - That officers report on ward {i} "
            "to the next meeting.\n",
            encoding="utf-8",
        )
    analysed: list[str] = []

    def statement(conn, cursor, sql, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if sql.startswith("ANALYZE"):
            analysed.append(sql)

    event.listen(connection, "before_cursor_execute", statement)
    try:
        result = runner.invoke(
            args=["import", str(folder), "--committee", "Cabinet", "--date", "2025-01-07", "--jobs", "1"]
        )
        assert result.exit_code == 0, result.output
        assert "Imported 130," in result.output
        # the same files again are unchanged: they grow nothing, so they analyse nothing
        again = runner.invoke(args=["import", str(folder), "--committee", "Cabinet", "--date", "2025-01-07"])
        assert "unchanged 130" in again.output
    finally:
        event.remove(connection, "before_cursor_execute", statement)
    if is_postgres(str(connection.engine.url)):
        assert analysed == ["ANALYZE action, minute_item, meeting, follow_up_link"] * 2  # after 64 and 128
    else:
        assert analysed == []
