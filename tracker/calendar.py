"""The committee calendar: each committee's known meeting dates, and due dates that follow them.

Minutes say "a report back to a future meeting" or "by the March meeting", and the extractor leaves
such deadlines without a date. Here they become a rule on the action (:class:`~tracker.models.
MeetingRule`) that resolves to the first known meeting of the action's committee after the meeting
that set it. Meeting dates are known from imported minutes and from meetings staff schedule by hand
(a :class:`~tracker.models.Meeting` without minute items). When the calendar changes, the open
actions whose meeting moved get their new due date and a line in their history saying why, so that
overdue and RAG status, which read ``Action.due_date``, follow everywhere without knowing about rules.

Staff setting a due date by hand ends the rule (:func:`rule_after_edit`); clearing it again brings
the rule back if the wording is a meeting. Like :mod:`tracker.services`, nothing here commits.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session, joinedload, load_only, selectinload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from extract.dates import MONTHS, parse_due

from . import candidates as kept_candidates
from . import db, direct
from .errors import NotFoundError, ValidationError
from .models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    ActionUpdate,
    CalendarChange,
    CalendarChangeKind,
    Committee,
    Meeting,
    MeetingRule,
    MinuteItem,
    User,
    utcnow,
)

#: rows of the extractor's ``dues.jsonl`` whose phrases name one of the committee's own meetings
_MEETING_PHRASES = {
    "meeting-next": MeetingRule.NEXT_MEETING,
    "meeting-future": MeetingRule.NEXT_MEETING,
    "meeting-named": MeetingRule.MEETING_IN_MONTH,
    "meeting-in-month": MeetingRule.MEETING_IN_MONTH,
}
#: "… meeting of the Committee": a body named by a generic word is the committee itself
_GENERIC_BODIES = {"committee", "sub-committee", "board", "panel", "commission", "forum", "group"}
_OF_BODY = re.compile(r"\bmeeting of (?P<this>the |this )?(?P<body>.+)$", re.IGNORECASE)
_MONTH_WORD = re.compile(r"\b(?P<month>[a-z]+)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?P<year>(?:19|20)\d\d)\b")
#: the years a meeting may be scheduled in (what a date field will accept)
_YEARS = range(1900, 2100)
#: calendar changes shown on a committee's page
RECENT_CHANGES = 20


class DueRule(NamedTuple):
    """A due date that follows the calendar: the rule, and for ``MEETING_IN_MONTH`` the month's first day."""

    rule: MeetingRule
    month: date | None = None


def meeting_rule(text: str | None, *, meeting_date: date | None, committee: str) -> DueRule | None:
    """The rule a due phrase states, or None when it names no meeting of ``committee``.

    ``the next meeting``, ``the next available meeting``, ``a future meeting of the Committee``,
    ``a subsequent meeting`` → next meeting; ``the March meeting``, ``its meeting in March 2019`` →
    the first meeting in that month (the first such month after ``meeting_date`` when no year is
    written; without a meeting date such a phrase gets no rule). The phrase must be the whole of
    ``text``, read with the extractor's own deadline table, so that what the extractor finds and
    what the calendar follows cannot drift apart. A meeting of another body (``the next meeting of
    the Cabinet``) is not this committee's and gets no rule.
    """
    phrase = " ".join((text or "").split())
    if not phrase:
        return None
    found, _ = parse_due(f"by {phrase}", None)
    if (
        found is None
        or (found.start, found.end) != (3, len(phrase) + 3)
        or found.rule not in _MEETING_PHRASES
    ):
        return None
    of_body = _OF_BODY.search(phrase)
    if of_body is not None and not _own_body(of_body, committee):
        return None
    rule = _MEETING_PHRASES[found.rule]
    if rule is MeetingRule.NEXT_MEETING:
        return DueRule(rule)
    head = phrase[: of_body.start()] if of_body else phrase
    month = next((MONTHS[w.lower()] for w in _MONTH_WORD.findall(head) if w.lower() in MONTHS), None)
    if month is None:  # "the spring meeting": no month to look for
        return None
    year_match = _YEAR.search(head)
    if year_match is not None:
        year = int(year_match["year"])
    elif meeting_date is not None:
        year = meeting_date.year + (month <= meeting_date.month)
    else:
        return None
    return DueRule(rule, date(year, month, 1))


