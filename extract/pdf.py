"""Read the text layer of a PDF with PDFium (pypdfium2) as the extractor wants it: paragraphs as lines.

PDFium is the engine Chrome uses on every PDF on the web, so it is fast and hardened against hostile
files; ``docs/FORMATS_READING.md`` says why it was chosen over pypdf and pdfminer.six. What PDFium does
not guard against, this module does before handing it the bytes: a truncated file and a decompression
bomb (a few megabytes of deflated content stream that inflate to gigabytes). The layout rules turn
printed lines back into the seed texts' shape: wrapped lines joined into one line per paragraph, a
blank line at a paragraph gap, ``cell | cell`` for pieces of a line far apart (as
:func:`extract.sources.html_to_text` does for tables), running headers and footers dropped so they
cannot split a resolution block, pages joined with a newline.
"""

from __future__ import annotations

import ctypes
import re
import threading
import zlib
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .errors import (
    CorruptDocumentError,
    EncryptedDocumentError,
    MinutesTooLargeError,
    NoTextLayerError,
)
from .records import ExtractionWarning

__all__ = ["MAX_INFLATED_BYTES", "MAX_PAGES", "W_PAGES_WITHOUT_TEXT", "pdf_to_text"]

#: refuse a PDF with more pages than this (minutes run to tens of pages; a 5 MB file could hold 100,000)
MAX_PAGES = 2000
#: refuse a PDF whose compressed (non-image) streams inflate to more than this in total
MAX_INFLATED_BYTES = 64 * 1024 * 1024
#: refuse a stream deflated more times over than this (producers deflate once; a bomb nests)
MAX_FLATE_LAYERS = 4

W_PAGES_WITHOUT_TEXT = "W_PAGES_WITHOUT_TEXT"

# PDFium keeps global state and is not thread-safe; the web app serves requests on threads.
_PDFIUM_LOCK = threading.Lock()

# "stream" then CRLF or LF starts stream data; "endstream" must not match.
_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
_CHUNK = 1 << 16
# C0 controls other than tab and newline (U+0002 is a line-end hyphen, below), and U+FFFF.
_JUNK_CHARS = re.compile("[\x00-\x01\x03-\x08\x0b-\x1f\x7f\uffff]")


class _OverBudgetError(Exception):
    pass


def pdf_to_text(data: bytes, name: str, *, max_chars: int) -> tuple[str, tuple[ExtractionWarning, ...]]:
    """Return the text of every page, pages joined with a newline, and warnings about missing pages.

    :param data: the file's bytes, already known to hold ``%PDF-`` in their first kilobyte.
    :param name: the file as the user named it, for error messages.
    :param max_chars: refuse once the text grows past this many characters.
    :raise CorruptDocumentError: truncated, damaged beyond PDFium's repair, or with no pages.
    :raise EncryptedDocumentError: needs a password to open.
    :raise MinutesTooLargeError: over :data:`MAX_PAGES` pages, :data:`MAX_INFLATED_BYTES` inflated,
        or ``max_chars`` characters of text.
    :raise NoTextLayerError: no page carries any text (a scan).
    """
    if b"%%EOF" not in data[-2048:]:
        raise CorruptDocumentError(
            "the PDF is truncated (no %%EOF end marker): download or export it again", source=name
        )
    _check_inflated_size(data, name)
    with _PDFIUM_LOCK:
        document = _open(data, name)
        try:
            return _document_text(document, name, max_chars)
        finally:
            document.close()


