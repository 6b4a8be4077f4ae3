"""Read a minutes file into text the extractor can take: decoding, sniffing, HTML, PDF and DOCX to text.

This is the one place that turns bytes into ``str`` (the PDF and DOCX readers live in
:mod:`extract.pdf` and :mod:`extract.docx`; this module picks the reader and checks the bytes
first). It refuses what is not minutes text with the
:mod:`extract.errors` subclasses (``source=`` set to the path as given), and records a guess it had
to make (Windows-1252) as an :class:`~extract.records.ExtractionWarning` on the result, so the
caller can merge it into the extraction's warnings. No Flask, no spaCy.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from .docx import docx_to_text
from .errors import (
    BinaryInputError,
    CorruptDocumentError,
    EmptyMinutesError,
    ExtractionError,
    FormatMismatchError,
    MinutesTooLargeError,
    SourceNotFoundError,
    UndecodableInputError,
    UnsupportedFormatError,
)
from .pdf import pdf_to_text
from .records import ExtractionWarning

__all__ = [
    "DOCX_SUFFIXES",
    "HTML_SUFFIXES",
    "MAX_BYTES",
    "MAX_TEXT_CHARS",
    "PDF_SUFFIXES",
    "SUFFIXES",
    "TEXT_SUFFIXES",
    "SourceText",
    "html_to_text",
    "iter_sources",
    "read_bytes",
    "read_source",
]

#: files larger than this on disk are refused before they are read (same limit as the extractor's)
MAX_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
PDF_SUFFIXES = frozenset({".pdf"})
DOCX_SUFFIXES = frozenset({".docx"})
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES
#: the suffixes as messages list them
SUFFIXES_SHOWN = ".txt, .html, .htm, .pdf or .docx"
#: a PDF or DOCX whose text grows past this is refused while it is read (the extractor's own limit)
MAX_TEXT_CHARS = 5 * 1024 * 1024

W_ENCODING_CP1252 = "W_ENCODING_CP1252"
_CP1252_MESSAGE = "decoded as Windows-1252; check accented characters"

# Bytes Windows-1252 leaves undefined: Python maps none of them, so text holding them is not cp1252.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.odt)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc/.xls)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
)

# Share of control characters (other than tab, newlines, form feed) above which text is binary.
_CONTROL_SHARE = 0.05
# Unicode category Cc less \t \n \v \f \r.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class SourceText:
    """A file read as text: ``derived`` is True when the text was made from another format.

    HTML, PDF and DOCX text is derived: spans point into ``text``, not into the file's bytes.
    """

    name: str
    text: str
    derived: bool = False
    warnings: tuple[ExtractionWarning, ...] = ()


def read_source(path: str | os.PathLike[str]) -> SourceText:
    """Read one ``.txt``, ``.html``/``.htm``, ``.pdf`` or ``.docx`` file into text.

    :param path: the file; ``SourceText.name`` is ``str(path)`` so messages name it as the user did.
    :raise SourceNotFoundError: the path does not exist.
    :raise UnsupportedFormatError: a directory, or a suffix other than those in :data:`SUFFIXES`.
    :raise MinutesTooLargeError: over :data:`MAX_BYTES` on disk (checked before reading); for PDF
        and DOCX also a document that unpacks or inflates past the readers' limits.
    :raise BinaryInputError: (text and HTML) NUL bytes, a known binary signature, or mostly control
        characters.
    :raise UndecodableInputError: neither UTF-8, UTF-16 with a BOM, nor Windows-1252.
    :raise EmptyMinutesError: nothing but whitespace once decoded (for HTML, PDF, DOCX: once reduced
        to text).
    :raise FormatMismatchError: a ``.pdf``/``.docx`` holding something else (text, another format).
    :raise CorruptDocumentError: a damaged or truncated PDF/DOCX, or a DOCX part declaring a DTD.
    :raise EncryptedDocumentError: a password-protected PDF/DOCX.
    :raise NoTextLayerError: a PDF with no text on any page (a scan).
    :raise OSError: the file exists but cannot be read (permissions, I/O error).
    """
    name = os.fspath(path)
    p = Path(name)
    if not p.exists():
        raise SourceNotFoundError("no such file or directory", source=name)
    if p.is_dir():
        raise UnsupportedFormatError("is a directory", source=name)
    suffix = _supported(p.suffix, name)
    return _from_bytes(_read_limited(p, name), name, suffix)


def read_bytes(data: bytes, name: str, *, suffix: str | None = None) -> SourceText:
    """Read minutes that arrived as bytes (an uploaded file) with the same rules as :func:`read_source`.

    :param name: the file's name as the user gave it; its suffix says how to read the bytes, and
        errors and ``SourceText.name`` carry it.
    :param suffix: read the bytes as this type (``.txt``, ``.html``, ``.pdf``…) whatever the name says.
    :raise UnsupportedFormatError: a type other than those in :data:`SUFFIXES`.
    :raise MinutesTooLargeError: over :data:`MAX_BYTES`, or past the PDF/DOCX readers' limits.
    :raise BinaryInputError, UndecodableInputError, EmptyMinutesError, FormatMismatchError,
        CorruptDocumentError, EncryptedDocumentError, NoTextLayerError: as :func:`read_source`.
    """
    kind = _supported(suffix or Path(name).suffix, name)
    if len(data) > MAX_BYTES:
        raise MinutesTooLargeError(f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}", source=name)
    return _from_bytes(data, name, kind)


def _supported(suffix: str, name: str) -> str:
    """The suffix in lower case, or :class:`UnsupportedFormatError` when it is not one we read."""
    kind = suffix.lower()
    if kind not in SUFFIXES:
        shown = kind or "no suffix"
        raise UnsupportedFormatError(
            f"unsupported file type ({shown}); expected {SUFFIXES_SHOWN}", source=name
        )
    return kind


def _from_bytes(data: bytes, name: str, suffix: str) -> SourceText:
    """Sniff, decode and (for HTML) reduce to text: the rules every reader shares."""
    if not data:
        raise EmptyMinutesError("file is empty (0 bytes)", source=name)
    if not data.strip():
        raise EmptyMinutesError("file holds only whitespace", source=name)
    if suffix in PDF_SUFFIXES or suffix in DOCX_SUFFIXES:
        return _from_document(data, name, suffix)
    _sniff_binary(data, name)
    if suffix in HTML_SUFFIXES:
        raw, warnings = _decode_html(data, name)
        _check_controls(raw, name)
        text = html_to_text(raw)
        derived = True
    else:
        text, warnings = _decode_text(data, name)
        _check_controls(text, name)
        derived = False
    if not text.strip():
        what = "no text in the page's main content" if derived else "file holds only whitespace"
        raise EmptyMinutesError(what, source=name)
    return SourceText(name=name, text=text, derived=derived, warnings=warnings)


def _from_document(data: bytes, name: str, suffix: str) -> SourceText:
    """A PDF or DOCX: check the bytes are that format, then hand them to its reader."""
    warnings: tuple[ExtractionWarning, ...] = ()
    if suffix in PDF_SUFFIXES:
        # Readers accept a %PDF- header anywhere in the first kilobyte (some files have junk before
        # it); PDFium finds it there itself and counts offsets from it.
        if data.find(b"%PDF-", 0, 1024) < 0:
            _refuse_other_format(data, name, "a PDF", "%PDF- header")
        text, warnings = pdf_to_text(data, name, max_chars=MAX_TEXT_CHARS)
        what = "no text on any page"
    else:
        if not data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0")):
            _refuse_other_format(data, name, "a .docx (Word) document", "zip signature")
        text = docx_to_text(data, name, max_chars=MAX_TEXT_CHARS)
        what = "the document holds no text"
    if not text.strip():
        raise EmptyMinutesError(what, source=name)
    return SourceText(name=name, text=text, derived=True, warnings=warnings)


def _refuse_other_format(data: bytes, name: str, expected: str, missing: str) -> None:
    """Say what a .pdf/.docx really holds when we can tell (text, HTML, an image), else call it corrupt."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise FormatMismatchError(f"the file is {what}, not {expected}", source=name)
    if b"\x00" not in data or _has_utf16_bom(data):
        try:
            text, _ = _decode_text(data, name)
        except UndecodableInputError:
            text = None
        if text is not None and len(_CONTROL_CHARS.findall(text)) <= _CONTROL_SHARE * len(text):
            if re.match(r"\s*<(?:!doctype\s+html|html)\b", text, re.IGNORECASE):
                raise FormatMismatchError(
                    f"the file holds an HTML page, not {expected}: name it .html", source=name
                )
            raise FormatMismatchError(f"the file holds plain text, not {expected}: name it .txt", source=name)
    raise CorruptDocumentError(f"not {expected} (no {missing} at the start)", source=name)