def _own_body(of_body: re.Match[str], committee: str) -> bool:
    body = of_body["body"].casefold()
    if of_body["this"] and of_body["this"].strip().lower() == "this":
        return True
    return body in _GENERIC_BODIES or body == " ".join(committee.split()).casefold()


def resolve(rule: DueRule, *, after: date | None, dates: Sequence[date]) -> date | None:
    """The date ``rule`` gives: the first of the sorted ``dates`` after ``after`` (in its month, if any).

    None when the meeting that set the action has no known date, or no such meeting is known yet.
    """
    if after is None:
        return None
    start = after if rule.month is None else max(after, rule.month - timedelta(days=1))
    i = bisect_right(dates, start)
    if i == len(dates):
        return None
    found = dates[i]
    if rule.month is not None and (found.year, found.month) != (rule.month.year, rule.month.month):
        return None
    return found


def meeting_dates(session: Session, committee_id: int) -> list[date]:
    """The committee's known meeting dates, in order (meetings of unknown date left out). One query."""
    return _MEETING_DATES.scalars(session, {"committee_id": committee_id})


_MEETING_DATES = direct.Statement(
    select(Meeting.date)
    .where(Meeting.committee_id == bindparam("committee_id"), Meeting.date.is_not(None))
    .order_by(Meeting.date)
)


def _set_rule(action: Action, rule: DueRule | None) -> None:
    action.due_rule = rule.rule if rule else None
    action.due_rule_month = rule.month if rule else None


# --- the import step --------------------------------------------------------------------------


def rule_new_actions(
    session: Session, *, committee_id: int, committee: str, when: date | None, rows: Sequence[dict[str, Any]]
) -> None:
    """Give an import's undated meeting deadlines their rule and date, in its action rows before insert.

    ``rows`` are :class:`~tracker.models.Action` column values (``due_text``, ``due_date``, …); those
    without a date whose wording names a meeting of ``committee`` get ``due_rule``, ``due_rule_month``
    and the date it resolves to on the committee's calendar (which already holds ``when``). One query
    when some action has such a deadline, none otherwise.
    """
    ruled = []
    for row in rows:
        if row["due_date"] is None and row["due_text"]:
            rule = meeting_rule(row["due_text"], meeting_date=when, committee=committee)
            if rule is not None:
                row["due_rule"], row["due_rule_month"] = rule.rule, rule.month
                ruled.append((row, rule))
    if ruled:
        dates = meeting_dates(session, committee_id)
        for row, rule in ruled:
            row["due_date"] = resolve(rule, after=when, dates=dates)


def meeting_date_known(session: Session, committee_id: int, when: date, *, author: User | None) -> int:
    """An import made the committee's meeting on ``when`` known: move the open actions that now fall on it.

    Only actions that can move are read: set at an earlier meeting, still waiting (no date yet, or a
    later one), and ruled by "next meeting" or by a meeting in ``when``'s month. Each that moves gets
    a history line under ``author`` (None for an import with nobody signed in). Returns how many moved.
    """
    return _reschedule(
        session,
        committee_id,
        [when],
        author=author,
        reason=f"the minutes of the meeting on {_day(when)} were imported",
        added=True,
    )


# --- staff editing an action ----------------------------------------------------------------


def rule_after_edit(
    session: Session, action: Action, *, due_text: str | None, due_date: date | None
) -> tuple[DueRule | None, date | None]:
    """The rule and due date an action gets when staff save its edit form with these values.

    A due date changed by hand is explicit: it ends the rule. Otherwise (the date left as shown, or
    cleared) a due phrase naming a meeting (re)sets the rule and its date comes from the calendar.
    """
    if due_date is not None and due_date != action.due_date:
        return None, due_date
    meeting = action.minute_item.meeting
    rule = meeting_rule(due_text, meeting_date=meeting.date, committee=meeting.committee.name)
    if rule is None:
        return None, due_date
    return rule, resolve(rule, after=meeting.date, dates=meeting_dates(session, meeting.committee_id))


