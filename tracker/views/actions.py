"""Blueprint ``actions``: the dashboard, the action list, an action's page, and its forms.

Every page needs a signed-in user; adding an update, editing, closing and reopening need staff. Each form
carries the action's ``version`` as the person saw it: when someone else saved the action in the
meantime, the second person gets a conflict page with both versions and their typed note.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from .. import services
from ..auth import require_login, role_required
from ..db import get_session
from ..errors import ConcurrentEditError, InvalidTransitionError, ValidationError
from ..models import OPEN_STATUSES, ActionStatus, CloseReason, MinuteItem
from ..render import in_context
from .action_rows import rows_html
from .choice_options import options_for, options_html

bp = Blueprint("actions", __name__)
bp.before_request(require_login)

#: where an app keeps the action list's filter choices between page views (see ``index``)
KEPT_CHOICES = "tracker.kept_filter_choices"
bp.record_once(lambda state: state.app.extensions.setdefault(KEPT_CHOICES, services.KeptFilterChoices()))

#: the fields of the three forms on an action's page, kept as typed when a save fails
FORM_FIELDS = (
    "note",
    "status",
    "close_reason",
    "evidence_url",
    "evidence_item_id",
    "version",
    "text",
    "owner",
    "due_text",
    "due_date",
)


@bp.get("/")
def dashboard() -> str:
    """Outstanding actions: counts by committee, owner and status, and the ones due soonest."""
    today = date.today()
    board = services.dashboard(get_session(), today=today)
    return render_template("actions/dashboard.html", board=board, today=today)


@bp.get("/actions")
def index() -> tuple[str, int]:
    """Actions matching the filters in the query string, a page at a time (``after`` = last id seen)."""
    session = get_session()
    today = date.today()
    search, errors = _search(request.args)
    after = _int(request.args.get("after"))
    page = services.search_actions(session, search, today=today, after=after)
    kept = {k: v for k, v in request.args.items() if k != "after" and v}
    next_url = url_for(".index", **kept, after=page.next_after) if page.next_after else None
    # kept while the database's choices stamp, read with the signed-in account, is unchanged
    choices = current_app.extensions[KEPT_CHOICES].get(session, getattr(g.user, "choices_stamp", None))
    options = options_for(choices)
    return render_template(
        "actions/list.html",
        page=page,
        rows_html=rows_html(
            ((row, services.rag_status(row, today)) for row in page.actions),
            _row_links(),
            current_app.jinja_env,
        ),
        search=search,
        args=request.args,
        errors=errors,
        after=after,
        list_url=url_for(".index"),
        first_url=url_for(".index", **kept),
        next_url=next_url,
        committee_options=options_html(options.committees, search.committee_id),
        owner_options=options_html(options.owners, search.owner),
        statuses=services.STATUS_CHOICES,
        today=today,
    ), (400 if errors else 200)


class RowLinks(NamedTuple):
    """The paths of an action's, a committee's and a meeting's page without the id at their end."""

    action: Markup
    committee: Markup
    meeting: Markup


def _row_links() -> RowLinks:
    """The paths a row's links start with, so that a link is the path and the id put together.

    Rather than three ``url_for`` calls per row (150 a page, a tenth of the page's time). Built here,
    so they follow the app's routes and the script root like any ``url_for``. Escaped once here
    (``url_for`` quotes what it puts in a path), not again in every row; a named tuple, because
    Jinja reads ``links.action`` from a dict only after failing to find an attribute.
    """
    built = RowLinks(
        action=url_for(".detail", action_id=0),
        committee=url_for("committees.detail", committee_id=0),
        meeting=url_for("committees.meeting", meeting_id=0),
    )
    assert all(path.endswith("/0") for path in built), built
    return RowLinks(*(escape(path[:-1]) for path in built))


def _search(args: MultiDict[str, str]) -> tuple[services.ActionSearch, list[str]]:
    """The filters from the query string; a value that cannot be read is left out and reported."""
    errors = []
    status = args.get("status", "outstanding")
    if status not in services.STATUS_CHOICES:
        errors.append(f"There is no status called “{status}”; showing outstanding actions.")
        status = "outstanding"
    due_before = None
    if args.get("due_before"):
        try:
            due_before = date.fromisoformat(args["due_before"])
        except ValueError:
            errors.append("“Due before” must be a date written as year-month-day, like 2025-03-31.")
    committee = args.get("committee") or None
    if committee is not None and _int(committee) is None:
        errors.append("That committee could not be found; showing every committee.")
    search = services.ActionSearch(
        committee_id=_int(committee),
        owner=args.get("owner") or None,
        status=status,
        due_before=due_before,
        overdue=args.get("overdue") == "1",
        q=args.get("q", "").strip(),
    )
    return search, errors


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@bp.get("/actions/<int:action_id>")
def detail(action_id: int) -> str:
    """An action: its clause, the minutes it came from (highlighted), its history and its forms.

    ``?close_with=ITEM`` (where confirming a follow-up link lands) fills the close form with that
    minute item as evidence and a note naming it.

    :raise NotFoundError: no such action (a 404 page).
    """
    item_id = _int(request.args.get("close_with"))
    if item_id is None:
        return _detail_page(action_id)
    form = {"evidence_item_id": str(item_id), "close_reason": "completed", "note": _answered_note(item_id)}
    return _detail_page(action_id, form=form, failed="close")


