"""The web app as people use it, in a real browser: Debian's Chromium driven by Playwright.

These tests use a SQLite file of their own (see ``conftest.py``), whatever
``TRACKER_TEST_DATABASE_URL`` names: on the PostgreSQL run of CI they run on SQLite too. The
service and database code under them is tested on both databases by ``tests/tracker``.

The seeds are imported with ``tracker import``; importing in the browser, and correcting an
owner on the review page, is tested with minutes of its own. Each test works on actions no other
test touches, so they may run in any order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tracker.models import Action, ActionStatus, ActionUpdate, Committee

pytestmark = pytest.mark.browser


def _action_ids(live_app: Any) -> list[int]:
    with live_app.session() as session:
        return list(session.scalars(select(Action.id).order_by(Action.id)))


def _action_state(live_app: Any, action_id: int) -> tuple[str, int, int]:
    """The action's status and version, and how many updates it has, read from the database."""
    with live_app.session() as session:
        action = session.get(Action, action_id)
        assert action is not None
        updates = session.scalar(
            select(func.count()).select_from(ActionUpdate).where(ActionUpdate.action_id == action_id)
        )
        return action.status.value, action.version, updates or 0


def test_staff_adds_an_update_moves_closes_and_reopens_an_action(
    page: Any, live_app: Any, sign_in: Callable[[str], None], dialogs: list[str]
) -> None:
    action_id = _action_ids(live_app)[0]
    sign_in("staff")

    expect(page.get_by_role("heading", level=1)).to_have_text("Outstanding actions")
    page.get_by_role("link", name=f"Action {action_id}", exact=True).first.click()
    expect(page).to_have_url(f"{live_app.url}/actions/{action_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Action {action_id}")

    # A note with Markdown and a script: the Markdown is rendered, the script never runs.
    update = page.locator("#update")
    update.get_by_label("What happened?").fill(
        "Spoke to **the partner agencies**.\n\n<script>alert(1)</script>\n\n- first meeting booked"
    )
    update.get_by_label("Change the status").select_option(label="In progress")
    update.get_by_role("button", name="Add this update").click()
    expect(page.get_by_role("status")).to_have_text("Your update was added to the history.")
    expect(page).to_have_url(re.compile(rf"/actions/{action_id}#history$"))
    latest = page.locator(".history > li").last
    expect(latest.locator(".meta")).to_contain_text("open → in progress")
    expect(latest.locator(".note strong")).to_have_text("the partner agencies")
    expect(latest.locator(".note li")).to_have_text("first meeting booked")
    assert latest.locator("script").count() == 0
    assert "<script" not in latest.inner_html()
    assert "alert(1)" not in latest.inner_text()
    assert dialogs == []
    assert _action_state(live_app, action_id)[0] == ActionStatus.IN_PROGRESS.value

    # Close it with a reason: it shows as closed, in its history too.
    close = page.locator("#close")
    close.get_by_label("Completed").check()
    close.get_by_label("Note").fill("The report came to the committee in September.")
    close.get_by_role("button", name="Close this action").click()
    expect(page.get_by_role("status")).to_contain_text("The action is closed.")
    expect(page.locator(".history > li").last.locator(".meta")).to_contain_text(
        "in progress → closed (completed)"
    )
    expect(page.locator("#close")).to_have_count(0)
    assert _action_state(live_app, action_id)[0] == ActionStatus.CLOSED.value

    # Reopen it: the close stays in the history.
    reopen = page.locator("#reopen")
    reopen.get_by_label("Why reopen it?").fill("Closed by mistake: the report is still to come.")
    reopen.get_by_role("button", name="Reopen this action").click()
    expect(page.get_by_role("status")).to_contain_text("The action is open again.")
    history = page.locator(".history > li .meta")
    expect(history).to_have_count(3)
    expect(history.nth(1)).to_contain_text("closed (completed)")
    expect(history.nth(2)).to_contain_text("closed → open")
    assert _action_state(live_app, action_id)[0] == ActionStatus.OPEN.value
    assert _action_state(live_app, action_id)[2] == 3