def apply_rule(action: Action, rule: DueRule | None) -> None:
    """Store ``rule`` (from :func:`rule_after_edit`) on the action."""
    _set_rule(action, rule)


# --- changing the calendar --------------------------------------------------------------------


def _check_date(when: date) -> None:
    if when.year not in _YEARS:
        raise ValidationError(f"{when.isoformat()} is not a plausible meeting date (years 1900 to 2099)")


def _check_free(session: Session, committee_id: int, when: date) -> None:
    taken = session.scalar(
        select(Meeting.id).where(Meeting.committee_id == committee_id, Meeting.date == when)
    )
    if taken is not None:
        raise ValidationError(f"the committee already has a meeting on {_day(when)}")


def meeting_on(session: Session, committee_id: int, when: date) -> int:
    """The id of the committee's meeting on ``when``.

    :raise ValidationError: the committee has no meeting that day.
    """
    found = session.scalar(
        select(Meeting.id).where(Meeting.committee_id == committee_id, Meeting.date == when)
    )
    if found is None:
        raise ValidationError(f"the committee has no meeting on {_day(when)}")
    return found


def committee_of(session: Session, meeting_id: int) -> int:
    """The id of the meeting's committee.

    :raise NotFoundError: no such meeting.
    """
    committee_id = session.scalar(select(Meeting.committee_id).where(Meeting.id == meeting_id))
    if committee_id is None:
        raise NotFoundError(f"there is no meeting {meeting_id}")
    return committee_id