def iter_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[str | ExtractionError]:
    """Expand the paths a user named into files to read, in order; errors come back in their place.

    A named file is yielded as given (even with another suffix, so :func:`read_source` can say why
    it is refused). A directory is walked recursively in sorted order, keeping files with a suffix in
    :data:`SUFFIXES` and skipping hidden files and directories, each yielded as the directory joined
    with its relative path (``seeds/`` gives ``seeds/000.txt``). A directory with no such file, and a
    named path that does not exist, yield a :class:`SourceNotFoundError`. Symbolic links to
    directories are not followed, so a link loop cannot hang the walk.
    """
    for raw in paths:
        name = os.fspath(raw)
        if os.path.isdir(name):
            found = list(_walk(name))
            if not found:
                yield SourceNotFoundError(f"no {SUFFIXES_SHOWN} files in this directory", source=name)
            yield from found
        elif os.path.exists(name):
            yield name
        else:
            yield SourceNotFoundError("no such file or directory", source=name)


def _walk(top: str) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in sorted(filenames):
            if not filename.startswith(".") and Path(filename).suffix.lower() in SUFFIXES:
                yield os.path.join(dirpath, filename)


def _read_limited(p: Path, name: str) -> bytes:
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise MinutesTooLargeError(f"file is {size:,} bytes; the limit is {MAX_BYTES:,}", source=name)
    # Read one byte past the limit: the file may have grown, or be a pipe with no size.
    with p.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise MinutesTooLargeError(f"file is over the limit of {MAX_BYTES:,} bytes", source=name)
    return data


