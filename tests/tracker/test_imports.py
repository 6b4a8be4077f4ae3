"""Importing minutes on the web: paste or upload, review beside the text, correct, confirm."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tracker.models import Action, Correction, MinuteItem, ReviewState, User

#: ``conftest.Seed``: a seed file read and extracted, with its committee and meeting date
Seed = Any

COMMITTEE = "Scrutiny Co-ordination Committee"


@pytest.fixture
def as_staff(login: Callable[[User], None], staff: User) -> User:
    login(staff)
    return staff


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def _review(client: FlaskClient, seed: Seed, **data: object) -> tuple[int, str]:
    fields = {"new_committee": seed.committee, "meeting_date": seed.meeting_date.isoformat(), **data}
    if "file" not in fields and "text" not in fields:
        fields["text"] = seed.source.text
    if isinstance(fields.get("file"), tuple):
        stream, name = fields["file"]
        fields["file"] = FileStorage(stream=stream, filename=name, content_type="application/octet-stream")
    # Encoded here, in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(MultiDict(fields))
    response = client.post("/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    return response.status_code, _text(response)


def _fields(page: str) -> dict[str, str]:
    """The review form's fields as a browser would send them unchanged (checked boxes, selected options)."""
    form = page[page.index('action="/import/confirm"') :]
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.DOTALL):
        fields[name] = html.unescape(body)
    for name, options in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.DOTALL):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


@contextmanager
def counted(connection: Any) -> Iterator[list[str]]:
    """The SQL statements run on the test's connection while the block runs (savepoints aside)."""
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(connection.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection.engine, "before_cursor_execute", count)


def _item(session: Session) -> MinuteItem:
    session.expire_all()
    return session.scalars(select(MinuteItem).order_by(MinuteItem.id.desc())).first()


def test_the_form_offers_paste_upload_committees_and_a_date_note(
    client: FlaskClient, imported: dict[str, MinuteItem], as_staff: User
) -> None:
    page = _text(client.get("/import"))
    assert 'enctype="multipart/form-data"' in page and 'name="csrf_token"' in page
    assert '<label for="import-text">' in page and '<label for="import-file">' in page
    assert f">{COMMITTEE}</option>" in page and 'name="new_committee"' in page
    assert "needing a date" in page
    assert "<script" not in page


def test_paste_review_and_confirm_unchanged(
    client: FlaskClient, session: Session, seed_2017: Seed, as_staff: User, row_counts: Callable
) -> None:
    before = row_counts(session)
    status, page = _review(client, seed_2017)
    assert status == 200, page[:3000]
    assert row_counts(session) == before  # the review writes nothing
    assert "Check the minutes before importing" in page
    assert page.count('class="hl-resolution') >= 1 and 'class="hl-action' in page
    assert 'class="hl-attendee' in page
    response = client.post("/import/confirm", data=_fields(page))
    assert response.status_code == 302
    item = _item(session)
    assert response.location == f"/items/{item.id}"
    assert len(item.resolutions) == len(seed_2017.extraction.resolutions)
    assert len(item.actions) == len(seed_2017.extraction.actions)
    assert item.review_state is ReviewState.REVIEWED
    assert item.source_text == seed_2017.source.text  # CR LF from the text box is not kept
    assert not item.corrections and not any(a.updates for a in item.actions)
    assert "Imported 8 resolutions and 7 actions" in _text(client.get(response.location))


def test_pasted_text_with_browser_line_breaks_is_the_same_text(
    client: FlaskClient, session: Session, seed_2017: Seed, as_staff: User
) -> None:
    status, page = _review(client, seed_2017, text=seed_2017.source.text.replace("\n", "\r\n"))
    assert status == 200
    assert client.post("/import/confirm", data=_fields(page)).status_code == 302
    assert _item(session).text_sha256 == seed_2017.extraction.sha256


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_upload_a_file(
    client: FlaskClient, session: Session, seed_2018: Seed, as_staff: User, suffix: str
) -> None:
    if suffix == ".txt":
        data = seed_2018.path.read_bytes()
    else:
        body = "".join(f"<p>{html.escape(p)}</p>" for p in seed_2018.source.text.split("\n\n"))
        page = f"<html><head><title>x</title></head><body><nav>Home</nav><main>{body}</main></body></html>"
        data = page.encode()
    status, page = _review(client, seed_2018, file=(io.BytesIO(data), f"item 12{suffix}"))
    assert status == 200, page[:3000]
    assert f"item 12{suffix}" in page and "Home" not in page.split('class="source"')[1][:200]
    assert client.post("/import/confirm", data=_fields(page)).status_code == 302
    item = _item(session)
    assert item.source_name == f"item 12{suffix}" and item.actions


