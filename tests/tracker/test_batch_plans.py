"""The batch import's per-file look-ups read indexes, not the actions' rows (SQLite's plans).

Every imported item reads its committee's open earlier actions (the linker's candidates: id and
version) and the actions its meeting date can move (those with a meeting rule). Reading each action's
row for them cost milliseconds a file on a large database; migration ``d5e1b8a3c940`` made both come
from an index. PostgreSQL chooses by its statistics (kept by the batch, see ``_Statistics``).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tracker import calendar, links

WHEN = date(2018, 9, 26)


def _plan(session: Session, stmt: object, params: dict[str, object]) -> list[str]:
    stmt = getattr(stmt, "statement", stmt)  # a tracker.direct.Statement holds its Core statement
    bound = stmt.params(**params)  # type: ignore[attr-defined]
    literal = {"literal_binds": True, "render_postcompile": True}
    compiled = bound.compile(session.get_bind(), compile_kwargs=literal)
    return [row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()]


@pytest.fixture
def sqlite_session(session: Session) -> Session:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    return session


def test_the_linker_candidates_come_from_the_index_alone(sqlite_session: Session) -> None:
    params = {"when": WHEN, "item_id": 1, "committee_id": 1}
    plan = _plan(sqlite_session, links._EARLIER_OWN, params)
    (action,) = [step for step in plan if "SEARCH action" in step]
    assert "COVERING INDEX ix_action_item_status_id" in action, plan


def test_the_calendar_reads_only_ruled_actions_from_their_index(sqlite_session: Session) -> None:
    for stmt, params in (
        (calendar._MOVABLE_AFTER_ADDED, {"when": WHEN, "month": WHEN.replace(day=1)}),
        (calendar._MOVABLE, {"first": WHEN}),
    ):
        plan = _plan(sqlite_session, stmt, {"committee_id": 1, "last": WHEN, **params})
        (action,) = [step for step in plan if "SEARCH action" in step]
        assert "COVERING INDEX ix_action_ruled" in action, plan
