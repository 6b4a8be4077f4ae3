"""What a reader must preserve for the extractor: the facts extracted from a text, and what spans cover.

The PDF and DOCX tests compare a seed set as a document with the seed's ``.txt`` through these.
"""

from __future__ import annotations

from extract import extract_minutes


def facts(text: str) -> dict[str, list[tuple[object, ...]]]:
    """What the tracker imports from minutes: resolutions, actions and attendees, by their fields."""
    ex = extract_minutes(text, source_name="m", meeting_date=None)
    return {
        "resolutions": [(r.label, r.owner, r.kind, r.needs_followup) for r in ex.resolutions],
        "actions": [(a.owner, a.resolution, a.origin) for a in ex.actions],
        "attendees": [(a.name, a.honorific, a.role, a.capacity) for a in ex.attendees],
    }


def spanned(text: str) -> list[str]:
    """The words under each resolution's and action's span, whitespace folded."""
    ex = extract_minutes(text, source_name="m", meeting_date=None)
    return [" ".join(text[slice(*item.span)].split()) for item in (*ex.resolutions, *ex.actions)]
