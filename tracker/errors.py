"""The tracker's exceptions: one base, :class:`TrackerError`, and flat named subclasses.

Services raise these; the command line turns them into one-line messages, and the web app (next)
maps each ``status`` onto an HTTP response. Errors from other libraries are translated into these
at one boundary: the extractor's :class:`~extract.errors.ExtractionError` becomes
:class:`MinutesRejectedError`, SQLAlchemy's ``StaleDataError`` becomes :class:`ConcurrentEditError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from extract.errors import ExtractionError

__all__ = [
    "ConcurrentEditError",
    "DatabaseSchemaError",
    "DuplicateMinutesError",
    "InvalidTransitionError",
    "MinutesRejectedError",
    "NotFoundError",
    "TrackerError",
    "ValidationError",
]


class TrackerError(Exception):
    """Base of every error the tracker raises on purpose; ``message`` is for people to read."""

    #: the HTTP status the web app answers with
    status: ClassVar[int] = 500
    #: a short heading for the error page
    title: ClassVar[str] = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(TrackerError):
    """No such action, minute item, committee or user."""

    status = 404
    title = "Not found"


class ValidationError(TrackerError):
    """A value a service cannot accept: a blank note, a malformed e-mail address, a short password."""

    status = 400
    title = "Invalid input"


class InvalidTransitionError(TrackerError):
    """A status change the action's life cycle does not allow, such as closing a closed action."""

    status = 409
    title = "Not allowed in this state"


class ConcurrentEditError(TrackerError):
    """The action changed since the caller read it (its ``version`` moved on)."""

    status = 409
    title = "Changed by someone else"


class DatabaseSchemaError(TrackerError):
    """The database cannot be used as it is: no schema yet, an older one, or one made by other means."""

    status = 503
    title = "Database not ready"


class DuplicateMinutesError(TrackerError):
    """The same text was already imported, for another committee or meeting date."""

    status = 409
    title = "Already imported"

    def __init__(self, message: str, *, minute_item_id: int) -> None:
        super().__init__(message)
        self.minute_item_id = minute_item_id


class MinutesRejectedError(TrackerError):
    """The minutes could not be read or extracted; wraps the extractor's error and keeps its code."""

    status = 400
    title = "Minutes not accepted"

    def __init__(self, error: ExtractionError) -> None:
        super().__init__(error.message)
        self.error = error
        #: the extractor's error code, e.g. ``E_EMPTY``
        self.code = error.code
        #: the file or name the minutes came from, when known
        self.source = error.source

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        return f"{where}{' '.join(self.message.split())} [{self.code}]"
