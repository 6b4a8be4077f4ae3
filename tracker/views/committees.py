"""Blueprint ``committees``: committees, their meetings and minute items, each committee's
outstanding actions report (printable, CSV) and calendar of due dates (``.ics``), and its meeting
calendar, where staff add, move and remove scheduled meetings (:mod:`tracker.calendar`).

Every page needs a signed-in user. The calendar forms are the only changes made here (staff and
admins only); a clause's edit form posts to :mod:`tracker.views.resolutions`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from .. import calendar as meeting_calendar
from .. import services
from ..auth import require_login, role_required
from ..db import get_session
from ..errors import ValidationError
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
    """A committee: its outstanding actions and its calendar (meetings held and to come).

    :raise NotFoundError: no such committee (a 404 page).
    """
    return _detail_page(committee_id)


def _detail_page(
    committee_id: int, *, form: str | None = None, meeting_id: int | None = None, error: str | None = None
) -> str:
    """The committee page; after a refused calendar form, ``form`` names it (``add``, ``move``,
    ``remove``), ``meeting_id`` its meeting, and ``error`` says why; what was typed is kept."""
    session = get_session()
    committee = services.get_committee(session, committee_id)
    today = date.today()
    plan = meeting_calendar.committee_calendar(session, committee_id, today=today)
    if meeting_id is not None and meeting_id not in {
        e.meeting.id for e in plan.past + plan.upcoming if e.scheduled
    }:
        meeting_id = 0  # no form of its own on the page (minutes imported, or gone): say so at the top
    return render_template(
        "committees/detail.html",
        committee=committee,
        calendar=plan,
        actions=services.outstanding_actions(session, committee_id),
        today=today,
        failed=form,
        failed_meeting=meeting_id,
        error=error,
        typed=request.form.get("date", "") if form else "",
    )


def _form_date() -> date | None:
    try:
        return date.fromisoformat(request.form.get("date", "").strip())
    except ValueError:
        return None


_BAD_DATE = "Give the meeting's date as year-month-day, like 2025-03-31."


def _calendar_changed(committee_id: int, change: Any) -> Response:
    moved = change.actions_moved
    flash(
        f"The calendar was changed. {moved} outstanding action{'s' * (moved != 1)} "
        f"{'were' if moved != 1 else 'was'} given a new due date; each one's history says so."
        if moved
        else "The calendar was changed. No outstanding action's due date moved."
    )
    return redirect(url_for(".detail", committee_id=committee_id, _anchor="calendar"))


@bp.post("/committees/<int:committee_id>/meetings")
@role_required("staff")
def add_meeting(committee_id: int) -> Any:
    """Schedule a meeting; outstanding actions due at "the next meeting" follow it."""
    when = _form_date()
    if when is None:
        return _detail_page(committee_id, form="add", error=_BAD_DATE), 400
    session = get_session()
    try:
        change = meeting_calendar.add_meeting(session, committee_id, when, author=g.user)
        session.commit()
    except (ValidationError, IntegrityError) as err:
        session.rollback()
        return _detail_page(committee_id, form="add", error=_refusal(err, when)), 400
    return _calendar_changed(committee_id, change)


@bp.post("/meetings/<int:meeting_id>/move")
@role_required("staff")
def move_meeting(meeting_id: int) -> Any:
    """Move a scheduled meeting (no minutes imported) to another date; its actions follow."""
    session = get_session()
    committee_id = meeting_calendar.committee_of(session, meeting_id)
    when = _form_date()
    if when is None:
        return _detail_page(committee_id, form="move", meeting_id=meeting_id, error=_BAD_DATE), 400
    try:
        change = meeting_calendar.move_meeting(session, meeting_id, when, author=g.user)
        session.commit()
    except (ValidationError, IntegrityError) as err:
        session.rollback()
        error = _refusal(err, when)
        return _detail_page(committee_id, form="move", meeting_id=meeting_id, error=error), 400
    return _calendar_changed(committee_id, change)


@bp.post("/meetings/<int:meeting_id>/remove")
@role_required("staff")
def remove_meeting(meeting_id: int) -> Any:
    """Remove a scheduled meeting (no minutes imported); actions that awaited it move to the next one."""
    session = get_session()
    committee_id = meeting_calendar.committee_of(session, meeting_id)
    try:
        change = meeting_calendar.remove_meeting(session, meeting_id, author=g.user)
        session.commit()
    except ValidationError as err:
        session.rollback()
        return _detail_page(
            committee_id, form="remove", meeting_id=meeting_id, error=_refusal(err, None)
        ), 400
    return _calendar_changed(committee_id, change)


def _refusal(err: ValidationError | IntegrityError, when: date | None) -> str:
    if isinstance(err, IntegrityError):  # someone else added the same date at the same moment
        return f"The committee already has a meeting on {when and when.isoformat()}."
    message = err.message
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


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
