"""Real-data check: ``Action:`` lines in the shared corpus of published minutes, found and owned.

The corpus (``../shared/corpus/``, openly licensed central-government panel minutes) is read in
place and never copied into the repository. For every post holding full minutes this counts the
action lines printed (a plain regex over the page text), the action lines the extractor returns,
and how many of those have an owner; it also reports extraction errors and time per page.

    python bench/corpus_actions.py [--corpus DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extract import extract_minutes  # noqa: E402
from extract.sources import html_to_text  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "datagovuk-library-archive" / "posts"
PRINTED = re.compile(r"^\s*(?:•\s*)?(?:ACTIONS?|Actions?)(?:\s+(?:by|for|point))?\s*(?::|–|\s-\s)", re.M)
MIN_BODY = 2000  # shorter posts are stubs pointing at attached documents


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of Jekyll posts (.md)")
    parser.add_argument("--verbose", action="store_true", help="one line per page")
    args = parser.parse_args()
    posts = sorted(args.corpus.glob("*.md"))
    if not posts:
        print(f"corpus_actions: no posts in {args.corpus}", file=sys.stderr)
        return 2
    extract_minutes("RESOLVED – That the report be noted.")  # build the pipeline before timing
    pages = printed = found = owned = errors = 0
    seconds = 0.0
    for path in posts:
        raw = path.read_text(encoding="utf-8")
        body = raw.split("---", 2)[2] if raw.startswith("---") else raw
        if len(body) < MIN_BODY:
            continue
        text = html_to_text(body)
        start = time.perf_counter()
        try:
            data = extract_minutes(text, source_name=path.name).to_dict()
        except Exception as exc:  # a crash on real input is exactly what this check is for
            errors += 1
            print(f"error: {path.name}: {exc!r}", file=sys.stderr)
            continue
        seconds += time.perf_counter() - start
        lines = [a for a in data["actions"] if a["origin"] == "action_line"]
        pages += 1
        printed += len(PRINTED.findall(text))
        found += len(lines)
        owned += sum(1 for a in lines if a["owner"])
        if args.verbose:
            print(f"{len(PRINTED.findall(text)):4} printed {len(lines):4} found {path.name}")
    print(f"pages {pages}, errors {errors}")
    print(f"action lines printed {printed}, extracted {found}, with an owner {owned}")
    print(f"extraction {seconds / max(1, pages) * 1000:.1f} ms per page ({len(posts)} posts read)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
