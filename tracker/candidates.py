"""A batch import's memory of each committee's open actions: the linker's candidates without a query.

Every imported item is scored against its committee's open actions of earlier meetings (the nearest
:data:`tracker.links.MAX_CANDIDATES`). Reading them is a query of up to 400 rows a file, the largest
single cost of a batch's writer on a large database. A batch's Session opts in with :func:`keep`;
each committee's open actions of dated meetings (date, id, version, item) are then read once and
kept in date order, and the batch's own changes are applied to them as it makes them: the actions
it creates (:func:`added`) and the versions its calendar raises (:func:`versions_raised`).

What is kept must be what the query would return, so it is dropped whenever it could differ. The
batch calls :func:`begin` before each file's first statement and :func:`seal` just before each commit,
and what was kept is dropped:

- when a transaction rolls back (it may have added rows that are now gone);
- on SQLite, when anything was written between the seal and the next begin: by another connection
  (``PRAGMA data_version`` changes: a web request that closes an action, another import), or through
  the batch's own pooled connection by someone else (``total_changes()`` changes), or when the Session
  is on another connection;
- on PostgreSQL it is not kept at all: nothing as cheap tells that another transaction wrote, so
  the linker asks the database every time (:func:`candidates` returns None).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from .models import Action, ActionStatus, Meeting, MinuteItem

_KEY = "tracker.committee_candidates"

#: a committee's open actions of meetings with a date, in (date, id) order
_OPEN_OF_COMMITTEE = (
    select(Meeting.date, Action.id, Action.version, Action.minute_item_id)
    .join(MinuteItem, Action.minute_item_id == MinuteItem.id)
    .join(Meeting, MinuteItem.meeting_id == Meeting.id)
    .where(
        Meeting.committee_id == bindparam("committee_id"),
        Meeting.date.is_not(None),
        Action.status != ActionStatus.CLOSED,
    )
    .order_by(Meeting.date, Action.id)
)

Entry = tuple[date, int, int, int]  # meeting date, action id, version, minute item id


class _Kept:
    """What one Session keeps: entries by committee, and the connection state they are valid under."""

    __slots__ = ("by_committee", "checked", "sealed")

    def __init__(self) -> None:
        self.by_committee: dict[int, list[Entry]] = {}
        #: the current transaction began with what was kept still exact (see :func:`begin`)
        self.checked = False
        #: (DBAPI connection, total_changes(), data_version) at the last commit
        self.sealed: tuple[object, int, int] | None = None

    def clear(self) -> None:
        self.by_committee.clear()
        self.checked = False
        self.sealed = None


_STATE = "SELECT total_changes(), data_version FROM pragma_data_version()"


def keep(session: Session) -> None:
    """Keep committees' candidates in ``session`` from now on (a batch import's writer, on SQLite)."""
    if _KEY in session.info or session.get_bind().dialect.name != "sqlite":
        return
    kept = session.info[_KEY] = _Kept()
    event.listen(session, "after_soft_rollback", lambda _session, _transaction: kept.clear())
    event.listen(session, "after_commit", lambda _session: setattr(kept, "checked", False))


def _state(session: Session) -> tuple[object, int, int]:
    raw = session.connection().connection.driver_connection  # twice a file: no SQLAlchemy layers
    changes, version = raw.execute(_STATE).fetchone()  # type: ignore[union-attr]
    return raw, changes, version


def begin(session: Session) -> None:
    """Before a transaction's first write: drop what was kept if anything was written since the seal."""
    kept: _Kept | None = session.info.get(_KEY)
    if kept is None:
        return
    if kept.sealed is None or _state(session) != kept.sealed:
        kept.by_committee.clear()
    kept.sealed, kept.checked = None, True


def seal(session: Session) -> None:
    """Just before a commit, with everything flushed: remember the state what is kept is exact under."""
    kept: _Kept | None = session.info.get(_KEY)
    if kept is not None and kept.checked:
        kept.sealed = _state(session)


def candidates(
    session: Session, committee_id: int, when: date, item_id: int, limit: int
) -> list[tuple[int, int]] | None:
    """(id, version) of the committee's open actions of meetings before ``when``, not of ``item_id``,
    latest meeting first and by id descending within it, at most ``limit``: what the linker's query
    returns. None when the Session keeps nothing (the caller then asks the database)."""
    kept: _Kept | None = session.info.get(_KEY)
    if kept is None or not kept.checked:
        return None
    entries = kept.by_committee.get(committee_id)
    if entries is None:
        rows = session.connection().execute(_OPEN_OF_COMMITTEE, {"committee_id": committee_id})
        entries = kept.by_committee[committee_id] = [tuple(row) for row in rows]  # type: ignore[misc]
    end = bisect_left(entries, (when,))
    start = max(0, end - limit)
    found = _others(entries, start, end, item_id)
    while len(found) < limit and start > 0:  # some were the item's own: look further back
        start, end = max(0, start - limit), start
        found += _others(entries, start, end, item_id)
    return found[:limit]


def _others(entries: list[Entry], start: int, end: int, item_id: int) -> list[tuple[int, int]]:
    """(id, version) of ``entries[start:end]`` not of ``item_id``, last first."""
    return [
        (action_id, version)
        for _, action_id, version, of_item in reversed(entries[start:end])
        if of_item != item_id
    ]


def added(
    session: Session, committee_id: int, when: date | None, item_id: int, actions: Iterable[tuple[int, int]]
) -> None:
    """The batch created open ``actions`` (id, version) of ``item_id``, at the meeting on ``when``."""
    kept: _Kept | None = session.info.get(_KEY)
    entries = kept.by_committee.get(committee_id) if kept is not None and kept.checked else None
    if entries is None or when is None:
        return  # not read yet: the query will find them
    for action_id, version in actions:
        insort(entries, (when, action_id, version, item_id))


def versions_raised(session: Session, committee_id: int, moved: Iterable[tuple[date, int]]) -> None:
    """The batch raised the version of these actions of the committee by one (the calendar moved
    them); each is given with its meeting's date, which finds it among what is kept."""
    kept: _Kept | None = session.info.get(_KEY)
    entries = kept.by_committee.get(committee_id) if kept is not None and kept.checked else None
    if not entries:
        return
    for when, action_id in moved:
        i = bisect_left(entries, (when, action_id))
        if i == len(entries) or entries[i][:2] != (when, action_id):
            i = next((j for j, e in enumerate(entries) if e[1] == action_id), -1)  # not by its date
            if i < 0:
                continue
        _, _, version, item_id = entries[i]
        entries[i] = (entries[i][0], action_id, version + 1, item_id)
