"""Use cases over a Session: import minutes, record action updates and status changes, list actions.

Every function takes the Session first and leaves its lifecycle to the caller: services may
``flush()`` but never create, commit, roll back or close a Session (the "keep the lifecycle separate
and external" advice in SQLAlchemy's session basics). The CLI command or view owns the transaction,
so a failure anywhere leaves the database as it was once the caller rolls back.

Errors are :mod:`tracker.errors` classes; the extractor's errors become
:class:`~tracker.errors.MinutesRejectedError` here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import (
    CTE,
    CompoundSelect,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    event,
    func,
    insert,
    inspect,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import (
    Session,
    contains_eager,
    defer,
    joinedload,
    make_transient_to_detached,
    selectinload,
)
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.security import check_password_hash, generate_password_hash

from extract.records import Action as ExtractedAction
from extract.records import Attendee as ExtractedAttendee
from extract.records import Due, Extraction
from extract.records import Resolution as ExtractedResolution

from . import calendar, db, direct, links
from . import candidates as kept_candidates
from .choices_stamp import CurrentStamp
from .errors import (
    ConcurrentEditError,
    DuplicateMinutesError,
    InvalidTransitionError,
    NotFoundError,
    ValidationError,
)
from .models import (
    OPEN_STATUSES,
    Action,
    ActionOrigin,
    ActionStatus,
    ActionUpdate,
    Attendance,
    Capacity,
    CloseReason,
    Committee,
    Correction,
    Meeting,
    MeetingRule,
    MinuteItem,
    Person,
    Resolution,
    ResolutionKind,
    ReviewState,
    User,
    UserRole,
    utcnow,
)
from .reading import (
    URL_MAX,
    check_committee_name,
    extract_source,
    read_minutes,
    read_upload,
)

__all__ = [
    "PAGE_SIZE",
    "RAG_LABELS",
    "STATUS_CHOICES",
    "TRANSITIONS",
    "ActionFilter",
    "ActionPage",
    "ListedAction",
    "ActionSearch",
    "Dashboard",
    "Rag",
    "Tally",
    "action_detail",
    "dashboard",
    "evidence_choices",
    "FilterChoices",
    "filter_choices",
    "list_committees",
    "list_owners",
    "list_users",
    "rag_status",
    "search_actions",
    "ActionFix",
    "AttendeeFix",
    "ClauseFix",
    "ImportCorrections",
    "BatchItem",
    "ImportResult",
    "NewAction",
    "add_update",
    "edit_action",
    "edit_resolution",
    "find_minutes",
    "read_upload",
    "authenticate",
    "change_status",
    "check_committee_name",
    "close_action",
    "create_user",
    "extract_source",
    "find_committee",
    "find_user",
    "get_action",
    "get_user",
    "import_minutes",
    "list_actions",
    "normalise_email",
    "read_minutes",
    "reopen_action",
    "set_password",
]

#: the status changes an action may make; closing needs a reason, and only a closed action reopens
TRANSITIONS: Mapping[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.OPEN: frozenset(
        {ActionStatus.IN_PROGRESS, ActionStatus.AWAITING_COMMITTEE, ActionStatus.CLOSED}
    ),
    ActionStatus.IN_PROGRESS: frozenset({ActionStatus.AWAITING_COMMITTEE, ActionStatus.CLOSED}),
    ActionStatus.AWAITING_COMMITTEE: frozenset({ActionStatus.IN_PROGRESS, ActionStatus.CLOSED}),
    ActionStatus.CLOSED: frozenset({ActionStatus.OPEN}),
}

USER_NAME_MAX = 200
EMAIL_MAX = 320
PASSWORD_MIN = 8
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_E = TypeVar("_E", bound=enum.Enum)
_M = TypeVar("_M")
_T = TypeVar("_T")


def _label(status: ActionStatus) -> str:
    return status.value.replace("_", " ")


# ---------------------------------------------------------------------------------------------
# reading and extracting minutes


# ---------------------------------------------------------------------------------------------
# importing


class ImportResult(NamedTuple):
    """What :func:`import_minutes` did: the minute item, and whether it was created just now."""

    item: MinuteItem
    created: bool


@dataclasses.dataclass(frozen=True, slots=True)
class BatchItem:
    """What a batch import knows of an item besides its text: key, number, address, version.

    See ``docs/IMPORT.md``; a single import leaves them unset (no key, version 1).
    """

    key: str | None = None
    number: str | None = None
    source_url: str | None = None
    version: int = 1
    #: the linker's profile of the text, made by the worker that extracted it (used if it fits)
    profile: links.ItemProfile | None = None
    #: ``json.dumps(extraction.to_dict())``, made by the worker that extracted it
    extraction_json: str | None = None


def text_sha256(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8: what identifies a minutes text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def import_minutes(
    session: Session,
    *,
    committee: str,
    meeting_date: date | None,
    extraction: Extraction,
    source_text: str,
    source_name: str | None = None,
    corrections: ImportCorrections | None = None,
    author: User | None = None,
    keep_action: Callable[[ExtractedAction], bool] | None = None,
    batch: BatchItem | None = None,
    new_text: bool = False,
) -> ImportResult:
    """Store one extracted minutes text: its meeting, attendance, resolutions and open actions.

    Idempotent: a text is identified by its SHA-256. Importing it again for the same committee and
    meeting date changes nothing and returns the stored item with ``created=False``.

    With ``corrections`` (what a person changed while reviewing the extraction) the rows are made
    as corrected, the item is marked reviewed, and each change is recorded under ``author``: in the
    action's history for an action, as a :class:`~tracker.models.Correction` of the item otherwise.
    The stored ``extraction`` stays what the extractor read.

    The single-file import and the batch import both come here. Any new committee and people go
    through the ORM; the item, a new meeting, and the item's attendance, resolutions, actions and
    links are written with one ``INSERT`` each, run straight on the driver (:mod:`tracker.direct`),
    which is what makes a batch import fast; a batch's worker may have serialised the extraction
    already (``batch.extraction_json``).
    The returned item's collections (``item.actions``, …) load from the database when first read.
    Committees, meetings and people are remembered for the rest of the Session's transaction
    (forgotten on rollback), so a batch looks each up once.

    :param committee: the committee's name; an existing committee matches regardless of case.
    :param meeting_date: the meeting's date, or None when unknown (each import then gets its own meeting).
    :param extraction: what :func:`extract_source` returned for ``source_text``.
    :param source_text: the text the extraction was made from (its spans point into it).
    :param keep_action: when given, only the extracted actions it returns True for are created (a
        batch import leaves out the actions an earlier version of the item already holds).
    :param batch: the item's key, number, source address and version, for a batch import.
    :param new_text: the caller found no item holding this text in this transaction (the batch
        import asks for key and text in one query), so it is not looked up again.
    :raise ValidationError: the committee name is blank or too long.
    :raise DuplicateMinutesError: the text was imported before for another committee or date.
    :raise ValidationError: a correction that cannot be applied (a blank text, an unknown kind).
    :raise ValueError: ``extraction`` was not made from ``source_text``, or corrections without an author.
    """
    name = check_committee_name(committee)
    if corrections is not None and author is None:
        raise ValueError("corrections need an author to record them under")
    if corrections is not None and keep_action is not None:
        raise ValueError("corrections refer to actions by position: they cannot leave actions out")
    digest = text_sha256(source_text)
    if digest != extraction.sha256:
        raise ValueError("the extraction was not made from source_text (SHA-256 differs)")

    existing = None
    if not new_text:
        existing = session.scalar(
            select(MinuteItem)
            .where(MinuteItem.text_sha256 == digest)
            .options(joinedload(MinuteItem.meeting).joinedload(Meeting.committee))
        )
    if existing is not None:
        meeting = existing.meeting
        if meeting.committee.name.casefold() == name.casefold() and meeting.date == meeting_date:
            return ImportResult(existing, False)
        raise DuplicateMinutesError(
            f"this text was already imported as minute item {existing.id}, for "
            f"{meeting.committee.name} ({_date_or_unknown(meeting.date)}); "
            f"not importing it again for {name} ({_date_or_unknown(meeting_date)})",
            minute_item_id=existing.id,
        )

    records, action_notes, item_notes = (
        corrections.apply(extraction) if corrections is not None else (extraction, {}, [])
    )
    now = utcnow()
    cache = _import_cache(session)
    people = _people(session, records, cache)
    the_committee = _committee(session, name, now, cache)
    meeting = _meeting(session, the_committee, meeting_date, now, cache)
    new_meeting = meeting.id is None
    batch = batch or BatchItem()
    item = _insert_item(
        session,
        the_committee,
        meeting,
        title=extraction.title,
        source_name=source_name,
        source_text=source_text,
        text_sha256=digest,
        extraction=direct.JsonText(batch.extraction_json) if batch.extraction_json else extraction.to_dict(),
        review_state=ReviewState.PENDING if corrections is None else ReviewState.REVIEWED,
        imported_at=now,
        item_key=batch.key,
        item_number=batch.number,
        item_version=batch.version,
        source_url=batch.source_url,
    )
    meeting = item.meeting
    if meeting_date is not None:
        cache.remember(cache.meetings, (the_committee.id, meeting_date), meeting)
    author_id = author.id if author is not None else None

    attendances = [
        {
            "minute_item_id": item.id,
            "person_id": people[a.name].id if a.name else None,
            "role": a.role,
            "organisation": a.organisation,
            "capacity": Capacity(a.capacity),
            "span_start": a.span[0],
            "span_end": a.span[1],
        }
        for a in records.attendees
    ]
    direct.insert_rows(session, Attendance.__table__, attendances)
    resolution_ids = _insert_returning_ids(
        session,
        Resolution.__table__,
        [_resolution_row(item.id, i, r) for i, r in enumerate(records.resolutions)],
    )
    actions = []
    for a in records.actions:
        if keep_action is not None and not keep_action(a):
            continue
        due_text = (a.due.text or None) if a.due else None
        actions.append(
            {
                "minute_item_id": item.id,
                "resolution_id": _resolution_of(a, records.resolutions, resolution_ids),
                "position": len(actions),
                "text": a.text,
                "owner": a.owner,
                "due_text": due_text,
                "due_date": _iso_date(a.due.date if a.due else None),
                "due_rule": None,
                "due_rule_month": None,
                "origin": ActionOrigin(a.origin),
                "span_start": a.span[0],
                "span_end": a.span[1],
                "status": ActionStatus.OPEN,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    calendar.rule_new_actions(
        session, committee_id=the_committee.id, committee=the_committee.name, when=meeting_date, rows=actions
    )
    action_ids = _insert_returning_ids(session, Action.__table__, actions)
    kept_candidates.owners_added(session, [row["owner"] for row in actions])
    notes = [_note_row(action_ids[position], author_id, now, note) for position, note in action_notes.items()]
    if notes:
        db.core(session).execute(insert(ActionUpdate.__table__), notes)
    if new_meeting and meeting_date is not None:
        calendar.meeting_date_known(session, the_committee.id, meeting_date, author=author)
    fixes = [
        {
            "minute_item_id": item.id,
            "resolution_id": resolution_ids[position] if position is not None else None,
            "author_id": author_id,
            "created_at": now,
            "note": note,
        }
        for position, note in item_notes
    ]
    if fixes:
        db.core(session).execute(insert(Correction.__table__), fixes)
    links.link_item(
        session,
        item,
        actions=[
            links.OwnAction(
                action_id, row["text"], row["owner"], row["span_start"], row["span_end"], row["version"]
            )
            for action_id, row in zip(action_ids, actions, strict=True)
        ],
        committee=the_committee,
        when=meeting_date,
        load=False,
        profile=batch.profile,
        new=True,
    )
    return ImportResult(item, True)


def find_minutes(session: Session, text: str) -> MinuteItem | None:
    """The minute item holding exactly ``text`` (by its SHA-256), with meeting and committee, or None."""
    return session.scalar(
        select(MinuteItem)
        .where(MinuteItem.text_sha256 == text_sha256(text))
        .options(
            defer(MinuteItem.source_text),
            defer(MinuteItem.extraction),
            joinedload(MinuteItem.meeting).joinedload(Meeting.committee),
        )
    )


# ---------------------------------------------------------------------------------------------
# corrections: at import (applied to the extraction) and later (to the rows)

#: the longest text a corrected field may hold
TEXT_MAX = 20_000


@dataclasses.dataclass(frozen=True, slots=True)
class ClauseFix:
    """A resolution clause as a reviewer left it."""

    text: str
    kind: str
    needs_followup: bool


@dataclasses.dataclass(frozen=True, slots=True)
class ActionFix:
    """An extracted action as a reviewer left it, or ``remove`` to leave it out."""

    text: str
    owner: str | None = None
    due_text: str | None = None
    due_date: date | None = None
    remove: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class NewAction:
    """An action the extractor missed, added by a reviewer; ``resolution_index`` names its clause."""

    text: str
    owner: str | None = None
    due_text: str | None = None
    due_date: date | None = None
    resolution_index: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class AttendeeFix:
    """An attendee as a reviewer left them, or ``remove`` to leave them out."""

    name: str | None
    role: str | None
    organisation: str | None
    capacity: str
    remove: bool = False


Notes = tuple[Extraction, dict[int, str], list[tuple[int | None, str]]]


@dataclasses.dataclass(frozen=True, slots=True)
class ImportCorrections:
    """What a reviewer changed in an extraction, by index into its lists (unlisted ones stay)."""

    clauses: Mapping[int, ClauseFix] = dataclasses.field(default_factory=dict)
    actions: Mapping[int, ActionFix] = dataclasses.field(default_factory=dict)
    added: Sequence[NewAction] = ()
    attendees: Mapping[int, AttendeeFix] = dataclasses.field(default_factory=dict)

    def apply(self, extraction: Extraction) -> Notes:
        """The corrected extraction, notes for actions by their new position, and notes for the item.

        Item notes are ``(clause position or None, note)``.

        :raise ValidationError: an index out of range, a blank text, an unknown kind or capacity.
        """
        for what, fixes, records in (
            ("clause", self.clauses, extraction.resolutions),
            ("action", self.actions, extraction.actions),
            ("attendee", self.attendees, extraction.attendees),
        ):
            if any(not 0 <= i < len(records) for i in fixes):
                raise ValidationError(f"there is no such {what} in these minutes")
        item_notes: list[tuple[int | None, str]] = []
        resolutions = []
        for i, r in enumerate(extraction.resolutions):
            fix = self.clauses.get(i)
            if fix is not None:
                text = _required(fix.text, f"clause {r.label or i + 1}'s text")
                kind = _member(ResolutionKind, fix.kind, "kind").value
                changes = _changes(
                    ("text", r.text, text),
                    ("kind", r.kind, kind),
                    ("follow-up", _yes(r.needs_followup), _yes(fix.needs_followup)),
                )
                if changes:
                    item_notes.append((i, f"Clause {r.label or i + 1} corrected at import: {changes}."))
                r = dataclasses.replace(r, text=text, kind=kind, needs_followup=fix.needs_followup)
            resolutions.append(r)
        attendees = []
        for i, a in enumerate(extraction.attendees):
            fix = self.attendees.get(i)
            if fix is None:
                attendees.append(a)
                continue
            if fix.remove:
                item_notes.append((None, f"Attendee {_who(a)} left out at import."))
                continue
            fixed = dataclasses.replace(
                a,
                name=_optional(fix.name),
                role=_optional(fix.role),
                organisation=_optional(fix.organisation),
                capacity=_member(Capacity, fix.capacity, "capacity").value,
            )
            changes = _changes(
                ("name", a.name, fixed.name),
                ("role", a.role, fixed.role),
                ("organisation", a.organisation, fixed.organisation),
                ("capacity", a.capacity, fixed.capacity),
            )
            if changes:
                item_notes.append((None, f"Attendee {_who(a)} corrected at import: {changes}."))
            attendees.append(fixed)
        actions: list[ExtractedAction] = []
        action_notes: dict[int, str] = {}
        for i, a in enumerate(extraction.actions):
            fix = self.actions.get(i)
            if fix is None:
                actions.append(a)
                continue
            if fix.remove:
                item_notes.append((None, f"Action {i + 1} left out at import: {_quote(a.text)}."))
                continue
            text = _required(fix.text, f"action {i + 1}'s text")
            due = _due(fix.due_text, fix.due_date)
            changes = _changes(
                ("text", a.text, text),
                ("owner", a.owner, _optional(fix.owner)),
                ("due", a.due.text if a.due else None, due.text if due else None),
                ("due date", a.due.date if a.due else None, due.date if due else None),
            )
            if changes:
                action_notes[len(actions)] = f"Corrected when the minutes were imported: {changes}."
            actions.append(dataclasses.replace(a, text=text, owner=_optional(fix.owner), due=due))
        for n, new in enumerate(self.added, start=1):
            text = _required(new.text, f"added action {n}'s text")
            index = new.resolution_index
            if index is not None and not 0 <= index < len(resolutions):
                raise ValidationError(f"added action {n} names a clause these minutes do not have")
            clause = resolutions[index] if index is not None else None
            action_notes[len(actions)] = "Added by hand when the minutes were imported."
            actions.append(
                ExtractedAction(
                    text=text,
                    owner=_optional(new.owner),
                    due=_due(new.due_text, new.due_date),
                    origin=ActionOrigin.RESOLUTION.value if clause else ActionOrigin.ACTION_LINE.value,
                    resolution=clause.label if clause else None,
                    span=clause.span if clause else (0, 0),
                    resolution_index=index,
                )
            )
        corrected = dataclasses.replace(
            extraction, resolutions=tuple(resolutions), actions=tuple(actions), attendees=tuple(attendees)
        )
        return corrected, action_notes, item_notes


def _optional(value: str | None) -> str | None:
    cleaned = " ".join((value or "").split())
    if len(cleaned) > TEXT_MAX:
        raise ValidationError(f"a value is over {TEXT_MAX:,} characters")
    return cleaned or None


def _required(value: str | None, what: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(f"{what} is blank; write it, or leave the record out")
    if len(cleaned) > TEXT_MAX:
        raise ValidationError(f"{what} is over {TEXT_MAX:,} characters")
    return cleaned


def _due(text: str | None, when: date | None) -> Due | None:
    phrase = _optional(text)
    if phrase is None and when is None:
        return None
    return Due(phrase or "", when.isoformat() if when else None)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _quote(value: object) -> str:
    if value is None or value == "":
        return "none"
    return f"“{textwrap.shorten(str(value), width=120, placeholder=' …')}”"


def _changes(*fields: tuple[str, object, object]) -> str:
    """``owner “a” → “b”; due date none → “2025-05-01”`` for the fields whose value changed."""
    return "; ".join(
        f"{name} {_quote(old)} → {_quote(new)}" for name, old, new in fields if (old or None) != (new or None)
    )


def _who(a: ExtractedAttendee) -> str:
    return _quote(a.name or a.role or a.organisation)


def edit_action(
    session: Session,
    action_id: int,
    *,
    author: User,
    text: str,
    owner: str | None,
    due_text: str | None,
    due_date: date | None,
    expected_version: int | None = None,
) -> ActionUpdate:
    """Correct an action's text, owner or deadline, noting in its history what changed (old → new).

    The action's ``version`` goes up. A due naming a meeting follows the committee calendar unless
    a date is typed (:func:`tracker.calendar.rule_after_edit`).

    :raise ValidationError: a blank text, or nothing changed.
    :raise NotFoundError: no such action.
    :raise ConcurrentEditError: the action is no longer at ``expected_version``.
    """
    action = _action_at(session, action_id, expected_version)
    text = _required(text, "the action's text")
    owner, due_text = _optional(owner), _optional(due_text)
    rule, due_date = calendar.rule_after_edit(session, action, due_text=due_text, due_date=due_date)
    changes = _changes(
        ("text", action.text, text),
        ("owner", action.owner, owner),
        ("due", action.due_text, due_text),
        (
            "due date",
            action.due_date.isoformat() if action.due_date else None,
            due_date and due_date.isoformat(),
        ),
        ("due follows the committee calendar", _yes(action.due_rule is not None), _yes(rule is not None)),
    )
    if not changes:
        raise ValidationError("nothing was changed: the form holds the action as it is")
    update = _append(
        session, action, author=author, note=f"Edited: {changes}.", evidence_url=None, evidence_item_id=None
    )
    action.text, action.owner, action.due_text, action.due_date = text, owner, due_text, due_date
    calendar.apply_rule(action, rule)
    action.updated_at = update.created_at
    _flush(session, action)
    return update


def edit_resolution(
    session: Session,
    resolution_id: int,
    *,
    author: User,
    text: str,
    kind: ResolutionKind | str,
    needs_followup: bool,
    expected: tuple[str, str, bool] | None = None,
) -> Correction:
    """Correct a clause's text, kind or follow-up flag, recording a :class:`Correction` (old → new).

    :param expected: the clause's ``(text, kind, needs_followup)`` as the editor saw them; when they
        differ now, someone else changed the clause in the meantime.
    :raise ValidationError: a blank text, an unknown kind, or nothing changed.
    :raise NotFoundError: no such clause.
    :raise ConcurrentEditError: the clause is no longer as ``expected``.
    """
    clause = session.get(Resolution, resolution_id)
    if clause is None:
        raise NotFoundError(f"there is no clause {resolution_id}")
    if expected is not None and expected != (clause.text, clause.kind.value, clause.needs_followup):
        raise ConcurrentEditError(
            f"clause {clause.label or clause.id} was changed by someone else; reload the page and try again"
        )
    text = _required(text, "the clause's text")
    new_kind = _member(ResolutionKind, kind, "kind")
    changes = _changes(
        ("text", clause.text, text),
        ("kind", clause.kind.value, new_kind.value),
        ("follow-up", _yes(clause.needs_followup), _yes(needs_followup)),
    )
    if not changes:
        raise ValidationError("nothing was changed: the form holds the clause as it is")
    if not isinstance(author, User):
        raise TypeError(f"author must be a User, not {type(author).__name__}")
    record = Correction(
        minute_item_id=clause.minute_item_id,
        resolution=clause,
        author=author,
        created_at=utcnow(),
        note=f"Clause {clause.label or clause.position + 1} edited: {changes}.",
    )
    session.add(record)
    clause.text, clause.kind, clause.needs_followup = text, new_kind, needs_followup
    session.flush()
    return record


def _date_or_unknown(value: date | None) -> str:
    return value.isoformat() if value else "date unknown"


def _iso_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


#: entries the import cache keeps per kind (committees, meetings, people): memory stays bounded
_CACHE_SIZE = 1024


class _ImportCache:
    """Committees, meetings and people an import found or made, for the rest of the transaction.

    Keyed by what the look-up was given, so a hit returns what the query would (the committee for a
    name as typed, the meeting of a committee on a date, the person of a name). Emptied when the
    Session rolls back, as what it holds may then not exist; an object no longer in the Session is
    looked up again.
    """

    __slots__ = ("committees", "meetings", "people")

    def __init__(self) -> None:
        self.committees: dict[str, Committee] = {}
        self.meetings: dict[tuple[int, date], Meeting] = {}
        self.people: dict[str, Person] = {}

    def remember(self, table: dict[Any, Any], key: object, value: object) -> None:
        """Keep ``value`` under ``key``, forgetting the oldest entry past :data:`_CACHE_SIZE`."""
        table[key] = value
        if len(table) > _CACHE_SIZE:
            del table[next(iter(table))]

    def clear(self) -> None:
        self.committees.clear()
        self.meetings.clear()
        self.people.clear()


_CACHE_KEY = "tracker.import_cache"


def _import_cache(session: Session) -> _ImportCache:
    cache = session.info.get(_CACHE_KEY)
    if cache is None:
        cache = session.info[_CACHE_KEY] = _ImportCache()
        event.listen(session, "after_soft_rollback", lambda _session, _transaction: cache.clear())
    return cache  # type: ignore[no-any-return]


def _cached(session: Session, found: _T | None) -> _T | None:
    return found if found is not None and found in session else None


def _committee(session: Session, name: str, now: datetime, cache: _ImportCache) -> Committee:
    found = _cached(session, cache.committees.get(name))
    if found is None:
        found = session.scalar(select(Committee).where(func.lower(Committee.name) == name.lower()))
        if found is None:
            found = Committee(name=name, created_at=now)
            session.add(found)
        cache.remember(cache.committees, name, found)
    return found


def _meeting(
    session: Session, committee: Committee, when: date | None, now: datetime, cache: _ImportCache
) -> Meeting:
    if when is not None and committee.id is not None:
        found = _cached(session, cache.meetings.get((committee.id, when)))
        if found is None:
            row = _MEETING_ON.first(session, {"committee_id": committee.id, "when": when})
            found = session.get(Meeting, row[0]) if row is not None else None
        if found is not None:
            return found
    if committee.id is not None:  # by id, for the reason given in import_minutes
        return Meeting(committee_id=committee.id, date=when, created_at=now)
    return Meeting(committee=committee, date=when, created_at=now)


#: the id of a committee's meeting on a date (``uq_meeting_committee_id``); usually there is none yet
_MEETING_ON = direct.Statement(
    select(Meeting.id).where(
        Meeting.committee_id == bindparam("committee_id"), Meeting.date == bindparam("when")
    )
)


def _insert_item(session: Session, committee: Committee, meeting: Meeting, **columns: Any) -> MinuteItem:
    """Write the minute item (and its meeting, when new) with Core ``INSERT``s; return it persistent.

    The ORM's unit of work cost more than everything else an import writes together (a sixth of a
    batch's writer). The rows get every column the ORM would give them; the objects are then put in
    the Session as if loaded (``make_transient_to_detached``), their collections unloaded, so that
    ``item.meeting.committee`` needs no query and ``meeting.items`` is read when wanted. Anything
    pending (a new committee, new people) is flushed first (:mod:`tracker.direct` does it).
    """
    new_meeting = meeting.id is None
    if new_meeting and committee.id is None:  # a new committee's meeting is written with it, by the ORM
        session.add(meeting)
        session.flush()
    if meeting.id is None:
        row = {"committee_id": committee.id, "date": meeting.date, "created_at": meeting.created_at}
        ((meeting.id,),) = direct.insert_rows(session, Meeting.__table__, [row], returning=("id",))
        meeting.committee_id = committee.id
        _persistent(session, meeting)
        set_committed_value(meeting, "committee", committee)
    if new_meeting:  # its items and the committee's meetings are read from the database if wanted
        session.expire(meeting, ["items"])
        session.expire(committee, ["meetings"])
    row = {"meeting_id": meeting.id, "superseded_by_id": None, **columns}
    ((item_id,),) = direct.insert_rows(session, MinuteItem.__table__, [row], returning=("id",))
    serialised = isinstance(row["extraction"], direct.JsonText)
    if serialised:  # the object reads it back from the row if asked
        del row["extraction"]
    item = _persistent(session, MinuteItem(id=item_id, **row))
    if serialised:
        session.expire(item, ["extraction"])
    set_committed_value(item, "meeting", meeting)
    return item


def _persistent(session: Session, obj: _T) -> _T:
    """``obj``, a transient object whose row was just written, made persistent in ``session`` as loaded.

    The Session forgets the objects it inserted itself when their transaction rolls back, not these:
    one left from a rolled-back transaction stays, expired, under its id, and SQLite gives the id
    out again. A new row has that id, so such an object stands for a row that no longer exists, and
    gives way.
    """
    make_transient_to_detached(obj)
    stale = session.identity_map.get(inspect(obj).key)
    if stale is not None:
        session.expunge(stale)
    session.add(obj)
    return obj


def _people(session: Session, extraction: Extraction, cache: _ImportCache) -> dict[str, Person]:
    """Every named attendee's Person, found by name or created (before anything else is added)."""
    honorifics = {a.name: a.honorific for a in extraction.attendees if a.name}
    if not honorifics:
        return {}
    people = {n: p for n in honorifics if (p := _cached(session, cache.people.get(n))) is not None}
    unknown = [n for n in honorifics if n not in people]
    if unknown:
        people.update((p.name, p) for p in session.scalars(select(Person).where(Person.name.in_(unknown))))
    for name, honorific in honorifics.items():
        if name not in people:
            people[name] = Person(name=name, honorific=honorific)
            session.add(people[name])
        elif honorific and not people[name].honorific:
            people[name].honorific = honorific
        cache.remember(cache.people, name, people[name])
    return people


