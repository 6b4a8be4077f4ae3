"""A batch import's memory of each committee's open actions: the linker's candidates without a query.

Every imported item is scored against its committee's open actions of earlier meetings (the nearest
:data:`tracker.links.MAX_CANDIDATES`). Reading them is a query of up to 400 rows a file, the largest
single cost of a batch's writer on a large database. A batch's Session opts in with :func:`keep`;
each committee's open actions of dated meetings (date, id, version, item) are then read once and
kept in date order, and the batch's own changes are applied to them as it makes them: the actions
it creates (:func:`added`) and the versions its calendar raises (:func:`versions_raised`). The
linker's second query, other committees' open actions owned by the committee (by name), finds
nothing for most committees: whether any open action names a committee is kept too
(:func:`may_be_owned`), and the query runs only when one might (:func:`owners_added`).

What is kept must be what the query would return, so it is dropped whenever it could differ. The
batch calls :func:`begin` before each file's first statement and :func:`seal` just before each commit,
and what was kept is dropped:

- when a transaction rolls back (it may have added rows that are now gone);
- on SQLite, when anything was written between the seal and the next begin: by another connection
  (``PRAGMA data_version`` changes: a web request that closes an action, another import), or through
  the batch's own pooled connection by someone else (``total_changes()`` changes), or when the Session
  is on another connection;
- on PostgreSQL, when any transaction but the batch's own last one finished (committed or rolled
  back) between the last two begins. Each begin reads the statement's snapshot
  (``pg_current_snapshot()``: the transactions in progress, and the next transaction id) and gives
  its transaction an id; two snapshots tell which transactions finished in between (:func:`_only_ours`).
  Transactions that only read get no id and never count; a writer anywhere on the server does, so a
  busy server drops what is kept more often, and the linker then asks, as it would without keeping.

What is kept is bounded: at most :data:`MAX_KEPT` entries in all (about 14 MB). A committee whose
list would not fit is not kept (the linker asks the database for it, as without keeping), and one
whose list outgrows the room as the batch adds to it is dropped; so memory does not grow with the
number of files.

What is kept is checked at each file's begin and not again during the file. A web request that
closes an action while a file is being written is seen from the next file on; asking the database
has the same window under PostgreSQL's READ COMMITTED (from the linker's query to the commit).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, event, select, text
from sqlalchemy.orm import Session

from . import direct
from .models import Action, ActionStatus, Meeting, MinuteItem

_KEY = "tracker.committee_candidates"
#: at most this many entries are kept in all (about 140 bytes each; a batch's store of action
#: profiles, :class:`tracker.profiles.ActionStore`, holds up to 50,000 actions beside them)
MAX_KEPT = 100_000

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

#: an action owned by a committee: its name as written, or after "the" or "The" (the parameters
#: :func:`owner_forms` gives); the linker's owners query and :func:`may_be_owned` share it
OWNED_BY_COMMITTEE = Action.owner.in_([bindparam("owner"), bindparam("the_owner"), bindparam("The_owner")])
#: is any open action owned by the committee?
_ANY_OWNED = select(Action.id).where(OWNED_BY_COMMITTEE, Action.status != ActionStatus.CLOSED).limit(1)


def owner_forms(name: str) -> dict[str, str]:
    """The parameters of :data:`OWNED_BY_COMMITTEE` for the committee called ``name``."""
    return {"owner": name, "the_owner": f"the {name}", "The_owner": f"The {name}"}


class _Kept:
    """What one Session keeps: entries by committee, and the connection state they are valid under."""

    __slots__ = ("by_committee", "size", "refused", "owned", "checked", "sealed", "began", "postgresql")

    def __init__(self, postgresql: bool) -> None:
        self.by_committee: dict[int, list[Entry]] = {}
        #: entries in ``by_committee``, all committees together
        self.size = 0
        #: committees whose lists did not fit in :data:`MAX_KEPT` (the linker asks the database)
        self.refused: set[int] = set()
        #: committee name -> may an open action name it as its owner (False: none does)
        self.owned: dict[str, bool] = {}
        #: the current transaction began with what was kept still exact (see :func:`begin`)
        self.checked = False
        #: SQLite: (DBAPI connection, total_changes(), data_version) at the last commit;
        #: PostgreSQL: the last committed transaction's :class:`_Began`
        self.sealed: tuple[object, int, int] | _Began | None = None
        #: PostgreSQL: what the current transaction's begin read
        self.began: _Began | None = None
        self.postgresql = postgresql

    def forget(self) -> None:
        self.by_committee.clear()
        self.size = 0
        self.refused.clear()
        self.owned.clear()

    def drop(self, committee_id: int) -> None:
        """Stop keeping the committee's list: it does not fit."""
        self.size -= len(self.by_committee.pop(committee_id, ()))
        self.refused.add(committee_id)

    def clear(self) -> None:
        self.forget()
        self.checked = False
        self.sealed = self.began = None


_STATE = "SELECT total_changes(), data_version FROM pragma_data_version()"
#: the statement's snapshot, and an id for this transaction (given now, so that it is known to be ours)
_BEGAN = direct.Statement(text("SELECT pg_current_snapshot()::text, pg_current_xact_id()::text"))


class _Began:
    """A PostgreSQL transaction's begin: its first statement's snapshot and the transaction's own id."""

    __slots__ = ("xmax", "in_progress", "xid")

    def __init__(self, snapshot: str, xid: str) -> None:
        _xmin, xmax, in_progress = snapshot.split(":")
        self.xmax = int(xmax)  # the first transaction id not yet given out
        self.in_progress = frozenset(int(x) for x in in_progress.split(",") if x)
        self.xid = int(xid)


