"""The action list's queries: the same rows as the plain filters, and plans that stop after a page.

``bench/web.py`` measures the list at 100,000 actions; these tests keep the query shapes that make
it fast (``docs/WEB_BENCHMARK.md``) from quietly coming back slow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from tracker import services
from tracker.models import Action, ActionStatus, CloseReason, Meeting, MinuteItem, utcnow

TODAY = date(2024, 6, 1)


def _all_pages(session: Session, search: services.ActionSearch, limit: int) -> list[int]:
    ids: list[int] = []
    after = None
    while True:
        page = services.search_actions(session, search, today=TODAY, after=after, limit=limit)
        ids += [a.id for a in page.actions]
        if page.next_after is None:
            return ids
        after = page.next_after


@pytest.fixture
def two_committees(session: Session, make_actions: Callable[..., list[int]]) -> dict[str, list[int]]:
    """Interleaved actions of two committees, some closed and some in progress, some without owner."""
    ids = {"A": [], "B": []}
    for n in (7, 5, 9):
        ids["A"] += make_actions(n, committee="A")
        ids["B"] += make_actions(n + 1, committee="B")
    every = ids["A"] + ids["B"]
    closed, moving, nobody = every[::4], every[1::5], every[2::6]
    now = utcnow()
    session.execute(
        update(Action)
        .where(Action.id.in_(closed))
        .values(status=ActionStatus.CLOSED, close_reason=CloseReason.COMPLETED, closed_at=now)
    )
    session.execute(
        update(Action).where(Action.id.in_(set(moving) - set(closed))).values(status=ActionStatus.IN_PROGRESS)
    )
    session.execute(update(Action).where(Action.id.in_(nobody)).values(owner=None))
    session.commit()
    return ids


def _expected(session: Session, committee: str | None, statuses: set[ActionStatus]) -> list[int]:
    stmt = (
        select(Action.id)
        .join(MinuteItem, MinuteItem.id == Action.minute_item_id)
        .join(Meeting, Meeting.id == MinuteItem.meeting_id)
        .where(Action.status.in_(statuses))
        .order_by(Action.id)
    )
    if committee is not None:
        stmt = stmt.where(Meeting.committee.has(name=committee))
    return list(session.scalars(stmt))


@pytest.mark.parametrize("status", ["outstanding", "open", "in_progress", "closed", "all"])
@pytest.mark.parametrize("committee", [None, "A", "B"])
def test_every_page_of_a_filtered_list_holds_exactly_the_matching_actions(
    session: Session, two_committees: dict[str, list[int]], status: str, committee: str | None
) -> None:
    committee_id = None
    if committee is not None:
        committee_id = next(c.id for c in services.list_committees(session) if c.name == committee)
    if status == "outstanding":
        statuses = {s for s in ActionStatus if s is not ActionStatus.CLOSED}
    elif status == "all":
        statuses = set(ActionStatus)
    else:
        statuses = {ActionStatus(status)}
    search = services.ActionSearch(committee_id=committee_id, status=status)
    assert _all_pages(session, search, limit=4) == _expected(session, committee, statuses)


def test_the_page_loads_committee_meeting_and_clause_with_the_actions(
    session: Session, two_committees: dict[str, list[int]]
) -> None:
    page = services.search_actions(session, services.ActionSearch(status="all"), today=TODAY, limit=3)
    session.expire_all()  # the fixture changed rows with UPDATE statements
    loaded = [session.get(Action, row.id) for row in page.actions]
    assert [row.committee_name for row in page.actions] == ["A"] * 3
    assert page.actions == [
        services.ListedAction(
            id=a.id,
            text=a.text,
            owner=a.owner,
            due_date=a.due_date,
            due_text=a.due_text,
            due_rule=a.due_rule,
            due_rule_month=a.due_rule_month,
            status=a.status,
            close_reason=a.close_reason,
            clause_label=a.resolution.label if a.resolution else None,
            committee_id=a.minute_item.meeting.committee_id,
            committee_name=a.minute_item.meeting.committee.name,
            meeting_id=a.minute_item.meeting_id,
            meeting_date=a.minute_item.meeting.date,
        )
        for a in loaded
    ]


def test_owners_are_every_distinct_named_owner_in_order(
    session: Session, two_committees: dict[str, list[int]]
) -> None:
    expected = sorted(set(session.scalars(select(Action.owner).where(Action.owner.is_not(None)))))
    assert services.list_owners(session) == expected == [f"Officer {i}" for i in range(5)]


def test_owners_of_an_empty_database_are_none(session: Session) -> None:
    assert services.list_owners(session) == []
    assert services.filter_choices(session) == ([], [])


def test_the_filter_form_offers_every_committee_and_owner_by_name_in_one_query(
    session: Session, two_committees: dict[str, list[int]]
) -> None:
    statements: list[str] = []
    engine = session.get_bind().engine

    def grab(conn: object, cursor: object, statement: str, *rest: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", grab)
    try:
        choices = services.filter_choices(session)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert len([s for s in statements if "SELECT" in s.upper()]) == 1
    assert choices.committees == [(c.id, c.name) for c in services.list_committees(session)]
    assert [name for _, name in choices.committees] == ["A", "B"]
    assert choices.owners == services.list_owners(session) == [f"Officer {i}" for i in range(5)]


def _plan(session: Session, stmt: object) -> list[str]:
    compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
    rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    return [row[3] for row in rows]


@pytest.mark.parametrize(
    "query",
    ["status=outstanding", "status=outstanding&after=3", "status=open", "status=open&after=3", "status=all"],
)
def test_sqlite_reads_a_page_of_ids_in_id_order_without_sorting_or_statistics(
    session: Session, two_committees: dict[str, list[int]], query: str
) -> None:
    """The page's ids come from ``action`` in id order (primary key or ix_action_status_id), unsorted."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    args = dict(pair.split("=") for pair in query.split("&"))
    after = int(args["after"]) if "after" in args else None
    stmt = services.page_ids(services.ActionSearch(status=args["status"]), today=TODAY, after=after, limit=51)
    plan = _plan(session, stmt)
    assert len(plan) == 1 and "action" in plan[0] and "TEMP B-TREE" not in plan[0], plan
    if args["status"] == "outstanding":
        assert "INTEGER PRIMARY KEY" in plan[0] or plan[0] == "SCAN action", plan