def _resolution_row(item_id: int, position: int, r: ExtractedResolution) -> dict[str, object]:
    return {
        "minute_item_id": item_id,
        "position": position,
        "label": r.label,
        "text": r.text,
        "kind": ResolutionKind(r.kind),
        "needs_followup": r.needs_followup,
        "owner": r.owner,
        "due_text": r.due.text if r.due else None,
        "due_date": _iso_date(r.due.date if r.due else None),
        "span_start": r.span[0],
        "span_end": r.span[1],
    }


def _note_row(action_id: int, author_id: int | None, now: datetime, note: str) -> dict[str, object]:
    """An :class:`ActionUpdate` row saying something happened to an action, changing nothing else."""
    return {
        "action_id": action_id,
        "author_id": author_id,
        "created_at": now,
        "note": note,
        "from_status": None,
        "to_status": None,
        "close_reason": None,
        "evidence_url": None,
        "evidence_item_id": None,
    }


def _insert_returning_ids(session: Session, table: Table, rows: list[dict[str, object]]) -> list[int]:
    """Insert ``rows`` into ``table`` with one multi-row statement; their ids, in the rows' order.

    Neither database promises to return a multi-row ``INSERT``'s rows in order (SQLAlchemy sends
    SQLite one statement per row to keep them matched). The rows here (one item's resolutions or
    actions) each have their own ``position`` (unique within the item: both tables enforce it), so
    returning it with the id matches them in one statement, run directly (:mod:`tracker.direct`).
    """
    written = direct.insert_rows(session, table, rows, returning=("id", "position"))
    ids = {position: row_id for row_id, position in written}
    return [ids[row["position"]] for row in rows]