def _only_ours(sealed: _Began, now: _Began) -> bool:
    """Did no transaction but ``sealed``'s own finish (commit or roll back) between ``sealed``'s begin
    and ``now``? One that did was either in progress at the first snapshot and is not at the second,
    or was given its id in between and is not in progress at the second."""
    if now.xmax < sealed.xmax:
        return False  # not the same server's ids: nothing can be told
    if not sealed.in_progress - now.in_progress <= {sealed.xid}:
        return False
    given = now.xmax - sealed.xmax  # ids given out in between, ``sealed.xid`` among them
    still_in_progress = sum(sealed.xmax <= x < now.xmax for x in now.in_progress)
    ours_finished = sealed.xmax <= sealed.xid < now.xmax and sealed.xid not in now.in_progress
    return given - still_in_progress == ours_finished


def keep(session: Session) -> None:
    """Keep committees' candidates in ``session`` from now on (a batch import's writer)."""
    dialect = session.get_bind().dialect.name
    if _KEY in session.info or dialect not in ("sqlite", "postgresql"):
        return
    kept = session.info[_KEY] = _Kept(postgresql=dialect == "postgresql")
    event.listen(session, "after_soft_rollback", lambda _session, _transaction: kept.clear())
    event.listen(session, "after_commit", lambda _session: setattr(kept, "checked", False))


def _state(session: Session) -> tuple[object, int, int]:
    raw = session.connection().connection.driver_connection  # twice a file: no SQLAlchemy layers
    changes, version = raw.execute(_STATE).fetchone()  # type: ignore[union-attr]
    return raw, changes, version


def _began(session: Session) -> _Began | None:
    """This PostgreSQL transaction's snapshot and id; None before PostgreSQL 13 (no such functions)."""
    connection = session.connection()
    if (connection.dialect.server_version_info or (0,)) < (13,):
        return None
    return _Began(*_BEGAN.rows(session, {})[0])


def begin(session: Session) -> None:
    """Before a transaction's first write: drop what was kept if anything was written since the seal."""
    kept: _Kept | None = session.info.get(_KEY)
    if kept is None:
        return
    if kept.postgresql:
        kept.began = _began(session)
        sealed = kept.sealed
        if kept.began is None or not isinstance(sealed, _Began) or not _only_ours(sealed, kept.began):
            kept.forget()
        kept.sealed, kept.checked = None, kept.began is not None
        return
    if kept.sealed is None or _state(session) != kept.sealed:
        kept.forget()
    kept.sealed, kept.checked = None, True


def seal(session: Session) -> None:
    """Just before a commit, with everything flushed: remember the state what is kept is exact under."""
    kept: _Kept | None = session.info.get(_KEY)
    if kept is not None and kept.checked:
        kept.sealed = kept.began if kept.postgresql else _state(session)


def candidates(
    session: Session, committee_id: int, when: date, item_id: int, limit: int
) -> list[tuple[int, int]] | None:
    """(id, version) of the committee's open actions of meetings before ``when``, not of ``item_id``,
    latest meeting first and by id descending within it, at most ``limit``: what the linker's query
    returns. None when the Session keeps nothing (the caller then asks the database)."""
    kept: _Kept | None = session.info.get(_KEY)
    if kept is None or not kept.checked or committee_id in kept.refused:
        return None
    entries = kept.by_committee.get(committee_id)
    if entries is None:
        rows = session.connection().execute(_OPEN_OF_COMMITTEE, {"committee_id": committee_id})
        dates: dict[date, date] = {}  # one object a meeting date: 32 bytes an entry less
        entries = [(dates.setdefault(day, day), *rest) for day, *rest in rows]  # type: ignore[misc]
        if kept.size + len(entries) > MAX_KEPT:
            kept.drop(committee_id)
            return None
        kept.by_committee[committee_id] = entries  # type: ignore[assignment]
        kept.size += len(entries)
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
    if kept is None or not kept.checked or when is None:
        return
    entries = kept.by_committee.get(committee_id)
    if entries is None:
        return  # not read yet: the query will find them
    for action_id, version in actions:
        insort(entries, (when, action_id, version, item_id))
        kept.size += 1
    if kept.size > MAX_KEPT:
        kept.drop(committee_id)


def may_be_owned(session: Session, name: str) -> bool:
    """Might an open action name the committee called ``name`` as its owner
    (:data:`OWNED_BY_COMMITTEE`)? True unless the Session keeps candidates and knows that none does."""
    kept: _Kept | None = session.info.get(_KEY)
    if kept is None or not kept.checked:
        return True
    found = kept.owned.get(name)
    if found is None:
        params = owner_forms(name)
        found = kept.owned[name] = session.connection().execute(_ANY_OWNED, params).first() is not None
    return found


def owners_added(session: Session, owners: Iterable[str | None]) -> None:
    """The batch created open actions with these owners (any meeting, dated or not): each names
    the committee it equals, or the one it names after "the" or "The" (:func:`owner_forms`)."""
    kept: _Kept | None = session.info.get(_KEY)
    if kept is None or not kept.checked or not kept.owned:
        return
    for owner in owners:
        if owner is None:
            continue
        if owner in kept.owned:
            kept.owned[owner] = True
        if owner[:4] in ("the ", "The ") and owner[4:] in kept.owned:
            kept.owned[owner[4:]] = True


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
