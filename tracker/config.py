"""Settings declared as data: each key once, with its default and a line of help.

This is the only module of the app that reads the environment. :func:`load` applies, in order: the
defaults, then (unless testing) ``instance/config.py`` and every ``TRACKER_*`` environment variable
(``TRACKER_DATABASE_URL`` sets ``DATABASE_URL``), then the test mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

#: prefix of the environment variables read by :func:`load`
ENV_PREFIX = "TRACKER"
#: the SQLite file used when ``DATABASE_URL`` is not set, in the app's instance folder
DEFAULT_DATABASE_FILE = "tracker.sqlite3"


@dataclass(frozen=True, slots=True)
class Setting:
    """One configuration key: its name (without the ``TRACKER_`` prefix), default and help."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host/tracker. "
        f"Unset: the SQLite file {DEFAULT_DATABASE_FILE} in the instance folder, created on first use.",
    ),
    Setting(
        "SECRET_KEY",
        "dev",
        "Signs the web app's session cookies. The default is for development only: "
        "set a long random value anywhere else.",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        5 * 1024 * 1024,
        "The largest request the web app accepts, in bytes: a larger upload of minutes gets a "
        "“too large” page. Default 5 MB, the extractor's own limit.",
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        False,
        "Send the session cookie over HTTPS only, and ask browsers to use HTTPS only (HSTS). "
        "Set it to true whenever the app is served over HTTPS, as it should be in production.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "How many reverse proxies (nginx, a load balancer) stand in front of the app. Their "
        "X-Forwarded-For/-Proto/-Host headers are then trusted, so login throttling sees the "
        "visitor's address and links use https. Leave 0 when clients connect directly.",
    ),
    Setting(
        "LOGIN_MAX_FAILURES",
        5,
        "Failed sign-ins allowed for one e-mail address within LOGIN_LOCK_MINUTES; after that, "
        "sign-in for that address is refused until the window ends.",
    ),
    Setting(
        "LOGIN_MAX_FAILURES_PER_ADDRESS",
        50,
        "Failed sign-ins allowed from one network address (any e-mail) within LOGIN_LOCK_MINUTES.",
    ),
    Setting(
        "LOGIN_LOCK_MINUTES",
        15,
        "The window, in minutes, over which failed sign-ins are counted, and how long a lock lasts.",
    ),
    Setting(
        "SPACY_MODEL",
        None,
        "An installed trained spaCy pipeline (package name or path) used when importing minutes. "
        "Unset: a blank English pipeline, nothing to download.",
    ),
)

#: every key with its default, as loaded first by :func:`load`
DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


def default_database_url(instance_path: str | Path) -> str:
    """The SQLite URL of :data:`DEFAULT_DATABASE_FILE` inside ``instance_path``."""
    return f"sqlite:///{Path(instance_path) / DEFAULT_DATABASE_FILE}"


def load(app: Flask, test_config: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config``: defaults, then instance file and environment (not when testing), then tests.

    :param test_config: when given, replaces the instance file and the environment, so that a
        developer's ``TRACKER_DATABASE_URL`` never points the tests at a real database.
    """
    app.config.from_mapping(DEFAULTS)
    # Session cookie: out of reach of scripts, and not sent with other sites' form posts.
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env(ENV_PREFIX)
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = default_database_url(app.instance_path)


def check_secret_key(app: Flask) -> None:
    """Refuse the development secret key outside debug mode and tests.

    :raise ConfigurationError: ``SECRET_KEY`` is unset, blank or ``dev`` and the app is not in debug
        or testing mode.
    """
    from .errors import ConfigurationError

    key = app.config.get("SECRET_KEY")
    if (not key or key == "dev") and not (app.debug or app.testing):
        raise ConfigurationError(
            "TRACKER_SECRET_KEY is not set (or is the development default 'dev'), so session cookies "
            "could be forged. Set it to a long random value, for example the output of "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`, or use debug mode for development."
        )