def _open(data: bytes, name: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if err.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocumentError(
                "the PDF is password-protected: save or export a copy without a password", source=name
            ) from None
        if err.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedDocumentError(
                "the PDF is encrypted with a security handler that cannot be opened", source=name
            ) from None
        raise CorruptDocumentError(f"the PDF is damaged and cannot be read ({err})", source=name) from None


def _document_text(
    document: pdfium.PdfDocument, name: str, max_chars: int
) -> tuple[str, tuple[ExtractionWarning, ...]]:
    count = len(document)
    if count == 0:
        raise CorruptDocumentError("the PDF has no pages", source=name)
    if count > MAX_PAGES:
        raise MinutesTooLargeError(f"the PDF has {count:,} pages; the limit is {MAX_PAGES:,}", source=name)
    pages: list[list[_Line]] = []
    blank: list[int] = []
    total = 0
    for number in range(1, count + 1):
        try:
            page = document[number - 1]
        except pdfium.PdfiumError:
            raise CorruptDocumentError(f"page {number} of the PDF is damaged", source=name) from None
        try:
            textpage = page.get_textpage()
            try:
                lines = _page_lines(textpage)
            finally:
                textpage.close()
        finally:
            page.close()
        if not lines:
            blank.append(number)
        total += sum(len(line.text) + 2 for line in lines)
        if total > max_chars:
            raise MinutesTooLargeError(
                f"the PDF's text is over {max_chars:,} characters (reached on page {number})", source=name
            )
        pages.append(lines)
    if len(blank) == count:
        raise NoTextLayerError(
            f"no text layer on any of its {count} page(s): a scanned PDF needs OCR before it can be read",
            source=name,
        )
    furniture = _furniture(pages)
    pages = [[line for line in lines if line not in furniture] for lines in pages]
    # The text column's right edge, over the whole document: a page holding only short lines
    # (a list of attendees) must not take its longest line for the margin.
    margin = max((line.right for lines in pages for line in lines), default=0.0)
    leading = _usual_leading(pages)
    text = "\n".join(_page_text(lines, margin, leading) for lines in pages)
    warnings: tuple[ExtractionWarning, ...] = ()
    if blank:
        shown = ", ".join(map(str, blank[:20])) + (" …" if len(blank) > 20 else "")
        warnings = (
            ExtractionWarning(
                W_PAGES_WITHOUT_TEXT,
                f"page(s) {shown} of {count} have no text layer (scanned?): their content is missing",
                None,
            ),
        )
    return text, warnings


@dataclass(eq=False)
class _Line:
    """One printed line: its box in points (y grows up the page) and its text."""

    left: float
    bottom: float
    right: float
    top: float
    text: str
    baseline: float  # of the line's first character
    end_baseline: float  # of its last (lower when PDFium joined a line ending in a hyphen to the next)
    size: float  # the first character's font height on the page (ascent to descent), in points
    cells: bool = False  # pieces far apart, joined with " | ": a table row, never joined to the next line


def _page_lines(textpage: pdfium.PdfTextPage) -> list[_Line]:
    """The page's printed lines, in the order PDFium reads them, with their positions.

    PDFium's page text already has the spaces and line breaks a reader expects (it inserts them
    from the glyphs' positions, whether a producer draws words or single glyphs); we split it at
    its line breaks and ask PDFium where each line's first and last characters sit. Pieces of one
    line far apart (table cells, tab stops) are joined with `` | ``.
    """
    chars = _PageChars(textpage)
    lines: list[_Line] = []
    for start, end in _line_ranges(chars.text):
        line = chars.line(start, end)
        if line is None:
            continue
        last = lines[-1] if lines else None
        if (
            last
            and abs(last.end_baseline - line.baseline) < 0.3 * line.size
            and line.left >= last.right - line.size
        ):
            # PDFium broke a printed line in two (a table row read cell by cell): put it back together.
            wide = line.left - last.right > 1.5 * line.size
            last.text += (" | " if wide else " ") + line.text
            last.cells = last.cells or line.cells or wide
            last.right = max(last.right, line.right)
            continue
        lines.append(line)
    return lines


def _line_ranges(text: str) -> list[tuple[int, int]]:
    ranges = []
    start = 0
    for match in re.finditer(r"\r\n|\r|\n", text):
        ranges.append((start, match.start()))
        start = match.end()
    ranges.append((start, len(text)))
    return ranges


class _PageChars:
    """A page's characters: its text (one ``str`` index per PDFium character) and their positions."""

    def __init__(self, textpage: pdfium.PdfTextPage) -> None:
        self.raw = textpage.raw
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count > 0 else ""
        if len(text) != count:
            # A character outside the BMP takes two UTF-16 units: read one character at a time.
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(self.raw, i) or 0xFFFF) for i in range(count))
        self.text = text
        self._box = (ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double())
        self._rect = pdfium_c.FS_RECTF()

    def box(self, index: int) -> tuple[float, float, float, float] | None:
        left, right, bottom, top = self._box
        if not pdfium_c.FPDFText_GetCharBox(self.raw, index, left, right, bottom, top):
            return None
        return left.value, bottom.value, right.value, top.value

    def size(self, index: int) -> float:
        """The height of the character's font (ascent to descent) at its size on the page, or 0.

        Not ``FPDFText_GetFontSize``: that is the size named by ``Tf``, and many producers name
        size 1 and scale the text matrix instead.
        """
        rect = self._rect
        if not pdfium_c.FPDFText_GetLooseCharBox(self.raw, index, rect):
            return 0.0
        return max(rect.top - rect.bottom, 0.0)

    def line(self, start: int, end: int) -> _Line | None:
        """The line of text ``[start, end)``, or None when it holds only spaces."""
        text = self.text
        while start < end and (text[start].isspace() or text[start] == "\x00"):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] == "\x00"):
            end -= 1
        if start == end:
            return None
        first, last = self.box(start), self.box(end - 1)
        x, y = ctypes.c_double(), ctypes.c_double()
        if first is None or last is None:
            return None
        if not pdfium_c.FPDFText_GetCharOrigin(self.raw, start, x, y):
            y.value = first[1]
        baseline = y.value
        if not pdfium_c.FPDFText_GetCharOrigin(self.raw, end - 1, x, y):
            y.value = last[1]
        size = self.size(start) or max(first[3] - first[1], 1.0)
        pieces, cells = self._cells(start, end, size)
        body = _clean(pieces).strip()
        if not body:
            return None
        return _Line(
            left=first[0],
            bottom=baseline - 0.25 * size,
            right=max(last[2], first[2]),
            top=baseline + 0.75 * size,
            text=body,
            baseline=baseline,
            end_baseline=y.value,
            size=size,
            cells=cells,
        )

    def _cells(self, start: int, end: int, size: float) -> tuple[str, bool]:
        """The line's text with `` | `` where a run of spaces spans a wide gap (a new table cell)."""
        text = self.text[start:end]
        if " " not in text and "\xa0" not in text:
            return text, False
        out: list[str] = []
        cells = False
        at = 0
        for match in re.finditer(r"[ \xa0]+", text):
            before, after = self.box(start + match.start() - 1), self.box(start + match.end())
            # Wider than the spaces themselves (at most 0.6 em each, Courier's) and 1.5 em more.
            room = (1.5 + 0.6 * len(match.group())) * size
            wide = before is not None and after is not None and after[0] - before[2] > room
            out.append(text[at : match.start()])
            out.append(" | " if wide else match.group())
            cells = cells or wide
            at = match.end()
        out.append(text[at:])
        return "".join(out), cells