def _scheduled(session: Session, meeting_id: int) -> Meeting:
    """A meeting entered by hand (no minutes imported), which staff may move or remove."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFoundError(f"there is no meeting {meeting_id}")
    items = session.scalar(select(func.count()).where(MinuteItem.meeting_id == meeting_id))
    if items:
        raise ValidationError(
            f"the meeting on {_day(meeting.date)} has minutes imported, and its date comes from them: "
            "it cannot be moved or removed here"
        )
    return meeting


def add_meeting(session: Session, committee_id: int, when: date, *, author: User | None) -> CalendarChange:
    """Schedule a meeting of the committee on ``when``; open actions waiting for a meeting follow.

    :raise NotFoundError: no such committee.
    :raise ValidationError: the date is implausible or the committee already meets that day.
    """
    committee = session.get(Committee, committee_id)
    if committee is None:
        raise NotFoundError(f"there is no committee {committee_id}")
    _check_date(when)
    _check_free(session, committee_id, when)
    session.add(Meeting(committee=committee, date=when, created_at=utcnow()))
    session.flush()
    moved = _reschedule(
        session,
        committee_id,
        [when],
        author=author,
        reason=f"a meeting on {_day(when)} was added to the calendar",
    )
    return _record(session, committee_id, author, CalendarChangeKind.ADDED, None, when, moved)


def move_meeting(session: Session, meeting_id: int, when: date, *, author: User | None) -> CalendarChange:
    """Move a scheduled meeting (one with no minutes imported) to ``when``; its actions follow.

    :raise NotFoundError: no such meeting.
    :raise ValidationError: the meeting has minutes, the date is implausible, taken, or the same.
    """
    meeting = _scheduled(session, meeting_id)
    old = meeting.date
    if old == when:
        raise ValidationError(f"the meeting is already on {_day(when)}: nothing was changed")
    _check_date(when)
    _check_free(session, meeting.committee_id, when)
    meeting.date = when
    session.flush()
    moved = _reschedule(
        session,
        meeting.committee_id,
        [d for d in (old, when) if d is not None],
        author=author,
        reason=f"the meeting on {_day(old)} was moved to {_day(when)}",
    )
    return _record(session, meeting.committee_id, author, CalendarChangeKind.MOVED, old, when, moved)


def remove_meeting(session: Session, meeting_id: int, *, author: User | None) -> CalendarChange:
    """Remove a scheduled meeting (one with no minutes imported); actions that awaited it move on.

    :raise NotFoundError: no such meeting.
    :raise ValidationError: the meeting has minutes imported.
    """
    meeting = _scheduled(session, meeting_id)
    old, committee_id = meeting.date, meeting.committee_id
    session.delete(meeting)
    session.flush()
    moved = (
        _reschedule(
            session,
            committee_id,
            [old],
            author=author,
            reason=f"the meeting on {_day(old)} was removed from the calendar",
        )
        if old is not None
        else 0
    )
    return _record(session, committee_id, author, CalendarChangeKind.REMOVED, old, None, moved)


def _record(
    session: Session,
    committee_id: int,
    author: User | None,
    kind: CalendarChangeKind,
    old: date | None,
    new: date | None,
    moved: int,
) -> CalendarChange:
    change = CalendarChange(
        committee_id=committee_id,
        author=author,
        created_at=utcnow(),
        kind=kind,
        old_date=old,
        new_date=new,
        actions_moved=moved,
    )
    session.add(change)
    session.flush()
    return change


_MOVABLE_BASE = (
    select(Action.id, Action.due_rule, Action.due_rule_month, Action.due_date, Action.version, Meeting.date)
    .join(MinuteItem, Action.minute_item_id == MinuteItem.id)
    .join(Meeting, MinuteItem.meeting_id == Meeting.id)
    .where(
        Meeting.committee_id == bindparam("committee_id"),
        Meeting.date < bindparam("last"),
        # "not closed" rather than IN (open statuses): SQLite would otherwise read every open action
        # of every committee through ix_action_status_id instead of starting from the meeting
        Action.status != ActionStatus.CLOSED,
        Action.due_rule.is_not(None),
    )
    .order_by(Action.id)
)
#: the committee's open ruled actions that changes between ``first`` and ``last`` can move (built
#: once, like the next: only the parameters change, so SQLAlchemy compiles each a single time)
_MOVABLE = _MOVABLE_BASE.where(or_(Action.due_date.is_(None), Action.due_date >= bindparam("first")))
#: ... that a meeting newly known on ``when`` can move: due after it, ruled by "next meeting" or
#: by a meeting in its ``month``
_MOVABLE_AFTER_ADDED = direct.Statement(
    _MOVABLE_BASE.where(
        or_(Action.due_date.is_(None), Action.due_date > bindparam("when")),
        or_(Action.due_rule == MeetingRule.NEXT_MEETING, Action.due_rule_month == bindparam("month")),
    )
)


_ACTIONS = Action.__table__
#: one moved action: its new date, if its version is still the one read (built once, like the above)
_MOVE = direct.Statement(
    update(_ACTIONS)
    .where(_ACTIONS.c.id == bindparam("b_id"), _ACTIONS.c.version == bindparam("b_version"))
    .values(due_date=bindparam("b_due"), updated_at=bindparam("b_now"), version=_ACTIONS.c.version + 1)
)


def _reschedule(
    session: Session,
    committee_id: int,
    changed: Iterable[date],
    *,
    author: User | None,
    reason: str,
    added: bool = False,
) -> int:
    """Re-resolve the committee's open ruled actions that a change at ``changed`` dates can move.

    Only actions set at a meeting before the latest changed date, and due on or after the earliest
    (or not yet dated), can move; with ``added`` (one meeting date that was not known before and
    takes nothing away), only those due after it, ruled by "next meeting" or by a meeting in its
    month. Each that moves gets a history line under ``author`` saying why. Returns how many moved.
    Two queries, plus one multi-row ``UPDATE`` and one multi-row ``INSERT`` for those that move.

    The rows are written with Core statements (the ORM would load every action first); actions of
    the Session that moved are expired, so that they show their new date and history when next read.
    """
    changed = sorted(changed)
    params: dict[str, Any] = {"committee_id": committee_id, "last": changed[-1]}
    if added:
        (when,) = changed
        params |= {"when": when, "month": when.replace(day=1)}
        rows = _MOVABLE_AFTER_ADDED.rows(session, params)
    else:
        rows = db.core(session).execute(_MOVABLE, params | {"first": changed[0]}).all()
    if not rows:
        return 0
    dates = meeting_dates(session, committee_id)
    now = utcnow()
    author_id = author.id if author is not None else None
    moves, notes, moved = [], [], []
    for action_id, rule, month, due, version, set_at in rows:
        new = resolve(DueRule(rule, month), after=set_at, dates=dates)
        if new == due:
            continue
        moves.append({"b_id": action_id, "b_version": version, "b_due": new, "b_now": now})
        moved.append((set_at, action_id))
        note = f"Due date moved from {_day_or_unknown(due)} to {_day_or_unknown(new)}: {reason}."
        notes.append(
            {"action_id": action_id, "author_id": author_id, "created_at": now, "note": note}
            | dict.fromkeys(("from_status", "to_status", "close_reason", "evidence_url", "evidence_item_id"))
        )
    if not moves:
        return 0
    done = _MOVE.run_many(session, moves)
    if done != len(moves):  # someone changed one of them since it was read
        raise StaleDataError(
            f"UPDATE statement on table 'action' expected to update {len(moves)} row(s); {done} were matched."
        )
    direct.insert_rows(session, ActionUpdate.__table__, notes)
    kept_candidates.versions_raised(session, committee_id, moved)
    for move in moves:
        loaded = session.identity_map.get(identity_key(Action, move["b_id"]))
        if loaded is not None:
            session.expire(loaded)
    return len(moves)


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "an unknown date"


def _day_or_unknown(value: date | None) -> str:
    return _day(value) if value else "“next meeting, date not yet known”"


# --- reading the calendar ---------------------------------------------------------------------


class CalendarMeeting(NamedTuple):
    """A meeting on a committee's calendar, with its minute items and numbers of actions."""

    meeting: Meeting
    items: list[MinuteItem]
    actions: int
    outstanding: int

    @property
    def scheduled(self) -> bool:
        """True for a meeting entered by hand, with no minutes imported: staff may move or remove it."""
        return not self.items


