"""minutes-tracker: follow committee resolutions and actions until they are done.

:func:`create_app` is the application factory; there is no module-level app. People run the
``tracker`` console script (:mod:`tracker.cli`), which builds the app when a command needs it, or a
WSGI server (``gunicorn 'tracker:create_app()'``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app", "resource_dir"]

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder ``templates``, ``static`` or ``seeds``, wherever this copy of the app keeps it.

    A checkout (and an editable install) keeps them at the repository root, next to the package;
    a wheel installs them inside the package (``pyproject.toml`` maps them there). The package's
    own folder is tried first, so that an unrelated top-level ``templates`` beside an installed
    package is never taken for ours.
    """
    packaged = _PACKAGE / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def create_app(test_config: Mapping[str, Any] | None = None, *, cli: bool = False) -> Flask:
    """Create and configure the app: configuration, database, CSRF, pages, error pages, commands.

    :param test_config: settings for tests. When given, ``instance/config.py`` and the
        ``TRACKER_*`` environment variables are not read, so tests never touch a real database.
    :param cli: built for a command line command, which may not serve pages: the secret key is then
        checked when a page is requested rather than at once.
    :raise ConfigurationError: the secret key is the development default outside debug mode and
        tests (unless ``cli``).
    """
    # Imported here, not at the top: ``cli`` imports this module, and a batch import's worker
    # processes import the package for :mod:`tracker.reading` alone (no Flask, no SQLAlchemy).
    from flask import Flask
    from flask_wtf.csrf import CSRFProtect

    from . import auth, config, db, errors, render, security, views
    from . import cli as commands

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    config.load(app, test_config)
    if cli:
        app.before_request(lambda: config.check_secret_key(app))
    else:
        config.check_secret_key(app)
    db.init_app(app)
    CSRFProtect(app)
    security.init_app(app)
    render.init_app(app)
    app.register_blueprint(auth.bp)
    views.init_app(app)
    app.jinja_env.globals["can"] = auth.can
    errors.register_error_handlers(app)
    commands.init_app(app)
    return app
