"""The hostile and broken inputs corpus: made by code, never committed as binaries.

``python tests/bad_inputs/corpus.py OUTDIR`` writes every case into OUTDIR (and a ``cases.json``
saying what each should give); the tests call :func:`cases` directly. Each case is a file name, its
bytes, and what a correct tracker does with it: ``"refused"`` (a clear error that names the file,
and nothing stored) or ``"read"`` (an extraction, possibly with warnings). ZIP cases are for the
web's batch upload only (``zip_only``). Everything is written from scratch here: random bytes with a
fixed seed, our own minutes sentences, and the document writers of ``tests/extract``.
"""

from __future__ import annotations

import io
import json
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "extract"))

from document_writers import docx_document, text_to_docx, text_to_pdf, write_docx  # noqa: E402

#: a short minute of our own, used where a case needs readable minutes inside a hostile wrapper
MINUTE = (
    "Agenda item 4\n\nLibrary opening hours\n\n"
    "RESOLVED that:\n\n(1) The report be noted.\n\n"
    "(2) The Head of Libraries report back on weekend opening to the next meeting.\n"
)


@dataclass(frozen=True)
class Case:
    """One input: its file name, its bytes, and what should happen to it."""

    name: str
    data: bytes
    expect: str  # "refused" or "read"
    why: str
    zip_only: bool = False