def _resolution_of(
    action: ExtractedAction, extracted: tuple[ExtractedResolution, ...], ids: list[int]
) -> int | None:
    """The id of the clause an action came from: by index, else by a label no other clause shares."""
    if action.resolution_index is not None and 0 <= action.resolution_index < len(ids):
        return ids[action.resolution_index]
    if action.resolution:
        matches = [row for r, row in zip(extracted, ids, strict=True) if r.label == action.resolution]
        if len(matches) == 1:
            return matches[0]
    return None


# ---------------------------------------------------------------------------------------------
# action history


def fetch(session: Session, model: type[_M], row_id: int, noun: str) -> _M:
    """The ``model`` row with this id, or :class:`NotFoundError` ("there is no {noun} {id}").

    :raise NotFoundError: there is none.
    """
    row = session.get(model, row_id)
    if row is None:
        raise NotFoundError(f"there is no {noun} {row_id}")
    return row


def get_action(session: Session, action_id: int) -> Action:
    """The action with this id.

    :raise NotFoundError: there is none.
    """
    return fetch(session, Action, action_id, "action")


def add_update(
    session: Session,
    action_id: int,
    *,
    author: User,
    note: str,
    evidence_url: str | None = None,
    evidence_item_id: int | None = None,
    expected_version: int | None = None,
) -> ActionUpdate:
    """Append a note (with optional evidence) to an action's history, without changing its status.

    :param note: Markdown; must not be blank.
    :param evidence_url: an ``http``/``https`` link showing progress.
    :param evidence_item_id: a later minute item showing progress (not the action's own).
    :param expected_version: the ``version`` the author saw; a different one means someone else
        changed the action since.
    :raise NotFoundError: no such action or minute item.
    :raise ValidationError: a blank note, a malformed link, or evidence that is not a later item.
    :raise ConcurrentEditError: the action is no longer at ``expected_version``.
    """
    action = _action_at(session, action_id, expected_version)
    update = _append(
        session,
        action,
        author=author,
        note=note,
        evidence_url=evidence_url,
        evidence_item_id=evidence_item_id,
    )
    _flush(session, action)
    return update


