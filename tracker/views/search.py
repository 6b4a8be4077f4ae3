"""Blueprint ``search``: "what did we resolve about …?" over clauses and minute item titles.

Actions have their own filters on the action list; this page finds resolutions, including those
that never became an action, and links to the matching actions. Every signed-in user may search.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from .. import search as finder
from .. import services
from ..auth import require_login
from ..db import get_session
from ..render import words_in_context

bp = Blueprint("search", __name__)
bp.before_request(require_login)


@bp.get("/search")
def index() -> str:
    """The search form and, when words were given, a page of matching clauses and items."""
    session = get_session()
    committee_id = _int(request.args.get("committee"))
    after = _int(request.args.get("after"))
    results = finder.search(session, request.args.get("q", ""), committee_id=committee_id, after=after)
    kept = {"q": results.words, "committee": committee_id}
    kept = {k: v for k, v in kept.items() if v}
    return render_template(
        "search/index.html",
        results=results,
        committee_id=committee_id,
        after=after,
        committees=services.list_committees(session),
        excerpt=words_in_context,
        first_url=url_for(".index", **kept),
        next_url=url_for(".index", **kept, after=results.next_after) if results.next_after else None,
        actions_url=url_for("actions.index", q=results.words, status="all", committee=committee_id or None),
    )


def _int(value: str | None) -> int | None:
    """A positive whole number from the query string, else None (a bad value just drops the filter)."""
    return int(value) if value and value.isdigit() and 0 < int(value) < 2**63 else None
