"""minutes-tracker: follow committee resolutions and actions until they are done.

:func:`create_app` is the application factory; there is no module-level app. People run the
``tracker`` console script (:mod:`tracker.cli`), which builds the app when a command needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import config, db

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the app: configuration, then the database, then the CLI commands.

    :param test_config: settings for tests. When given, ``instance/config.py`` and the
        ``TRACKER_*`` environment variables are not read, so tests never touch a real database.
    """
    from . import cli  # cli imports this module for its FlaskGroup: import it late

    app = Flask(__name__, instance_relative_config=True)
    config.load(app, test_config)
    db.init_app(app)
    cli.init_app(app)
    return app
