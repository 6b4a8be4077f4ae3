"""The tracker's tables as SQLAlchemy 2.0 typed models, and the enums their status columns hold.

One ``Base`` carries a naming convention, so every index and constraint has a predictable name that
Alembic can alter later. Migrations in ``tracker/migrations`` create these tables; ``create_all()``
is for tests only, and ``tests/tracker/test_migrations.py`` checks that the two agree.

Shape: a :class:`Committee` holds :class:`Meeting` rows (date may be unknown); a meeting holds
:class:`MinuteItem` rows (one imported text each, with its extraction); an item holds
:class:`Attendance`, :class:`Resolution` and :class:`Action` rows; an action gathers an append-only
list of :class:`ActionUpdate` rows written by :class:`User` accounts, and an item an append-only list
of :class:`Correction` rows (what people corrected in the extraction); each change to a user's
account is an append-only :class:`AccountChange`. Status columns change only through
:mod:`tracker.services` (accounts through :mod:`tracker.accounts`).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, WriteOnlyMapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from . import choices_stamp

#: constraint and index names (SQLAlchemy ``doc/build/core/constraints.rst``): Alembic needs them
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """``DateTime(timezone=True)`` that always hands back aware UTC datetimes.

    SQLite stores no offset and returns naive values; PostgreSQL returns the session's time zone.
    Both are normalised here, once, so that nothing else has to. Naive values are refused on the
    way in: they are ambiguous.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime (UTC)")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class ActionStatus(enum.StrEnum):
    """Where an action stands: open → in progress → awaiting committee → closed (and reopened)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    AWAITING_COMMITTEE = "awaiting_committee"
    CLOSED = "closed"


#: the statuses of an action that is not finished: what "open" means in lists and reports
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.AWAITING_COMMITTEE)


class CloseReason(enum.StrEnum):
    """Why a closed action was closed."""

    COMPLETED = "completed"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class LinkStatus(enum.StrEnum):
    """Where a follow-up link stands: suggested by the linker, then confirmed or dismissed by staff."""

    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class MeetingRule(enum.StrEnum):
    """How an action's due date follows the committee calendar (:mod:`tracker.calendar`).

    ``NEXT_MEETING``: "the next meeting", "a future meeting": the first known meeting of the
    committee after the meeting that set the action. ``MEETING_IN_MONTH``: "the March meeting": the
    first known meeting after it in the month held in ``Action.due_rule_month``.
    """

    NEXT_MEETING = "next_meeting"
    MEETING_IN_MONTH = "meeting_in_month"


class CalendarChangeKind(enum.StrEnum):
    """What someone did to a committee's calendar."""

    ADDED = "added"
    MOVED = "moved"
    REMOVED = "removed"


class UserRole(enum.StrEnum):
    """An account's role; what each role may do is decided where requests arrive (the web app)."""

    ADMIN = "admin"
    STAFF = "staff"
    MEMBER = "member"


class ReviewState(enum.StrEnum):
    """Whether a person has checked what the extractor read in a minute item."""

    PENDING = "pending"
    REVIEWED = "reviewed"


class ResolutionKind(enum.StrEnum):
    """The kind of a resolution clause, as the extractor classifies it (``extract.records.KINDS``)."""

    NOTING = "noting"
    DECISION = "decision"
    REQUEST = "request"
    RECOMMENDATION = "recommendation"
    REFERRAL = "referral"
    OTHER = "other"


class ActionOrigin(enum.StrEnum):
    """Where in the minutes an action was found (``extract.records.ORIGINS``)."""

    RESOLUTION = "resolution"
    NARRATIVE = "narrative"
    ACTION_LINE = "action_line"


