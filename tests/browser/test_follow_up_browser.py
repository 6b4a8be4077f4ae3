"""Follow-up links in a real browser: staff confirm the suggestion that the 2018 contract report
answers the 2017 clause (6)(c), land on the action's close form with that report chosen, and close
the action; the item page then shows the link as confirmed.

Uses the seeded live app of ``conftest.py`` (both seeds imported in date order by ``tracker
import``, which suggests the link). No other browser test touches clause (6)(c)'s action.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tracker.models import Action, ActionStatus, FollowUpLink, LinkStatus, Resolution

pytestmark = pytest.mark.browser


def _six_c(live_app: Any) -> tuple[int, int, int]:
    """The suggested link for (6)(c): its id, the action's id and the answering item's id."""
    with live_app.session() as session:
        link = session.scalars(
            select(FollowUpLink).join(Action).join(Resolution).where(Resolution.label == "(6)(c)")
        ).one()
        return link.id, link.action_id, link.minute_item_id


def test_staff_confirm_a_suggestion_and_close_the_action_from_it(
    page: Any, live_app: Any, sign_in: Callable[[str], None], dialogs: list[str]
) -> None:
    link_id, action_id, item_id = _six_c(live_app)
    sign_in("staff")
    page.goto(f"/actions/{action_id}")
    section = page.locator("#follow-ups")
    expect(section.get_by_role("heading", level=2)).to_have_text("Later minutes that may answer it")
    expect(section).to_contain_text("Suggested:")
    expect(section).to_contain_text("Modernising Domestic Abuse Services")
    expect(section).to_contain_text(re.compile(r"Score 0\.\d\d"))

    section.get_by_role("button", name="Confirm: this answers it").click()
    expect(page).to_have_url(re.compile(rf"/actions/{action_id}\?close_with={item_id}#close$"))
    expect(page.get_by_role("status")).to_contain_text("The link is confirmed")
    close = page.locator("#close")
    expect(close.get_by_label("Later minutes that show progress")).to_have_value(str(item_id))
    expect(close.get_by_label("Completed")).to_be_checked()
    expect(close.get_by_label("Note")).to_have_value(re.compile("Answered by the minutes “Modernising"))
    expect(page.locator(".history > li").last).to_contain_text("Follow-up confirmed")

    close.get_by_role("button", name="Close this action").click()
    expect(page.get_by_role("status")).to_contain_text("The action is closed.")
    latest = page.locator(".history > li").last
    expect(latest.locator(".meta")).to_contain_text("open → closed (completed)")
    expect(latest).to_contain_text("Modernising Domestic Abuse Services")
    assert dialogs == []

    with live_app.session() as session:
        assert session.get(FollowUpLink, link_id).status is LinkStatus.CONFIRMED
        action = session.get(Action, action_id)
        assert action.status is ActionStatus.CLOSED and action.updates[-1].evidence_item_id == item_id

    page.goto(f"/items/{item_id}")
    expect(page.locator("main")).to_contain_text("Earlier actions this item may answer")
    expect(page.locator("main")).to_contain_text("Confirmed by Browser Staff")
    expect(page.get_by_role("button", name="Confirm: this answers it")).to_have_count(0)