def _answered_note(item_id: int) -> str:
    item = get_session().get(MinuteItem, item_id)
    if item is None:
        return ""
    title = item.title or f"minute item {item.id}"
    return f"Answered by the minutes “{title}” ({item.meeting.date or 'date unknown'})."


def _detail_page(
    action_id: int, *, form: dict[str, str] | None = None, failed: str | None = None, error: str | None = None
) -> str:
    session = get_session()
    action = services.action_detail(session, action_id)
    today = date.today()
    item = action.minute_item
    return render_template(
        "actions/detail.html",
        action=action,
        today=today,
        rag=services.rag_status(action, today),
        source=in_context(item.source_text, action.span_start, action.span_end),
        evidence_items=services.evidence_choices(session, action),
        next_statuses=_next_statuses(action.status),
        close_reasons=list(CloseReason),
        form=form or {},
        failed=failed,
        error=error,
    )


def _next_statuses(status: ActionStatus) -> list[ActionStatus]:
    """The statuses the "Add an update" form offers (closing and reopening have their own forms)."""
    allowed = services.TRANSITIONS[status]
    return [s for s in OPEN_STATUSES if s in allowed and s is not ActionStatus.OPEN]


def _typed() -> dict[str, str]:
    return {name: request.form.get(name, "") for name in FORM_FIELDS}


@bp.post("/actions/<int:action_id>/update")
@role_required("staff")
def update(action_id: int) -> Any:
    """Add a note to the history, optionally moving the action on (in progress, awaiting committee)."""
    form = _typed()
    return _save(action_id, "update", form, status=form["status"] or None)


@bp.post("/actions/<int:action_id>/close")
@role_required("staff")
def close(action_id: int) -> Any:
    """Close the action as completed, superseded or withdrawn, with a note."""
    form = _typed()
    if not form["close_reason"]:
        return _refuse(action_id, "close", form, "Choose why the action is being closed.")
    return _save(action_id, "close", form, status=ActionStatus.CLOSED.value, reason=form["close_reason"])


@bp.post("/actions/<int:action_id>/reopen")
@role_required("staff")
def reopen(action_id: int) -> Any:
    """Reopen a closed action, with a note saying why."""
    return _save(action_id, "reopen", _typed(), reopen=True)


@bp.post("/actions/<int:action_id>/edit")
@role_required("staff")
def edit(action_id: int) -> Any:
    """Correct the action's text, owner or deadline; the history notes what changed (old → new)."""
    form = _typed()
    session = get_session()
    version = _int(form["version"])
    if version is None:
        return _refuse(action_id, "edit", form, "The form was incomplete; reload the page and try again.")
    try:
        due_date = date.fromisoformat(form["due_date"].strip()) if form["due_date"].strip() else None
    except ValueError:
        return _refuse(
            action_id, "edit", form, "The due date must be a date written as year-month-day, like 2025-03-31."
        )
    try:
        services.edit_action(
            session,
            action_id,
            author=g.user,
            text=form["text"],
            owner=form["owner"],
            due_text=form["due_text"],
            due_date=due_date,
            expected_version=version,
        )
        session.commit()
    except ConcurrentEditError:
        session.rollback()
        return _conflict(action_id, "edit", form)
    except ValidationError as err:
        session.rollback()
        return _refuse(action_id, "edit", form, _sentence(err.message))
    flash("Your changes were saved; the history notes what changed.")
    return redirect(url_for(".detail", action_id=action_id, _anchor="history"))


def _save(
    action_id: int,
    which: str,
    form: dict[str, str],
    *,
    status: str | None = None,
    reason: str | None = None,
    reopen: bool = False,
) -> Any:
    session = get_session()
    version = _int(form["version"])
    if version is None:
        return _refuse(action_id, which, form, "The form was incomplete; reload the page and try again.")
    evidence = dict(
        author=g.user,
        note=form["note"],
        evidence_url=form["evidence_url"] or None,
        evidence_item_id=_int(form["evidence_item_id"]),
        expected_version=version,
    )
    try:
        if reopen:
            services.reopen_action(session, action_id, **evidence)
        elif status:
            services.change_status(session, action_id, status, close_reason=reason, **evidence)
        else:
            services.add_update(session, action_id, **evidence)
        session.commit()
    except ConcurrentEditError:
        session.rollback()
        return _conflict(action_id, which, form)
    except (ValidationError, InvalidTransitionError) as err:
        session.rollback()
        return _refuse(action_id, which, form, _sentence(err.message))
    flash(_SAVED[which])
    return redirect(url_for(".detail", action_id=action_id, _anchor="history"))


_SAVED = {
    "update": "Your update was added to the history.",
    "close": "The action is closed. Your note is in its history.",
    "reopen": "The action is open again. Your note is in its history.",
}


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _refuse(action_id: int, which: str, form: dict[str, str], error: str) -> tuple[str, int]:
    return _detail_page(action_id, form=form, failed=which, error=error), 400


def _conflict(action_id: int, which: str, form: dict[str, str]) -> tuple[str, int]:
    """The 409 page: what the action is now, what this person tried to save, and a form to retry."""
    session = get_session()
    action = services.action_detail(session, action_id)
    today = date.today()
    return render_template(
        "actions/conflict.html",
        action=action,
        which=which,
        failed=which,
        error=None,
        form=form,
        today=today,
        rag=services.rag_status(action, today),
        evidence_items=services.evidence_choices(session, action),
        next_statuses=_next_statuses(action.status),
        close_reasons=list(CloseReason),
    ), 409