def _has_utf16_bom(data: bytes) -> bool:
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _sniff_binary(data: bytes, name: str) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise BinaryInputError(f"binary file ({what}), not text", source=name)
    if b"\x00" in data and not _has_utf16_bom(data):
        raise BinaryInputError("binary file (contains NUL bytes), not text", source=name)


def _check_controls(text: str, name: str) -> None:
    """Refuse text that decoded but is mostly control characters: binary that slipped through."""
    if not text:
        return
    controls = len(_CONTROL_CHARS.findall(text))
    if controls == len(text) or controls / len(text) > _CONTROL_SHARE:
        raise BinaryInputError(f"binary file ({controls:,} control characters), not text", source=name)


def _cp1252_warning() -> ExtractionWarning:
    return ExtractionWarning(W_ENCODING_CP1252, _CP1252_MESSAGE, None)


def _decode_bom(data: bytes, name: str) -> str | None:
    """Decode by byte-order mark, or return None when there is none."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as err:
            raise UndecodableInputError(
                f"starts with a UTF-8 byte-order mark but is not UTF-8 (byte {err.start})", source=name
            ) from None
    if _has_utf16_bom(data):
        try:
            # "utf-16" reads the BOM, picks the byte order and drops the BOM.
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UndecodableInputError(
                "starts with a UTF-16 byte-order mark but is not UTF-16", source=name
            ) from None
    return None


def _decode_cp1252(data: bytes, name: str) -> str:
    bad = next((i for i, b in enumerate(data) if b in _CP1252_UNDEFINED), None)
    if bad is not None:
        raise UndecodableInputError(
            f"not UTF-8, and byte 0x{data[bad]:02X} at offset {bad} is not Windows-1252 either", source=name
        )
    return data.decode("cp1252")


def _decode_text(data: bytes, name: str) -> tuple[str, tuple[ExtractionWarning, ...]]:
    """UTF-8 (BOM stripped) or UTF-16 with a BOM; else Windows-1252 with a warning."""
    text = _decode_bom(data, name)
    if text is not None:
        return text, ()
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    return _decode_cp1252(data, name), (_cp1252_warning(),)


# ---------------------------------------------------------------------------------------------
# HTML


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG: pages labelled Latin-1 or ASCII are decoded as Windows-1252 by every browser.
_AS_CP1252 = frozenset({"latin_1", "iso8859_1", "ascii", "cp1252"})


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name.replace("-", "_")
    except (LookupError, UnicodeDecodeError):
        return None


def _decode_html(data: bytes, name: str) -> tuple[str, tuple[ExtractionWarning, ...]]:
    """BOM first, then ``<meta charset>``, then UTF-8, then Windows-1252 with a warning."""
    text = _decode_bom(data, name)
    if text is not None:
        return text, ()
    declared = _declared_charset(data)
    if declared in _AS_CP1252:
        # Declared, so not a guess: no warning.
        return _decode_cp1252(data, name), ()
    if declared and declared not in ("utf_8", "utf_16", "utf_16_le", "utf_16_be"):
        try:
            return data.decode(declared), ()
        except UnicodeDecodeError:
            pass  # mislabelled: fall through to the defaults
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    return _decode_cp1252(data, name), (_cp1252_warning(),)


# Elements whose content is never minutes text.
_DROP_TAGS = frozenset(
    {
        "head", "script", "style", "noscript", "template", "svg", "math", "nav", "iframe", "object",
        "embed", "canvas", "button", "select", "textarea", "aside",
    }
)  # fmt: skip
# Site banner and footer; a <header>/<footer> inside content sectioning is the item's own and stays.
_CHROME_TAGS = frozenset({"header", "footer"})
_SECTIONING = frozenset({"main", "article", "section"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})
# id/class words marking page furniture: matched anywhere in the lowercased id and class...
_JUNK_SUBSTRINGS = (
    "breadcrumb", "cookie", "sidebar", "side-bar", "sidenav", "skiplink", "skip-link", "skip-to",
    "skipto", "skip_to", "navigation", "navbar",
)  # fmt: skip
# ...and short ones only as a whole word between separators, so "canvas" is not "nav".
_JUNK_WORDS = re.compile(r"(?:^|[\s_-])(?:nav|menu|skip)(?:$|[\s_-])")

_BLOCK_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "table",
        "dt", "dd", "blockquote", "pre", "ul", "ol", "dl", "main", "address", "figure", "figcaption",
        "caption", "thead", "tbody", "tfoot", "hr", "details", "summary", "fieldset", "legend",
        "center", "header", "footer", "form",
    }
)  # fmt: skip
# Blocks that read as paragraphs: a blank line before and after, like the seed texts.
_PARAGRAPH_TAGS = frozenset(
    {"p", "table", "blockquote", "pre", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"td", "th"})


_CONTENT_XPATHS = (
    "//main",
    "//*[@role='main']",
    "//*[@id='content' or @id='main-content']",
    "//*[@id='modgov']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' mgContent ')]",
)


def html_to_text(html: str) -> str:
    """Return the readable text of a page's main content, one block per line.

    Page furniture (scripts, navigation, banners, breadcrumbs, cookie notices, sidebars) is dropped,
    the main content chosen (``<main>``, ``[role=main]``, ``#content``/``#main-content``, ModernGov's
    ``#modgov``/``.mgContent``, else ``<body>``), then blocks start new lines, list items get
    ``• ``, table cells are joined with `` | `` and headings are followed by a blank line.
    """
    # Parse UTF-8 bytes with the encoding fixed: lxml refuses a str carrying an XML encoding
    # declaration, and a stale <meta charset> must not re-decode text we already decoded.
    # huge_tree: without it libxml2 silently drops everything nested deeper than 255 elements.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return ""
    candidates = _content_candidates(root)
    keep: set[HtmlElement] = set()
    for el in candidates:
        keep.add(el)
        keep.update(el.iterancestors())
    _drop_furniture(root, keep)
    for el in candidates:
        text = _render(el)
        if text.strip():
            return text
    body = root.find("body")
    return _render(body if body is not None else root)


def _tag(el: HtmlElement) -> str:
    """Lowercased tag name; comments, entities and processing instructions have none."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _content_candidates(root: HtmlElement) -> list[HtmlElement]:
    found: list[HtmlElement] = []
    for xpath in _CONTENT_XPATHS:
        for el in root.xpath(xpath):
            # A <main> inside a <template> or <noscript> is not what the reader sees.
            if el not in found and not any(_tag(a) in _DROP_TAGS for a in el.iterancestors()):
                found.append(el)
    return found


def _is_furniture(el: HtmlElement) -> bool:
    tag = _tag(el)
    if not tag:
        return False
    if tag in _DROP_TAGS:
        return True
    if tag == "form":
        # ASP.NET pages wrap the whole page in one <form>: drop only small ones (search boxes).
        return not el.xpath(".//p|.//table|.//li|.//h1|.//h2|.//h3|.//main|.//article")
    if tag in _CHROME_TAGS and not any(
        _tag(a) in _SECTIONING or a.get("role") == "main" for a in el.iterancestors()
    ):
        return True
    if (el.get("role") or "").lower() in _CHROME_ROLES:
        return True
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if re.search(r"display\s*:\s*none", el.get("style") or "", re.IGNORECASE):
        return True
    marks = f"{el.get('id') or ''} {el.get('class') or ''}".lower().strip()
    return bool(marks) and (any(s in marks for s in _JUNK_SUBSTRINGS) or bool(_JUNK_WORDS.search(marks)))


def _drop_furniture(root: HtmlElement, keep: set[HtmlElement]) -> None:
    """Remove furniture, but never an element that is or holds a main-content candidate."""
    doomed = [
        el for el in root.iter() if el not in keep and _tag(el) not in ("html", "body") and _is_furniture(el)
    ]
    for el in doomed:
        # Dropping an element already inside a dropped subtree is harmless: it is detached anyway.
        if el.getparent() is not None:
            el.drop_tree()  # keeps the element's tail text


class _Lines:
    """Collects text into lines: inline runs collapse whitespace, blocks break lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.prefix = ""  # a list bullet waiting for the item's first words
        self.cell_depth = 0
        self.pre_depth = 0
        self.li_depth = 0  # a <p> inside a list item is a line, not a paragraph
        self.row_cells = [0]

    def add(self, text: str) -> None:
        if not text:
            return
        if self.prefix and text.strip():
            self.cur.append(self.prefix)
            self.prefix = ""
            text = text.lstrip()
        if self.pre_depth and not self.cell_depth:
            first, *rest = text.split("\n")
            self.cur.append(first)
            for piece in rest:
                self._flush(keep_spaces=True)
                self.cur.append(piece)
            return
        self.cur.append(re.sub(r"\s+", " ", text))

    def _flush(self, keep_spaces: bool = False) -> None:
        line = "".join(self.cur)
        self.cur = []
        line = line.rstrip() if keep_spaces else re.sub(r" {2,}", " ", line).strip()
        if line or keep_spaces:
            self.lines.append(line)

    def newline(self) -> None:
        if self.cell_depth:
            self.cur.append(" ")
        elif "".join(self.cur).strip():
            self._flush(keep_spaces=bool(self.pre_depth))
        else:
            self.cur = []

    def blank(self) -> None:
        self.newline()
        if not self.cell_depth and not self.li_depth and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def bullet(self) -> None:
        self.newline()
        self.prefix = "• "

    def text(self) -> str:
        self.newline()
        out = "\n".join(self.lines).strip("\n")
        out = re.sub(r"\n{4,}", "\n\n\n", out)  # at most two blank lines in a row
        return out + "\n" if out else ""


def _render(top: HtmlElement) -> str:
    """Walk the tree with an explicit stack: deeply nested pages must not hit the recursion limit."""
    out = _Lines()
    stack: list[tuple[str, HtmlElement | str]] = [("open", top)]
    while stack:
        action, item = stack.pop()
        if isinstance(item, str):
            out.add(item)
        elif action == "close":
            _close(out, _tag(item))
        else:
            _open(out, item, _tag(item))
            if item is not top and item.tail:
                stack.append(("text", item.tail))
            stack.append(("close", item))
            stack.extend(("open", child) for child in reversed(item))
            if item.text and _tag(item):
                stack.append(("text", item.text))
    return out.text()


def _open(out: _Lines, el: HtmlElement, tag: str) -> None:
    if tag == "br":
        out.newline()
    elif tag == "img":
        # ModernGov's document links read "pdf icon PDF 120 KB" with the icon's alt text: keep it.
        alt = (el.get("alt") or "").strip()
        if alt:
            out.add(f" {alt} ")
    elif tag in _CELLS:
        if out.row_cells[-1]:
            out.add(" | ")
        out.row_cells[-1] += 1
        out.cell_depth += 1
    elif tag == "tr":
        out.newline()
        out.row_cells.append(0)
    elif tag == "li":
        out.bullet()
        out.li_depth += 1
    elif tag in _PARAGRAPH_TAGS:
        out.blank()
    elif tag in _BLOCK_TAGS:
        out.newline()
    if tag == "pre":
        out.pre_depth += 1


def _close(out: _Lines, tag: str) -> None:
    if tag in _CELLS:
        out.cell_depth -= 1
    elif tag == "tr":
        out.row_cells.pop()
        out.newline()
    elif tag == "li":
        out.li_depth -= 1
        out.newline()
    elif tag == "pre":
        out.newline()
        out.pre_depth -= 1
        out.blank()
    elif tag in _PARAGRAPH_TAGS:
        out.blank()
    elif tag in _BLOCK_TAGS:
        out.newline()
