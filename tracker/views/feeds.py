"""Blueprint ``feeds``: a committee's calendar of due dates at a secret address, for calendar programs.

Outlook, Google Calendar and phones subscribe to an ``.ics`` address and fetch it on their own,
without a session cookie, so the signed-in ``/committees/ID/due.ics`` cannot serve them. This
address instead carries a token: the committee's id signed with the app's secret key (salted for
this one use, so it cannot be replayed as a session or a CSRF token). Anyone holding the address
reads that committee's outstanding actions and due dates, nothing else, and cannot change
anything. Changing ``TRACKER_SECRET_KEY`` revokes every such address at once (and signs everyone
out); see the README.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from .committees import calendar

bp = Blueprint("feeds", __name__)

SALT = "tracker.feeds.due-calendar"


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def feed_token(committee_id: int) -> str:
    """The token of ``committee_id``'s subscription address (the same every time for one secret key)."""
    return _signer().dumps(committee_id)


def feed_url(committee_id: int) -> str:
    """The full subscription address of ``committee_id``'s calendar of due dates."""
    return url_for("feeds.due_calendar", token=feed_token(committee_id), _external=True)


@bp.get("/feeds/<token>/due.ics")
def due_calendar(token: str) -> Response:
    """The committee's due dates as iCalendar, for whoever holds the address.

    :raise 404: the token was not made with this app's secret key (or the committee is gone), so
        a guessed or revoked address tells nothing.
    """
    try:
        committee_id = _signer().loads(token)
    except BadSignature:
        abort(404)
    if not isinstance(committee_id, int):
        abort(404)
    response = calendar(committee_id)
    response.headers["Cache-Control"] = "private, max-age=900"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
