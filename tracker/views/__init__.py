"""The web app's pages, one blueprint per area: ``actions``, ``committees``, ``feeds``, ``imports``,
``links``, ``resolutions``, ``search`` and ``users``.

Views are thin: read and check the request, call services, commit, then redirect or render.
"""

from __future__ import annotations

from flask import Flask

from .. import services

#: how each close reason reads on a form
CLOSE_REASON_LABELS = {
    "completed": "Completed: the work is done",
    "superseded": "Superseded: a later decision replaced it",
    "withdrawn": "Withdrawn: it is no longer needed",
}


def init_app(app: Flask) -> None:
    """Register the blueprints, and the names every template may use."""
    from . import actions, committees, feeds, imports, links, resolutions, search, users

    app.register_blueprint(actions.bp)
    app.register_blueprint(committees.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(links.bp)
    app.register_blueprint(resolutions.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(users.bp)
    app.jinja_env.globals.update(
        RAG_LABELS=services.RAG_LABELS,
        rag_status=services.rag_status,
        feed_url=feeds.feed_url,
        CLOSE_REASON_LABELS={services.CloseReason(k): v for k, v in CLOSE_REASON_LABELS.items()},
    )