def change_status(
    session: Session,
    action_id: int,
    status: ActionStatus | str,
    *,
    author: User,
    note: str,
    close_reason: CloseReason | str | None = None,
    evidence_url: str | None = None,
    evidence_item_id: int | None = None,
    expected_version: int | None = None,
) -> ActionUpdate:
    """Move an action to another status, recording who, when, why (a note) and any evidence.

    Allowed moves are :data:`TRANSITIONS`: open → in progress → awaiting committee → closed, with
    closing possible from any open status, awaiting committee back to in progress, and closed back
    to open (reopening). The action's ``version`` goes up.

    :param close_reason: required when closing (completed, superseded or withdrawn), else refused.
    :raise InvalidTransitionError: the move is not allowed from the action's current status.
    :raise ValidationError: a missing or unexpected close reason, a blank note, bad evidence.
    :raise NotFoundError: no such action or minute item.
    :raise ConcurrentEditError: the action is no longer at ``expected_version``, or changed while
        this change was being written.
    """
    target = _member(ActionStatus, status, "status")
    reason = _member(CloseReason, close_reason, "close reason") if close_reason is not None else None
    action = _action_at(session, action_id, expected_version)
    current = action.status
    if target not in TRANSITIONS[current]:
        raise InvalidTransitionError(
            f"action {action.id} is {_label(current)}; it cannot become {_label(target)}"
            + (" (it is already)" if target == current else "")
        )
    if target is ActionStatus.CLOSED and reason is None:
        raise ValidationError("closing an action needs a reason: completed, superseded or withdrawn")
    if target is not ActionStatus.CLOSED and reason is not None:
        raise ValidationError("a close reason is only given when closing an action")

    update = _append(
        session,
        action,
        author=author,
        note=note,
        evidence_url=evidence_url,
        evidence_item_id=evidence_item_id,
        from_status=current,
        to_status=target,
        close_reason=reason,
    )
    action.status = target
    action.close_reason = reason
    action.closed_at = update.created_at if target is ActionStatus.CLOSED else None
    action.updated_at = update.created_at
    _flush(session, action)
    return update


