"""Turn UK committee minutes into structured records (``minutes-extract/1``).

Public surface: :func:`extract_minutes`, :func:`extract_many`, the records in
:mod:`extract.records` and the errors in :mod:`extract.errors`. This package never imports
Flask or SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from .errors import ExtractionError
from .records import SCHEMA, Extraction

__all__ = ["SCHEMA", "Extraction", "ExtractionError", "extract_many", "extract_minutes"]


def extract_minutes(
    text: str, *, source_name: str | None = None, meeting_date: date | str | None = None
) -> Extraction:
    """Extract one minutes text.

    :param meeting_date: the meeting's date, when known; relative deadlines resolve against it.
    :raise EmptyMinutesError: the text is empty or only whitespace.
    :raise MinutesTooLargeError: the text is over the size limit.
    """
    from .pipeline import get_nlp, run

    return run(get_nlp(), text, source_name=source_name, meeting_date=meeting_date)


def extract_many(
    texts: Iterable[str] | Iterable[tuple[str, dict]],
    *,
    n_process: int = 1,
    batch_size: int = 64,
    as_tuples: bool = False,
) -> Iterator[Extraction]:
    """Extract many texts with one pipeline, yielding one :class:`Extraction` per text, in order.

    With ``as_tuples=True`` each item is ``(text, context)`` where ``context`` may hold
    ``source_name`` and ``meeting_date``.
    """
    from .pipeline import get_nlp, run_many

    yield from run_many(get_nlp(), texts, n_process=n_process, batch_size=batch_size, as_tuples=as_tuples)
