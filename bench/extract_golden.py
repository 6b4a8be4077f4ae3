"""Write the extractor's full answer for a fixed, varied set of inputs, to compare two versions byte for byte.

A speed change must give exactly the old answer. This writes one JSON line per extraction
(``to_dict()``, keys sorted) for: both seeds with and without a meeting date, every
``.txt``/``.html``/``.md`` file under ``tests/`` with and without one, the readable files of a corpus
directory read in place (``.md`` as text; ``.txt``, ``.html``, ``.pdf``, ``.docx`` through
:func:`extract.sources.read_source`), 400 bench texts (``extract_speed.build_texts``), 300 damaged
variants of all those (cut short, newlines removed, upper- and lower-cased, lines shuffled,
characters replaced), and 100 bench texts through ``extract_many``. Run it from two checkouts and
``cmp`` the files:

    python bench/extract_golden.py /tmp/before.jsonl                       # in the old checkout
    python bench/extract_golden.py /tmp/after.jsonl && cmp /tmp/before.jsonl /tmp/after.jsonl
    python bench/extract_golden.py out.jsonl --corpus ../shared/corpus     # also a corpus, read in place

``--repo`` imports the ``extract`` package of another checkout (the inputs stay this checkout's),
so one copy of the script serves both sides:

    python bench/extract_golden.py /tmp/before.jsonl --repo /tmp/main-checkout
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from extract_speed import build_texts  # noqa: E402  (the bench's texts; imports no extractor)

_CORPUS_SUFFIXES = (".md", ".txt", ".html", ".pdf", ".docx")


def _read(path: Path) -> str | None:
    from extract.errors import ExtractionError
    from extract.sources import read_source

    try:
        if path.suffix == ".md":
            return path.read_text(encoding="utf-8")
        return read_source(path).text
    except (ExtractionError, OSError, UnicodeDecodeError):
        return None


def _damaged(text: str, kind: int, rng: random.Random) -> str:
    if kind == 0:
        return text[: rng.randint(1, max(1, len(text)))]
    if kind == 1:
        return text.replace("\n", " ")
    if kind == 2:
        return text.upper()
    if kind == 3:
        return text.lower()
    if kind == 4:
        lines = text.split("\n")
        rng.shuffle(lines)
        return "\n".join(lines)
    chars = list(text)
    for _ in range(max(1, len(chars) // 50)):
        chars[rng.randrange(len(chars))] = rng.choice("é’“ \n.,;:()-–xA1\t\u00a0")
    return "".join(chars)


def inputs(corpus: Path | None) -> Iterator[tuple[str, str, str | None]]:
    """``(name, text, meeting date)`` of every extraction, in a fixed order."""
    meetings = json.loads((ROOT / "seeds" / "meetings.json").read_text(encoding="utf-8"))
    fixed: list[tuple[str, str, str | None]] = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        fixed += [(f"seed:{p.name}", text, None), (f"seed:{p.name}:dated", text, meetings[p.name]["date"])]
    for p in sorted((ROOT / "tests").rglob("*")):
        if p.is_file() and p.suffix in (".txt", ".html", ".md"):
            text = _read(p) if p.suffix != ".md" else p.read_text(encoding="utf-8", errors="replace")
            if text is None:
                text = p.read_text(encoding="utf-8", errors="replace")
            name = f"test:{p.relative_to(ROOT)}"
            fixed += [(name, text, None), (f"{name}:dated", text, "2020-03-15")]
    if corpus is not None:
        for p in sorted(corpus.rglob("*")):
            if p.is_file() and p.suffix.lower() in _CORPUS_SUFFIXES and (text := _read(p)) is not None:
                fixed.append((f"corpus:{p.relative_to(corpus)}", text, None))
    for i, text in enumerate(build_texts(400, seed=7)):
        fixed.append((f"bench:{i}", text, None if i % 2 else "2019-06-01"))
    yield from fixed
    rng = random.Random(11)
    for i in range(300):
        text = rng.choice(fixed)[1]
        yield f"damaged:{i}:{i % 6}", _damaged(text, i % 6, rng), None if i % 3 else "2021-01-10"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="JSON-lines file to write")
    parser.add_argument("--corpus", type=Path, help="a directory of minutes files, read in place")
    parser.add_argument(
        "--repo", type=Path, default=ROOT, help="checkout whose extractor runs (default: this)"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.repo.resolve()))

    import extract
    from extract import extract_many, extract_minutes

    if not Path(extract.__file__).resolve().is_relative_to(args.repo.resolve()):
        raise SystemExit(f"extract_golden: imported {extract.__file__}, not the extractor of {args.repo}")

    n = 0
    with args.out.open("w", encoding="utf-8") as out:
        for name, text, when in inputs(args.corpus):
            try:
                res = extract_minutes(text, source_name=name, meeting_date=when).to_dict()
            except Exception as exc:  # a refusal is an answer too: compare it
                res = {"error": type(exc).__name__, "message": str(exc)}
            out.write(json.dumps({"name": name, "result": res}, sort_keys=True, default=str) + "\n")
            n += 1
        for i, ex in enumerate(extract_many(build_texts(100, seed=7))):
            out.write(json.dumps({"name": f"many:{i}", "result": ex.to_dict()}, sort_keys=True) + "\n")
            n += 1
    print(f"extract_golden: {n:,} extractions written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