def close_action(
    session: Session,
    action_id: int,
    reason: CloseReason | str,
    *,
    author: User,
    note: str,
    evidence_url: str | None = None,
    evidence_item_id: int | None = None,
    expected_version: int | None = None,
) -> ActionUpdate:
    """Close an open action as completed, superseded or withdrawn (see :func:`change_status`).

    :raise InvalidTransitionError: the action is already closed.
    """
    return change_status(
        session,
        action_id,
        ActionStatus.CLOSED,
        author=author,
        note=note,
        close_reason=reason,
        evidence_url=evidence_url,
        evidence_item_id=evidence_item_id,
        expected_version=expected_version,
    )


def reopen_action(
    session: Session,
    action_id: int,
    *,
    author: User,
    note: str,
    evidence_url: str | None = None,
    evidence_item_id: int | None = None,
    expected_version: int | None = None,
) -> ActionUpdate:
    """Reopen a closed action (a mistaken close is undone this way, never by deleting history).

    :raise InvalidTransitionError: the action is not closed.
    """
    action = get_action(session, action_id)
    if action.status is not ActionStatus.CLOSED:
        raise InvalidTransitionError(
            f"action {action.id} is {_label(action.status)}, not closed; only a closed action can be reopened"
        )
    return change_status(
        session,
        action_id,
        ActionStatus.OPEN,
        author=author,
        note=note,
        evidence_url=evidence_url,
        evidence_item_id=evidence_item_id,
        expected_version=expected_version,
    )


def _member(cls: type[_E], value: _E | str, what: str) -> _E:
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(m.value for m in cls)  # type: ignore[attr-defined]
        raise ValidationError(f"unknown {what} {value!r}; expected one of: {choices}") from None


def _action_at(session: Session, action_id: int, expected_version: int | None) -> Action:
    action = get_action(session, action_id)
    if expected_version is not None and action.version != expected_version:
        raise ConcurrentEditError(
            f"action {action.id} was changed by someone else (version {action.version}, "
            f"you saw {expected_version}); reload it and try again"
        )
    return action


def _append(
    session: Session,
    action: Action,
    *,
    author: User,
    note: str,
    evidence_url: str | None,
    evidence_item_id: int | None,
    from_status: ActionStatus | None = None,
    to_status: ActionStatus | None = None,
    close_reason: CloseReason | None = None,
) -> ActionUpdate:
    if not isinstance(author, User):
        raise TypeError(f"author must be a User, not {type(author).__name__}")
    text = (note or "").strip()
    if not text:
        raise ValidationError("a note is required: say what happened")
    url = _evidence_url(evidence_url)
    item = _evidence_item(session, action, evidence_item_id)
    # Loading action.updates for the append must not flush the half-attached update first.
    with session.no_autoflush:
        update = ActionUpdate(
            author=author,
            created_at=utcnow(),
            note=text,
            from_status=from_status,
            to_status=to_status,
            close_reason=close_reason,
            evidence_url=url,
            evidence_item=item,
        )
        action.updates.append(update)
    session.add(update)
    return update


def _evidence_url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
        raise ValidationError(
            f"evidence link {url!r} is not an http(s) address of at most {URL_MAX} characters"
        )
    return url


def _evidence_item(session: Session, action: Action, item_id: int | None) -> MinuteItem | None:
    if item_id is None:
        return None
    item = session.get(MinuteItem, item_id)
    if item is None:
        raise NotFoundError(f"there is no minute item {item_id}")
    if item.id == action.minute_item_id:
        raise ValidationError("evidence must be a later minute item, not the one the action came from")
    then, now = action.minute_item.meeting.date, item.meeting.date
    if then is not None and now is not None and now < then:
        raise ValidationError(
            f"minute item {item.id} is from {now.isoformat()}, before the action's meeting "
            f"({then.isoformat()}); evidence must come later"
        )
    return item


def _flush(session: Session, action: Action) -> None:
    """Write pending changes; a concurrent change to the action (its version) becomes an error."""
    action_id = action.id  # read now: after a failed flush, touching the object would need the database
    try:
        session.flush()
    except StaleDataError as err:
        raise ConcurrentEditError(
            f"action {action_id} was changed by someone else while saving; reload it and try again"
        ) from err


# ---------------------------------------------------------------------------------------------
# listing


class ActionFilter(enum.StrEnum):
    """Which actions :func:`list_actions` returns."""

    #: every action not closed (open, in progress, awaiting committee)
    OPEN = "open"
    #: not closed, with a due date before today
    OVERDUE = "overdue"
    CLOSED = "closed"
    ALL = "all"


def find_committee(session: Session, name: str) -> Committee:
    """The committee with this name, regardless of case and extra spaces.

    :raise NotFoundError: there is none; the message lists the committees there are.
    """
    cleaned = " ".join(name.split())
    found = session.scalar(select(Committee).where(func.lower(Committee.name) == cleaned.lower()))
    if found is None:
        known = session.scalars(select(Committee.name).order_by(Committee.name)).all()
        listing = "; ".join(known) if known else "none yet"
        raise NotFoundError(f"there is no committee named {cleaned!r} (committees: {listing})")
    return found


def list_actions(
    session: Session,
    *,
    status: ActionFilter | str = ActionFilter.OPEN,
    committee: str | None = None,
    today: date | None = None,
) -> list[Action]:
    """Actions with their minute item, meeting, committee and resolution loaded.

    Ordered by due date (none last), then meeting date (unknown last), then place in the minutes.

    :param status: ``open`` (not closed), ``overdue`` (not closed and due before ``today``),
        ``closed`` or ``all``.
    :param committee: only this committee's actions (its name, regardless of case).
    :param today: the date overdue is measured against (default: today's date).
    :raise ValidationError: an unknown ``status``.
    :raise NotFoundError: no committee has that name.
    """
    wanted = _member(ActionFilter, status, "action filter")
    today = today or date.today()
    stmt = _action_rows()
    if wanted is ActionFilter.OPEN:
        stmt = stmt.where(Action.status.in_(OPEN_STATUSES))
    elif wanted is ActionFilter.OVERDUE:
        stmt = stmt.where(Action.status.in_(OPEN_STATUSES), Action.due_date < today)
    elif wanted is ActionFilter.CLOSED:
        stmt = stmt.where(Action.status == ActionStatus.CLOSED)
    if committee is not None:
        stmt = stmt.where(Meeting.committee_id == find_committee(session, committee).id)
    stmt = stmt.order_by(
        Action.due_date.is_(None),
        Action.due_date,
        Meeting.date.is_(None),
        Meeting.date,
        MinuteItem.id,
        Action.position,
    )
    return list(session.scalars(stmt))


# ---------------------------------------------------------------------------------------------
# users


def normalise_email(email: str) -> str:
    """An e-mail address as stored: trimmed and lower-case.

    :raise ValidationError: it does not look like an address (``name@domain``), or is too long.
    """
    address = email.strip().lower()
    if not _EMAIL.fullmatch(address) or len(address) > EMAIL_MAX:
        raise ValidationError(f"{email!r} is not an e-mail address")
    return address


