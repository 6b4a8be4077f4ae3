"""An iCalendar (RFC 5545) feed of actions' due dates: one all-day VEVENT per dated action.

Lines end in CRLF and are folded at 75 octets; text values are escaped (backslash, semicolon,
comma, newline). Each event's UID is derived from the action's id, so a calendar that subscribes
to the feed updates an event instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from .models import Action, utcnow

PRODID = "-//minutes-tracker//Outstanding actions//EN"
#: the domain part of every UID: stable, and not tied to where the app happens to run
UID_DOMAIN = "minutes-tracker"


def escape_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 requires."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, continuation lines starting with a space."""
    pieces, current, size = [], "", 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, 74  # the leading space of a continuation line counts
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def due_calendar(
    name: str,
    actions: Iterable[Action],
    *,
    url_for_action: Callable[[Action], str],
    now: datetime | None = None,
) -> str:
    """The calendar ``name`` with an all-day event on each dated action's due date."""
    stamp = _stamp(now or utcnow())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for action in actions:
        if action.due_date is None:
            continue
        owner = action.owner or "nobody named"
        text = " ".join(action.text.split())
        label = action.resolution.label if action.resolution else None
        status = action.status.value.replace("_", " ")
        origin = f"clause {label}, " if label else ""
        summary = f"Action {action.id} due ({owner}): {text}"
        description = (
            f"{text}\n\nOwner: {owner}\nStatus: {status}\n"
            f"From: {origin}{action.minute_item.meeting.committee.name}"
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:action-{action.id}@{UID_DOMAIN}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{action.due_date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{action.due_date + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(description)}",
            f"URL:{url_for_action(action)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