class Capacity(enum.StrEnum):
    """Why a person is in the record of a meeting (``extract.records.CAPACITIES``)."""

    PRESENT = "present"
    INVITED = "invited"
    WITNESS = "witness"
    OFFICER = "officer"
    APOLOGY = "apology"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint, storing the members' values.

    Not a native PostgreSQL ``ENUM`` type: adding a member later is then an ordinary migration on
    both databases. ``name`` names the CHECK constraint (``ck_<table>_<name>``), so it must be unique
    within its table.
    """
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    """Declarative base: one ``MetaData`` with :data:`NAMING_CONVENTION` for every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


class Committee(Base):
    """A council committee, by its unique name (``Scrutiny Co-ordination Committee``)."""

    __tablename__ = "committee"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    meetings: Mapped[list[Meeting]] = relationship(back_populates="committee", order_by="Meeting.id")

    def __repr__(self) -> str:
        return f"<Committee {self.id} {self.name!r}>"


class Meeting(Base):
    """One meeting of a committee. ``date`` is None when unknown (then never shared between imports)."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("committee_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"))
    date: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    committee: Mapped[Committee] = relationship(back_populates="meetings")
    items: Mapped[list[MinuteItem]] = relationship(back_populates="meeting", order_by="MinuteItem.id")

    def __repr__(self) -> str:
        return f"<Meeting {self.id} committee={self.committee_id} date={self.date}>"


class MinuteItem(Base):
    """One imported minutes text (an agenda item's minute): the text, its hash and its extraction.

    ``text_sha256`` is the hex SHA-256 of ``source_text`` encoded as UTF-8, the same value as the
    extraction's ``source.sha256``; it is unique, so a text is imported once.
    """

    __tablename__ = "minute_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(Text)
    source_text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: the ``minutes-extract/1`` object the extractor returned
    extraction: Mapped[dict[str, Any]] = mapped_column(JSON)
    review_state: Mapped[ReviewState] = mapped_column(
        _enum(ReviewState, "review_state"), default=ReviewState.PENDING
    )
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: what makes a changed file the same agenda item (``url:…``, ``meeting:…``, ``path:…``; see
    #: ``docs/IMPORT.md``); None for items imported one at a time, which are never versioned
    item_key: Mapped[str | None] = mapped_column(Text, index=True)
    #: 1 for the first text of an item, one more for each changed text imported under its key
    item_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: the newer version that replaced this text; None while this is the current version
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("minute_item.id"), index=True)
    #: the agenda item's number as the sidecar or the page gives it (``12``)
    item_number: Mapped[str | None] = mapped_column(Text)
    #: where the text was published, from the sidecar file
    source_url: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    superseded_by: Mapped[MinuteItem | None] = relationship(remote_side="MinuteItem.id")
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="minute_item", order_by="Attendance.id"
    )
    resolutions: Mapped[list[Resolution]] = relationship(
        back_populates="minute_item", order_by="Resolution.position"
    )
    actions: Mapped[list[Action]] = relationship(back_populates="minute_item", order_by="Action.position")
    corrections: Mapped[list[Correction]] = relationship(
        back_populates="minute_item", order_by="Correction.id"
    )

    def excerpt(self, start: int, end: int) -> str:
        """The source text between two character offsets: the evidence for a record."""
        return self.source_text[start:end]

    def __repr__(self) -> str:
        return f"<MinuteItem {self.id} {self.title!r}>"


class Person(Base):
    """Someone named in minutes, by name (``F Abbott``); the same name is the same person."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    honorific: Mapped[str | None] = mapped_column(Text)

    attendances: Mapped[list[Attendance]] = relationship(back_populates="person", order_by="Attendance.id")

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.name!r}>"


