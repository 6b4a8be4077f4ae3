"""Blueprint ``links``: confirm or dismiss a suggested follow-up link, and the link lists on pages.

A link says a later minute item may answer an earlier action (:mod:`tracker.links`). Staff confirm
or dismiss a suggestion with one click (POST, CSRF); confirming records an update on the action
with the item as evidence and lands on the action's close form with that item chosen. Members see
confirmed links only. The lists on the action and minute item pages come from
:func:`follow_ups`, a template global, so those pages' views need not know about links.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, request, url_for

from .. import links
from ..auth import can, require_login, role_required, safe_next
from ..db import get_session
from ..errors import InvalidTransitionError
from ..models import FollowUpLink

bp = Blueprint("links", __name__)
bp.before_request(require_login)


@bp.app_template_global()
def follow_ups(*, action_id: int | None = None, item_id: int | None = None) -> list[FollowUpLink]:
    """The links of an action or of a minute item that the signed-in user may see, best first.

    Staff see suggestions and confirmed links; members see confirmed links only. One query.
    """
    staff = can("staff")
    if action_id is not None:
        return links.links_for_action(get_session(), action_id, include_suggested=staff)
    if item_id is not None:
        return links.links_for_item(get_session(), item_id, include_suggested=staff)
    raise TypeError("follow_ups needs action_id or item_id")


@bp.post("/links/<int:link_id>/confirm")
@role_required("staff")
def confirm(link_id: int) -> Any:
    """Confirm the link: an update on the action names the item; then the action's close form."""
    session = get_session()
    try:
        update = links.confirm_link(session, link_id, author=g.user)
        session.commit()
    except InvalidTransitionError as err:
        session.rollback()
        flash(_sentence(err.message))
        return redirect(safe_next(request.form.get("next")) or url_for("actions.dashboard"))
    action = update.action
    if action.is_open:
        flash(
            "The link is confirmed and noted in the action's history. Close the action below if it is done."
        )
        return redirect(
            url_for(
                "actions.detail", action_id=action.id, close_with=update.evidence_item_id, _anchor="close"
            )
        )
    flash("The link is confirmed and noted in the action's history.")
    return redirect(url_for("actions.detail", action_id=action.id, _anchor="history"))


@bp.post("/links/<int:link_id>/dismiss")
@role_required("staff")
def dismiss(link_id: int) -> Any:
    """Dismiss the suggestion: it is not suggested again; back to the page the button was on."""
    session = get_session()
    try:
        link = links.dismiss_link(session, link_id, author=g.user)
        session.commit()
        flash("The suggestion was dismissed; it will not be suggested again.")
        fallback = url_for("actions.detail", action_id=link.action_id)
    except InvalidTransitionError as err:
        session.rollback()
        flash(_sentence(err.message))
        fallback = url_for("actions.dashboard")
    return redirect(safe_next(request.form.get("next")) or fallback)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
