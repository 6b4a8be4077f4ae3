"""Blueprint ``committees``: committees, their meetings and minute items, and each committee's
outstanding actions report (printable, CSV) and calendar of due dates (``.ics``).

Every page needs a signed-in user; nothing here changes anything.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template

from .. import services
from ..auth import require_login
from ..db import get_session
from ..render import highlight

bp = Blueprint("committees", __name__)
bp.before_request(require_login)


@bp.get("/committees")
def index() -> str:
    """Every committee, with its numbers of meetings and outstanding actions."""
    return render_template("committees/index.html", summaries=services.committee_summaries(get_session()))


@bp.get("/committees/<int:committee_id>")
def detail(committee_id: int) -> str:
    """A committee: its meetings and its outstanding actions.

    :raise NotFoundError: no such committee (a 404 page).
    """
    session = get_session()
    committee = services.get_committee(session, committee_id)
    return render_template(
        "committees/detail.html",
        committee=committee,
        meetings=services.committee_meetings(session, committee_id),
        actions=services.outstanding_actions(session, committee_id),
        today=date.today(),
    )


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int) -> str:
    """A meeting: its minute items and the actions each one set.

    :raise NotFoundError: no such meeting (a 404 page).
    """
    found = services.meeting_detail(get_session(), meeting_id)
    return render_template("committees/meeting.html", meeting=found, today=date.today())


@bp.get("/items/<int:item_id>")
def item(item_id: int) -> str:
    """A minute item: its text with the actions' words highlighted, its resolutions and actions.

    :raise NotFoundError: no such minute item (a 404 page).
    """
    found = services.minute_item_detail(get_session(), item_id)
    spans = [(a.span_start, a.span_end) for a in found.actions]
    return render_template(
        "committees/item.html",
        item=found,
        source=highlight(found.source_text, spans),
        today=date.today(),
    )