def create_user(session: Session, *, email: str, name: str, role: UserRole | str, password: str) -> User:
    """Create an account; the e-mail address is stored lower-case and must be unused.

    :param password: at least :data:`PASSWORD_MIN` characters; only its hash is stored.
    :raise ValidationError: a malformed or taken e-mail address, a blank name, an unknown role, or a
        short password.
    """
    address = normalise_email(email)
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > USER_NAME_MAX:
        raise ValidationError(f"a name is required, of at most {USER_NAME_MAX} characters")
    member = _member(UserRole, role, "role")
    if len(password) < PASSWORD_MIN:
        raise ValidationError(f"the password must have at least {PASSWORD_MIN} characters")
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise ValidationError(f"there is already a user with the e-mail address {address}")
    user = User(email=address, name=cleaned, role=member, created_at=utcnow())
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or None (an account removed while its session cookie lives on)."""
    return session.get(User, user_id)


class SignedInUser(NamedTuple):
    """What a page view needs to know of the signed-in account: plain columns, not a :class:`User`.

    Loaded on every page, so without the ORM's identity map and object building (a third of a
    millisecond a request). Requests that change something load the :class:`User` itself.
    """

    id: int
    email: str
    name: str
    role: UserRole
    active: bool
    session_version: int
    #: the database's choices stamp, read in the same statement (see :class:`KeptFilterChoices`)
    choices_stamp: str | None


_SIGNED_IN_USER = select(
    *(User.__table__.c[name] for name in SignedInUser._fields[:-1]), CurrentStamp()
).where(User.__table__.c.id == bindparam("user_id"))


def get_signed_in_user(session: Session, user_id: int) -> SignedInUser | None:
    """The account with this id as plain columns, or None (see :func:`get_user`)."""
    row = session.execute(_SIGNED_IN_USER, {"user_id": user_id}).first()
    return SignedInUser(*row) if row is not None else None


#: checked against when no account has the e-mail address, so a wrong address takes as long as a
#: wrong password (no hint about which accounts exist)
_DUMMY_HASH = generate_password_hash("not a password")


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The account with this e-mail address and password, or None when either is wrong or it is disabled."""
    address = email.strip().lower()
    user = session.scalar(select(User).where(User.email == address)) if address else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if user.check_password(password) and user.active else None


def set_password(session: Session, user: User, password: str) -> None:
    """Replace a user's password (only its salted hash is stored).

    :raise ValidationError: the password is shorter than :data:`PASSWORD_MIN` characters.
    """
    if len(password) < PASSWORD_MIN:
        raise ValidationError(f"the password must have at least {PASSWORD_MIN} characters")
    user.set_password(password)
    session.flush()


def find_user(session: Session, email: str) -> User | None:
    """The account with this e-mail address (any case), or None."""
    return session.scalar(select(User).where(User.email == email.strip().lower()))


# ---------------------------------------------------------------------------------------------
# pages: queries the web app's views call (each page runs a fixed number of them)

#: actions on one page of a list
PAGE_SIZE = 50
#: an open action due within this many days is "due soon" (amber)
DUE_SOON_DAYS = 14
#: the status choices of the action list: a status, or ``outstanding`` (not closed) or ``all``
STATUS_CHOICES = ("outstanding", *(s.value for s in ActionStatus), "all")


class Rag(enum.StrEnum):
    """An action's RAG rating: red overdue, amber due within :data:`DUE_SOON_DAYS` days, green later."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    #: open, with no due date to measure against
    NONE = "none"
    CLOSED = "closed"


#: the words shown with each rating, so that colour is never the only signal
RAG_LABELS = {
    Rag.RED: "Overdue",
    Rag.AMBER: "Due soon",
    Rag.GREEN: "On track",
    Rag.NONE: "No due date",
    Rag.CLOSED: "Closed",
}


def rag_status(action: Action | ListedAction, today: date) -> Rag:
    """The action's RAG rating on ``today``."""
    if not action.is_open:
        return Rag.CLOSED
    if action.due_date is None:
        return Rag.NONE
    if action.due_date < today:
        return Rag.RED
    if (action.due_date - today).days <= DUE_SOON_DAYS:
        return Rag.AMBER
    return Rag.GREEN


@dataclasses.dataclass(frozen=True, slots=True)
class ActionSearch:
    """The filters of the action list; the defaults select every outstanding action."""

    committee_id: int | None = None
    owner: str | None = None
    #: one of :data:`STATUS_CHOICES`
    status: str = "outstanding"
    due_before: date | None = None
    overdue: bool = False
    #: words to find in the action's text, its owner or its clause's text (any case)
    q: str = ""


class ListedAction(NamedTuple):
    """One row of the action list: the action's own columns and what its row names and links to.

    Plain columns rather than ORM objects: building 50 actions with 4 related objects each cost
    more than the query itself (``docs/WEB_BENCHMARK.md``).
    """

    id: int
    text: str
    owner: str | None
    due_date: date | None
    due_text: str | None
    #: set when the due follows the committee calendar (:mod:`tracker.calendar`)
    due_rule: MeetingRule | None
    due_rule_month: date | None
    status: ActionStatus
    close_reason: CloseReason | None
    #: the label of the clause it came from, e.g. ``(3)`` (None without one)
    clause_label: str | None
    committee_id: int
    committee_name: str
    meeting_id: int
    meeting_date: date | None

    @property
    def is_open(self) -> bool:
        """True unless the action is closed (as :attr:`Action.is_open`, so :func:`rag_status` takes it)."""
        return self.status is not ActionStatus.CLOSED


class ActionPage(NamedTuple):
    """One page of a list, and the id to continue after (None on the last page)."""

    actions: list[ListedAction]
    next_after: int | None


def _action_rows() -> Select[tuple[Action]]:
    """Actions with minute item, meeting, committee and clause loaded in the same query."""
    return (
        select(Action)
        .join(Action.minute_item)
        .join(MinuteItem.meeting)
        .join(Meeting.committee)
        .outerjoin(Action.resolution)
        .options(
            contains_eager(Action.minute_item).options(
                defer(MinuteItem.source_text),
                defer(MinuteItem.extraction),
                contains_eager(MinuteItem.meeting).contains_eager(Meeting.committee),
            ),
            contains_eager(Action.resolution),
        )
    )


#: the tables behind the list's statements. Core columns rather than ORM attributes: running the
#: statements then skips the ORM's loading machinery, which only the rows' tuples would pass through.
_ACTION = Action.__table__.c
_ITEM = MinuteItem.__table__.c
_MEETING = Meeting.__table__.c
_COMMITTEE = Committee.__table__.c
_RESOLUTION = Resolution.__table__.c


def _listed_rows() -> Select[tuple[int, ...]]:
    """The columns of :class:`ListedAction`, ``action`` outer-joined to what each row names.

    Outer joins, so that ``action`` leads the query plan: the joined rows always exist (the foreign
    keys are NOT NULL), so the rows are the same, but the database cannot start from a committee or
    a meeting instead of the page's actions.
    """
    action, item, meeting = Action.__table__, MinuteItem.__table__, Meeting.__table__
    committee, resolution = Committee.__table__, Resolution.__table__
    return select(
        _ACTION.id,
        _ACTION.text,
        _ACTION.owner,
        _ACTION.due_date,
        _ACTION.due_text,
        _ACTION.due_rule,
        _ACTION.due_rule_month,
        _ACTION.status,
        _ACTION.close_reason,
        _RESOLUTION.label,
        _COMMITTEE.id,
        _COMMITTEE.name,
        _MEETING.id,
        _MEETING.date,
    ).select_from(
        action.outerjoin(item, _ITEM.id == _ACTION.minute_item_id)
        .outerjoin(meeting, _MEETING.id == _ITEM.meeting_id)
        .outerjoin(committee, _COMMITTEE.id == _MEETING.committee_id)
        .outerjoin(resolution, _RESOLUTION.id == _ACTION.resolution_id)
    )


#: "not closed", written so that no status index tempts the planner away from the id order (see
#: :func:`page_ids`)
_NOT_CLOSED = _ACTION.status != ActionStatus.CLOSED
assert set(OPEN_STATUSES) == set(ActionStatus) - {ActionStatus.CLOSED}