def test_the_review_escapes_the_source(
    client: FlaskClient, session: Session, seed_2017: Seed, as_staff: User
) -> None:
    text = seed_2017.source.text + '\n<script>alert("x")</script> <b onmouseover="evil()">bold</b>\n'
    status, page = _review(client, seed_2017, text=text)
    assert status == 200
    assert "<script>alert" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;alert(" in page


def test_corrections_are_applied_and_recorded(
    client: FlaskClient, session: Session, seed_2017: Seed, as_staff: User
) -> None:
    status, page = _review(client, seed_2017)
    fields = _fields(page)
    fields["a0-owner"] = "the Director of Public Health"
    fields["a0-due_date"] = "2017-06-30"
    fields["a1-remove"] = "1"
    fields["r0-kind"] = "decision"
    fields["p0-name"] = "Abdul Khan"
    fields.update({"n0-text": "Write to the Chief Constable", "n0-owner": "the Chair", "n0-clause": "2"})
    response = client.post("/import/confirm", data=fields)
    assert response.status_code == 302, _text(response)[:3000]
    item = _item(session)
    extracted = seed_2017.extraction
    assert len(item.actions) == len(extracted.actions)  # one left out, one added
    first = item.actions[0]
    assert first.owner == "the Director of Public Health" and first.due_date.isoformat() == "2017-06-30"
    assert "owner" in first.updates[0].note and first.updates[0].author_id == as_staff.id
    assert extracted.actions[1].text not in [a.text for a in item.actions]
    added = item.actions[-1]
    assert added.text == "Write to the Chief Constable" and added.owner == "the Chair"
    assert added.resolution_id == item.resolutions[2].id and added.version == 1
    assert "Added by hand" in added.updates[0].note
    assert item.resolutions[0].kind.value == "decision"
    assert item.attendances[0].person.name == "Abdul Khan"
    notes = [c.note for c in item.corrections]
    assert any("kind “noting” → “decision”" in n for n in notes)
    assert any("left out" in n for n in notes) and any("Abdul Khan" in n for n in notes)
    assert item.extraction["actions"][1]["text"] == extracted.actions[1].text  # what was read is kept


def test_add_another_action_keeps_what_was_typed(
    client: FlaskClient, session: Session, seed_2017: Seed, as_staff: User, row_counts: Callable
) -> None:
    before = row_counts(session)
    status, page = _review(client, seed_2017)
    fields = {**_fields(page), "a0-owner": "Someone typed", "n0-text": "First new", "more": "1"}
    response = client.post("/import/confirm", data=fields)
    page = _text(response)
    assert response.status_code == 200 and 'id="n1-text"' in page
    assert 'value="Someone typed"' in page and ">First new</textarea>" in page
    assert row_counts(session) == before


def test_a_bad_correction_keeps_the_form_and_saves_nothing(
    client: FlaskClient, session: Session, seed_2017: Seed, as_staff: User, row_counts: Callable
) -> None:
    before = row_counts(session)
    status, page = _review(client, seed_2017)
    fields = {**_fields(page), "a0-owner": "Kept owner", "a2-due_date": "31/12/2017", "r1-text": "  "}
    response = client.post("/import/confirm", data=fields)
    page = _text(response)
    assert response.status_code == 400 and "Nothing was imported" in page
    assert "Action 3&#39;s due date must be a date" in page
    assert 'value="Kept owner"' in page and 'value="31/12/2017"' in page
    fields["a2-due_date"] = ""
    response = client.post("/import/confirm", data=fields)
    assert response.status_code == 400 and "blank" in _text(response)
    assert row_counts(session) == before


@pytest.mark.parametrize("change", ["payload", "signature", "missing"])
def test_a_tampered_payload_is_refused(
    client: FlaskClient, session: Session, seed_2017: Seed, as_staff: User, row_counts: Callable, change: str
) -> None:
    before = row_counts(session)
    status, page = _review(client, seed_2017)
    fields = _fields(page)
    body, _, signature = fields["payload"].rpartition(".")
    if change == "payload":
        fields["payload"] = body[:-3] + ("AAA" if body[-3:] != "AAA" else "BBB") + "." + signature
    elif change == "signature":
        fields["payload"] = body + "." + signature[::-1]
    else:
        del fields["payload"]
    response = client.post("/import/confirm", data=fields)
    assert response.status_code == 400
    assert "came back changed" in _text(response)
    assert row_counts(session) == before


def test_a_payload_signed_with_another_key_is_refused(
    app: Flask, client: FlaskClient, seed_2017: Seed, as_staff: User
) -> None:
    status, page = _review(client, seed_2017)
    fields = _fields(page)
    pending = URLSafeSerializer(app.secret_key, salt="tracker.imports.review").loads(fields["payload"])
    fields["payload"] = URLSafeSerializer("another key", salt="tracker.imports.review").dumps(pending)
    assert client.post("/import/confirm", data=fields).status_code == 400


def test_the_same_text_twice_is_recognised(
    client: FlaskClient, session: Session, imported: dict[str, MinuteItem], seed_2017: Seed, as_staff: User
) -> None:
    existing = imported[seed_2017.path.name]
    status, page = _review(client, seed_2017)
    assert status == 409 and "already in the tracker" in page
    assert f'href="/items/{existing.id}"' in page
    status, page = _review(client, seed_2017, new_committee="Another Committee")
    assert status == 409 and f'href="/items/{existing.id}"' in page


def test_a_duplicate_at_confirm_is_recognised(
    client: FlaskClient, session: Session, seed_2017: Seed, as_staff: User, row_counts: Callable
) -> None:
    status, page = _review(client, seed_2017)
    fields = _fields(page)
    assert client.post("/import/confirm", data=fields).status_code == 302
    counts = row_counts(session)
    response = client.post("/import/confirm", data=fields)  # the same review confirmed twice
    assert response.status_code == 302
    assert "imported before" in _text(client.get(response.location))
    assert row_counts(session) == counts


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "file is empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + b"x" * 50, "binary file"),
        ("minutes.pdf", b"%PDF-1.4", "the PDF is truncated"),
        ("minutes.odt", b"PK\x03\x04", "unsupported file type (.odt)"),
        ("odd.txt", b"caf\x81 au lait", "not UTF-8"),
        ("big.txt", b"x" * (5 * 1024 * 1024 + 1), "the limit is"),
    ],
)
def test_a_bad_file_names_the_file_and_keeps_the_form(
    app: Flask,
    client: FlaskClient,
    session: Session,
    seed_2017: Seed,
    as_staff: User,
    row_counts: Callable,
    name: str,
    data: bytes,
    reason: str,
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024  # so the file reaches the reader
    before = row_counts(session)
    status, page = _review(
        client,
        seed_2017,
        file=(io.BytesIO(data), name),
        new_committee="My <New> Committee",
        meeting_date="2020-02-03",
    )
    assert status == 400
    assert f"The file “{name}” was not imported" in page and html.escape(reason, quote=True) in page
    assert 'value="My &lt;New&gt; Committee"' in page and 'value="2020-02-03"' in page
    assert row_counts(session) == before


def test_form_mistakes_keep_what_was_typed(client: FlaskClient, seed_2017: Seed, as_staff: User) -> None:
    status, page = _review(client, seed_2017, text="Some words I pasted", new_committee="")
    assert status == 400 and "Choose the committee" in page and ">Some words I pasted</textarea>" in page
    status, page = _review(client, seed_2017, text="Words", meeting_date="March 2020")
    assert status == 400 and "year-month-day" in page and ">Words</textarea>" in page
    status, page = _review(client, seed_2017, text="   ")
    assert status == 400 and "Paste the text" in page
    status, page = _review(client, seed_2017, text="Words", file=(io.BytesIO(b"x"), "a.txt"))
    assert status == 400 and "not both" in page


def test_too_large_a_request_gets_a_friendly_413(
    app: Flask, client: FlaskClient, seed_2017: Seed, as_staff: User
) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    status, page = _review(client, seed_2017, file=(io.BytesIO(b"x" * (5 * 1024 * 1024 + 10)), "huge.txt"))
    assert status == 413
    assert "over the limit of 5 MB" in page and "Go to the outstanding actions" in page


def test_members_may_not_import(
    client: FlaskClient, login: Callable[[User], None], member: User, seed_2017: Seed
) -> None:
    login(member)
    assert client.get("/import").status_code == 403
    assert _review(client, seed_2017)[0] == 403
    page = _text(client.get("/"))
    assert "Import minutes" not in page


def test_the_review_page_runs_a_fixed_number_of_queries(
    app: Flask, client: FlaskClient, connection: object, seeds: dict[str, Seed], as_staff: User
) -> None:
    counts = []
    for seed in seeds.values():
        with counted(connection) as statements:
            status, _ = _review(client, seed)
        assert status == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] <= 3, counts


def test_the_minute_item_page_lists_corrections(
    client: FlaskClient, session: Session, seed_2017: Seed, as_staff: User
) -> None:
    status, page = _review(client, seed_2017)
    fields = {**_fields(page), "r0-kind": "decision"}
    response = client.post("/import/confirm", data=fields)
    page = _text(client.get(response.location))
    assert "Corrections" in page and "Dee Officer" in page and "→" in page
    assert session.scalars(select(Correction)).first() is not None
    assert session.scalars(select(Action)).first() is not None
