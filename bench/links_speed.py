"""How long the follow-up linker takes per imported item as a database grows to N items.

Imports N seed-sized items the way ``bench/import.py`` generates them (the two seeds in turn, ~50
committees, weekly meetings, a sentence naming each item) with :func:`tracker.services.import_minutes`,
which calls :func:`tracker.links.link_item`, and times that call alone. Each seed is extracted once;
each item's text is the seed's with a line appended (so its spans stay right) and the extraction's
text and SHA-256 are updated to match. Nothing is ever closed, so every committee's open actions
only grow: the worst case for the linker's candidate query.

    .venv/bin/python bench/links_speed.py [--items 10000] [--database-url URL]

Prints the mean and 95th percentile time per item for each tenth of the run, so growth shows.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select  # noqa: E402

from tracker import create_app, links, services  # noqa: E402
from tracker.db import get_db  # noqa: E402
from tracker.models import Base, FollowUpLink  # noqa: E402

AREAS = ("Adults", "Children", "Housing", "Planning", "Licensing", "Audit", "Health", "Transport",
         "Environment", "Finance", "Education", "Culture")  # fmt: skip
KINDS = ("Scrutiny Committee", "Scrutiny Board", "Panel", "Committee")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in /tmp")
    args = parser.parse_args(argv)
    committees = [f"{a} {k}" for a in AREAS for k in KINDS][:50]
    seeds = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        source = services.read_minutes(path)
        seeds.append((source.text, services.extract_source(source)))

    schema = None
    url = args.database_url or f"sqlite:////tmp/links_speed_{uuid.uuid4().hex[:8]}.sqlite3"
    if url.startswith("postgresql"):
        schema = f"links_speed_{uuid.uuid4().hex[:8]}"
        with create_engine(url).begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url})
    database = get_db(app)
    with database.engine.begin() as conn:
        Base.metadata.create_all(conn)

    timings: list[float] = []
    original = links.link_item

    def timed(session, item, **given):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return original(session, item, **given)
        finally:
            timings.append(time.perf_counter() - start)

    links.link_item = timed
    start_day = date(2015, 1, 6)
    wall = time.perf_counter()
    try:
        with database.sessions() as session:
            for i in range(args.items):
                text, extraction = seeds[i % len(seeds)]
                text = f"{text.rstrip()}\n\nThis minute is generated item {i} of the linking benchmark.\n"
                ex = dataclasses.replace(
                    extraction, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest()
                )
                services.import_minutes(
                    session,
                    committee=committees[i % len(committees)],
                    meeting_date=start_day + timedelta(days=7 * (i // len(committees))),
                    extraction=ex,
                    source_text=text,
                )
                session.commit()
                if (i + 1) % max(1, args.items // 10) == 0:
                    part = timings[-max(1, args.items // 10) :]
                    print(
                        f"  after {i + 1} items: linker mean {1000 * statistics.mean(part):.2f} ms",
                        flush=True,
                    )
            suggested = session.scalar(select(func.count()).select_from(FollowUpLink))
    finally:
        links.link_item = original
        database.engine.dispose()
        if schema:
            with create_engine(args.database_url).begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    wall = time.perf_counter() - wall
    print(f"{args.items} items into {url.split('?')[0].split('://')[0]}: {wall:.1f} s in all, "
          f"{suggested} suggestions stored")  # fmt: skip
    print(f"linker: mean {1000 * statistics.mean(timings):.2f} ms per item, total {sum(timings):.1f} s")
    tenth = max(1, len(timings) // 10)
    print("  items            mean ms   p95 ms")
    for k in range(0, len(timings), tenth):
        part = sorted(timings[k : k + tenth])
        p95 = part[int(0.95 * (len(part) - 1))]
        print(f"  {k + 1:>6}-{k + len(part):<6}  {1000 * statistics.mean(part):8.2f}  {1000 * p95:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
