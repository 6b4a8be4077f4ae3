"""Compare the PDF and DOCX libraries we considered, on documents generated from the seed minutes.

For PDF: our reader (``extract.pdf``, PDFium through pypdfium2 with our layout rules), PDFium's
plain ``get_text_range``, pypdf and pdfminer.six. For DOCX: our reader (``extract.docx``) and
python-docx. Each library reads the same generated documents; the script prints pages (PDF) or
paragraphs (DOCX) per second, best of ``--repeat`` runs, and whether the library's text, fed to the
extractor, gives the same resolutions, actions and attendees as the seed's ``.txt`` (the test in
``tests/extract/test_sources_pdf.py`` asks this of our reader). It also times the refusal of a
decompression bomb. The documents are written by ``tests/extract/document_writers.py``; nothing is
downloaded. The comparison libraries come with the ``bench`` extra.

    .venv/bin/python bench/formats.py [--pages 60] [--repeat 3] [--corpus DIR]

With the shared corpus beside the repository (``../shared/corpus``, read in place, never copied),
it also reads every real ``.pdf`` and ``.docx`` there with each library: pages per second, files
refused, and what our reader refused them for.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import platform
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "extract"))

from document_writers import (  # noqa: E402
    NUMBERING_XML,
    PdfPage,
    docx_document,
    docx_paragraph,
    docx_table,
    text_to_docx,
    text_to_pdf,
    write_docx,
    write_pdf,
)
from seed_facts import facts  # noqa: E402

from extract.docx import docx_to_text  # noqa: E402
from extract.pdf import pdf_to_text  # noqa: E402
from extract.sources import MAX_TEXT_CHARS, read_bytes  # noqa: E402

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "datagovuk-library-archive" / "files"


def ours_pdf(data: bytes) -> str:
    return pdf_to_text(data, "bench.pdf", max_chars=MAX_TEXT_CHARS)[0]


def pdfium_plain(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).replace(
            "\r\n", "\n"
        )
    finally:
        doc.close()


def pypdf_text(data: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def pdfminer_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def ours_docx(data: bytes) -> str:
    return docx_to_text(data, "bench.docx", max_chars=MAX_TEXT_CHARS)


def python_docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        parts.extend(" | ".join(cell.text for cell in row.cells) for row in table.rows)
    return "\n\n".join(parts)


PDF_READERS: dict[str, Callable[[bytes], str]] = {
    "ours (pypdfium2 + layout)": ours_pdf,
    "pypdfium2 get_text_range": pdfium_plain,
    "pypdf extract_text": pypdf_text,
    "pdfminer.six extract_text": pdfminer_text,
}
DOCX_READERS: dict[str, Callable[[bytes], str]] = {
    "ours (zipfile + lxml)": ours_docx,
    "python-docx": python_docx_text,
}


def best_time(read: Callable[[bytes], str], data: bytes, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        read(data)
        best = min(best, time.perf_counter() - start)
    return best


def long_pdf(pages: int) -> tuple[bytes, int]:
    """Seed text over and over, with running headers and footers, until ``pages`` pages."""
    text = "\n".join(seed.read_text(encoding="utf-8") for seed in SEEDS)
    data = text_to_pdf("\n".join([text] * (pages // 6 + 1)), furniture=True)
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    count = len(doc)
    doc.close()
    return data, count


def long_docx(paragraphs: int) -> bytes:
    lines = [line for seed in SEEDS for line in seed.read_text(encoding="utf-8").split("\n") if line.strip()]
    body = []
    for n in range(paragraphs):
        body.append(docx_paragraph(lines[n % len(lines)], num=(1, 0) if n % 7 == 3 else None))
        if n % 50 == 49:
            body.append(docx_table([["Action", "Owner", "Due"], ["Circulate the report", "Clerk", "June"]]))
    return write_docx(docx_document("".join(body)), numbering_xml=NUMBERING_XML)


def bomb_pdf(size: int) -> bytes:
    packer = zlib.compressobj(9)
    stream = packer.compress(b"BT /F1 10 Tf 56 780 Td (Hello) Tj ET\n")
    stream += b"".join(packer.compress(b" " * (1 << 20)) for _ in range(size >> 20)) + packer.flush()
    plain = write_pdf([PdfPage(["x"])], compress=False)
    head, rest = plain.split(b"4 0 obj\n", 1)
    _, tail = rest.split(b"endobj\n", 1)
    body = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"
    return head + b"4 0 obj\n" + body + b"\nendobj\n" + tail


def read_corpus(folder: Path, repeat: int) -> None:
    """Every real PDF and DOCX in ``folder``, read by each library: speed and refusals."""
    import pypdfium2 as pdfium

    pdfs = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".pdf")
    docxs = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".docx")
    pages = 0
    for path in pdfs:
        doc = pdfium.PdfDocument(path)
        pages += len(doc)
        doc.close()
    print(f"\nCorpus {folder}: {len(pdfs)} PDFs ({pages} pages), {len(docxs)} DOCX, read in place")
    print(f"{'reader':28} {'pages/s':>9} {'ms/page':>8}  refused")
    datas = [path.read_bytes() for path in pdfs]
    for label, read in PDF_READERS.items():
        seconds, refused = _read_all(read, datas, repeat)
        print(f"{label:28} {pages / seconds:9.0f} {1000 * seconds / pages:8.2f}  {refused or 'none'}")
    datas = [path.read_bytes() for path in docxs]
    for label, read in DOCX_READERS.items():
        seconds, refused = _read_all(read, datas, repeat)
        print(
            f"{label:28} {len(datas) / seconds:9.0f} files/s "
            f"{1000 * seconds / max(len(datas), 1):6.1f} ms/file"
        )


def _read_all(read: Callable[[bytes], str], datas: list[bytes], repeat: int) -> tuple[float, list[str]]:
    best = float("inf")
    refused: list[str] = []
    for _ in range(repeat):
        refused = []
        start = time.perf_counter()
        for data in datas:
            try:
                read(data)
            except Exception as err:  # noqa: BLE001 - a refusal is a result here
                refused.append(getattr(err, "code", type(err).__name__))
        best = min(best, time.perf_counter() - start)
    return best, refused


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=60, help="pages in the long PDF (default 60)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per reader; the best counts (default 3)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="real documents to read in place")
    args = parser.parse_args()

    print(f"python {platform.python_version()}, {platform.machine()}, {platform.system()}")
    versions = {}
    for dist in ("pypdfium2", "pypdf", "pdfminer.six", "python-docx", "lxml"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    print("versions:", ", ".join(f"{k} {v}" for k, v in versions.items()))

    pdf, pages = long_pdf(args.pages)
    seeds_pdf = [(seed, text_to_pdf(seed.read_text(encoding="utf-8"), furniture=True)) for seed in SEEDS]
    print(
        f"\nPDF: {pages} generated pages ({len(pdf):,} bytes); seeds as 3-page PDFs with headers and footers"
    )
    print(f"{'reader':28} {'pages/s':>9} {'ms/page':>8}  seed facts as .txt")
    for label, read in PDF_READERS.items():
        seconds = best_time(read, pdf, args.repeat)
        same = [facts(read(data)) == facts(seed.read_text(encoding="utf-8")) for seed, data in seeds_pdf]
        print(f"{label:28} {pages / seconds:9.0f} {1000 * seconds / pages:8.2f}  {sum(same)}/{len(same)}")

    docx = long_docx(3000)
    seeds_docx = [
        (seed, text_to_docx(seed.read_text(encoding="utf-8"), automatic_numbering=True)) for seed in SEEDS
    ]
    print(
        f"\nDOCX: 3,000 paragraphs and 60 tables ({len(docx):,} bytes); "
        "seeds as .docx with Word's own numbering"
    )
    print(f"{'reader':28} {'paras/s':>9} {'ms/100':>8}  seed facts as .txt")
    for label, read in DOCX_READERS.items():
        seconds = best_time(read, docx, args.repeat)
        same = [facts(read(data)) == facts(seed.read_text(encoding="utf-8")) for seed, data in seeds_docx]
        print(f"{label:28} {3000 / seconds:9.0f} {100_000 * seconds / 3000:8.2f}  {sum(same)}/{len(same)}")

    if args.corpus.is_dir():
        read_corpus(args.corpus, args.repeat)

    print("\nRefusing hostile files through read_bytes:")
    for label, data, name in (
        ("PDF content stream inflating to 1 GiB", bomb_pdf(1 << 30), "bomb.pdf"),
        ("DOCX document.xml of 20 MiB spaces", write_docx(docx_document(" " * (20 << 20))), "bomb.docx"),
    ):
        start = time.perf_counter()
        try:
            read_bytes(data, name)
            outcome = "read (!)"
        except Exception as err:  # noqa: BLE001 - we print whatever the reader raised
            outcome = getattr(err, "code", type(err).__name__)
        print(f"  {label} ({len(data):,} bytes): {outcome} in {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
