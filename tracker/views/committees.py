"""Blueprint ``committees``: committees, their meetings and minute items, and each committee's
outstanding actions report (printable, CSV) and calendar of due dates (``.ics``).

Every page needs a signed-in user; nothing here changes anything (a clause's edit form posts to
:mod:`tracker.views.resolutions`).
"""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, render_template, url_for

from .. import services
from ..auth import require_login
from ..db import get_session
from ..export import action_record, records_csv
from ..ical import due_calendar
from ..models import ResolutionKind
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
    return item_page(item_id)


def item_page(
    item_id: int, *, editing: int | None = None, form: dict[str, str] | None = None, error: str | None = None
) -> str:
    """The minute item page; ``editing`` is a clause whose edit form failed (``form`` as typed, ``error``)."""
    found = services.minute_item_detail(get_session(), item_id)
    spans = [(a.span_start, a.span_end) for a in found.actions]
    return render_template(
        "committees/item.html",
        item=found,
        source=highlight(found.source_text, spans),
        today=date.today(),
        kinds=[k.value for k in ResolutionKind],
        editing=editing,
        form=form or {},
        error=error,
    )


@bp.get("/committees/<int:committee_id>/report")
def report(committee_id: int) -> str:
    """The outstanding actions report for the committee's next agenda: printable, with each latest update.

    :raise NotFoundError: no such committee (a 404 page).
    """
    session = get_session()
    return render_template(
        "committees/report.html",
        committee=services.get_committee(session, committee_id),
        actions=services.outstanding_actions(session, committee_id, with_history=True),
        today=date.today(),
    )


@bp.get("/committees/<int:committee_id>/report.csv")
def report_csv(committee_id: int) -> Response:
    """The outstanding actions report as CSV (the columns of ``tracker actions --format csv``)."""
    session = get_session()
    committee = services.get_committee(session, committee_id)
    today = date.today()
    records = [action_record(a, today) for a in services.outstanding_actions(session, committee_id)]
    filename = f"outstanding-actions-{_slug(committee.name)}-{today.isoformat()}.csv"
    return Response(
        records_csv(records, lineterminator="\r\n", for_spreadsheets=True),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/committees/<int:committee_id>/due.ics")
def calendar(committee_id: int) -> Response:
    """The due dates of the committee's outstanding actions as an iCalendar feed."""
    session = get_session()
    committee = services.get_committee(session, committee_id)
    body = due_calendar(
        f"{committee.name}: actions due",
        services.outstanding_actions(session, committee_id),
        url_for_action=lambda a: url_for("actions.detail", action_id=a.id, _external=True),
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'inline; filename="{_slug(committee.name)}-due.ics"'},
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "committee"