def test_sqlite_never_starts_a_committee_page_from_the_committee(
    session: Session, two_committees: dict[str, list[int]]
) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    search = services.ActionSearch(status="open", committee_id=1)
    plan = _plan(session, services.page_ids(search, today=TODAY, after=None, limit=51))
    assert "action" in plan[0] and "committee" not in plan[0] and "meeting" not in plan[0], plan


def test_the_page_is_joined_after_its_ids_are_chosen(
    session: Session, two_committees: dict[str, list[int]]
) -> None:
    """Only the page's rows are joined to minute item, meeting, committee and clause."""
    statements: list[str] = []
    engine = session.get_bind().engine

    def grab(conn: object, cursor: object, statement: str, *rest: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", grab)
    try:
        services.search_actions(session, services.ActionSearch(status="open", committee_id=1), today=TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    (listing,) = [s for s in statements if "FROM action" in s]
    outer, inner = listing.split("IN (", 1)
    assert "JOIN committee" in outer and "LIMIT" in inner and "JOIN committee" not in inner


def test_sqlite_matches_a_committee_of_one_status_inside_the_index(
    session: Session, two_committees: dict[str, list[int]]
) -> None:
    """ix_action_status_id holds the minute item: no look-up of each action's row to check its committee."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    search = services.ActionSearch(status="open", committee_id=1)
    plan = _plan(session, services.page_ids(search, today=TODAY, after=None, limit=51))
    assert "COVERING INDEX ix_action_status_id" in plan[0], plan
