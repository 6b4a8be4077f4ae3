"""Turn an analysed Doc into an :class:`Extraction` (work in progress)."""

from __future__ import annotations

from datetime import date

from spacy.tokens import Doc

from .records import Extraction


def build_extraction(doc: Doc, *, source_name: str | None, sha256: str, meeting_date: date | None) -> Extraction:
    return Extraction(
        text=doc.text,
        source_name=source_name,
        sha256=sha256,
        title=None,
        report=None,
        meeting_date=meeting_date.isoformat() if meeting_date else None,
    )
