"""Reading Word minutes: paragraphs, numbering and tables as the extractor wants them; hostile files refused.

Every ``.docx`` is zipped here from XML written in ``document_writers`` (no committed binaries); the
seed minutes are turned into Word documents, once with their numbering typed and once with Word's
automatic numbering, and must extract as their ``.txt`` does.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from document_writers import (
    NUMBERING_XML,
    W_NS,
    docx_document,
    docx_paragraph,
    docx_run,
    docx_table,
    text_to_docx,
    write_docx,
)
from seed_facts import facts, spanned

import extract.docx
import extract.sources
from extract.errors import (
    CorruptDocumentError,
    EmptyMinutesError,
    EncryptedDocumentError,
    ExtractionError,
    FormatMismatchError,
    MinutesTooLargeError,
)
from extract.sources import MAX_BYTES, read_bytes, read_source
from tracker.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def docx(*paragraphs: str, numbering: bool = True, styles: str | None = None) -> bytes:
    return write_docx(
        docx_document("".join(paragraphs)),
        numbering_xml=NUMBERING_XML if numbering else None,
        styles_xml=styles,
    )


def read(data: bytes) -> list[str]:
    return read_bytes(data, "m.docx").text.rstrip("\n").split("\n\n")


# --- the seeds as Word documents ----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
@pytest.mark.parametrize("numbering", ["typed", "automatic"])
def test_a_seed_as_a_docx_extracts_like_its_text(tmp_path: Path, seed: Path, numbering: str) -> None:
    text = seed.read_text(encoding="utf-8")
    data = text_to_docx(text, automatic_numbering=numbering == "automatic")
    if numbering == "automatic":
        assert b"(1)" not in data  # the numbers exist only in numbering.xml
    path = tmp_path / (seed.stem + ".docx")
    path.write_bytes(data)
    src = read_source(path)
    assert src.derived and src.name == str(path) and src.warnings == ()
    expected = facts(text)
    assert expected["resolutions"]
    assert facts(src.text) == expected
    assert spanned(src.text) == spanned(text)


# --- paragraphs, numbering, tables --------------------------------------------------------------


def test_paragraphs_are_lines_with_a_blank_line_between_and_empty_ones_dropped() -> None:
    data = docx(docx_paragraph("Agenda item"), docx_paragraph(""), docx_paragraph("Housing\tUpdate"))
    assert read_bytes(data, "m.docx").text == "Agenda item\n\nHousing\tUpdate\n"


def test_automatic_numbering_is_written_as_word_shows_it() -> None:
    data = docx(
        docx_paragraph("RESOLVED that the Committee:"),
        docx_paragraph("Notes the report", num=(1, 0)),
        docx_paragraph("Recommends that the Cabinet Member:", num=(1, 0)),
        docx_paragraph("writes to the Minister", num=(1, 1)),
        docx_paragraph("reports back", num=(1, 1)),
        docx_paragraph("by December", num=(1, 2)),
        docx_paragraph("Thanks the witnesses", num=(1, 0)),
        docx_paragraph("restarted sub-list", num=(1, 1)),
        docx_paragraph("a bullet", num=(2, 0)),
        docx_paragraph("a list that starts at five", num=(3, 0)),
        docx_paragraph("and goes on", num=(3, 0)),
        docx_paragraph("numId 0 means no number", num=(0, 0)),
    )
    assert read(data) == [
        "RESOLVED that the Committee:",
        "(1) Notes the report",
        "(2) Recommends that the Cabinet Member:",
        "(a) writes to the Minister",
        "(b) reports back",
        "i. by December",
        "(3) Thanks the witnesses",
        "(a) restarted sub-list",
        "• a bullet",
        "(5) a list that starts at five",
        "(6) and goes on",
        "numId 0 means no number",
    ]


def test_numbering_set_by_a_paragraph_style_and_multi_level_labels() -> None:
    numbering = NUMBERING_XML.replace(
        "</w:numbering>",
        '<w:abstractNum w:abstractNumId="7">'
        '<w:lvl w:ilvl="0"><w:start w:val="8"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/>'
        '<w:lvlText w:val="%3)"/></w:lvl>'
        '</w:abstractNum><w:num w:numId="9"><w:abstractNumId w:val="7"/></w:num></w:numbering>',
    )
    styles = (
        f'<w:styles xmlns:w="{W_NS}">'
        '<w:style w:type="paragraph" w:styleId="MinuteHeading"><w:pPr><w:numPr><w:numId w:val="9"/>'
        "</w:numPr></w:pPr></w:style>"
        '<w:style w:type="paragraph" w:styleId="MinuteSub"><w:basedOn w:val="MinuteHeading"/>'
        '<w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>'
        "</w:styles>"
    )
    data = write_docx(
        docx_document(
            docx_paragraph("DECLARATIONS OF INTEREST", style="MinuteHeading")
            + docx_paragraph("HOUSING UPDATE", style="MinuteHeading")
            + docx_paragraph("RESOLVED that the report be noted.", style="MinuteHeading", num=(9, 1))
            + docx_paragraph("Option one", num=(9, 2))
        ),
        numbering_xml=numbering,
        styles_xml=styles,
    )
    assert read(data) == [
        "8. DECLARATIONS OF INTEREST",
        "9. HOUSING UPDATE",
        "9.1 RESOLVED that the report be noted.",
        "A) Option one",
    ]


def test_tables_become_cell_bar_cell_rows() -> None:
    table = docx_table([["Action", "Owner", "Due"], ["Circulate the report", "Clerk", ""], ["", "", ""]])
    data = docx(docx_paragraph("Actions arising"), table, docx_paragraph("Close of meeting"))
    assert read(data) == [
        "Actions arising",
        "Action | Owner | Due\nCirculate the report | Clerk | ",
        "Close of meeting",
    ]


def test_content_controls_insertions_breaks_and_text_boxes_are_read_deletions_are_not() -> None:
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    box = (
        f'<w:r><mc:AlternateContent xmlns:mc="{mc}"><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
        + docx_paragraph("Text in a box")
        + "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
        + docx_paragraph("Text in a box")
        + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    body = (
        "<w:sdt><w:sdtContent>" + docx_paragraph("Inside a content control") + "</w:sdtContent></w:sdt>"
        "<w:p>" + docx_run("Officers to ") + "<w:del><w:r><w:delText>never </w:delText></w:r></w:del>"
        "<w:ins>" + docx_run("report back") + "</w:ins><w:r><w:br/></w:r>" + docx_run("by June") + "</w:p>"
        "<w:p>" + docx_run("Co") + "<w:r><w:noBreakHyphen/></w:r>" + docx_run("ordination") + box + "</w:p>"
    )
    assert read(write_docx(docx_document(body))) == [
        "Inside a content control",
        "Officers to report back\nby June",
        "Co-ordination",
        "Text in a box",
    ]


def test_strict_open_xml_and_a_main_part_named_by_the_relationships() -> None:
    strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    document = (
        f'<w:document xmlns:w="{strict}"><w:body>{docx_paragraph("Strict minutes")}</w:body></w:document>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" '
        'Target="word/document2.xml"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_rels/.rels", rels)
        zf.writestr("word/document2.xml", document)
    assert read(out.getvalue()) == ["Strict minutes"]


# --- hostile and broken files ------------------------------------------------------------------


def _zip(members: dict[str, bytes | str], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _bomb() -> bytes:
    """A document.xml of 20 MB of spaces inside a paragraph: about 20 KB packed."""
    filler = " " * (20 * 1024 * 1024)
    return write_docx(docx_document(f"<w:p><w:r><w:t>x{filler}y</w:t></w:r></w:p>"))


def _over_part_limit() -> bytes:
    return write_docx(docx_document(docx_paragraph("x" * (extract.docx.MAX_PART_BYTES + 1))))


def _lying_sizes() -> bytes:
    """A bomb whose headers claim 1 KB unpacked: the read must stop there and fail the CRC check."""
    data = bytearray(write_docx(docx_document(docx_paragraph("minutes " * 200_000))))
    name = b"word/document.xml"
    local = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name.decode()).header_offset
    central = data.find(name, local + 30 + len(name)) - 46
    assert data[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", data, local + 22, 1024)  # uncompressed size, local header
    struct.pack_into("<I", data, central + 24, 1024)  # and central directory
    return bytes(data)


_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "laugh">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>"
)
_XXE = '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


def _with_prolog(prolog: str, entity: str) -> bytes:
    document = docx_document(f"<w:p><w:r><w:t>&{entity};</w:t></w:r></w:p>").split("\n", 1)[1]
    return write_docx(prolog + document)


HOSTILE: dict[str, tuple[Callable[[], bytes], type[ExtractionError], str]] = {
    "not_a_zip": (
        lambda: b"PK\x03\x04" + bytes(range(256)) * 4,
        CorruptDocumentError,
        "is not a zip archive",
    ),
    "no_document_xml": (
        lambda: _zip({"content.xml": "<office:document/>", "mimetype": "application/x"}),
        CorruptDocumentError,
        "the zip holds no word/document.xml",
    ),
    "empty_zip": (lambda: _zip({}), CorruptDocumentError, "the zip holds no word/document.xml"),
    "malformed_xml": (
        lambda: write_docx(docx_document(docx_paragraph("x")).replace("</w:body>", "")),
        CorruptDocumentError,
        "word/document.xml is not well-formed XML",
    ),
    "zip_bomb_ratio": (_bomb, MinutesTooLargeError, "times its packed size (a zip bomb?)"),
    "zip_bomb_size": (_over_part_limit, MinutesTooLargeError, "unpacks to 33,554,"),
    "lying_zip_headers": (_lying_sizes, CorruptDocumentError, "word/document.xml cannot be unpacked"),
    "billion_laughs": (
        lambda: _with_prolog(_LAUGHS, "j"),
        CorruptDocumentError,
        "declares a DTD or entities",
    ),
    "external_entity": (lambda: _with_prolog(_XXE, "x"), CorruptDocumentError, "declares a DTD or entities"),
    "encrypted": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le"),
        EncryptedDocumentError,
        "the Word document is password-protected",
    ),
    "old_doc": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "WordDocument".encode("utf-16-le"),
        FormatMismatchError,
        "an old binary Word (.doc)",
    ),
    "really_text": (
        lambda: b"RESOLVED that the report be noted.\n",
        FormatMismatchError,
        "the file holds plain text, not a .docx (Word) document: name it .txt",
    ),
    "really_pdf": (lambda: b"%PDF-1.7\n...", FormatMismatchError, "a PDF document, not a .docx"),
    "no_text": (lambda: docx(docx_paragraph("")), EmptyMinutesError, "the document holds no text"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_read_source_refuses_hostile_docx(tmp_path: Path, case: str) -> None:
    make, error, message = HOSTILE[case]
    path = tmp_path / "item 12.docx"
    path.write_bytes(make())
    with pytest.raises(error) as caught:
        read_source(path)
    assert caught.value.source == str(path)
    assert message in caught.value.message


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_read_bytes_refuses_hostile_docx(case: str) -> None:
    make, error, message = HOSTILE[case]
    with pytest.raises(error) as caught:
        read_bytes(make(), "upload.DOCX")
    assert caught.value.source == "upload.DOCX" and message in str(caught.value)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_tracker_extract_names_each_hostile_docx(tmp_path: Path, case: str) -> None:
    make, error, message = HOSTILE[case]
    bad = tmp_path / "bad.docx"
    bad.write_bytes(make())
    good = tmp_path / "good.docx"
    good.write_bytes(text_to_docx("Agenda item\n\nRESOLVED that the report be noted."))
    result = CliRunner().invoke(main, ["extract", str(bad), str(good), "--format", "jsonl"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"tracker extract: {bad}: ") and message in line
    assert line.endswith(f"[{error.code}]")
    assert len(result.stdout.splitlines()) == 1


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    data = _zip({"word/document.xml": docx_document("x"), "pad.bin": bytes(MAX_BYTES)}, zipfile.ZIP_STORED)
    path = tmp_path / "big.docx"
    path.write_bytes(data)
    for call in (lambda: read_source(path), lambda: read_bytes(data, "big.docx")):
        with pytest.raises(MinutesTooLargeError, match="the limit is 5,242,880"):
            call()
    result = CliRunner().invoke(main, ["extract", str(path)])
    assert result.exit_code == 2 and result.stderr.rstrip().endswith("[E_TOO_LARGE]")


def test_text_past_the_character_limit_is_refused_while_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract.sources, "MAX_TEXT_CHARS", 500)
    data = docx(*[docx_paragraph("RESOLVED that the report be noted.")] * 20)
    with pytest.raises(MinutesTooLargeError, match="over 500 characters"):
        read_bytes(data, "m.docx")
