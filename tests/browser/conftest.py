"""The browser tests' world: the real app served over HTTP, and Debian's Chromium driven by Playwright.

The app runs in a background thread (werkzeug's ``make_server`` on 127.0.0.1, a free port) on a
SQLite file of its own, whatever ``TRACKER_TEST_DATABASE_URL`` says: the server's threads need a
database that outlives any one test transaction, and what is tested here is the pages, not the SQL.
The file is migrated with ``tracker init-db``, both seeds are imported with ``tracker import`` (the
committee and date ``seeds/meetings.json`` gives them), and a staff and a member account are made
with :func:`tracker.services.create_user`. CSRF protection is on, as in production.

Chromium is Debian's ``/usr/bin/chromium``, never a browser Playwright downloads (``playwright
install`` is not run anywhere). Playwright's ``launch()`` gives every run a new, empty user-data-dir
of its own; each test gets a new browser context (no cookies). Without ``/usr/bin/chromium`` the
tests are skipped; CI installs it (``.ci/run``), so there they run.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from tracker import create_app, services
from tracker.db import get_db
from tracker.models import UserRole

CHROMIUM = Path("/usr/bin/chromium")
#: flags for a headless Chromium on a machine whose network reaches nothing but the loopback
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
#: how long one step (a click, a page load, a check) may take before a test fails
STEP_TIMEOUT_MS = 5_000

STAFF = ("staff@example.invalid", "Browser Staff", "staff password")
MEMBER = ("member@example.invalid", "Browser Member", "member password")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the ``browser`` tests when Debian's Chromium is not installed (a developer's machine)."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@dataclass
class LiveApp:
    """The app being served: its address, and a way to look at its database from the test."""

    app: Flask
    url: str
    users: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def session(self) -> Session:
        """A new Session on the served database (close it, or use it in a ``with``)."""
        return get_db(self.app).sessions()


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Iterator[LiveApp]:
    """The app, migrated and seeded, served from a thread on 127.0.0.1 for this module's tests."""
    database = tmp_path_factory.mktemp("browser") / "tracker.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": f"sqlite:///{database}",
            "WTF_CSRF_ENABLED": True,
        }
    )
    runner = app.test_cli_runner()
    _invoke(runner, ["init-db"])
    meetings = json.loads((seeds_dir / "meetings.json").read_text(encoding="utf-8"))
    for name, meta in sorted(meetings.items(), key=lambda kv: kv[1]["date"]):
        _invoke(
            runner,
            ["import", str(seeds_dir / name), "--committee", meta["committee"], "--date", meta["date"]],
        )
    with get_db(app).sessions() as session:
        for (email, name, password), role in ((STAFF, UserRole.STAFF), (MEMBER, UserRole.MEMBER)):
            services.create_user(session, email=email, name=name, role=role, password=password)
        session.commit()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield LiveApp(app, f"http://127.0.0.1:{server.server_port}", {"staff": STAFF, "member": MEMBER})
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        get_db(app).engine.dispose()


def _invoke(runner: Any, args: list[str]) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code == 0, f"tracker {' '.join(args)} failed:\n{result.output}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, started once for the whole run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of any JavaScript dialog (``alert``...) a page opened: a test expects none."""
    return []


@pytest.fixture
def page(browser: Any, live_app: LiveApp, dialogs: list[str]) -> Iterator[Any]:
    """A tab in a new browser context (no cookies) on the live app, 1280×900, dialogs recorded."""
    context = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    tab = context.new_page()

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    try:
        yield tab
    finally:
        context.close()
    assert dialogs == [], f"a page opened a JavaScript dialog: {dialogs}"


@pytest.fixture
def sign_in(page: Any, live_app: LiveApp) -> Callable[[str], None]:
    """``sign_in("staff")`` or ``sign_in("member")``: through the sign-in form, with its real CSRF token."""
    from playwright.sync_api import expect

    def as_role(role: str) -> None:
        email, name, password = live_app.users[role]
        page.goto("/login")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("status")).to_contain_text(f"Signed in as {name}.")
        expect(page).to_have_url(f"{live_app.url}/")

    return as_role
