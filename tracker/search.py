"""Finding what committees resolved: words searched in resolution clauses and minute item titles.

The action list (:func:`tracker.services.search_actions`) already finds actions by their words;
this module answers the other question members ask: "what did we resolve about X?", including
clauses that never became an action (noted, agreed, endorsed). Each search is one query that
selects plain columns, pages by id (so the last page costs what the first does) and never loads
source texts or stored extractions.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from .models import Action, ActionStatus, Committee, Meeting, MinuteItem, Resolution

#: clauses shown per page
CLAUSES_PER_PAGE = 25
#: minute items shown (the best few; the clause list is the long one)
ITEMS_SHOWN = 10
#: the longest search accepted; longer input is cut, not refused
Q_MAX = 200


class ClauseHit(NamedTuple):
    """A resolution clause that holds the words, with where it was resolved."""

    id: int
    label: str | None
    text: str
    kind: str
    needs_followup: bool
    item_id: int
    item_title: str | None
    meeting_id: int
    meeting_date: dt.date | None
    committee_id: int
    committee: str
    open_actions: int


class ItemHit(NamedTuple):
    """A minute item whose title holds the words."""

    id: int
    title: str | None
    meeting_id: int
    meeting_date: dt.date | None
    committee_id: int
    committee: str


class SearchResults(NamedTuple):
    """One page of clauses, the matching items, and the clause id to continue after."""

    words: str
    clauses: list[ClauseHit]
    items: list[ItemHit]
    next_after: int | None


def normalise_words(q: str) -> str:
    """The search as used: runs of white space made one space, trimmed, cut at :data:`Q_MAX`."""
    return " ".join(q.split())[:Q_MAX].strip()


def _like(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _clause_rows() -> Select[tuple]:
    open_actions = (
        select(func.count(Action.id))
        .where(Action.resolution_id == Resolution.id, Action.status != ActionStatus.CLOSED)
        .correlate(Resolution)
        .scalar_subquery()
    )
    return (
        select(
            Resolution.id,
            Resolution.label,
            Resolution.text,
            Resolution.kind,
            Resolution.needs_followup,
            MinuteItem.id,
            MinuteItem.title,
            Meeting.id,
            Meeting.date,
            Committee.id,
            Committee.name,
            open_actions,
        )
        .join(Resolution.minute_item)
        .join(MinuteItem.meeting)
        .join(Meeting.committee)
    )


def search(
    session: Session,
    q: str,
    *,
    committee_id: int | None = None,
    after: int | None = None,
    limit: int = CLAUSES_PER_PAGE,
) -> SearchResults:
    """Clauses whose text or label holds ``q`` (any case), newest first by id, and matching items.

    Two queries whatever the number of rows. An empty ``q`` finds nothing (a search page with no
    words shows the form, not every clause). Items are listed on the first page only.
    """
    words = normalise_words(q)
    if not words:
        return SearchResults("", [], [], None)
    pattern = _like(words)
    stmt = _clause_rows().where(
        Resolution.text.ilike(pattern, escape="\\") | Resolution.label.ilike(pattern, escape="\\")
    )
    if committee_id is not None:
        stmt = stmt.where(Meeting.committee_id == committee_id)
    if after is not None:
        stmt = stmt.where(Resolution.id < after)
    rows = session.execute(stmt.order_by(Resolution.id.desc()).limit(limit + 1)).all()
    clauses = [
        ClauseHit(r[0], r[1], r[2], r[3].value, r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11] or 0)
        for r in rows[:limit]
    ]
    next_after = clauses[-1].id if len(rows) > limit else None
    items: list[ItemHit] = []
    if after is None:
        item_stmt = (
            select(MinuteItem.id, MinuteItem.title, Meeting.id, Meeting.date, Committee.id, Committee.name)
            .join(MinuteItem.meeting)
            .join(Meeting.committee)
            .where(MinuteItem.title.ilike(pattern, escape="\\"))
        )
        if committee_id is not None:
            item_stmt = item_stmt.where(Meeting.committee_id == committee_id)
        items = [
            ItemHit(*r) for r in session.execute(item_stmt.order_by(MinuteItem.id.desc()).limit(ITEMS_SHOWN))
        ]
    return SearchResults(words, clauses, items, next_after)
