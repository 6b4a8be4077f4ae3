"""Precision and recall of follow-up link suggestions on the hand-written cases in ``tests/links/cases``.

Each case file holds an earlier item whose clause asks for something (``=== asked DATE LABEL``), the
later item that answers it (``=== answer DATE``) and a later item of the same committee that does
not (``=== near-miss DATE``). Every item is imported with the real extractor and
:func:`tracker.services.import_minutes` (which calls the linker) into a fresh in-memory SQLite
database, in chronological, reverse and shuffled order. The linker's threshold is lowered to 0 for
the run so that every scored pair is kept; precision and recall are then read at each threshold.

A suggestion is right when it links the asked clause's action to its answer; anything else it
suggests (another action, the near-miss, another case's item) is wrong.

    .venv/bin/python bench/links_quality.py [--cases DIR] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from tracker import create_app, links, services  # noqa: E402
from tracker.db import get_db  # noqa: E402
from tracker.models import Base, FollowUpLink  # noqa: E402

CASES_DIR = ROOT / "tests" / "links" / "cases"
THRESHOLDS = (0.30, 0.34, 0.38, 0.40, 0.42, 0.44, 0.46, 0.50, 0.55)
_SECTION = re.compile(r"^=== (asked|answer|near-miss) (\d{4}-\d{2}-\d{2})(?: (.+))?$", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class Part:
    """One minute item of a case: its role, meeting date, text, and (asked) the clause labels asked."""

    case: str
    role: str
    when: date
    text: str
    labels: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    committee: str
    parts: tuple[Part, ...]


def load_cases(folder: Path = CASES_DIR) -> list[Case]:
    """Every ``*.txt`` case in ``folder``, checked: a committee line, then asked, answer, near-miss.

    :raise ValueError: a file without those parts, naming the file.
    """
    cases = []
    for path in sorted(folder.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        head, _, _ = raw.partition("\n")
        if not head.startswith("committee: "):
            raise ValueError(f"{path}: the first line must be 'committee: NAME'")
        marks = list(_SECTION.finditer(raw))
        parts = []
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(raw)
            labels = tuple((m.group(3) or "").split())
            parts.append(
                Part(
                    path.stem,
                    m.group(1),
                    date.fromisoformat(m.group(2)),
                    raw[m.end() : end].strip() + "\n",
                    labels,
                )
            )
        roles = sorted(p.role for p in parts)
        if roles != ["answer", "asked", "near-miss"] or not parts[0].labels:
            raise ValueError(
                f"{path}: needs '=== asked DATE LABEL', '=== answer DATE' and '=== near-miss DATE'"
            )
        cases.append(Case(path.stem, head.removeprefix("committee: ").strip(), tuple(parts)))
    return cases


@dataclasses.dataclass
class Run:
    """The scored pairs of one run, the gold pairs, and the linker's time per imported item."""

    scored: dict[tuple[int, int], float]
    gold: set[tuple[int, int]]
    link_seconds: list[float]
    #: what each action id and item id was, for reading the mistakes
    names: dict[tuple[str, int], str] = dataclasses.field(default_factory=dict)

    def mistakes(self, threshold: float) -> list[str]:
        """Wrong suggestions and missed pairs at ``threshold``, in words."""
        out = []
        for (a, i), score in sorted(self.scored.items()):
            if score >= threshold and (a, i) not in self.gold:
                out.append(f"wrong {score:.3f}: {self.names['action', a]} -> {self.names['item', i]}")
        for a, i in sorted(self.gold):
            if self.scored.get((a, i), 0.0) < threshold:
                score = self.scored.get((a, i), 0.0)
                out.append(f"missed {score:.3f}: {self.names['action', a]} -> {self.names['item', i]}")
        return out

    def at(self, threshold: float) -> tuple[float, float, int, int]:
        """(precision, recall, suggested, right) at ``threshold``."""
        suggested = {pair for pair, score in self.scored.items() if score >= threshold}
        right = len(suggested & self.gold)
        precision = right / len(suggested) if suggested else 1.0
        return precision, right / len(self.gold), len(suggested), right


