"""Blueprint ``resolutions``: staff correct a clause's text, kind and follow-up flag.

The form sits on the minute item's page under each clause. It carries the clause as it was shown;
if someone else changed the clause in the meantime, nothing is saved and the page comes back with
the clause as it is now and what was typed. Every change is recorded as a
:class:`~tracker.models.Correction`, listed on the item's page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from .. import services
from ..auth import role_required
from ..db import get_session
from ..errors import ConcurrentEditError, ValidationError
from ..models import Resolution
from .committees import item_page

bp = Blueprint("resolutions", __name__)

#: the fields of a clause's edit form, kept as typed when a save fails
FORM_FIELDS = ("text", "kind", "followup", "was_text", "was_kind", "was_followup")


@bp.post("/resolutions/<int:resolution_id>/edit")
@role_required("staff")
def edit(resolution_id: int) -> Any:
    """Save a corrected clause, or show the item page again with the form as typed.

    :raise 404: no such clause.
    """
    session = get_session()
    clause = session.get(Resolution, resolution_id)
    if clause is None:
        abort(404)
    item_id = clause.minute_item_id
    form = {name: request.form.get(name, "") for name in FORM_FIELDS}
    expected = (form["was_text"], form["was_kind"], form["was_followup"] == "1")
    try:
        services.edit_resolution(
            session,
            resolution_id,
            author=g.user,
            text=form["text"],
            kind=form["kind"],
            needs_followup=form["followup"] == "1",
            expected=expected,
        )
        session.commit()
    except ConcurrentEditError:
        session.rollback()
        error = (
            "Someone else changed this clause after you opened the page, so your change was not saved. "
            "The clause is shown as it is now; what you typed is kept in the form."
        )
        return item_page(item_id, editing=resolution_id, form=form, error=error), 409
    except ValidationError as err:
        session.rollback()
        message = err.message[:1].upper() + err.message[1:] + ("" if err.message.endswith(".") else ".")
        return item_page(item_id, editing=resolution_id, form=form, error=message), 400
    flash("The clause was corrected; the change is listed under Corrections.")
    return redirect(url_for("committees.item", item_id=item_id, _anchor=f"clause-{resolution_id}"))
