"""Measure extraction quality on the hand-checked fixtures: precision, recall and F1 per category.

Run it before and after an extractor change to see what the change won or lost::

    python bench/extract_quality.py                 # table
    python bench/extract_quality.py --verbose       # plus every mismatch, by fixture
    python bench/extract_quality.py --json          # machine-readable
    python bench/extract_quality.py --fixtures DIR  # another fixture directory

A fixture the extractor fails on (an exception) counts as an empty extraction, so every
expected fact in it is a false negative; the error is listed with the mismatches.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from a checkout, without installing
    sys.path.insert(0, str(ROOT))

from extract.evaluate import CATEGORIES, Counts, Fixture, Report, compare, load_fixtures  # noqa: E402

DEFAULT_FIXTURES = ROOT / "tests" / "extract" / "fixtures"


def _extract(fixture: Fixture) -> tuple[dict[str, Any], str | None]:
    """The extraction as a dict, or an empty one and the error when the extractor raises."""
    try:
        from extract import extract_minutes

        result = extract_minutes(fixture.text, source_name=fixture.name, meeting_date=fixture.meeting_date)
    except Exception as exc:  # noqa: BLE001 - a crash on one fixture must not hide the others
        return {}, f"{type(exc).__name__}: {exc}"
    return result.to_dict(), None


def evaluate(directory: Path) -> tuple[Report, dict[str, Report]]:
    """Score every fixture in ``directory``; return the total and the per-fixture reports."""
    per_fixture: dict[str, Report] = {}
    total = Report()
    for fixture in load_fixtures(directory):
        actual, error = _extract(fixture)
        report = compare(fixture.expected, actual)
        if error:
            report.mismatches.insert(0, f"error: {error}")
        per_fixture[fixture.name] = report
        total = total + report
    return total, per_fixture


def _pct(value: float | None) -> str:
    return "    –" if value is None else f"{value * 100:5.1f}"


def _row(name: str, c: Counts) -> str:
    return f"{name:<17} {c.tp:>5} {c.fp:>5} {c.fn:>5}  {_pct(c.precision)}  {_pct(c.recall)}  {_pct(c.f1)}"


def format_table(total: Report, per_fixture: dict[str, Report]) -> str:
    lines = [f"{'category':<17} {'tp':>5} {'fp':>5} {'fn':>5}  {'prec':>5}  {'rec':>5}  {'f1':>5}"]
    lines += [_row(c, total.counts[c]) for c in CATEGORIES]
    lines.append(_row("all", total.total()))
    clean = sum(1 for r in per_fixture.values() if r.ok)
    errors = sum(1 for r in per_fixture.values() if r.mismatches and r.mismatches[0].startswith("error:"))
    lines.append(
        f"\nfixtures: {len(per_fixture)}, fully correct: {clean}, "
        f"with mismatches: {len(per_fixture) - clean}, extractor errors: {errors}, "
        f"mismatch lines: {len(total.mismatches)}"
    )
    return "\n".join(lines)


def to_json(total: Report, per_fixture: dict[str, Report]) -> dict[str, Any]:
    def counts(c: Counts) -> dict[str, Any]:
        return {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": c.precision, "recall": c.recall, "f1": c.f1}

    return {
        "categories": {c: counts(total.counts[c]) for c in CATEGORIES},
        "all": counts(total.total()),
        "fixtures": {
            name: {
                "ok": r.ok,
                "mismatches": r.mismatches,
                "categories": {c: counts(r.counts[c]) for c in CATEGORIES},
            }
            for name, r in per_fixture.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fixtures", type=Path, default=DEFAULT_FIXTURES, help="directory of NAME.txt fixtures"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="list every mismatch, by fixture")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if not args.fixtures.is_dir():
        parser.error(f"not a directory: {args.fixtures}")
    total, per_fixture = evaluate(args.fixtures)
    if args.json:
        print(json.dumps(to_json(total, per_fixture), indent=2, ensure_ascii=False))
        return 0
    print(format_table(total, per_fixture))
    if args.verbose:
        for name, report in per_fixture.items():
            if report.mismatches:
                print(f"\n== {name}")
                print("\n".join(f"  {line}" for line in report.mismatches))
    return 0


if __name__ == "__main__":
    sys.exit(main())
