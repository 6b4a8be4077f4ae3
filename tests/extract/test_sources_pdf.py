"""Reading PDF minutes: the text layer as the extractor wants it, and every hostile file refused by name.

Every PDF is written here by ``document_writers`` (encrypted ones re-written by pypdf); the seed
minutes are set as PDFs and must extract as their ``.txt`` does.
"""

from __future__ import annotations

import html
import io
import subprocess
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from document_writers import PdfPage, text_to_pdf, write_pdf
from seed_facts import facts, spanned

import extract.pdf
import extract.sources
from extract.errors import (
    CorruptDocumentError,
    EncryptedDocumentError,
    ExtractionError,
    FormatMismatchError,
    MinutesTooLargeError,
    NoTextLayerError,
)
from extract.sources import MAX_BYTES, SourceText, read_bytes, read_source
from tracker.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def encrypt(data: bytes, *, user: str, owner: str = "owner-secret") -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def lines(src: SourceText) -> list[str]:
    return src.text.split("\n")


# --- the seeds as PDFs --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_a_seed_set_as_a_pdf_extracts_like_its_text(tmp_path: Path, seed: Path) -> None:
    text = seed.read_text(encoding="utf-8")
    # Wrapped at the margin, three pages with a running header and "Page n of N" footers.
    path = tmp_path / (seed.stem + ".pdf")
    path.write_bytes(text_to_pdf(text, furniture=True))
    src = read_source(path)
    assert src.derived and src.name == str(path) and src.warnings == ()
    expected = facts(text)
    assert expected["resolutions"], "the seed must have something to compare"
    assert facts(src.text) == expected
    # Spans point into the derived text: they cover the same words as in the .txt.
    assert spanned(src.text) == spanned(text)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get install chromium")
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_a_seed_printed_to_pdf_by_chromium_extracts_like_its_text(tmp_path: Path, seed: Path) -> None:
    """A real producer's PDF: proportional fonts, glyphs placed one by one, paragraph spacing."""
    text = seed.read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
    page = tmp_path / "minutes.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'><style>body{font:11pt serif} p{margin:0 0 8pt}</style>"
        + paragraphs,
        encoding="utf-8",
    )
    pdf = tmp_path / "minutes.pdf"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    src = read_source(pdf)
    assert facts(src.text) == facts(text)
    assert spanned(src.text) == spanned(text)


# --- layout: lines, paragraphs, lists, tables, pages --------------------------------------------


def test_wrapped_lines_join_into_one_line_per_paragraph() -> None:
    para = "The Committee considered a report of the Director of Finance on the capital programme " * 3
    src = read_bytes(
        text_to_pdf(f"Agenda item\n\n{para.strip()}\n\nRESOLVED that the report be noted."), "m.pdf"
    )
    assert lines(src) == ["Agenda item", "", para.strip(), "", "RESOLVED that the report be noted."]


def test_short_lines_list_items_and_hyphens() -> None:
    page = PdfPage(
        [
            "Present:",
            "Councillor A Patel (Chair)",
            "Councillor B Jones",
            "The Committee asked for a report back on the scheme's progress and the co-",
            "ordination of the works with the utility companies.",
            "(a) that the plan be approved",
            "(b) that officers report back",
            "• a bullet point",
        ]
    )
    src = read_bytes(write_pdf([page]), "m.pdf")
    assert lines(src) == [
        "Present:",
        "Councillor A Patel (Chair)",
        "Councillor B Jones",
        "The Committee asked for a report back on the scheme's progress and the co-ordination of "
        "the works with the utility companies.",
        "(a) that the plan be approved",
        "(b) that officers report back",
        "• a bullet point",
    ]


def test_table_cells_become_cell_bar_cell() -> None:
    page = PdfPage(
        [
            "Actions arising",
            [(0, "Action"), (200, "Owner"), (330, "Due")],
            [(0, "Circulate the report"), (200, "Clerk"), (330, "June 2025")],
        ]
    )
    src = read_bytes(write_pdf([page]), "m.pdf")
    assert lines(src) == [
        "Actions arising",
        "Action | Owner | Due",
        "Circulate the report | Clerk | June 2025",
    ]


