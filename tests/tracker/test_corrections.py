"""Correcting later: staff edit an action (history, version check) and a clause (recorded, stale check)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import services
from tracker.models import Action, Correction, MinuteItem, Resolution, User


def _action(session: Session, action_id: int) -> Action:
    session.expire_all()
    return session.get(Action, action_id)


def _edit(client: FlaskClient, action_id: int, **fields: object) -> tuple[int, str]:
    data = {"text": "Officer 0 to report on item 0.", "owner": "Officer 0", "due_text": "", "due_date": ""}
    response = client.post(f"/actions/{action_id}/edit", data={**data, **fields})
    return response.status_code, response.get_data(as_text=True)


def test_staff_edit_an_action_and_the_history_says_what_changed(
    client: FlaskClient, session: Session, login: Callable[[User], None], staff: User, make_actions: Callable
) -> None:
    (action_id,) = make_actions(1)
    login(staff)
    page = client.get(f"/actions/{action_id}").get_data(as_text=True)
    assert "Edit this action" in page and 'name="due_date"' in page
    status, _ = _edit(
        client, action_id, owner="the Director", due_text="by June", due_date="2026-06-30", version=1
    )
    assert status == 302
    action = _action(session, action_id)
    assert action.owner == "the Director" and action.due_date.isoformat() == "2026-06-30"
    assert action.due_text == "by June" and action.version == 2
    (update,) = action.updates
    assert update.author_id == staff.id
    assert (
        "owner “Officer 0” → “the Director”" in update.note and "due date none → “2026-06-30”" in update.note
    )
    page = client.get(f"/actions/{action_id}").get_data(as_text=True)
    assert "the Director" in page and "Your changes were saved" in page


def test_an_edit_from_a_stale_page_is_a_conflict_that_keeps_what_was_typed(
    client: FlaskClient, session: Session, login: Callable[[User], None], staff: User, make_actions: Callable
) -> None:
    (action_id,) = make_actions(1)
    services.edit_action(
        session, action_id, author=staff, text="Changed first", owner=None, due_text=None, due_date=None
    )
    session.commit()
    login(staff)
    status, page = _edit(client, action_id, owner="My careful owner", version=1)
    assert status == 409 and "your change was not saved" in page
    assert "My careful owner" in page and 'value="My careful owner"' in page
    assert re.search(r'name="version" value="2"', page)
    assert _action(session, action_id).owner is None


def test_a_refused_edit_keeps_the_form(
    client: FlaskClient, session: Session, login: Callable[[User], None], staff: User, make_actions: Callable
) -> None:
    (action_id,) = make_actions(1)
    login(staff)
    status, page = _edit(client, action_id, owner="Typed owner", due_date="30/06/2026", version=1)
    assert status == 400 and "year-month-day" in page and 'value="Typed owner"' in page
    status, page = _edit(client, action_id, version=1)
    assert status == 400 and "nothing was changed" in page.lower()
    status, page = _edit(client, action_id, text="  ", version=1)
    assert status == 400 and "blank" in page
    assert _action(session, action_id).version == 1 and not _action(session, action_id).updates


def _clause(session: Session) -> Resolution:
    return session.scalars(select(Resolution).order_by(Resolution.id)).first()


def test_staff_edit_a_clause_and_it_is_recorded(
    client: FlaskClient,
    session: Session,
    imported: dict[str, MinuteItem],
    login: Callable[[User], None],
    staff: User,
) -> None:
    clause = _clause(session)
    login(staff)
    page = client.get(f"/items/{clause.minute_item_id}").get_data(as_text=True)
    assert "Edit this clause" in page
    was = {
        "was_text": clause.text,
        "was_kind": clause.kind.value,
        "was_followup": "1" if clause.needs_followup else "",
    }
    response = client.post(
        f"/resolutions/{clause.id}/edit",
        data={**was, "text": clause.text, "kind": "decision", "followup": "1"},
    )
    assert response.status_code == 302
    session.expire_all()
    clause = session.get(Resolution, clause.id)
    assert clause.kind.value == "decision" and clause.needs_followup
    (record,) = session.scalars(select(Correction)).all()
    assert (
        record.author_id == staff.id and record.resolution_id == clause.id and "→ “decision”" in record.note
    )
    page = client.get(response.location).get_data(as_text=True)
    assert "Corrections" in page and record.note.replace("“", "") in page.replace("“", "")

    # the same form again is now stale: nothing saved, what was typed kept
    response = client.post(
        f"/resolutions/{clause.id}/edit",
        data={**was, "text": "My new words", "kind": "request", "followup": ""},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else changed this clause" in page
    assert ">My new words</textarea>" in page
    assert len(session.scalars(select(Correction)).all()) == 1


def test_members_cannot_edit_and_see_no_edit_forms(
    client: FlaskClient,
    session: Session,
    imported: dict[str, MinuteItem],
    login: Callable[[User], None],
    member: User,
) -> None:
    clause = _clause(session)
    login(member)
    page = client.get(f"/items/{clause.minute_item_id}").get_data(as_text=True)
    assert "Edit this clause" not in page
    response = client.post(f"/resolutions/{clause.id}/edit", data={"text": "x", "kind": "decision"})
    assert response.status_code == 403
    assert not session.scalars(select(Correction)).all()