def _like(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_actions(
    session: Session,
    search: ActionSearch,
    *,
    today: date,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> ActionPage:
    """A page of actions matching ``search``, in id order, after the action ``after`` (keyset paging).

    One query, in two steps: :func:`page_ids` picks the page's ids from ``action`` alone, then only
    those rows are joined to their minute item, meeting, committee and clause. Joining first would
    join every matching action (a whole committee's) before sorting and cutting the page.

    :raise ValidationError: an unknown status.
    """
    shape, values = _page_ids_shape(search, today=today, after=after, limit=limit + 1)
    result = session.execute(_page_rows_query(*shape), values)
    rows = [ListedAction._make(row) for row in result]
    if len(rows) > limit:
        return ActionPage(rows[:limit], rows[limit - 1].id)
    return ActionPage(rows, None)


def page_ids(search: ActionSearch, *, today: date, after: int | None, limit: int) -> Select[tuple[int]]:
    """The ids of the first ``limit`` actions matching ``search`` after ``after``, in id order.

    Paging by id keeps the 500th page as quick as the first: the database seeks to the id through
    the primary key (or ``ix_action_status_id`` for one status) instead of counting past the rows
    before it, and stops after the page. A committee is matched through its minute items' ids, so
    the plan reads ``action`` and never starts from the committee. Not closed is written
    ``status <> 'closed'``, which no status index serves: reading in id order is then the cheap
    plan, with or without the database's statistics.

    :raise ValidationError: an unknown status.
    """
    shape, values = _page_ids_shape(search, today=today, after=after, limit=limit)
    return _page_ids_query(*shape).params(values)


class _Shape(NamedTuple):
    """Which filters a search uses (not their values): one prepared statement per shape."""

    status: str  # "outstanding", "all" or "one"
    committee: bool
    owner: bool
    due_before: bool
    overdue: bool
    words: bool
    after: bool


def _page_ids_shape(
    search: ActionSearch, *, today: date, after: int | None, limit: int
) -> tuple[_Shape, dict[str, object]]:
    """The shape of ``search`` and the values of its bound parameters.

    :raise ValidationError: an unknown status.
    """
    if search.status not in STATUS_CHOICES:
        raise ValidationError(
            f"unknown status {search.status!r}; expected one of: {', '.join(STATUS_CHOICES)}"
        )
    values: dict[str, object] = {"limit": limit}
    status = search.status if search.status in ("outstanding", "all") else "one"
    if status == "one":
        values["status"] = ActionStatus(search.status)
    if search.committee_id is not None:
        values["committee_id"] = search.committee_id
    if search.owner:
        values["owner"] = search.owner
    if search.due_before is not None:
        values["due_before"] = search.due_before
    if search.overdue:
        values["today"] = today
    words = " ".join(search.q.split())
    if words:
        values["pattern"] = _like(words)
    if after is not None:
        values["after"] = after
    shape = _Shape(
        status,
        search.committee_id is not None,
        bool(search.owner),
        search.due_before is not None,
        search.overdue,
        bool(words),
        after is not None,
    )
    return shape, values


@functools.cache
def _page_ids_query(
    status: str, committee: bool, owner: bool, due_before: bool, overdue: bool, words: bool, after: bool
) -> Select[tuple[int]]:
    """The ids query of one :class:`_Shape`, with bound parameters named as in :func:`_page_ids_shape`.

    Built once per shape (there are 192) and kept: building the statement and its cache key cost more
    than running it, on every request.
    """
    stmt = select(_ACTION.id)
    if status == "outstanding":
        stmt = stmt.where(_NOT_CLOSED)
    elif status == "one":
        stmt = stmt.where(_ACTION.status == bindparam("status"))
    if committee:
        items = (
            select(_ITEM.id)
            .join(Meeting.__table__, _MEETING.id == _ITEM.meeting_id)
            .where(_MEETING.committee_id == bindparam("committee_id"))
        )
        stmt = stmt.where(_ACTION.minute_item_id.in_(items))
    if owner:
        stmt = stmt.where(_ACTION.owner == bindparam("owner"))
    if due_before:
        stmt = stmt.where(_ACTION.due_date < bindparam("due_before"))
    if overdue:
        stmt = stmt.where(_NOT_CLOSED, _ACTION.due_date < bindparam("today"))
    if words:
        pattern = bindparam("pattern", type_=String())
        stmt = stmt.select_from(
            Action.__table__.outerjoin(Resolution.__table__, _RESOLUTION.id == _ACTION.resolution_id)
        ).where(
            _ACTION.text.ilike(pattern, escape="\\")
            | _ACTION.owner.ilike(pattern, escape="\\")
            | _RESOLUTION.text.ilike(pattern, escape="\\")
        )
    if after:
        stmt = stmt.where(_ACTION.id > bindparam("after"))
    return stmt.order_by(_ACTION.id).limit(bindparam("limit", type_=Integer()))


@functools.cache
def _page_rows_query(*shape: object) -> Select[tuple[int, ...]]:
    """A page's rows: :func:`_listed_rows` for the ids of :func:`_page_ids_query`, built once a shape."""
    ids = _page_ids_query(*shape)  # type: ignore[arg-type]
    return _listed_rows().where(_ACTION.id.in_(ids)).order_by(_ACTION.id)


class Tally(NamedTuple):
    """A count of outstanding actions under one heading (a committee, an owner or a status)."""

    key: str | int | None
    label: str
    count: int


class Dashboard(NamedTuple):
    """What the dashboard shows: counts of outstanding actions, and the ones due soonest."""

    total: int
    overdue: int
    by_committee: list[Tally]
    by_owner: list[Tally]
    by_status: list[Tally]
    soonest: list[Action]


def dashboard(session: Session, *, today: date, limit: int = 20) -> Dashboard:
    """Counts of outstanding actions by committee, owner and status, and the ``limit`` due soonest.

    Five queries, whatever the number of actions.
    """
    outstanding = Action.status.in_(OPEN_STATUSES)
    n = func.count(Action.id)
    committees = session.execute(
        select(Committee.id, Committee.name, n)
        .join(Meeting, Meeting.committee_id == Committee.id)
        .join(MinuteItem, MinuteItem.meeting_id == Meeting.id)
        .join(Action, Action.minute_item_id == MinuteItem.id)
        .where(outstanding)
        .group_by(Committee.id, Committee.name)
        .order_by(n.desc(), Committee.name)
    ).all()
    owners = session.execute(
        select(Action.owner, n).where(outstanding).group_by(Action.owner).order_by(n.desc(), Action.owner)
    ).all()
    statuses = dict(
        session.execute(select(Action.status, n).where(outstanding).group_by(Action.status)).all()
    )
    overdue = session.scalar(select(n).where(outstanding, Action.due_date < today)) or 0
    soonest = list(
        session.scalars(
            _action_rows()
            .where(outstanding)
            .order_by(Action.due_date.is_(None), Action.due_date, Action.id)
            .limit(limit)
        )
    )
    return Dashboard(
        total=sum(statuses.values()),
        overdue=overdue,
        by_committee=[Tally(cid, name, count) for cid, name, count in committees],
        by_owner=[Tally(owner, owner or "No owner named", count) for owner, count in owners],
        by_status=[Tally(s.value, _label(s).capitalize(), statuses.get(s, 0)) for s in OPEN_STATUSES],
        soonest=soonest,
    )


def action_detail(session: Session, action_id: int) -> Action:
    """An action with its minute item (and text), meeting, committee, clause and history. Three queries.

    :raise NotFoundError: there is no such action.
    """
    action = session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.minute_item).joinedload(MinuteItem.meeting).joinedload(Meeting.committee),
            joinedload(Action.resolution),
            selectinload(Action.updates).options(
                joinedload(ActionUpdate.author),
                joinedload(ActionUpdate.evidence_item).options(
                    defer(MinuteItem.source_text),
                    defer(MinuteItem.extraction),
                    joinedload(MinuteItem.meeting),
                ),
            ),
        )
    )
    if action is None:
        raise NotFoundError(f"there is no action {action_id}")
    return action


def evidence_choices(session: Session, action: Action) -> list[MinuteItem]:
    """Minute items that may stand as evidence for ``action``: its committee's later ones. One query."""
    meeting = action.minute_item.meeting
    stmt = (
        select(MinuteItem)
        .join(MinuteItem.meeting)
        .where(Meeting.committee_id == meeting.committee_id, MinuteItem.id != action.minute_item_id)
        .options(
            defer(MinuteItem.source_text), defer(MinuteItem.extraction), contains_eager(MinuteItem.meeting)
        )
        .order_by(Meeting.date.is_(None), Meeting.date, MinuteItem.id)
    )
    if meeting.date is not None:
        stmt = stmt.where((Meeting.date >= meeting.date) | Meeting.date.is_(None))
    return list(session.scalars(stmt))