def run(cases: list[Case], order: str, seed: int = 7) -> Run:
    """Import every part of every case in ``order`` (chronological, reverse or shuffled), score all pairs."""
    parts = [(case, part) for case in cases for part in case.parts]
    parts.sort(key=lambda cp: (cp[1].when, cp[1].case, cp[1].role))
    if order == "reverse":
        parts.reverse()
    elif order == "shuffled":
        random.Random(seed).shuffle(parts)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": "sqlite://"})
    database = get_db(app)
    timings: list[float] = []
    original = links.link_item

    def timed(session, item, **given):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return original(session, item, **given)
        finally:
            timings.append(time.perf_counter() - start)

    saved = links.THRESHOLD, links.MAX_PER_ITEM
    links.THRESHOLD, links.MAX_PER_ITEM, links.link_item = 0.0, 10_000, timed
    try:
        with database.engine.connect() as conn:
            Base.metadata.create_all(conn)
            conn.commit()
            with database.sessions(bind=conn) as session:
                items = {}
                for case, part in parts:
                    source = services.read_upload(
                        part.text.encode("utf-8"), f"{part.case}-{part.role}.txt", suffix=".txt"
                    )
                    extraction = services.extract_source(source, meeting_date=part.when)
                    result = services.import_minutes(
                        session,
                        committee=case.committee,
                        meeting_date=part.when,
                        extraction=extraction,
                        source_text=source.text,
                        source_name=source.name,
                    )
                    items[(part.case, part.role)] = result.item
                gold = set()
                for case in cases:
                    asked = items[(case.name, "asked")]
                    labels = next(p.labels for p in case.parts if p.role == "asked")
                    wanted = [
                        a for a in asked.actions if a.resolution is not None and a.resolution.label in labels
                    ]
                    if not wanted:
                        raise ValueError(f"{case.name}: the extractor found no action for clause {labels}")
                    gold |= {(a.id, items[(case.name, "answer")].id) for a in wanted}
                names: dict[tuple[str, int], str] = {}
                for (case_name, role), item in items.items():
                    names["item", item.id] = f"{case_name} {role} “{item.title}”"
                    for a in item.actions:
                        label = a.resolution.label if a.resolution else "narrative"
                        names["action", a.id] = f"{case_name} {role} {label} “{a.text[:70]}”"
                scored = {
                    (a, i): s
                    for a, i, s in session.execute(
                        select(FollowUpLink.action_id, FollowUpLink.minute_item_id, FollowUpLink.score)
                    )
                }
    finally:
        links.THRESHOLD, links.MAX_PER_ITEM = saved
        links.link_item = original
        database.engine.dispose()
    return Run(scored, gold, timings, names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=CASES_DIR, help="folder of case files")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    cases = load_cases(args.cases)
    results = {order: run(cases, order) for order in ("chronological", "reverse", "shuffled")}
    figures = {
        order: {
            "pairs_scored": len(r.scored),
            "gold": len(r.gold),
            "linker_ms_per_item": round(1000 * sum(r.link_seconds) / len(r.link_seconds), 3),
            "thresholds": {
                f"{t:.2f}": dict(zip(("precision", "recall", "suggested", "right"), r.at(t), strict=True))
                for t in THRESHOLDS
            },
        }
        for order, r in results.items()
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(
        f"{len(cases)} cases ({len(cases)} follow-up pairs, {len(cases)} near-misses); "
        f"threshold in use {links.THRESHOLD}"
    )
    for order, f in figures.items():
        print(
            f"\n{order}: {f['pairs_scored']} pairs scored, "
            f"linker {f['linker_ms_per_item']} ms per imported item"
        )
        print("  threshold  precision  recall  suggested  right")
        for t, m in f["thresholds"].items():
            mark = "  <- in use" if float(t) == links.THRESHOLD else ""
            print(
                f"  {t:>9}  {m['precision']:9.3f}  {m['recall']:6.3f}  "
                f"{m['suggested']:9}  {m['right']:5}{mark}"
            )
    print(f"\nmistakes at {links.THRESHOLD} (chronological):")
    for line in results["chronological"].mistakes(links.THRESHOLD):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
