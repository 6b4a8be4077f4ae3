"""Write small PDF and DOCX files from plain text, so tests and benchmarks need no committed binaries.

The PDF writer lays text out in Courier (WinAnsi, so the seeds' £ – “ ” fit; every glyph the same
width, so wrapping at a number of characters is wrapping at the margin as a word processor does) on
A4 pages, with optional page headers and footers (the page
furniture ``FORMATS.md`` describes). The DOCX writer makes one ``w:p`` per line, and can give
numbered-list paragraphs automatic numbering defined in ``word/numbering.xml``. Both are written
here from the specifications' basics; they are test fixtures, not part of the product.
"""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

# --- PDF --------------------------------------------------------------------------------------

_PAGE_W, _PAGE_H = 595, 842  # A4 in points
_MARGIN = 56


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def wrap_lines(text: str, width: int) -> list[str]:
    """Lines as a word processor would set them: each input line wrapped at ``width`` characters."""
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(textwrap.wrap(line, width, break_on_hyphens=False) or [""])
    return out


def paginate(lines: Sequence[str], per_page: int) -> list[list[str]]:
    return [list(lines[i : i + per_page]) for i in range(0, len(lines), per_page)] or [[]]


#: a line of text, or pieces of one line as (points from the left margin, text): table cells
PdfLine = str | Sequence[tuple[float, str]]


@dataclass
class PdfPage:
    """One page: text lines set top to bottom, or ``drawing_only`` for a page with no text layer."""

    lines: Sequence[PdfLine] = field(default_factory=list)
    header: str | None = None
    footer: str | None = None
    drawing_only: bool = False


def _show(x: float, y: float, text: str, size: float) -> bytes:
    return b"BT /F1 %.1f Tf %.2f %.2f Td " % (size, x, y) + _pdf_string(text) + b" Tj ET"


def _content(page: PdfPage, font_size: float) -> bytes:
    if page.drawing_only:
        # What a scanner leaves: marks on the page, no text objects.
        return b"0.2 g 72 600 300 120 re f 0.5 g 72 400 420 80 re f"
    leading = font_size * 1.25
    ops = []
    for n, line in enumerate(page.lines):
        y = _PAGE_H - _MARGIN - n * leading
        pieces = [(0.0, line)] if isinstance(line, str) else line
        ops += [_show(_MARGIN + x, y, text, font_size) for x, text in pieces if text]
    if page.header:
        ops.append(_show(_MARGIN, _PAGE_H - 30, page.header, 8))
    if page.footer:
        ops.append(_show(_MARGIN, 28, page.footer, 8))
    return b"\n".join(ops)


def write_pdf(pages: Iterable[PdfPage], *, font_size: float = 10, compress: bool = True) -> bytes:
    """A PDF 1.4 file with the pages given, a classic cross-reference table and a ``%%EOF``."""
    pages = list(pages)
    objects: list[bytes] = []  # object n is objects[n - 1]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # the page tree, filled in below
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
    kids = []
    for page in pages:
        stream = _content(page, font_size)
        if compress:
            stream = zlib.compress(stream)
            objects.append(
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"
            )
        else:
            objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (_PAGE_W, _PAGE_H, content_ref)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(kids)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def text_to_pdf(
    text: str, *, width: int = 80, per_page: int = 56, furniture: bool = False, compress: bool = True
) -> bytes:
    """Set ``text`` as a PDF, wrapping at ``width`` characters; ``furniture`` adds headers and footers."""
    chunks = paginate(wrap_lines(text, width), per_page)
    pages = [
        PdfPage(
            lines,
            header="Scrutiny Co-ordination Committee - 12 April 2017" if furniture else None,
            footer=f"Page {n} of {len(chunks)}" if furniture else None,
        )
        for n, lines in enumerate(chunks, start=1)
    ]
    return write_pdf(pages, compress=compress)


# --- DOCX -------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_NUM_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
_STYLES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_REL_NS}"><Relationship Id="rId1" Type="{_DOC_TYPE}" '
    'Target="word/document.xml"/></Relationships>'
)


