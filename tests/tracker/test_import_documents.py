"""PDF and Word minutes reach the database through ``tracker import`` and the upload form unchanged.

Both read files with :mod:`extract.sources`, so a seed set as a ``.pdf`` or ``.docx`` must import the
same resolutions and actions as its ``.txt``; a hostile document is refused by name, writing nothing.
"""

from __future__ import annotations

import html
import io
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tracker.models import MinuteItem, User

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "extract"))
from document_writers import text_to_docx, text_to_pdf  # noqa: E402

#: ``conftest.Seed``: a seed file read and extracted, with its committee and meeting date
Seed = Any

WRITERS: dict[str, Callable[[str], bytes]] = {
    ".pdf": lambda text: text_to_pdf(text, furniture=True),
    ".docx": lambda text: text_to_docx(text, automatic_numbering=True),
}


def _latest_item(session: Session) -> MinuteItem:
    session.expire_all()
    return session.scalars(select(MinuteItem).order_by(MinuteItem.id.desc())).first()


def _imported(item: MinuteItem) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    resolutions = [(r.label, r.kind.value, r.owner) for r in item.resolutions]
    actions = [(a.owner, a.resolution.label if a.resolution else None) for a in item.actions]
    return resolutions, actions


def _expected(seed: Seed) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    ex = seed.extraction
    return [(r.label, r.kind, r.owner) for r in ex.resolutions], [(a.owner, a.resolution) for a in ex.actions]


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_tracker_import_reads_a_seed_as_pdf_or_docx(
    runner: CliRunner, session: Session, seed_2017: Seed, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"scrutiny 2017-04-12{suffix}"
    path.write_bytes(WRITERS[suffix](seed_2017.path.read_text(encoding="utf-8")))
    args = [
        "import",
        str(path),
        "--committee",
        seed_2017.committee,
        "--date",
        seed_2017.meeting_date.isoformat(),
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    item = _latest_item(session)
    assert item.source_name == str(path)
    assert _imported(item) == _expected(seed_2017)


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("scan.pdf", text_to_pdf("x")[:200], "E_CORRUPT"),
        ("notes.pdf", b"RESOLVED that the report be noted.", "E_FORMAT_MISMATCH"),
        ("minutes.docx", b"PK\x05\x06" + bytes(18), "E_CORRUPT"),
    ],
)
def test_tracker_import_refuses_a_bad_document_and_writes_nothing(
    runner: CliRunner,
    session: Session,
    row_counts: Callable,
    tmp_path: Path,
    name: str,
    data: bytes,
    code: str,
) -> None:
    before = row_counts(session)
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(
        args=["import", str(path), "--committee", "Audit Committee", "--date", "2020-01-01"]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: ") and result.output.rstrip().endswith(f"[{code}]")
    assert row_counts(session) == before


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_the_upload_form_reads_a_pdf_or_docx(
    client: FlaskClient,
    session: Session,
    seed_2018: Seed,
    staff: User,
    login: Callable[[User], None],
    suffix: str,
) -> None:
    login(staff)
    data = WRITERS[suffix](seed_2018.path.read_text(encoding="utf-8"))
    upload = FileStorage(
        stream=io.BytesIO(data), filename=f"item 12{suffix}", content_type="application/octet-stream"
    )
    fields = MultiDict(
        {
            "new_committee": seed_2018.committee,
            "meeting_date": seed_2018.meeting_date.isoformat(),
            "file": upload,
        }
    )
    boundary, body = encode_multipart(fields)
    response = client.post("/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:3000]
    assert f"item 12{suffix}" in page
    response = client.post("/import/confirm", data=_review_fields(page))
    assert response.status_code == 302
    item = _latest_item(session)
    assert item.source_name == f"item 12{suffix}"
    assert _imported(item) == _expected(seed_2018)


def _review_fields(page: str) -> dict[str, str]:
    """The review form's fields as a browser sends them unchanged (checked boxes, selected options)."""
    form = page[page.index('action="/import/confirm"') :]
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrf_token" or ('type="checkbox"' in tag and " checked" not in tag):
            continue
        fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.DOTALL):
        fields[name] = html.unescape(body)
    for name, options in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.DOTALL):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        fields[name] = chosen.group(1) if chosen else ""
    return fields