def _zip(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16  # a symbolic link, as Unix zip tools store one
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("minutes.txt", b"A" * (300 << 20))  # 300 MB of one letter, a few hundred KB packed
    return buf.getvalue()


def _xml_bomb_docx() -> bytes:
    """A Word document whose XML declares entities that expand a thousandfold (billion laughs, small)."""
    prolog = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "ha">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    document = docx_document("<w:p><w:r><w:t>&c;</w:t></w:r></w:p>").split("\n", 1)[1]
    return write_docx(prolog + document)


def _encrypted_pdf() -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(text_to_pdf(MINUTE))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_only_pdf() -> bytes:
    """A PDF page with a drawing and no text: what a scanner without OCR makes, in shape."""
    content = b"q 200 0 0 200 100 400 cm 0 0 m 1 0 l 1 1 l 0 1 l f Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def cases() -> list[Case]:
    """Every case, in a fixed order (the same bytes on every run)."""
    rng = random.Random(20261123)
    noise = bytes(rng.randrange(256) for _ in range(4096))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(2000))
    clauses = "".join(f"({i}) That item {i} be noted.\n" for i in range(1, 100_001))
    nested = "<div>" * 20_000 + MINUTE + "</div>" * 20_000
    scripts = (
        '<html><head><script>alert(1)</script></head><body onload="alert(2)">'
        '<main><h1 onclick="alert(3)">Library opening hours</h1><p>RESOLVED that:</p>'
        "<p>(1) The report be <img src=x onerror=alert(4)>noted.</p>"
        "<script>document.write('<p>(2) injected clause</p>')</script>"
        "<p>(2) The Head of Libraries report back to the next meeting.</p></main></body></html>"
    )
    return [
        Case("empty.txt", b"", "refused", "empty file"),
        Case("whitespace-only.txt", b" \n\t\r\n   \n", "refused", "nothing but white space"),
        Case("only-a-bom.txt", b"\xef\xbb\xbf", "refused", "a byte-order mark and nothing else"),
        Case("random-bytes.txt", noise, "refused", "binary noise"),
        Case("image-renamed.txt", png, "refused", "a PNG image renamed .txt"),
        Case(
            "nul-in-text.txt", MINUTE.encode()[:40] + b"\x00" + MINUTE.encode()[40:], "refused", "a NUL byte"
        ),
        Case("utf16-no-bom.txt", MINUTE.encode("utf-16-le"), "refused", "UTF-16 without a byte-order mark"),
        Case(
            "invalid-utf8.txt", MINUTE.encode() + b"\xc3\x28\xa0\xa1 caf\xe9", "read", "Windows-1252 fallback"
        ),
        Case("utf8-bom.txt", b"\xef\xbb\xbf" + MINUTE.encode(), "read", "UTF-8 with a byte-order mark"),
        Case("utf16-le-bom.txt", b"\xff\xfe" + MINUTE.encode("utf-16-le"), "read", "UTF-16 LE with a BOM"),
        Case("utf16-be-bom.txt", b"\xfe\xff" + MINUTE.encode("utf-16-be"), "read", "UTF-16 BE with a BOM"),
        Case(
            "cp1252.txt",
            MINUTE.replace("report", "r\u00e9sum\u00e9 \u2013 report").encode("cp1252"),
            "read",
            "Windows-1252 text",
        ),  # fmt: skip
        Case(
            "rtl-and-emoji.txt",
            (
                MINUTE + "\n\u202e\u05e9\u05dc\u05d5\u05dd \U0001f600 \u0645\u0631\u062d\u0628\u0627\n"
            ).encode(),
            "read",
            "right-to-left text, a bidi override and emoji",
        ),  # fmt: skip
        Case(
            "zero-width.txt",
            MINUTE.replace("(2)", "(\u200b2\u200d)").encode(),
            "read",
            "zero-width characters",
        ),
        Case("cr-only.txt", MINUTE.replace("\n", "\r").encode(), "read", "old Mac line ends"),
        Case("crlf.txt", MINUTE.replace("\n", "\r\n").encode(), "read", "Windows line ends"),
        Case(
            "twenty-mb.txt",
            (MINUTE * (20 * 1024 * 1024 // len(MINUTE) + 1)).encode(),
            "refused",
            "20 MB of text",
        ),
        Case("one-mb-line.txt", ("RESOLVED " + "x" * (1 << 20)).encode(), "read", "one line of 1 MB"),
        Case("one-mb-word.txt", ("(" * (1 << 20)).encode(), "read", "a 1 MB run with no space"),
        Case(
            "hundred-thousand-clauses.txt", ("RESOLVED that:\n" + clauses).encode(), "read", "100,000 clauses"
        ),
        Case("punctuation-only.txt", ("!?.,;:-()[]" * 5000).encode(), "read", "punctuation and nothing else"),
        Case(
            "resolved-10000-times.txt", ("RESOLVED\n" * 10_000).encode(), "read", "10,000 bare RESOLVED lines"
        ),
        Case("control-characters.txt", bytes(range(1, 32)) * 200, "refused", "control characters"),
        Case(
            "nested.html",
            nested.encode(),
            "refused",
            "HTML nested 20,000 deep: past the parser's depth limit",
        ),
        Case("scripts.html", scripts.encode(), "read", "HTML full of scripts and event handlers"),
        Case(
            "empty-body.html",
            b"<html><head><title>x</title></head><body></body></html>",
            "refused",
            "no text",
        ),
        Case(
            "only-scripts.html",
            b"<html><body><script>var a = 1;</script><style>p{}</style></body></html>",
            "refused",
            "nothing but script and style",
        ),  # fmt: skip
        Case(
            "entities.html",
            (
                '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                "<html><body><p>&b;&b;</p>" + MINUTE.replace("\n", "<br>") + "</body></html>"
            ).encode(),
            "read",
            "an internal DTD with entities (never expanded)",
        ),  # fmt: skip
        Case(
            "wrong-charset.html",
            b'<html><head><meta charset="utf-16"></head><body><p>' + MINUTE.encode() + b"</p></body></html>",
            "read",
            "a charset that lies",
        ),  # fmt: skip
        Case("text-in-html-suffix.html", MINUTE.encode(), "read", "plain text under .html"),
        Case("huge-html.html", ("<p>x</p>" * (6 * 1024 * 1024 // 8)).encode(), "refused", "6 MB of HTML"),
        Case("not-really.pdf", MINUTE.encode(), "refused", "text under .pdf"),
        Case("truncated.pdf", text_to_pdf(MINUTE)[:300], "refused", "a PDF cut short"),
        Case("encrypted.pdf", _encrypted_pdf(), "refused", "a PDF with a password"),
        Case("no-text-layer.pdf", _image_only_pdf(), "refused", "a PDF page with no text (a scan)"),
        Case("good.pdf", text_to_pdf(MINUTE), "read", "a plain PDF, for contrast"),
        Case("corrupt.docx", b"PK\x03\x04" + noise, "refused", "a DOCX that is not a zip"),
        Case(
            "no-document.docx",
            _zip({"word/other.xml": b"<x/>"}),
            "refused",
            "a zip with no word/document.xml",
        ),
        Case("xml-bomb.docx", _xml_bomb_docx(), "refused", "entity expansion in the XML"),
        Case("good.docx", text_to_docx(MINUTE), "read", "a plain DOCX, for contrast"),
        Case("minutes.exe", MINUTE.encode(), "refused", "a suffix we do not read"),
        Case("no-suffix", MINUTE.encode(), "refused", "no suffix at all"),
        Case("<script>alert(1)</script>.txt", MINUTE.encode(), "read", "markup in the file name"),
        Case("x" * 240 + ".txt", MINUTE.encode(), "read", "a 244-character file name"),
        Case(
            "traversal.zip",
            _zip({"../../etc/evil.txt": MINUTE.encode()}),
            "refused",
            "a ZIP with ../ paths",
            zip_only=True,
        ),  # fmt: skip
        Case(
            "absolute.zip",
            _zip({"/tmp/evil.txt": MINUTE.encode()}),
            "refused",
            "a ZIP with an absolute path",
            zip_only=True,
        ),  # fmt: skip
        Case(
            "symlink.zip",
            _zip({"a.txt": MINUTE.encode()}, symlink="link.txt"),
            "refused",
            "a ZIP holding a link",
            zip_only=True,
        ),  # fmt: skip
        Case(
            "nested.zip",
            _zip({"inner.zip": _zip({"a.txt": MINUTE.encode()})}),
            "refused",
            "a ZIP in a ZIP",
            zip_only=True,
        ),  # fmt: skip
        Case("bomb.zip", _zip_bomb(), "refused", "a ZIP bomb", zip_only=True),
    ]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    index = []
    for i, case in enumerate(cases()):
        path = out / f"{i:02d}-{case.name.replace('/', '_')}"[:250]
        path.write_bytes(case.data)
        index.append({"file": path.name, "expect": case.expect, "why": case.why, "zip_only": case.zip_only})
    (out / "cases.json").write_text(json.dumps(index, indent=2), encoding="utf-8")
    print(f"wrote {len(index)} cases to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs"))
