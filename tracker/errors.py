"""The tracker's exceptions: one base, :class:`TrackerError`, and flat named subclasses.

Services raise these; the command line turns them into one-line messages, and the web app maps
each ``status`` onto an error page (:func:`register_error_handlers`). Errors from other libraries
are translated into these at one boundary: the extractor's :class:`~extract.errors.ExtractionError` becomes
:class:`MinutesRejectedError`, SQLAlchemy's ``StaleDataError`` becomes :class:`ConcurrentEditError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from flask import Flask

    from extract.errors import ExtractionError

__all__ = [
    "ConcurrentEditError",
    "ConfigurationError",
    "DatabaseSchemaError",
    "DuplicateMinutesError",
    "FormTamperedError",
    "InvalidTransitionError",
    "MinutesRejectedError",
    "NotFoundError",
    "TrackerError",
    "ValidationError",
    "register_error_handlers",
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


class FormTamperedError(TrackerError):
    """A form's signed part came back changed, or was not made by this tracker: nothing is done."""

    status = 400
    title = "The form could not be accepted"


class ConfigurationError(TrackerError):
    """The app is configured in a way that is unsafe to serve, such as the development secret key."""

    status = 500
    title = "Not configured"


# ---------------------------------------------------------------------------------------------
# the web app's error pages


def register_error_handlers(app: Flask) -> None:
    """Answer tracker errors and HTTP errors with a page that says what happened and a way back.

    The 500 handler rolls the request's Session back first (microblog's ``internal_error``).
    """
    from flask import g, render_template
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException, InternalServerError

    def _rollback() -> None:
        """Roll back the request's Session if it has one (never open one just to roll it back)."""
        session = g.get("db_session")
        if session is not None:
            session.rollback()

    def page(status: int, title: str, message: str) -> tuple[str, int]:
        names = [f"errors/{status}.html", "errors/error.html"]
        return render_template(names, status=status, title=title, message=message), status

    @app.errorhandler(TrackerError)
    def tracker_error(err: TrackerError) -> tuple[str, int]:
        if err.status >= 500:
            _rollback()
        return page(err.status, err.title, err.message)

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError) -> tuple[str, int]:
        return page(
            400,
            "The form could not be accepted",
            "The form was out of date or did not come from this site, so nothing was saved. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(InternalServerError)
    def internal_error(err: InternalServerError) -> tuple[str, int]:
        _rollback()
        return page(
            500,
            "Something went wrong",
            "The tracker hit an unexpected problem and nothing was saved. Try again in a moment; "
            "if it happens again, tell whoever runs the tracker what you were doing.",
        )

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        if err.code is None or err.code < 400:
            return err
        if err.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH") or 0
            return page(413, "Too large", _TOO_LARGE.format(mb=f"{limit / 1024 / 1024:g}"))
        return page(err.code, _TITLES.get(err.code, err.name), _MESSAGES.get(err.code, err.description or ""))


_TOO_LARGE = (
    "What you sent is over the limit of {mb} MB, so nothing was imported or saved. Save only the "
    "minute item you need as its own file (.txt, .html, .pdf or .docx), or paste its text, and try again."
)
_TITLES = {403: "You cannot do that", 404: "Page not found", 405: "Not allowed"}
_MESSAGES = {
    403: "Your account may read the tracker but not change it. Ask a member of staff to make the change.",
    404: "There is no page at this address. It may have been typed wrongly, or the link is out of date.",
    405: "This address does not accept that kind of request. Use the buttons on the pages instead.",
}
