"""Actions as plain records, and those records as CSV: shared by ``tracker actions`` and the web report.

The keys are documented in the README (``tracker actions``); both outputs use the same ones.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from .models import Action

__all__ = ["ACTION_KEYS", "action_record", "records_csv"]

#: the keys of each action in ``tracker actions --format json`` (and the CSV header), in order
ACTION_KEYS = (
    "id",
    "status",
    "close_reason",
    "overdue",
    "text",
    "owner",
    "due",
    "due_text",
    "due_rule",
    "committee",
    "meeting_date",
    "minute_item_id",
    "minute_item_title",
    "resolution_label",
    "origin",
    "version",
)


def action_record(action: Action, today: date) -> dict[str, Any]:
    """One action as plain data: the keys of :data:`ACTION_KEYS`, dates as ISO strings."""
    item = action.minute_item
    meeting = item.meeting
    record = {
        "id": action.id,
        "status": action.status.value,
        "close_reason": action.close_reason.value if action.close_reason else None,
        "overdue": action.is_overdue(today),
        "text": action.text,
        "owner": action.owner,
        "due": action.due_date.isoformat() if action.due_date else None,
        "due_text": action.due_text,
        "due_rule": action.due_rule.value if action.due_rule else None,
        "committee": meeting.committee.name,
        "meeting_date": meeting.date.isoformat() if meeting.date else None,
        "minute_item_id": item.id,
        "minute_item_title": item.title,
        "resolution_label": action.resolution.label if action.resolution else None,
        "origin": action.origin.value,
        "version": action.version,
    }
    assert tuple(record) == ACTION_KEYS
    return record


def records_csv(
    records: list[dict[str, Any]], *, lineterminator: str = "\n", for_spreadsheets: bool = False
) -> str:
    """A header row of :data:`ACTION_KEYS`, then one row per record (empty cells for None, true/false).

    :param for_spreadsheets: put a ``'`` before text starting with ``=``, ``+``, ``-``, ``@``, a tab
        or a carriage return, so that a spreadsheet opening the file never runs it as a formula.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ACTION_KEYS, lineterminator=lineterminator)
    writer.writeheader()
    for record in records:
        writer.writerow({k: _csv_value(v, for_spreadsheets) for k, v in record.items()})
    return out.getvalue()


def _csv_value(value: Any, for_spreadsheets: bool = False) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if for_spreadsheets and isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
