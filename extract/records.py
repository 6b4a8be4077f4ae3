"""Plain, frozen records that leave the extractor: no spaCy objects cross this line.

Every record carries ``span = (start, end)``: character offsets into the text the extractor
read, so that ``text[start:end]`` is the evidence for it.
"""

from __future__ import annotations

from dataclasses import field, fields
from typing import Any, TypeVar

from .frozen import frozen

_T = TypeVar("_T")


def record(cls: type[_T]) -> type[_T]:
    """A frozen, slotted dataclass that pickles as its class and its ``__init__`` arguments.

    Why: a batch import's workers send every extraction (and the linker's profile of its item,
    :class:`tracker.profiles.ItemProfile`) to the writer, and a slotted dataclass unpickles through
    ``dataclasses``' ``__setstate__``, which looks the fields up again for every object: an
    extraction took about 175 µs to load, against 60 µs when each record is rebuilt by its
    ``__init__`` from a tuple (200 generated items, ``pickle.loads``), and
    :func:`~extract.frozen.frozen` makes that ``__init__`` cheaper still. Fields made in
    ``__post_init__`` (``init=False``) are made again on loading, not sent.
    """
    made = frozen(cls)
    names = tuple(f.name for f in fields(made) if f.init)

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return made, tuple([getattr(self, name) for name in names])

    made.__reduce__ = __reduce__  # type: ignore[method-assign]
    return made


SCHEMA = "minutes-extract/1"

Span = tuple[int, int]

#: resolution kinds, in the order the schema documents them
KINDS = ("noting", "decision", "request", "recommendation", "referral", "other")
#: where an action was found
ORIGINS = ("resolution", "narrative", "action_line")
#: why a person is in the record of the meeting
CAPACITIES = ("present", "invited", "witness", "officer", "apology")


@record
class Due:
    """A deadline as written (``the next meeting``) plus the ISO date when it resolves."""

    text: str
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "date": self.date}


@record
class Report:
    """What the item considered: ``Report of the Director of …`` → kind and author."""

    kind: str
    author: str | None
    span: Span

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "author": self.author, "span": list(self.span)}


@record
class Attendee:
    name: str | None
    honorific: str | None
    role: str | None
    organisation: str | None
    capacity: str
    span: Span

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "honorific": self.honorific,
            "role": self.role,
            "organisation": self.organisation,
            "capacity": self.capacity,
            "span": list(self.span),
        }


@record
class Resolution:
    """One leaf clause of a resolution block; an introducing clause's words lead ``text``."""

    label: str | None
    text: str
    kind: str
    needs_followup: bool
    owner: str | None
    due: Due | None
    span: Span
    item: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "text": self.text,
            "kind": self.kind,
            "needs_followup": self.needs_followup,
            "owner": self.owner,
            "due": self.due.to_dict() if self.due else None,
            "span": list(self.span),
            "item": self.item,
        }


@record
class Action:
    """A follow-up somebody must do, from a resolution, the narrative or an ``Action:`` line."""

    text: str
    owner: str | None
    due: Due | None
    origin: str
    resolution: str | None
    span: Span
    resolution_index: int | None = None
    item: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "owner": self.owner,
            "due": self.due.to_dict() if self.due else None,
            "origin": self.origin,
            "resolution": self.resolution,
            "resolution_index": self.resolution_index,
            "span": list(self.span),
            "item": self.item,
        }


@record
class DateMention:
    text: str
    date: str | None
    span: Span

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "date": self.date, "span": list(self.span)}


@record
class Amount:
    """A sum of money: ``£4.63m`` has value 4630000 (pounds, or the currency's unit)."""

    text: str
    value: int | float
    currency: str
    span: Span

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "value": self.value, "currency": self.currency, "span": list(self.span)}


@record
class Reference:
    """A pointer to another minute: ``Minute 18 below refers``."""

    text: str
    span: Span

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "span": list(self.span)}


@record
class ExtractionWarning:
    """Where the extractor doubts itself; ``code`` is stable (``W_ACTION_NO_OWNER``)."""

    code: str
    message: str
    span: Span | None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "span": list(self.span) if self.span else None}


@record
class Meeting:
    """What the page itself says about its meeting (``Meeting: 14/03/2019 - Audit Committee (Item 12)``)."""

    committee: str | None
    date: str | None
    item: str | None
    span: Span | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "committee": self.committee,
            "date": self.date,
            "item": self.item,
            "span": list(self.span) if self.span else None,
        }


@record
class Extraction:
    """Everything read from one minutes text; ``to_dict()`` is the ``minutes-extract/1`` object."""

    text: str
    source_name: str | None
    sha256: str
    title: str | None
    report: Report | None
    attendees: tuple[Attendee, ...] = ()
    resolutions: tuple[Resolution, ...] = ()
    actions: tuple[Action, ...] = ()
    dates: tuple[DateMention, ...] = ()
    amounts: tuple[Amount, ...] = ()
    references: tuple[Reference, ...] = ()
    warnings: tuple[ExtractionWarning, ...] = ()
    meeting: Meeting | None = None
    meeting_date: str | None = None
    #: True when ``text`` was derived from another format (HTML): the output then carries it
    derived_text: bool = False
    items: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "source": {"name": self.source_name, "sha256": self.sha256},
        }
        if self.derived_text:
            out["text"] = self.text
        out.update(
            {
                "title": self.title,
                "report": self.report.to_dict() if self.report else None,
                "meeting": self.meeting.to_dict() if self.meeting else None,
                "meeting_date": self.meeting_date,
                "attendees": [a.to_dict() for a in self.attendees],
                "resolutions": [r.to_dict() for r in self.resolutions],
                "actions": [a.to_dict() for a in self.actions],
                "dates": [d.to_dict() for d in self.dates],
                "amounts": [a.to_dict() for a in self.amounts],
                "references": [r.to_dict() for r in self.references],
                "warnings": [w.to_dict() for w in self.warnings],
            }
        )
        return out
