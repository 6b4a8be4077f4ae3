"""The batch upload in the browser: several files or one ZIP, the per-file report, who may, what is kept."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from extract.sources import SUFFIXES
from tracker.models import Action, MinuteItem, User

if TYPE_CHECKING:
    from conftest import Seed

Counts = Callable[[Session], dict[str, int]]
PAGE_LINE = "Meeting: 14/03/2019 - Audit Committee (Item 12)\n\n"


def post(client: FlaskClient, files: list[tuple[bytes, str]], **fields: str) -> TestResponse:
    form = MultiDict({"committee_id": "", "new_committee": "", "meeting_date": "", **fields})
    for body, name in files:
        form.add(
            "files", FileStorage(io.BytesIO(body), filename=name, content_type="application/octet-stream")
        )
    # Encoded here, in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(form)
    return client.post("/import/batch", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_several_files_give_a_report_per_file(
    client: FlaskClient,
    login: Callable[[User], None],
    staff: User,
    session: Session,
    seed_2017: Seed,
    seed_2018: Seed,
) -> None:
    login(staff)
    form = client.get("/import/batch").get_data(as_text=True)
    assert f'accept="{",".join(sorted(SUFFIXES))},.meta.json,.json,.zip"' in form
    response = post(
        client,
        [
            (seed_2018.source.text.encode(), "b.txt"),
            (b'{"committee": "Cabinet", "meeting_date": "2018-09-26"}', "b.meta.json"),
            ((PAGE_LINE + seed_2017.source.text).encode(), "a.txt"),
            (b"<script>alert(1)</script>", "<img src=x onerror=alert(1)>.txt"),
            (seed_2017.source.text.encode(), "c.txt"),
        ],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Imported 2, unchanged 0, new versions 0, failed 2; 11 actions created" in " ".join(page.split())
    rows = re.findall(r'<tr class="result-([a-z-]+)"><td>(.*?)</td>', page)
    assert rows == [
        ("failed", "&lt;img src=x onerror=alert(1)&gt;.txt"),
        ("imported", "a.txt"),
        ("imported", "b.txt"),
        ("failed", "c.txt"),
    ]
    assert "no committee: give --committee" in page
    assert "<script>" not in page and "<img src=x" not in page
    assert "Audit Committee, 14 March 2019 (item 12)" in page
    assert session.scalar(select(func.count()).select_from(MinuteItem)) == 2
    assert session.scalar(select(func.count()).select_from(Action)) == 11

    again = post(client, [((PAGE_LINE + seed_2017.source.text).encode(), "a.txt")])
    assert "Imported 0, unchanged 1" in " ".join(again.get_data(as_text=True).split())


def test_a_zip_with_the_committee_from_the_form(
    client: FlaskClient,
    login: Callable[[User], None],
    staff: User,
    session: Session,
    seed_2017: Seed,
    seed_2018: Seed,
) -> None:
    login(staff)
    body = zipped({"x/1.txt": seed_2017.source.text.encode(), "x/2.txt": seed_2018.source.text.encode()})
    response = post(client, [(body, "minutes.zip")], new_committee="Scrutiny Board")
    page = " ".join(response.get_data(as_text=True).split())
    assert "Imported 2, unchanged 0, new versions 0, failed 0; 11 actions created" in page
    assert "2 needing a meeting date" in page
    listing = client.get("/import/needs-date").get_data(as_text=True)
    assert listing.count("Scrutiny Board") == 2 and "x/1.txt" in listing and "x/2.txt" in listing


def test_an_unsafe_zip_or_bad_form_imports_nothing_and_keeps_what_was_typed(
    client: FlaskClient, login: Callable[[User], None], staff: User, session: Session, row_counts: Counts
) -> None:
    login(staff)
    before = row_counts(session)
    bad = post(
        client, [(zipped({"../../etc/x.txt": b"minutes"}), "evil.zip")], new_committee="Typed Committee"
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "would be written outside the archive" in page and 'value="Typed Committee"' in page
    mixed = post(client, [(zipped({"a.txt": b"x"}), "a.zip"), (b"text", "b.txt")], meeting_date="2024-02-03")
    assert mixed.status_code == 400 and "one .zip archive on its own" in mixed.get_data(as_text=True)
    assert 'value="2024-02-03"' in mixed.get_data(as_text=True)
    none = post(client, [])
    assert none.status_code == 400 and "Choose the minutes files" in none.get_data(as_text=True)
    date = post(client, [(b"text", "a.txt")], meeting_date="03/02/2024")
    assert date.status_code == 400 and "year-month-day" in date.get_data(as_text=True)
    assert row_counts(session) == before


def test_too_large_an_upload_gets_413(
    app: Flask, client: FlaskClient, login: Callable[[User], None], staff: User
) -> None:
    login(staff)
    response = post(client, [(b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10), "huge.txt")])
    assert response.status_code == 413


def test_members_may_not_batch_import(
    client: FlaskClient, login: Callable[[User], None], member: User, session: Session, row_counts: Counts
) -> None:
    login(member)
    before = row_counts(session)
    assert client.get("/import/batch").status_code == 403
    assert client.get("/import/needs-date").status_code == 403
    assert post(client, [(b"minutes", "a.txt")], new_committee="C").status_code == 403
    assert row_counts(session) == before


def test_the_batch_form_needs_its_csrf_token(
    app: Flask,
    client: FlaskClient,
    login: Callable[[User], None],
    staff: User,
    session: Session,
    row_counts: Counts,
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    login(staff)
    before = row_counts(session)
    response = post(client, [(b"minutes", "a.txt")], new_committee="C")
    assert response.status_code == 400 and "did not come from this site" in response.get_data(as_text=True)
    assert row_counts(session) == before