def _usual_leading(pages: list[list[_Line]]) -> float | None:
    """The usual distance between the baselines of consecutive lines: the body text's leading.

    A larger step down the page is a paragraph gap. Word's paragraph spacing, line spacing and font
    sizes all vary, so the document sets the yardstick, not a constant.
    """
    steps: dict[float, int] = {}
    for lines in pages:
        for prev, line in zip(lines, lines[1:], strict=False):
            step = prev.end_baseline - line.baseline
            if 0 < step < 3 * max(prev.size, line.size):
                key = round(step * 2) / 2
                steps[key] = steps.get(key, 0) + 1
    if not steps:
        return None
    # The smallest step that recurs: where most paragraphs are one line long, the most common step
    # is the paragraph spacing, and the line spacing shows only inside the few longer paragraphs.
    enough = max(2, sum(steps.values()) // 20)
    recurring = [step for step, n in steps.items() if n >= enough]
    return min(recurring) if recurring else max(steps, key=lambda k: (steps[k], -k))


def _paragraph_gap(prev: _Line, line: _Line, leading: float | None) -> bool:
    step = prev.end_baseline - line.baseline
    if step <= 0:
        return True  # back up the page: a new column, or text drawn out of order
    if leading is None:
        return step > 1.5 * max(prev.size, line.size)
    return step > 1.3 * leading + 0.5


def _furniture(pages: list[list[_Line]]) -> set[_Line]:
    """Running headers and footers: lines at the top or bottom of most pages, alike but for numbers.

    Left in, ``Page 2 of 3`` and the committee's name land in the middle of a resolution block
    that runs over a page break, and the extractor loses the block.
    """
    if len(pages) < 2:
        return set()
    edges: list[list[_Line]] = []
    seen: dict[str, int] = {}
    for lines in pages:
        by_height = sorted(lines, key=lambda line: line.top, reverse=True)
        edge = by_height[:_EDGE_LINES] + by_height[_EDGE_LINES:][-_EDGE_LINES:]
        edges.append(edge)
        for key in {_furniture_key(line.text) for line in edge}:
            seen[key] = seen.get(key, 0) + 1
    needed = max(2, (len(pages) + 1) // 2)
    return {line for edge in edges for line in edge if seen[_furniture_key(line.text)] >= needed}


_EDGE_LINES = 2  # how many lines at the top and at the bottom of a page may be furniture


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


# A line opening with a bullet or a list number starts a new line even inside a paragraph.
_LIST_START = re.compile(
    r"^(?:[•·▪◦‣*–-]\s|\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})[.)]\s|\((?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})\))"
)


def _page_text(lines: list[_Line], margin: float, leading: float | None) -> str:
    """A page's lines as text: one paragraph per line, a blank line between paragraphs.

    A line that wrapped is joined to the next (after a hyphen with no space, so ``co-`` ``ordination``
    reads ``co-ordination``); a line that stopped short of the margin although the next word would
    have fitted was a hard break and stays one.
    """
    if not lines:
        return ""
    out: list[str] = [lines[0].text]
    for prev, line in zip(lines, lines[1:], strict=False):
        if _paragraph_gap(prev, line, leading):
            out += ["", line.text]
        elif _LIST_START.match(line.text) or prev.cells or line.cells or _ended_short(prev, line, margin):
            out.append(line.text)
        elif re.search(r"\w-$", out[-1]):
            out[-1] += line.text
        else:
            out[-1] += " " + line.text
    return "\n".join(out)


def _ended_short(prev: _Line, line: _Line, margin: float) -> bool:
    """True when the next line's first word would have fitted at the end of ``prev``."""
    width = max(line.right - line.left, 1.0) / max(len(line.text), 1)  # mean character width
    first_word = len(line.text.split(" ", 1)[0]) + 1
    return prev.right + first_word * width < margin - width


def _clean(text: str) -> str:
    # PDFium marks a hyphen it found at a line end as U+0002 (U+FFFE in a page's whole text);
    # the printed text had "-" there.
    text = (
        text.replace("\x02", "-")
        .replace("\ufffe", "-")
        .replace("\r\n", " ")
        .replace("\r", " ")
        .replace("\n", " ")
    )
    return _JUNK_CHARS.sub("", text)


# ---------------------------------------------------------------------------------------------
# Decompression bombs


def _check_inflated_size(data: bytes, name: str) -> None:
    """Inflate every deflated non-image stream into nothing, counting bytes, before PDFium sees it.

    PDFium inflates a page's content stream whole and has no size cap, so a small file can ask for
    gigabytes. Images are skipped: reading text never decodes them. A stream whose ``/Filter``
    names FlateDecode twice is inflated twice, so a nested bomb is counted at its full size.
    """
    budget = MAX_INFLATED_BYTES
    for match in _STREAM_START.finditer(data):
        head = data[max(0, match.start() - 2048) : match.start()]
        head = head[head.rfind(b"obj") + 1 :]  # this object's dictionary only
        if b"/Image" in head:
            continue
        layers = head.count(b"/FlateDecode")
        if not layers:
            continue
        if layers > MAX_FLATE_LAYERS:
            raise MinutesTooLargeError(
                f"a stream in the PDF is deflated {layers} times over (a decompression bomb?)", source=name
            )
        try:
            budget -= _inflated_size(data, match.end(), layers, budget)
        except _OverBudgetError:
            raise MinutesTooLargeError(
                f"the PDF's compressed streams inflate to over {MAX_INFLATED_BYTES:,} bytes "
                "(a decompression bomb?)",
                source=name,
            ) from None


def _inflated_size(data: bytes, start: int, layers: int, budget: int) -> int:
    """Bytes the zlib stream at ``start`` inflates to through ``layers`` inflaters; stops past ``budget``."""
    inflaters = [zlib.decompressobj() for _ in range(layers)]
    produced = 0

    def feed(level: int, chunk: bytes) -> None:
        nonlocal produced
        inflater = inflaters[level]
        while chunk and not inflater.eof:
            out = inflater.decompress(chunk, _CHUNK)
            chunk = inflater.unconsumed_tail
            if level + 1 < layers:
                feed(level + 1, out)
            else:
                produced += len(out)
                if produced > budget:
                    raise _OverBudgetError
            if not out and not chunk:
                break

    view = memoryview(data)
    try:
        for offset in range(start, len(data), _CHUNK):
            feed(0, bytes(view[offset : offset + _CHUNK]))
            if inflaters[0].eof:
                break
    except zlib.error:
        pass  # damaged data: PDFium decides what to make of it, and it is no bigger than counted so far
    return produced