class Attendance(Base):
    """A person's part in a minute item: role or organisation, and capacity (present, invited, …).

    ``person`` is None when the minutes name a role but nobody by name.
    """

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    minute_item_id: Mapped[int] = mapped_column(ForeignKey("minute_item.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str | None] = mapped_column(Text)
    organisation: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[Capacity] = mapped_column(_enum(Capacity, "capacity"))
    span_start: Mapped[int]
    span_end: Mapped[int]

    minute_item: Mapped[MinuteItem] = relationship(back_populates="attendances")
    person: Mapped[Person | None] = relationship(back_populates="attendances")

    def __repr__(self) -> str:
        return f"<Attendance {self.id} person={self.person_id} {self.capacity.value}>"


class Resolution(Base):
    """One leaf clause of what a committee resolved, e.g. ``(6)(c)``, with its place in the text."""

    __tablename__ = "resolution"
    __table_args__ = (UniqueConstraint("minute_item_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minute_item_id: Mapped[int] = mapped_column(ForeignKey("minute_item.id"))
    #: order within the minute item, from 0
    position: Mapped[int]
    label: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[ResolutionKind] = mapped_column(_enum(ResolutionKind, "kind"))
    needs_followup: Mapped[bool]
    owner: Mapped[str | None] = mapped_column(Text)
    due_text: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[dt.date | None]
    span_start: Mapped[int]
    span_end: Mapped[int]

    minute_item: Mapped[MinuteItem] = relationship(back_populates="resolutions")
    actions: Mapped[list[Action]] = relationship(back_populates="resolution", order_by="Action.position")

    @property
    def source_excerpt(self) -> str:
        """The clause as it stands in the source text."""
        return self.minute_item.excerpt(self.span_start, self.span_end)

    def __repr__(self) -> str:
        return f"<Resolution {self.id} {self.label!r} {self.kind.value}>"


class Action(Base):
    """Something someone must do, found in a minute item, tracked until it is closed.

    ``status``, ``close_reason``, ``closed_at`` and ``updated_at`` change only through
    :mod:`tracker.services`, each change with an :class:`ActionUpdate`. ``version`` goes up on every
    change of the row, so a stale edit is detected (SQLAlchemy's ``version_id_col``).
    """

    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("minute_item_id", "position"),
        Index("ix_action_status_due_date", "status", "due_date"),
        # the action list: one status in id order (keyset paging; the minute item, so a committee is
        # matched in the index), and the owners in the owner filter
        Index("ix_action_status_id", "status", "id", "minute_item_id"),
        Index("ix_action_owner", "owner"),
        # a committee's actions of one status: each of its minute items' in id order, from the index;
        # with the version, the linker's candidates (id and version of the open ones) come from it too
        Index("ix_action_item_status_id", "minute_item_id", "status", "id", "version"),
        # the calendar's movable actions: the few with a meeting rule, each item's read from the index
        Index(
            "ix_action_ruled",
            "minute_item_id",
            "due_rule",
            "due_rule_month",
            "due_date",
            "status",
            "version",
            sqlite_where=text("due_rule IS NOT NULL"),
            postgresql_where=text("due_rule IS NOT NULL"),
        ),
        CheckConstraint(
            "(status = 'closed' AND close_reason IS NOT NULL AND closed_at IS NOT NULL)"
            " OR (status <> 'closed' AND close_reason IS NULL AND closed_at IS NULL)",
            name="closed_has_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    minute_item_id: Mapped[int] = mapped_column(ForeignKey("minute_item.id"))
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolution.id"), index=True)
    #: order within the minute item, from 0
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(Text)
    due_text: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[dt.date | None]
    #: set while ``due_date`` follows the committee calendar; None once staff set a date by hand
    due_rule: Mapped[MeetingRule | None] = mapped_column(_enum(MeetingRule, "due_rule"))
    #: for ``MEETING_IN_MONTH``: the first day of that month
    due_rule_month: Mapped[dt.date | None]
    origin: Mapped[ActionOrigin] = mapped_column(_enum(ActionOrigin, "origin"))
    span_start: Mapped[int]
    span_end: Mapped[int]
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus, "status"), default=ActionStatus.OPEN)
    close_reason: Mapped[CloseReason | None] = mapped_column(_enum(CloseReason, "close_reason"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column()

    minute_item: Mapped[MinuteItem] = relationship(back_populates="actions")
    resolution: Mapped[Resolution | None] = relationship(back_populates="actions")
    updates: Mapped[list[ActionUpdate]] = relationship(back_populates="action", order_by="ActionUpdate.id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        """True unless the action is closed."""
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        """True when the action is not closed and its due date is before ``today``."""
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def source_excerpt(self) -> str:
        """The words in the source text the action was read from."""
        return self.minute_item.excerpt(self.span_start, self.span_end)

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.status.value} v{self.version}>"


class ActionUpdate(Base):
    """One entry in an action's history: who, when, a Markdown note, any status change and evidence.

    Append-only: once written, a row is never changed or deleted (the ORM refuses to). Evidence is a
    link (``evidence_url``) or a later minute item (``evidence_item``), or both.
    """

    __tablename__ = "action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    #: None only for what the tracker did by itself: a due date moved because minutes imported
    #: without a signed-in person (the command line) made a meeting date known
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Markdown, rendered (and sanitised) only by the web app's one renderer
    note: Mapped[str] = mapped_column(Text)
    from_status: Mapped[ActionStatus | None] = mapped_column(_enum(ActionStatus, "from_status"))
    to_status: Mapped[ActionStatus | None] = mapped_column(_enum(ActionStatus, "to_status"))
    close_reason: Mapped[CloseReason | None] = mapped_column(_enum(CloseReason, "close_reason"))
    evidence_url: Mapped[str | None] = mapped_column(Text)
    evidence_item_id: Mapped[int | None] = mapped_column(ForeignKey("minute_item.id"), index=True)

    action: Mapped[Action] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship(back_populates="updates")
    evidence_item: Mapped[MinuteItem | None] = relationship()

    @property
    def changes_status(self) -> bool:
        """True when this update moved the action to another status."""
        return self.to_status is not None

    def __repr__(self) -> str:
        change = f" {self.from_status}->{self.to_status}" if self.to_status else ""
        return f"<ActionUpdate {self.id} action={self.action_id}{change}>"


class Correction(Base):
    """A correction someone made to what the extractor read in a minute item: who, when, old → new.

    Written when minutes are imported after review (a clause's kind, an attendee's name, an action
    left out) and when a clause is edited later; ``resolution`` is the clause concerned, if any.
    Corrections to an action are in the action's own history (:class:`ActionUpdate`). Append-only.
    """

    __tablename__ = "correction"
    __table_args__ = (CheckConstraint("note <> ''", name="note_given"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minute_item_id: Mapped[int] = mapped_column(ForeignKey("minute_item.id"), index=True)
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolution.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: what changed, in words: ``clause (3): kind “noting” → “request”``
    note: Mapped[str] = mapped_column(Text)

    minute_item: Mapped[MinuteItem] = relationship(back_populates="corrections")
    resolution: Mapped[Resolution | None] = relationship()
    author: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Correction {self.id} item={self.minute_item_id}>"


class CalendarChange(Base):
    """A change someone made to a committee's calendar: a meeting date added, moved or removed.

    Meetings entered by hand are ordinary :class:`Meeting` rows without minute items, and a removed
    one is deleted, so this append-only record is what says who did what, and when. ``author`` is
    None for a change made on the command line without ``--by``.
    """

    __tablename__ = "calendar_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kind: Mapped[CalendarChangeKind] = mapped_column(_enum(CalendarChangeKind, "kind"))
    #: the date before the change (None when added)
    old_date: Mapped[dt.date | None]
    #: the date after the change (None when removed)
    new_date: Mapped[dt.date | None]
    #: how many open actions' due dates moved because of it
    actions_moved: Mapped[int] = mapped_column(default=0)

    committee: Mapped[Committee] = relationship()
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CalendarChange {self.id} {self.kind.value} {self.old_date}->{self.new_date}>"


def _refuse_change(mapper: Any, connection: Any, target: ActionUpdate | Correction) -> None:
    raise RuntimeError(f"{target!r}: history is append-only; add a new entry instead")


for _model in (ActionUpdate, Correction, CalendarChange):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)


class FollowUpLink(Base):
    """A later minute item that may answer an earlier action: the linker's score and evidence, and
    what staff decided (confirmed or dismissed, by whom, when).

    One row per (action, item) pair, never two: a dismissed suggestion stays dismissed when the
    linker runs again. Written by :mod:`tracker.links` only.
    """

    __tablename__ = "follow_up_link"
    __table_args__ = (
        UniqueConstraint("action_id", "minute_item_id"),
        Index("ix_follow_up_link_status_id", "status", "id"),
        CheckConstraint(
            "(status = 'suggested' AND decided_at IS NULL AND decided_by_id IS NULL)"
            " OR (status <> 'suggested' AND decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name="decided_has_who_and_when",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    #: the later item that may answer the action
    minute_item_id: Mapped[int] = mapped_column(ForeignKey("minute_item.id"), index=True)
    #: from 0 to 1: how strongly the words of the item answer what the action asked for
    score: Mapped[float] = mapped_column(Float)
    #: what matched: ``{"topic": [...], "phrases": [...], "subject": [...], "signals": [...]}``
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[LinkStatus] = mapped_column(_enum(LinkStatus, "status"), default=LinkStatus.SUGGESTED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    decided_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    action: Mapped[Action] = relationship()
    minute_item: Mapped[MinuteItem] = relationship()
    decided_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return (
            f"<FollowUpLink {self.id} action={self.action_id} item={self.minute_item_id} {self.status.value}>"
        )


class User(Base):
    """An account: e-mail (stored lower-case, unique), name, role and a password hash (never the password)."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[UserRole] = mapped_column(_enum(UserRole, "role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: a disabled account cannot sign in, and its open sessions end at their next request
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: kept in the session cookie at sign-in; bumped when the password changes, so that every other
    #: session of the account ends
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    #: write-only: a user's updates are many and only ever queried, never loaded whole
    updates: WriteOnlyMapped[ActionUpdate] = relationship(back_populates="author", order_by="ActionUpdate.id")

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` (Werkzeug's default method)."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r} {self.role.value}>"


class AccountChange(Base):
    """Append-only record of a change to an account: who changed whose account, when, and what.

    The note says what changed in words (``role: member → staff``); passwords never appear in it.
    """

    __tablename__ = "account_change"
    __table_args__ = (CheckConstraint("note <> ''", name="note_given"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])


event.listen(AccountChange, "before_update", _refuse_change)
event.listen(AccountChange, "before_delete", _refuse_change)


class LoginFailure(Base):
    """Failed sign-ins counted under one key (``email:…`` or ``address:…``) since ``window_start``.

    Not history: rows are replaced as windows pass and deleted on a successful sign-in, so the
    table stays as small as the number of addresses being guessed at (see :mod:`tracker.throttle`).
    """

    __tablename__ = "login_failure"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_counted"),)

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int]
    window_start: Mapped[dt.datetime]


class ChoicesStamp(Base):
    """One slot of the choices stamp: the database rewrites it when committees or owners change.

    Derived state kept by triggers, not data: backups leave it out. See :mod:`tracker.choices_stamp`.
    """

    __tablename__ = choices_stamp.TABLE
    __table_args__ = (
        CheckConstraint(f"id BETWEEN 1 AND {choices_stamp.SLOTS}", name="one_of_the_slots"),
        {"info": {"derived": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[str] = mapped_column(Text)


@event.listens_for(Base.metadata, "after_create")
def _install_choices_stamp(target: MetaData, connection: Any, **kw: Any) -> None:
    """``create_all()`` makes what the migration makes: the stamp's triggers and rows too."""
    needed = (choices_stamp.TABLE, *choices_stamp.WATCHED_TABLES)
    if all(connection.dialect.has_table(connection, name) for name in needed):
        choices_stamp.install(connection)
