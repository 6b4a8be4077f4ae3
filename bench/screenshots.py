"""Take the README's screenshots of the web app: Debian's Chromium, driven by Playwright.

    .venv/bin/python bench/screenshots.py                 # writes docs/screenshots/*.png
    .venv/bin/python bench/screenshots.py --out /tmp/shots

The data is the demo's: ``tracker demo --no-run`` on a new SQLite file in a temporary folder (both
seeds, the demo staff and member accounts). The app is served on 127.0.0.1 from a thread; the demo
staff account signs in and records some progress through the pages, as a person would, and then
each page is captured at 1280×900: sign-in, dashboard, a filtered action list, an action with its
history, and a committee's outstanding actions report.

It needs ``/usr/bin/chromium`` (``apt-get install chromium``); Playwright never downloads a browser.
"""

from __future__ import annotations

import argparse
import logging
import re
import secrets
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from tracker import create_app, services  # noqa: E402
from tracker.cli import DEMO_USERS  # noqa: E402
from tracker.db import get_db  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
PASSWORD = "screenshot password"
DEFAULT_OUT = ROOT / "docs" / "screenshots"


def demo_app(folder: Path) -> Any:
    """The app on a new SQLite file holding what ``tracker demo`` sets up, with known passwords."""
    database = f"sqlite:///{folder / 'demo.sqlite3'}"
    app = create_app({"SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database})
    result = app.test_cli_runner().invoke(args=["demo", "--no-run"])
    if result.exit_code != 0:
        raise SystemExit(f"tracker demo --no-run failed:\n{result.output}")
    with get_db(app).sessions() as session:
        for email, _, _ in DEMO_USERS:
            user = services.find_user(session, email)
            assert user is not None
            services.set_password(session, user, PASSWORD)
        session.commit()
    return app


def sign_in(page: Any, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text("Signed in as")


def record_progress(page: Any) -> int:
    """As staff, work on two actions through the pages; return the one with the longer history."""
    page.goto("/actions?q=partner")
    first = page.get_by_role("link", name=re.compile(r"^Action \d+$")).first
    href = first.get_attribute("href") or ""
    action_id = int(re.search(r"/actions/(\d+)", href).group(1))  # type: ignore[union-attr]
    page.goto(f"/actions/{action_id}")
    update = page.locator("#update")
    update.get_by_label("What happened?").fill(
        "Met the **community safety partnership** leads. Agreed:\n\n"
        "- a joint commissioning group, first meeting in May\n"
        "- a shared risk register for high-risk cases"
    )
    update.get_by_label("Change the status").select_option(label="In progress")
    update.get_by_label("Evidence link").fill("https://www.example.org/partnership/notes-may.html")
    update.get_by_role("button", name="Add this update").click()
    expect(page.get_by_role("status")).to_contain_text("Your update was added")
    update = page.locator("#update")
    update.get_by_label("What happened?").fill(
        "Draft terms of reference circulated to partners for comment by the end of the month."
    )
    update.get_by_label("Change the status").select_option(label="Awaiting committee")
    update.get_by_role("button", name="Add this update").click()
    expect(page.get_by_role("status")).to_contain_text("Your update was added")

    # Close another action, so that the dashboard and history show a closed one.
    page.goto("/actions")
    links = page.get_by_role("link", name=re.compile(r"^Action \d+$"))
    others = [h for h in links.evaluate_all("links => links.map(a => a.getAttribute('href'))")]
    page.goto(next(h for h in others if h != f"/actions/{action_id}"))
    close = page.locator("#close")
    close.get_by_label("Completed").check()
    close.get_by_label("Note").fill("The report was submitted to the committee on 26 September 2018.")
    close.get_by_role("button", name="Close this action").click()
    expect(page.get_by_role("status")).to_contain_text("The action is closed.")
    return action_id


def take(out: Path) -> list[Path]:
    """Serve the demo, drive it, and write the screenshots into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    shots = []
    with tempfile.TemporaryDirectory(prefix="tracker-shots-") as folder:
        app = demo_app(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                )
                context = browser.new_context(
                    base_url=f"http://127.0.0.1:{server.server_port}", viewport=VIEWPORT, locale="en-GB"
                )
                context.set_default_timeout(10_000)
                page = context.new_page()

                def shot(name: str, full_page: bool = False) -> None:
                    path = out / f"{name}.png"
                    page.screenshot(path=str(path), full_page=full_page)
                    shots.append(path)

                page.goto("/login")
                shot("sign-in")
                staff_email = DEMO_USERS[0][0]
                sign_in(page, staff_email)
                action_id = record_progress(page)

                page.goto("/")
                shot("dashboard")
                page.goto("/actions?owner=officers&status=outstanding")
                shot("actions-filtered")
                page.goto(f"/actions/{action_id}")
                # the history, at the top of the window
                page.evaluate("scrollTo(0, document.getElementById('history').offsetTop - 24)")
                shot("action-history")
                page.goto(f"/actions/{action_id}")
                shot("action")
                page.goto("/committees")
                page.locator("main table a").first.click()
                page.get_by_role("link", name=re.compile("outstanding actions report", re.I)).first.click()
                shot("committee-report")
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=5)
            server.server_close()
            get_db(app).engine.dispose()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the PNG files")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"screenshots: {CHROMIUM} is missing; apt-get install chromium", file=sys.stderr)
        return 1
    for path in take(args.out):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{shown}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