def test_pages_are_joined_with_a_newline_and_running_furniture_is_dropped() -> None:
    body = ["The Committee met.", "Members asked questions.", "RESOLVED that the report be noted."]
    pages = [
        PdfPage([text], header="Audit Committee 14 March 2019", footer=f"Page {n} of 3")
        for n, text in enumerate(body, start=1)
    ]
    src = read_bytes(write_pdf(pages), "m.pdf")
    assert src.text == "\n".join(body)


def test_a_single_page_keeps_its_header_and_footer() -> None:
    src = read_bytes(write_pdf([PdfPage(["Body text."], header="Audit Committee", footer="Page 1")]), "m.pdf")
    assert "Audit Committee" in src.text and "Page 1" in src.text and "Body text." in src.text


def test_a_page_without_text_is_a_warning_naming_it() -> None:
    src = read_bytes(
        write_pdf([PdfPage(["RESOLVED that the report be noted."]), PdfPage(drawing_only=True)]), "m.pdf"
    )
    assert src.text.strip() == "RESOLVED that the report be noted."
    (warning,) = src.warnings
    assert warning.code == "W_PAGES_WITHOUT_TEXT" and "page(s) 2 of 2" in warning.message


def test_uncompressed_content_and_junk_before_the_header_are_read() -> None:
    data = b"\r\nJUNK FROM A MAIL GATEWAY\r\n" + text_to_pdf(
        "RESOLVED that the report be noted.", compress=False
    )
    assert read_bytes(data, "m.pdf").text == "RESOLVED that the report be noted."


def test_an_owner_password_alone_does_not_stop_reading() -> None:
    data = encrypt(text_to_pdf("RESOLVED that the report be noted."), user="")
    assert read_bytes(data, "m.pdf").text == "RESOLVED that the report be noted."


def test_threads_may_read_pdfs_at_once() -> None:
    data = text_to_pdf("RESOLVED that the report be noted.\n\n" * 40)
    expected = read_bytes(data, "m.pdf").text
    results: list[str] = []

    def work() -> None:
        for _ in range(5):
            results.append(read_bytes(data, "m.pdf").text)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 20


# --- hostile and broken files ------------------------------------------------------------------


