"""Cross-site scripting, tried for real: hostile text everywhere a user can put it, in Chromium.

Payloads go into every field people or minutes control: minutes text (so clause and action texts),
item titles, committee and person names, owners, progress notes (Markdown with raw HTML and
``javascript:`` links), search and filter parameters, and an uploaded file's name. Every page that
shows them is opened in Debian's Chromium; each payload, if it ever ran, would set
``window.__xss`` or open a dialog, and the ``page`` fixture fails the test on any dialog. The
payload text must still be visible as text: escaping, not deletion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tracker import services
from tracker.models import Committee, MinuteItem, User

pytestmark = pytest.mark.browser

#: each would run script if it reached the page as markup
PAYLOADS = (
    '<img src=x onerror="window.__xss=1;alert(1)">',
    '"><script>window.__xss=2;alert(2)</script>',
    '<svg onload="window.__xss=3;alert(3)"></svg>',
    '\'><iframe srcdoc="<script>parent.__xss=4</script>"></iframe>',
)
NASTY = " ".join(PAYLOADS)


def _not_run(page: Any) -> None:
    assert page.evaluate("() => window.__xss === undefined"), f"a payload ran on {page.url}"
    assert page.locator("iframe, svg[onload], img[onerror]").count() == 0, f"markup injected on {page.url}"


@pytest.fixture(scope="module")
def hostile(live_app: Any) -> dict[str, int]:
    """Minutes, a committee, an owner and a progress note made of payloads, imported for real."""
    text = (
        f"Agenda item\n\n{PAYLOADS[0]} Title\n\n"
        f"PRESENT: Councillor {PAYLOADS[2]} (Chair)\n\n"
        "RESOLVED –\n\n"
        f"(1) That the {PAYLOADS[1]} report be noted.\n\n"
        f"(2) That a report on {PAYLOADS[3]} be submitted to a future meeting.\n"
    )
    extraction = services.extract_source(services.read_upload(text.encode(), f"{PAYLOADS[0]}.txt"))
    with live_app.session() as session:
        result = services.import_minutes(
            session,
            committee=f"Scrutiny {PAYLOADS[1]}"[:200],
            meeting_date=None,
            extraction=extraction,
            source_text=extraction.text,
            source_name=f"{PAYLOADS[0]}.txt",
        )
        item = result.item
        action = item.actions[0]
        action.owner = PAYLOADS[2]
        author = session.scalar(select(User).where(User.email == live_app.users["staff"][0]))
        services.add_update(
            session,
            action.id,
            author=author,
            note=f"{NASTY}\n\n[click me](javascript:window.__xss=5) "
            + '<a href="javascript:alert(6)">raw link</a>',
        )
        session.commit()
        return {
            "item": item.id,
            "action": action.id,
            "committee": item.meeting.committee_id,
            "meeting": item.meeting_id,
        }


def test_stored_payloads_show_as_text_on_every_page(
    page: Any, live_app: Any, sign_in: Callable[[str], None], hostile: dict[str, int]
) -> None:
    sign_in("staff")
    urls = [
        "/",
        "/actions",
        f"/actions/{hostile['action']}",
        "/committees",
        f"/committees/{hostile['committee']}",
        f"/committees/{hostile['committee']}/report",
        f"/meetings/{hostile['meeting']}",
        f"/items/{hostile['item']}",
        "/search?q=" + quote("report"),
    ]
    for url in urls:
        page.goto(url)
        _not_run(page)
    page.goto(f"/actions/{hostile['action']}")
    expect(page.locator("main")).to_contain_text(PAYLOADS[2])  # the owner, as text
    expect(page.locator("main")).to_contain_text("raw link")
    assert page.locator('a[href^="javascript:"]').count() == 0
    page.goto(f"/items/{hostile['item']}")
    expect(page.locator("main")).to_contain_text(PAYLOADS[1].strip('"><'))


@pytest.mark.parametrize("param", ["q", "owner", "committee", "status", "due_before", "after"])
def test_payloads_in_filter_parameters_are_inert(
    page: Any, live_app: Any, sign_in: Callable[[str], None], param: str
) -> None:
    sign_in("member")
    for payload in PAYLOADS:
        page.goto(f"/actions?{param}={quote(payload)}")
        _not_run(page)
        page.goto(f"/search?{param}={quote(payload)}")
        _not_run(page)
    page.goto("/search?q=" + quote(PAYLOADS[0]))
    expect(page.locator("#q")).to_have_value(PAYLOADS[0])


def test_an_uploaded_file_name_and_pasted_text_are_inert_on_the_review_page(
    page: Any, live_app: Any, sign_in: Callable[[str], None]
) -> None:
    sign_in("staff")
    page.goto("/import")
    page.locator("#import-new-committee").fill(f"Panel {PAYLOADS[0]}")
    body = f"Agenda item\n\n{PAYLOADS[1]}\n\nRESOLVED –\n\n(1) That {PAYLOADS[2]} be noted.\n".encode()
    page.locator("#import-file").set_input_files(
        files=[{"name": f"upload {PAYLOADS[0]}.txt", "mimeType": "text/plain", "buffer": body}]
    )
    page.get_by_role("button", name="Read the minutes").click()
    _not_run(page)
    expect(page.locator("main")).to_contain_text("be noted")
    with live_app.session() as session:  # nothing is stored before the review is confirmed
        assert session.scalar(select(Committee).where(Committee.name == f"Panel {PAYLOADS[0]}")) is None
        assert (
            session.scalar(select(MinuteItem).where(MinuteItem.source_name == f"upload {PAYLOADS[0]}.txt"))
            is None
        )