def docx_run(text: str) -> str:
    """One ``w:r`` holding ``text``; tabs become ``w:tab``, spaces are preserved."""
    parts = []
    for i, piece in enumerate(text.split("\t")):
        if i:
            parts.append("<w:tab/>")
        if piece:
            parts.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return "<w:r>" + "".join(parts) + "</w:r>"


def docx_paragraph(text: str, *, num: tuple[int, int] | None = None, style: str | None = None) -> str:
    """A ``w:p``; ``num=(numId, ilvl)`` makes it an automatically numbered list paragraph."""
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if num:
        props += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    return f"<w:p>{'<w:pPr>' + props + '</w:pPr>' if props else ''}{docx_run(text) if text else ''}</w:p>"


def docx_table(rows: Sequence[Sequence[str]]) -> str:
    cells = (
        "<w:tr>" + "".join(f"<w:tc>{docx_paragraph(cell)}</w:tc>" for cell in row) + "</w:tr>" for row in rows
    )
    return "<w:tbl>" + "".join(cells) + "</w:tbl>"


def docx_document(body_xml: str, *, prolog: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + prolog
        + f'<w:document xmlns:w="{W_NS}" xmlns:r="{_R_NS}"><w:body>{body_xml}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'
    )


# Two lists as Word defines them: abstract 0 is "(1)" with "(a)" below it, abstract 1 is bullets.
NUMBERING_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:numbering xmlns:w="{W_NS}">'
    '<w:abstractNum w:abstractNumId="0">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="(%1)"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl>'
    '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="%3."/></w:lvl>'
    "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="1">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>'
    "</w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    '<w:num w:numId="3"><w:abstractNumId w:val="0"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>'
    "</w:numbering>"
)


def write_docx(
    document_xml: str,
    *,
    numbering_xml: str | None = None,
    styles_xml: str | None = None,
    extra: dict[str, bytes | str] | None = None,
) -> bytes:
    """Zip the parts of a minimal Word document (deflated, as Word writes them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("word/document.xml", document_xml)
        if numbering_xml is not None:
            zf.writestr("word/numbering.xml", numbering_xml)
        if styles_xml is not None:
            zf.writestr("word/styles.xml", styles_xml)
        parts = [("numbering", numbering_xml), ("styles", styles_xml)]
        rels = [
            (kind, _NUM_TYPE if kind == "numbering" else _STYLES_TYPE)
            for kind, xml in parts
            if xml is not None
        ]
        if rels:
            zf.writestr(
                "word/_rels/document.xml.rels",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_REL_NS}">'
                + "".join(
                    f'<Relationship Id="rId{n}" Type="{kind_type}" Target="{kind}.xml"/>'
                    for n, (kind, kind_type) in enumerate(rels, start=1)
                )
                + "</Relationships>",
            )
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


_TYPED_NUMBER = re.compile(r"^\((\d+|[a-z])\)[\s\xa0]+")


def text_to_docx(text: str, *, automatic_numbering: bool = False) -> bytes:
    """One paragraph per line of ``text`` (blank lines become empty paragraphs).

    With ``automatic_numbering``, blank lines are dropped and typed ``(1)``/``(a)`` numbers are taken
    off the paragraphs and given back by Word's numbering (list 1 in :data:`NUMBERING_XML`), so they
    exist only in ``numbering.xml``.
    """
    if not automatic_numbering:
        return write_docx(docx_document("".join(docx_paragraph(line) for line in text.split("\n"))))
    paragraphs = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        typed = _TYPED_NUMBER.match(line)
        if typed:
            level = 0 if typed.group(1).isdigit() else 1
            paragraphs.append(docx_paragraph(line[typed.end() :], num=(1, level)))
        else:
            paragraphs.append(docx_paragraph(line))
    return write_docx(docx_document("".join(paragraphs)), numbering_xml=NUMBERING_XML)