def _bomb(size: int, *, layers: int = 1) -> bytes:
    """A one-page PDF whose content stream inflates to ``size`` bytes (``layers`` times deflated)."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    stream = packer.compress(b"BT /F1 10 Tf 56 780 Td (Hello) Tj ET\n")
    stream += b"".join(packer.compress(chunk) for _ in range(size >> 20)) + packer.flush()
    for _ in range(layers - 1):
        stream = zlib.compress(stream, 9)
    filters = b"[" + b" ".join([b"/FlateDecode"] * layers) + b"]"
    plain = write_pdf([PdfPage(["x"])], compress=False)
    # Swap the page's content stream for the bomb; PDFium rebuilds the shifted offsets.
    head, rest = plain.split(b"4 0 obj\n", 1)
    _, tail = rest.split(b"endobj\n", 1)
    body = b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters) + stream + b"\nendstream"
    return head + b"4 0 obj\n" + body + b"\nendobj\n" + tail


def _truncated() -> bytes:
    data = text_to_pdf("RESOLVED that the report be noted.\n\n" * 200)
    return data[: len(data) // 2]


def _many_pages() -> bytes:
    return write_pdf([PdfPage([f"page {n}"]) for n in range(4)])


HOSTILE: dict[str, tuple[Callable[[], bytes], type[ExtractionError], str]] = {
    "encrypted": (
        lambda: encrypt(text_to_pdf("RESOLVED that the report be noted."), user="secret"),
        EncryptedDocumentError,
        "the PDF is password-protected",
    ),
    "scanned": (
        lambda: write_pdf([PdfPage(drawing_only=True), PdfPage(drawing_only=True)]),
        NoTextLayerError,
        "no text layer on any of its 2 page(s)",
    ),
    "corrupt": (
        lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n",
        CorruptDocumentError,
        "the PDF is damaged and cannot be read",
    ),
    "truncated": (_truncated, CorruptDocumentError, "the PDF is truncated (no %%EOF end marker)"),
    "really_text": (
        lambda: b"Agenda item\n\nRESOLVED that the report be noted.\n",
        FormatMismatchError,
        "the file holds plain text, not a PDF: name it .txt",
    ),
    "really_html": (
        lambda: b"<!DOCTYPE html><html><body><p>RESOLVED</p></body></html>",
        FormatMismatchError,
        "the file holds an HTML page, not a PDF",
    ),
    "really_png": (
        lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        FormatMismatchError,
        "a PNG image, not a PDF",
    ),
    "unknown_bytes": (
        lambda: bytes(range(256)),
        CorruptDocumentError,
        "not a PDF (no %PDF- header at the start)",
    ),
    "bomb": (lambda: _bomb(96 << 20), MinutesTooLargeError, "inflate to over 67,108,864 bytes"),
    "nested_bomb": (lambda: _bomb(96 << 20, layers=2), MinutesTooLargeError, "a decompression bomb"),
    "deep_filter_chain": (lambda: _bomb(1 << 20, layers=9), MinutesTooLargeError, "deflated 9 times over"),
    "too_many_pages": (_many_pages, MinutesTooLargeError, "the PDF has 4 pages; the limit is 3"),
}


@pytest.fixture
def hostile(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, type, str]:
    monkeypatch.setattr(extract.pdf, "MAX_PAGES", 3)
    make, error, message = HOSTILE[request.param]
    return make(), error, message


@pytest.mark.parametrize("hostile", sorted(HOSTILE), indirect=True)
def test_read_source_refuses_hostile_pdfs(tmp_path: Path, hostile: tuple[bytes, type, str]) -> None:
    data, error, message = hostile
    path = tmp_path / "item 12.pdf"
    path.write_bytes(data)
    with pytest.raises(error) as caught:
        read_source(path)
    assert caught.value.source == str(path)
    assert message in caught.value.message


@pytest.mark.parametrize("hostile", sorted(HOSTILE), indirect=True)
def test_read_bytes_refuses_hostile_pdfs(hostile: tuple[bytes, type, str]) -> None:
    data, error, message = hostile
    with pytest.raises(error) as caught:
        read_bytes(data, "upload.PDF")
    assert caught.value.source == "upload.PDF" and message in str(caught.value)


@pytest.mark.parametrize("hostile", sorted(HOSTILE), indirect=True)
def test_tracker_extract_names_each_hostile_pdf(tmp_path: Path, hostile: tuple[bytes, type, str]) -> None:
    data, error, message = hostile
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(data)
    good = tmp_path / "good.pdf"
    good.write_bytes(text_to_pdf("Agenda item\n\nRESOLVED that the report be noted."))
    result = CliRunner().invoke(main, ["extract", str(bad), str(good), "--format", "jsonl"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"tracker extract: {bad}: ") and message in line
    assert line.endswith(f"[{error.code}]")
    assert len(result.stdout.splitlines()) == 1  # the good file is still read


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    data = text_to_pdf("x") + b"%" * MAX_BYTES
    path = tmp_path / "big.pdf"
    path.write_bytes(data)
    for call in (lambda: read_source(path), lambda: read_bytes(data, "big.pdf")):
        with pytest.raises(MinutesTooLargeError, match="the limit is 5,242,880"):
            call()
    result = CliRunner().invoke(main, ["extract", str(path)])
    assert result.exit_code == 2 and result.stderr.startswith(f"tracker extract: {path}: file is ")
    assert result.stderr.rstrip().endswith("[E_TOO_LARGE]")


def test_text_past_the_character_limit_is_refused_while_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract.sources, "MAX_TEXT_CHARS", 500)
    data = write_pdf([PdfPage(["RESOLVED that the report be noted."] * 10) for _ in range(3)])
    with pytest.raises(MinutesTooLargeError, match="over 500 characters"):
        read_bytes(data, "m.pdf")