class CommitteeCalendar(NamedTuple):
    """A committee's calendar: meetings held (latest first), meetings to come (soonest first), changes."""

    past: list[CalendarMeeting]
    upcoming: list[CalendarMeeting]
    changes: list[CalendarChange]


def committee_calendar(session: Session, committee_id: int, *, today: date) -> CommitteeCalendar:
    """The committee's meetings split at ``today``, and its latest calendar changes. Four queries.

    A meeting of unknown date counts as past (it was held; its minutes were imported).
    """
    meetings = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.committee_id == committee_id)
            .options(selectinload(Meeting.items).options(load_only(MinuteItem.id, MinuteItem.title)))
            .order_by(Meeting.date.is_(None), Meeting.date, Meeting.id)
        )
    )
    counts = {
        row.id: (row.actions, row.outstanding)
        for row in session.execute(
            select(
                Meeting.id,
                func.count(Action.id).label("actions"),
                func.count(Action.id).filter(Action.status.in_(OPEN_STATUSES)).label("outstanding"),
            )
            .join(MinuteItem, MinuteItem.meeting_id == Meeting.id)
            .join(Action, Action.minute_item_id == MinuteItem.id)
            .where(Meeting.committee_id == committee_id)
            .group_by(Meeting.id)
        )
    }
    entries = [CalendarMeeting(m, list(m.items), *counts.get(m.id, (0, 0))) for m in meetings]
    upcoming = [e for e in entries if e.meeting.date is not None and e.meeting.date >= today]
    held = [e for e in entries if e.meeting.date is not None and e.meeting.date < today]
    past = held[::-1] + [e for e in entries if e.meeting.date is None]
    changes = list(
        session.scalars(
            select(CalendarChange)
            .where(CalendarChange.committee_id == committee_id)
            .options(joinedload(CalendarChange.author))
            .order_by(CalendarChange.id.desc())
            .limit(RECENT_CHANGES)
        )
    )
    return CommitteeCalendar(past, upcoming, changes)