def list_committees(session: Session) -> list[Committee]:
    """Every committee, by name. One query."""
    return list(session.scalars(select(Committee).order_by(Committee.name)))


class FilterChoices(NamedTuple):
    """What the action list's filter form offers: every committee's (id, name) and every owner, by name."""

    committees: list[tuple[int, str]]
    owners: list[str]


def filter_choices(session: Session) -> FilterChoices:
    """The committees and owners of the action list's filter form. One query, so one round trip.

    The owners are those of :func:`list_owners`, found the same way.
    """
    committees: list[tuple[int, str]] = []
    owners: list[str] = []
    for kind, committee_id, name in session.execute(_filter_choices_query()):
        if kind == 0:
            committees.append((committee_id, name))
        else:
            owners.append(name)
    return FilterChoices(committees, owners)


@functools.cache
def _filter_choices_query() -> CompoundSelect:
    owners = _owners_cte()
    return union_all(
        select(literal_column("0").label("kind"), _COMMITTEE.id, _COMMITTEE.name.label("name")),
        select(literal_column("1"), null(), owners.c.owner).where(owners.c.owner.is_not(None)),
    ).order_by(literal_column("kind"), literal_column("name"))


class KeptFilterChoices:
    """The filter choices a process read last, kept while the database's choices stamp is unchanged.

    The stamp comes with the signed-in account (:class:`SignedInUser`), in the statement every page
    view makes anyway, so a list page whose choices are kept makes one round trip fewer. The
    database changes the stamp whenever a committee or an owner may have come or gone
    (:mod:`tracker.choices_stamp`), whoever wrote, so the kept choices are never out of date.
    One per app; a tuple is swapped in whole, so threads may share it.
    """

    def __init__(self) -> None:
        self._kept: tuple[str, FilterChoices] | None = None

    def get(self, session: Session, stamp: str | None) -> FilterChoices:
        """The choices under ``stamp``: kept ones, or read (and kept) when the stamp has changed.

        ``stamp`` None (no stamp read, or the stamp's table is empty) always reads.
        """
        kept = self._kept
        if stamp is not None and kept is not None and kept[0] == stamp:
            return kept[1]
        choices = filter_choices(session)
        if stamp is not None:
            self._kept = (stamp, choices)
        return choices


def list_owners(session: Session) -> list[str]:
    """Every owner named by an action, in order. One query.

    Owners are few and actions many, so rather than ``SELECT DISTINCT`` over every action this
    skips through ``ix_action_owner`` (a "loose index scan" as a recursive CTE): one index seek per
    owner, the next owner being the least one greater than the last.
    """
    return list(session.scalars(_owners_query()))


@functools.cache
def _owners_query() -> Select[tuple[str]]:
    """The statement of :func:`list_owners`, built once: building it cost more than running it."""
    owners = _owners_cte()
    return select(owners.c.owner).where(owners.c.owner.is_not(None)).order_by(owners.c.owner)


def _owners_cte() -> CTE:
    """The distinct owners as a recursive CTE (see :func:`list_owners`); its last row is NULL."""
    first = select(func.min(_ACTION.owner).label("owner")).cte("owners", recursive=True)
    following = select(
        select(func.min(_ACTION.owner)).where(_ACTION.owner > first.c.owner).scalar_subquery()
    ).where(first.c.owner.is_not(None))
    return first.union_all(following)


class CommitteeSummary(NamedTuple):
    """A committee with its number of meetings and of outstanding actions."""

    committee: Committee
    meetings: int
    outstanding: int


def committee_summaries(session: Session) -> list[CommitteeSummary]:
    """Every committee by name, with counts of meetings and outstanding actions. Two queries."""
    committees = list_committees(session)
    meetings = dict(
        session.execute(select(Meeting.committee_id, func.count()).group_by(Meeting.committee_id)).all()
    )
    outstanding = dict(
        session.execute(
            select(Meeting.committee_id, func.count(Action.id))
            .join(MinuteItem, MinuteItem.meeting_id == Meeting.id)
            .join(Action, Action.minute_item_id == MinuteItem.id)
            .where(Action.status.in_(OPEN_STATUSES))
            .group_by(Meeting.committee_id)
        ).all()
    )
    return [CommitteeSummary(c, meetings.get(c.id, 0), outstanding.get(c.id, 0)) for c in committees]


def get_committee(session: Session, committee_id: int) -> Committee:
    """The committee with this id.

    :raise NotFoundError: there is none.
    """
    return fetch(session, Committee, committee_id, "committee")


class MeetingSummary(NamedTuple):
    """A meeting with its number of minute items and of actions (all, and outstanding)."""

    meeting: Meeting
    items: int
    actions: int
    outstanding: int


def committee_meetings(session: Session, committee_id: int) -> list[MeetingSummary]:
    """A committee's meetings, latest first (unknown dates last), with counts. Two queries."""
    meetings = list(
        session.scalars(
            select(Meeting)
            .where(Meeting.committee_id == committee_id)
            .order_by(Meeting.date.is_(None), Meeting.date.desc(), Meeting.id)
        )
    )
    counts = {
        row.id: row
        for row in session.execute(
            select(
                Meeting.id,
                func.count(func.distinct(MinuteItem.id)).label("items"),
                func.count(Action.id).label("actions"),
                func.count(Action.id).filter(Action.status.in_(OPEN_STATUSES)).label("outstanding"),
            )
            .join(MinuteItem, MinuteItem.meeting_id == Meeting.id)
            .outerjoin(Action, Action.minute_item_id == MinuteItem.id)
            .where(Meeting.committee_id == committee_id)
            .group_by(Meeting.id)
        )
    }
    return [
        MeetingSummary(
            m,
            *(
                (counts[m.id].items, counts[m.id].actions, counts[m.id].outstanding)
                if m.id in counts
                else (0, 0, 0)
            ),
        )
        for m in meetings
    ]


def outstanding_actions(session: Session, committee_id: int, *, with_history: bool = False) -> list[Action]:
    """A committee's actions not yet closed, by due date (none last), meeting and place.

    One query; two with ``with_history`` (each action's updates and their authors loaded too).
    """
    stmt = _action_rows()
    if with_history:
        stmt = stmt.options(selectinload(Action.updates).joinedload(ActionUpdate.author))
    return list(
        session.scalars(
            stmt.where(Meeting.committee_id == committee_id, Action.status.in_(OPEN_STATUSES)).order_by(
                Action.due_date.is_(None),
                Action.due_date,
                Meeting.date.is_(None),
                Meeting.date,
                MinuteItem.id,
                Action.position,
            )
        )
    )


def meeting_detail(session: Session, meeting_id: int) -> Meeting:
    """A meeting with its committee and minute items (without their texts) and their actions. Three queries.

    :raise NotFoundError: there is no such meeting.
    """
    meeting = session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            joinedload(Meeting.committee),
            selectinload(Meeting.items).options(
                defer(MinuteItem.source_text),
                defer(MinuteItem.extraction),
                selectinload(MinuteItem.actions).joinedload(Action.resolution),
            ),
        )
    )
    if meeting is None:
        raise NotFoundError(f"there is no meeting {meeting_id}")
    return meeting


def minute_item_detail(session: Session, item_id: int) -> MinuteItem:
    """A minute item with its text, meeting, committee, resolutions, actions, attendance and corrections.

    Six queries.

    :raise NotFoundError: there is no such minute item.
    """
    item = session.scalar(
        select(MinuteItem)
        .where(MinuteItem.id == item_id)
        .options(
            defer(MinuteItem.extraction),
            joinedload(MinuteItem.meeting).joinedload(Meeting.committee),
            selectinload(MinuteItem.resolutions),
            selectinload(MinuteItem.actions),
            selectinload(MinuteItem.attendances).joinedload(Attendance.person),
            selectinload(MinuteItem.corrections).joinedload(Correction.author),
        )
    )
    if item is None:
        raise NotFoundError(f"there is no minute item {item_id}")
    return item


def list_users(session: Session) -> list[User]:
    """Every account, by role then e-mail address. One query."""
    return list(session.scalars(select(User).order_by(User.role, User.email)))
