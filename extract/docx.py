"""Read a Word ``.docx`` into text: paragraphs as lines, automatic list numbering written out, tables as rows.

A ``.docx`` is a zip of XML parts. We read the few parts that hold the text (the main document,
``numbering.xml``, ``styles.xml``) straight from the zip with lxml rather than through python-docx:
it is faster, lets us number lists the way Word shows them, and puts every safety check in one place.
Each part's uncompressed size and compression ratio is checked before it is inflated (zip bombs),
reads are capped whatever the zip's headers claim, and a part declaring a DTD is refused before it is
parsed (entity expansion; Word never writes one). The parser resolves no entities and loads nothing.
Headers, footers, footnotes and comments are not read: they are page furniture or not minutes text.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from .errors import CorruptDocumentError, EncryptedDocumentError, FormatMismatchError, MinutesTooLargeError

__all__ = ["MAX_PART_BYTES", "MAX_PART_RATIO", "docx_to_text"]

#: refuse a part that inflates to more than this (a long set of minutes is a few megabytes of XML)
MAX_PART_BYTES = 32 * 1024 * 1024
#: refuse a part over 1 MiB that inflates more than this many times its compressed size (Word's XML
#: compresses 5–20 times; a zip bomb, hundreds or thousands)
MAX_PART_RATIO = 200
_RATIO_FLOOR = 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # "Strict Open XML", Word's other save option
)
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# Elements whose content is not the document's current text: tracked deletions, moved-away text,
# the fallback copy of a drawing (its text box is read from the preferred copy).
_SKIP = frozenset({"del", "moveFrom", "Fallback"})


def docx_to_text(data: bytes, name: str, *, max_chars: int) -> str:
    """Return the body text of a Word document, one paragraph per line and a blank line between.

    Automatic numbering from ``numbering.xml`` (``(1)``, ``(a)``, ``i.``, set on the paragraph or its
    style) is written before the paragraph's text as Word displays it; bullets become ``• ``. Table
    rows become ``cell | cell`` lines.

    :raise CorruptDocumentError: not a zip, no main document, a part that is not well-formed XML,
        or a part declaring a DTD.
    :raise EncryptedDocumentError: a password-protected document.
    :raise FormatMismatchError: an old binary ``.doc`` (or other OLE file) named ``.docx``.
    :raise MinutesTooLargeError: a part over :data:`MAX_PART_BYTES` or :data:`MAX_PART_RATIO`, or
        text over ``max_chars``.
    """
    if data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise EncryptedDocumentError(
                "the Word document is password-protected: save a copy without a password", source=name
            )
        raise FormatMismatchError(
            "an old binary Word (.doc) or other Office file, not .docx: open it in Word and save as .docx",
            source=name,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise CorruptDocumentError("not a valid .docx (the file is not a zip archive)", source=name) from None
    with archive:
        reader = _PartReader(archive, name)
        main = reader.main_document()
        document = reader.parse(main)
        related = reader.relationships(main)
        numbering = _Numbering.from_xml(reader.parse_optional(related.get("numbering")))
        styles = _style_numbering(reader.parse_optional(related.get("styles")))
    ns = etree.QName(document).namespace
    if ns not in _NAMESPACES or etree.QName(document).localname != "document":
        raise CorruptDocumentError(f"{main} is not a WordprocessingML document", source=name)
    body = document.find(f"{{{ns}}}body")
    if body is None:
        return ""
    writer = _Writer(ns, numbering, styles, max_chars, name)
    writer.block(body)
    return writer.text()


# ---------------------------------------------------------------------------------------------
# The zip


class _PartReader:
    """Reads parts from the zip with the size, ratio and DTD checks, translating every failure."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.archive = archive
        self.name = name
        self.names = set(archive.namelist())

    def main_document(self) -> str:
        rels = self.parse_optional("_rels/.rels")
        target = None
        if rels is not None:
            for rel in rels.iter(f"{{{_REL_NS}}}Relationship"):
                if (rel.get("Type") or "").endswith("/officeDocument"):
                    target = (rel.get("Target") or "").lstrip("/")
                    break
        if target and target in self.names:
            return target
        if "word/document.xml" in self.names:
            return "word/document.xml"
        raise CorruptDocumentError(
            "not a Word document: the zip holds no word/document.xml", source=self.name
        )

    def relationships(self, part: str) -> dict[str, str]:
        """The main document's related parts by kind (``numbering``, ``styles``), as zip member names."""
        folder, base = posixpath.split(part)
        rels = self.parse_optional(posixpath.join(folder, "_rels", base + ".rels"))
        found: dict[str, str] = {}
        if rels is not None:
            for rel in rels.iter(f"{{{_REL_NS}}}Relationship"):
                kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
                target = rel.get("Target") or ""
                if rel.get("TargetMode") == "External" or not target:
                    continue
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                found.setdefault(kind, posixpath.normpath(path))
        for kind in ("numbering", "styles"):
            found.setdefault(kind, posixpath.join(folder, f"{kind}.xml"))
        return found

    def parse_optional(self, part: str | None) -> etree._Element | None:
        return self.parse(part) if part and part in self.names else None

    def parse(self, part: str) -> etree._Element:
        raw = self._read(part)
        probe = raw
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:64]:
            probe = raw.decode("utf-16", "replace").encode("utf-8", "replace")
        if _DTD.search(probe):
            raise CorruptDocumentError(
                f"{part} declares a DTD or entities, which Word never writes; refused as unsafe",
                source=self.name,
            )
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
            remove_comments=True, remove_pis=True,
        )  # fmt: skip
        try:
            return etree.fromstring(raw, parser=parser)
        except (etree.XMLSyntaxError, ValueError) as err:
            raise CorruptDocumentError(f"{part} is not well-formed XML ({err})", source=self.name) from None

    def _read(self, part: str) -> bytes:
        info = self.archive.getinfo(part)
        if info.flag_bits & 0x1:
            raise EncryptedDocumentError(f"{part} is encrypted in the zip", source=self.name)
        if info.file_size > MAX_PART_BYTES:
            raise MinutesTooLargeError(
                f"{part} unpacks to {info.file_size:,} bytes; the limit is {MAX_PART_BYTES:,}",
                source=self.name,
            )
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_PART_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise MinutesTooLargeError(
                f"{part} unpacks {ratio:,} times its packed size (a zip bomb?); "
                f"the limit is {MAX_PART_RATIO}",
                source=self.name,
            )
        try:
            # zipfile stops at the size the header states and then checks the CRC, so a header
            # that lies about the size cannot make this read more than MAX_PART_BYTES + 1.
            with self.archive.open(info) as member:
                data = member.read(MAX_PART_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as err:
            raise CorruptDocumentError(f"{part} cannot be unpacked ({err})", source=self.name) from None
        if len(data) > MAX_PART_BYTES:
            raise MinutesTooLargeError(f"{part} unpacks to over {MAX_PART_BYTES:,} bytes", source=self.name)
        return data


# ---------------------------------------------------------------------------------------------
# Numbering


def _local(el: etree._Element) -> str:
    """The tag without its namespace ("" for comments and the like)."""
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _attr(el: etree._Element | None, local: str) -> str | None:
    """A ``w:`` attribute whatever the namespace (transitional or strict)."""
    if el is None:
        return None
    for key, value in el.attrib.items():
        if key.rpartition("}")[2] == local:
            return value
    return None


def _child(el: etree._Element | None, local: str) -> etree._Element | None:
    if el is None:
        return None
    for child in el:
        if _local(child) == local:
            return child
    return None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class _Numbering:
    """numbering.xml as data: abstract lists' levels, and which abstract list each ``numId`` uses."""

    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId -> (abstractId, starts)

    @classmethod
    def from_xml(cls, root: etree._Element | None) -> _Numbering:
        numbering = cls()
        if root is None:
            return numbering
        for el in root:
            if _local(el) == "abstractNum":
                levels: dict[int, _Level] = {}
                for lvl in el:
                    if _local(lvl) == "lvl":
                        levels[_int(_attr(lvl, "ilvl"), 0)] = _Level(
                            fmt=_attr(_child(lvl, "numFmt"), "val") or "decimal",
                            text=_attr(_child(lvl, "lvlText"), "val") or "",
                            start=_int(_attr(_child(lvl, "start"), "val"), 1),
                        )
                numbering.abstract[_attr(el, "abstractNumId") or ""] = levels
            elif _local(el) == "num":
                starts = {
                    _int(_attr(ov, "ilvl"), 0): _int(_attr(_child(ov, "startOverride"), "val"), 1)
                    for ov in el
                    if _local(ov) == "lvlOverride" and _child(ov, "startOverride") is not None
                }
                numbering.nums[_attr(el, "numId") or ""] = (
                    _attr(_child(el, "abstractNumId"), "val") or "",
                    starts,
                )
        return numbering


def _style_numbering(root: etree._Element | None) -> dict[str, tuple[str | None, int | None]]:
    """Paragraph styles that number their paragraphs (``Heading 1`` as ``1.``), after ``basedOn``."""
    if root is None:
        return {}
    own: dict[str, tuple[str | None, int | None]] = {}
    based: dict[str, str] = {}
    for style in root:
        if _local(style) != "style" or _attr(style, "type") not in (None, "paragraph"):
            continue
        sid = _attr(style, "styleId") or ""
        parent = _attr(_child(style, "basedOn"), "val")
        if parent:
            based[sid] = parent
        num_pr = _child(_child(style, "pPr"), "numPr")
        if num_pr is not None:
            own[sid] = (_attr(_child(num_pr, "numId"), "val"), _int(_attr(_child(num_pr, "ilvl"), "val"), 0))
    resolved: dict[str, tuple[str | None, int | None]] = {}
    for sid in set(own) | set(based):
        cur, seen = sid, 0
        while cur not in own and cur in based and seen < 20:  # basedOn loops are possible in bad files
            cur, seen = based[cur], seen + 1
        if cur in own:
            resolved[sid] = own[cur]
    return resolved


_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
    (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def _letters(n: int) -> str:
    # Word's lowerLetter: a..z, then aa..zz, then aaa..
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format_number(value: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(value)
    if fmt == "upperLetter":
        return _letters(value).upper()
    if fmt == "lowerRoman":
        return _roman(value)
    if fmt == "upperRoman":
        return _roman(value).upper()
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "none":
        return ""
    return str(value)  # decimal, and the rarer formats (ordinal, cardinalText...) as digits


class _Counters:
    """Word's list counters: one set per list, deeper levels restart when a shallower one moves on."""

    def __init__(self, numbering: _Numbering) -> None:
        self.numbering = numbering
        self.values: dict[str, dict[int, int]] = {}

    def label(self, num_id: str, ilvl: int) -> str:
        """The label Word shows for the next paragraph of list ``num_id`` at level ``ilvl``."""
        if num_id in ("", "0") or num_id not in self.numbering.nums:
            return ""
        abstract_id, starts = self.numbering.nums[num_id]
        levels = self.numbering.abstract.get(abstract_id, {})
        level = levels.get(ilvl)
        if level is None:
            return ""
        # Lists sharing an abstract list continue one count unless one restarts with startOverride.
        key = f"num:{num_id}" if starts else f"abstract:{abstract_id}"
        counts = self.values.setdefault(key, {})
        start = starts.get(ilvl, level.start)
        counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else start
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        if level.fmt == "bullet":
            return "•"

        def number(match: re.Match[str]) -> str:
            at = int(match.group(1)) - 1
            lvl = levels.get(at, _Level())
            return _format_number(counts.get(at, starts.get(at, lvl.start)), lvl.fmt)

        return re.sub(r"%([1-9])", number, level.text).strip()


# ---------------------------------------------------------------------------------------------
# The body


class _Writer:
    """Walks the body in document order and collects lines."""

    def __init__(
        self,
        ns: str,
        numbering: _Numbering,
        styles: dict[str, tuple[str | None, int | None]],
        max_chars: int,
        name: str,
    ) -> None:
        self.w = f"{{{ns}}}"
        self.counters = _Counters(numbering)
        self.styles = styles
        self.max_chars = max_chars
        self.name = name
        self.blocks: list[str] = []
        self.size = 0

    def _emit(self, block: str) -> None:
        self.size += len(block) + 2
        if self.size > self.max_chars:
            raise MinutesTooLargeError(
                f"the document's text is over {self.max_chars:,} characters", source=self.name
            )
        self.blocks.append(block)

    def block(self, container: etree._Element) -> None:
        """Paragraphs and tables in ``container``, looking through content controls and the like."""
        stack = list(reversed(container))
        while stack:
            el = stack.pop()
            local = _local(el)
            if local in _SKIP or not local:
                continue
            if el.tag == self.w + "p":
                line, boxes = self.paragraph(el)
                if line.strip():
                    self._emit(line)
                for box in boxes:
                    self.block(box)
            elif el.tag == self.w + "tbl":
                rows = [row for row in self.table_rows(el) if row.strip(" |")]
                if rows:
                    self._emit("\n".join(rows))
            elif local not in ("pPr", "sectPr", "tblPr", "rPr"):
                stack.extend(reversed(el))  # sdt, sdtContent, customXml, ins, smartTag...

    def paragraph(self, p: etree._Element) -> tuple[str, list[etree._Element]]:
        """The paragraph's text with its list label, and any text boxes drawn inside it."""
        parts: list[str] = []
        boxes: list[etree._Element] = []
        for el in _walk(p):
            local = _local(el)
            if local == "t" and el.tag == self.w + "t":
                parts.append(el.text or "")
            elif local == "tab" and el.getparent() is not None and _local(el.getparent()) == "r":
                parts.append("\t")
            elif local in ("br", "cr"):
                parts.append("\n")
            elif local == "noBreakHyphen":
                parts.append("-")
            elif local == "txbxContent":
                boxes.append(el)
        text = "".join(parts).strip()
        label = self.label(p)
        if label and text:
            text = f"{label} {text}"
        return text, boxes

    def label(self, p: etree._Element) -> str:
        ppr = p.find(self.w + "pPr")
        if ppr is None:
            return ""
        num_pr = ppr.find(self.w + "numPr")
        num_id: str | None = None
        ilvl: int | None = None
        if num_pr is not None:
            num_id = _attr(num_pr.find(self.w + "numId"), "val")
            ilvl_el = num_pr.find(self.w + "ilvl")
            ilvl = _int(_attr(ilvl_el, "val"), 0) if ilvl_el is not None else None
        style = _attr(ppr.find(self.w + "pStyle"), "val")
        if style and style in self.styles:
            style_num, style_lvl = self.styles[style]
            num_id = num_id if num_id is not None else style_num
            ilvl = ilvl if ilvl is not None else style_lvl
        if num_id is None:
            return ""
        return self.counters.label(num_id, ilvl or 0)

    def table_rows(self, table: etree._Element) -> Iterator[str]:
        for row in _descendants_named(table, self.w + "tr", stop=self.w + "tbl"):
            cells = []
            for cell in _descendants_named(row, self.w + "tc", stop=self.w + "tr"):
                inner = copy.copy(self)  # shares the list counters; collects the cell's own blocks
                inner.blocks = []
                inner.block(cell)
                cells.append(" ".join(" ".join(inner.blocks).split()))
            yield " | ".join(cells)

    def text(self) -> str:
        out = "\n\n".join(self.blocks)
        return out + "\n" if out else ""


def _walk(el: etree._Element) -> Iterator[etree._Element]:
    """Descendants of a paragraph in order, skipping deletions, fallbacks and text-box contents."""
    stack = list(reversed(el))
    while stack:
        cur = stack.pop()
        local = _local(cur)
        if not local or local in _SKIP:
            continue
        yield cur
        if local != "txbxContent":
            stack.extend(reversed(cur))


def _descendants_named(el: etree._Element, tag: str, *, stop: str) -> Iterator[etree._Element]:
    """Elements ``tag`` under ``el`` (through content controls), not entering a nested ``stop``."""
    stack = list(reversed(el))
    while stack:
        cur = stack.pop()
        if cur.tag == tag:
            yield cur
        elif cur.tag != stop and _local(cur) not in _SKIP:
            stack.extend(reversed(cur))
