"""Login throttling: refuse sign-in for a while after repeated failures.

Failures are counted in the database (``login_failure``), not in a worker's memory, so the limits
hold across gunicorn workers and restarts. Two counters apply to every attempt: one per e-mail
address (guessing one person's password: ``LOGIN_MAX_FAILURES``, default 5) and one per network
address (trying many accounts: ``LOGIN_MAX_FAILURES_PER_ADDRESS``, default 50), each over a window of
``LOGIN_LOCK_MINUTES``. While either is at its limit, sign-in is refused without checking the
password, so a locked account cannot be probed; the lock lifts when the window ends. A successful
sign-in clears its e-mail address's counter. Unknown addresses are counted like known ones, so
the refusal says nothing about which accounts exist.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import LoginFailure, utcnow


class Limits(NamedTuple):
    """How many failures each key may have within ``window``."""

    per_email: int
    per_address: int
    window: dt.timedelta


def keys(email: str, address: str | None) -> list[str]:
    """The counters an attempt touches: its e-mail address (as stored: trimmed, lower-case) and its
    network address."""
    found = [f"email:{email.strip().lower()[:320]}"]
    if address:
        found.append(f"address:{address[:60]}")
    return found


def locked_until(session: Session, email: str, address: str | None, limits: Limits) -> dt.datetime | None:
    """When sign-in for this e-mail address from this network address opens again, or None if it is open."""
    now = utcnow()
    rows = session.scalars(select(LoginFailure).where(LoginFailure.key.in_(keys(email, address))))
    until = None
    for row in rows:
        limit = limits.per_email if row.key.startswith("email:") else limits.per_address
        ends = row.window_start + limits.window
        if row.failures >= limit and ends > now:
            until = max(until, ends) if until else ends
    return until


def record_failure(session: Session, email: str, address: str | None, limits: Limits) -> None:
    """Count one failed sign-in under each key; a key whose window has passed starts a new one.

    The increment is one UPDATE, so concurrent failures in several workers are all counted.
    """
    now = utcnow()
    for key in keys(email, address):
        counted = session.execute(
            update(LoginFailure)
            .where(LoginFailure.key == key, LoginFailure.window_start > now - limits.window)
            .values(failures=LoginFailure.failures + 1)
        ).rowcount
        if counted:
            continue
        restarted = session.execute(
            update(LoginFailure).where(LoginFailure.key == key).values(failures=1, window_start=now)
        ).rowcount
        if restarted:
            continue
        try:
            with session.begin_nested():
                session.add(LoginFailure(key=key, failures=1, window_start=now))
        except IntegrityError:  # another worker made the row first: count on it
            session.execute(
                update(LoginFailure).where(LoginFailure.key == key).values(failures=LoginFailure.failures + 1)
            )


def clear(session: Session, email: str) -> None:
    """Forget the failures of an e-mail address after its owner signed in."""
    session.execute(delete(LoginFailure).where(LoginFailure.key == keys(email, None)[0]))