def test_the_committee_report_prints_without_menus_or_forms(
    page: Any, live_app: Any, sign_in: Callable[[str], None]
) -> None:
    with live_app.session() as session:
        committee = session.scalars(select(Committee)).one()
        name = committee.name
    sign_in("staff")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Committees").click()
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_role("link", name=re.compile("outstanding actions report", re.I)).first.click()
    expect(page).to_have_url(re.compile(r"/committees/\d+/report$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}: outstanding actions")
    rows = page.locator(".report tbody tr")
    assert rows.count() > 0

    # On screen: the menu, the sign-out form and the "use Print" hint are there.
    for chrome in (".site-header", "nav", ".site-footer", ".no-print", ".back", "form"):
        expect(page.locator(chrome).first).to_be_visible()

    # In print: they are gone, the table stays, and the page really prints (as a PDF).
    page.emulate_media(media="print")
    for chrome in (".site-header", "nav", ".site-footer", ".no-print", ".back", "form", ".skip-link"):
        expect(page.locator(chrome).first).to_be_hidden()
    expect(page.locator(".report table")).to_be_visible()
    expect(rows.first).to_be_visible()
    font = page.locator("body").evaluate("b => getComputedStyle(b).fontFamily")
    assert "Georgia" in font, font
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
    expect(page.locator(".site-header")).to_be_visible()


def test_a_member_sees_no_edit_controls_and_forged_posts_are_refused(
    page: Any, live_app: Any, sign_in: Callable[[str], None]
) -> None:
    action_id = _action_ids(live_app)[-1]
    before = _action_state(live_app, action_id)
    sign_in("member")
    page.goto(f"/actions/{action_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Action {action_id}")
    expect(page.get_by_text("You can read this action but not change it")).to_be_visible()

    main = page.locator("main")
    assert main.locator("form").count() == 0
    assert main.locator("textarea, select, input, button").count() == 0
    for name in ("Add this update", "Close this action", "Reopen this action"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    # The only form on the page is signing out.
    expect(page.locator("form")).to_have_count(1)
    expect(page.get_by_role("button")).to_have_text(["Sign out"])

    # A request forged with the member's own session cookie: refused without a CSRF token (400),
    # and with a token scraped from another page (403, for want of the staff role).
    forged = page.evaluate(
        """async ({actionId, version}) => {
            const post = async (fields) => {
                const response = await fetch(`/actions/${actionId}/update`, {
                    method: "POST", body: new URLSearchParams(fields), redirect: "manual"});
                return response.status;
            };
            const fields = {note: "Forged: marked as done", status: "in_progress", version: String(version)};
            const without = await post(fields);
            const dashboard = await (await fetch("/")).text();
            const token = new DOMParser().parseFromString(dashboard, "text/html")
                .querySelector("input[name=csrf_token]").value;
            const withToken = await post({...fields, csrf_token: token});
            return {without, withToken, token: token.length};
        }""",
        {"actionId": action_id, "version": before[1]},
    )
    assert forged["token"] > 0
    assert forged["without"] == 400, forged
    assert forged["withToken"] == 403, forged
    assert _action_state(live_app, action_id) == before

    # Signing out works, and afterwards every page asks to sign in again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    expect(page).to_have_url(f"{live_app.url}/login")
    page.goto(f"/actions/{action_id}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_a_wrong_password_is_refused_and_keeps_the_address(page: Any, live_app: Any) -> None:
    email = live_app.users["staff"][0]
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/?$"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Could not sign in")
    expect(page.get_by_label("E-mail address")).to_have_value(email)
    expect(page.get_by_role("navigation")).to_have_count(0)


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    page: Any, sign_in: Callable[[str], None]
) -> None:
    sign_in("staff")
    page.goto("/actions")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab goes into the page's content, not back to the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_staff_import_pasted_minutes_correct_an_owner_and_confirm(
    page: Any, live_app: Any, sign_in: Callable[[str], None], dialogs: list[str]
) -> None:
    text = (
        "Agenda item\n\nDamp in council homes\n\n"
        "RESOLVED –\n\n(1) That the report be noted.\n\n"
        "(2) That a report on damp cases be submitted to a future meeting of the Panel.\n"
    )
    sign_in("staff")
    page.get_by_role("link", name="Import minutes").first.click()
    page.locator("#import-new-committee").fill("Housing Scrutiny Panel")
    page.locator("#import-date").fill("2024-03-14")
    page.locator("#import-text").fill(text)
    page.get_by_role("button", name="Read the minutes").click()

    # The review page: the follow-up found with no owner; staff name one before confirming.
    owner = page.locator("#a0-owner")
    expect(owner).to_have_value("")
    owner.fill("the Head of Housing")
    page.get_by_role("button", name="Import these minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Damp in council homes")
    assert dialogs == []
    with live_app.session() as session:
        committee = session.scalar(select(Committee).where(Committee.name == "Housing Scrutiny Panel"))
        assert committee is not None
        owners = session.scalars(
            select(Action.owner).where(Action.text.contains("a report on damp cases"))
        ).all()
        assert owners == ["the Head of Housing"]
