"""Signing in and out, and who may do what: blueprint ``auth`` and the role decorators.

The signed-in user's id lives in Flask's signed session cookie with the account's session version;
:func:`load_user` puts the account on ``g.user`` before every request (a
:class:`~tracker.services.SignedInUser` for a page view, the :class:`~tracker.models.User` for a
request that may change something), unless the account was disabled or its password changed since
(then the session ends). Roles: a **member** reads everything and changes nothing; **staff** also
add updates and close and reopen actions; an **admin** may do what staff do, and manages accounts.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from . import services, throttle
from .db import READING_METHODS, get_session
from .models import User, UserRole, utcnow

bp = Blueprint("auth", __name__)

F = TypeVar("F", bound=Callable[..., Any])

#: the roles that include each role's rights
_INCLUDED: dict[UserRole, frozenset[UserRole]] = {
    UserRole.MEMBER: frozenset({UserRole.MEMBER, UserRole.STAFF, UserRole.ADMIN}),
    UserRole.STAFF: frozenset({UserRole.STAFF, UserRole.ADMIN}),
    UserRole.ADMIN: frozenset({UserRole.ADMIN}),
}


@bp.before_app_request
def load_user() -> None:
    """Put the signed-in user (or None) on ``g.user`` (static files need nobody)."""
    if request.endpoint == "static":
        g.user = None
        return
    user_id = session.get("user_id")
    user: User | services.SignedInUser | None = None
    if isinstance(user_id, int):
        if request.method in READING_METHODS:  # a page view needs only the account's columns
            user = services.get_signed_in_user(get_session(), user_id)
        else:  # a change is recorded with its author: the User itself
            user = services.get_user(get_session(), user_id)
    if user is not None and (not user.active or session.get("session_version", 1) != user.session_version):
        user = None  # disabled since, or its password changed: this session ends
    g.user = user
    if user_id is not None and user is None:
        session.clear()


def can(role: UserRole | str) -> bool:
    """True when the signed-in user has ``role``'s rights (an admin has staff's)."""
    user = g.get("user")
    return user is not None and user.role in _INCLUDED[UserRole(role)]


def _to_login() -> Response:
    return redirect(url_for("auth.login", next=_here()))


def _here() -> str | None:
    """Where to come back to after signing in: this page, but never a form's target (GET would 405)."""
    return request.full_path.rstrip("?") if request.method == "GET" else None


def require_login() -> Response | None:
    """A ``before_request`` hook for blueprints whose every page needs a signed-in user."""
    if g.get("user") is None:
        return _to_login()
    return None


def login_required(view: F) -> F:
    """Send anyone not signed in to the sign-in page, then back here."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return _to_login()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def role_required(role: str) -> Callable[[F], F]:
    """Like :func:`login_required`, and answer 403 to a user without ``role``'s rights."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.get("user") is None:
                return _to_login()
            if not can(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (``/actions?x=1``), else None: no open redirects."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\r\n\\"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with e-mail address and password; a mistake keeps the typed address."""
    next_url = safe_next(request.values.get("next"))
    if g.get("user") is not None and request.method == "GET":
        return redirect(next_url or url_for("actions.dashboard"))
    email = request.form.get("email", "")
    error = None
    status = 200
    if request.method == "POST":
        db_session = get_session()
        limits = _limits()
        until = throttle.locked_until(db_session, email, request.remote_addr, limits)
        if until is not None:
            minutes = max(1, math.ceil((until - utcnow()).total_seconds() / 60))
            error = (
                "Too many failed attempts to sign in. For your account's safety, signing in is paused: "
                f"try again in {minutes} minute{'s' if minutes != 1 else ''}, "
                "or ask an admin to set a new password."
            )
            status = 429
        else:
            user = services.authenticate(db_session, email, request.form.get("password", ""))
            if user is not None:
                throttle.clear(db_session, email)
                db_session.commit()
                session.clear()
                session["user_id"] = user.id
                session["session_version"] = user.session_version
                flash(f"Signed in as {user.name}.")
                return redirect(next_url or url_for("actions.dashboard"))
            throttle.record_failure(db_session, email, request.remote_addr, limits)
            db_session.commit()
            error = "That e-mail address and password do not match an account. Check both and try again."
            status = 400
    return render_template("auth/login.html", email=email, next=next_url, error=error), status


def _limits() -> throttle.Limits:
    config = current_app.config
    return throttle.Limits(
        per_email=int(config["LOGIN_MAX_FAILURES"]),
        per_address=int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
        window=timedelta(minutes=int(config["LOGIN_LOCK_MINUTES"])),
    )


@bp.post("/logout")
def logout() -> Response:
    """Sign out (POST, with the form's CSRF token, so no other site can sign you out)."""
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("auth.login"))
