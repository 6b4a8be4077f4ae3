"""Profile the batch import's writer alone: the main process's share of ``tracker import``.

Generates N items the way ``bench/import.py`` does, reads and extracts them once (cached in a pickle
beside the items, so that A/B runs compare the writer only), then stores them with
:func:`tracker.batch.import_all` into a fresh database made by ``tracker init-db``, one transaction
per file, measuring the CPU time of this process (``time.process_time``: the other processes on a
loaded machine do not count) and optionally a cProfile of it.

    python bench/import_writer.py --items 300                       # SQLite file
    python bench/import_writer.py --items 300 --profile 25          # and the 25 heaviest functions
    python bench/import_writer.py --items 300 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import os
import pickle
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACKER = Path(sys.executable).with_name("tracker")


def _bench_import():  # the sibling script's generator and database helpers ("import" is a keyword)
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "import.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepared(work: Path, n: int) -> list[object]:
    """The N items read and extracted (``batch.Ready``), from the cache when it is there."""
    cache = work / f"prepared-{n}.pickle"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from tracker import batch

    folder = work / f"items-{n}"
    _bench_import().generate(folder, n)
    ready = list(batch.prepared_in_order(batch.expand_paths([str(folder)]), batch.Given(), jobs=2))
    cache.write_bytes(pickle.dumps(ready))
    return ready


def dump(session: object, path: Path) -> None:
    """Every row of every table, in id order, as text lines: two runs' files can be compared with diff."""
    from sqlalchemy import select

    from tracker.models import Base

    with path.open("w", encoding="utf-8") as out:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.c if not c.name.endswith("_at")]
            for row in session.execute(select(*columns).order_by(*table.primary_key.columns)):  # type: ignore[attr-defined]
                out.write(f"{table.name} {tuple(row)!r}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh SQLite file).")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-import-writer")
    parser.add_argument("--profile", type=int, default=0, help="Print this many functions of a cProfile.")
    parser.add_argument("--dump", type=Path, help="Write every table's rows here (timestamps left out).")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    items = prepared(args.work, args.items)

    from sqlalchemy.orm import Session

    from tracker import batch, db
    from tracker.db import make_engine

    url, drop = _bench_import().fresh_database(args.database_url, args.work, f"writer-{os.getpid()}")
    try:
        env = {**os.environ, "TRACKER_DATABASE_URL": url}
        subprocess.run([str(TRACKER), "init-db"], env=env, check=True, capture_output=True)
        engine = make_engine(url)
        # as ``tracker import`` does, where the version being measured has it (SQLite: synchronous=NORMAL)
        bind = db.batch_bind(engine) if hasattr(db, "batch_bind") else engine
        profiler = cProfile.Profile() if args.profile else None
        with Session(bind, expire_on_commit=False) as session:
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            results = list(batch.import_all(session, items))
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if args.dump:
                dump(session, args.dump)
        engine.dispose()
    finally:
        if callable(drop):
            drop()
        elif url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    statuses = {s: sum(r.status == s for r in results) for s in batch.STATUSES}
    print(
        f"{len(items)} items into {'PostgreSQL' if args.database_url else 'SQLite (file)'}: "
        f"writer {cpu:.2f} s CPU ({1000 * cpu / len(items):.1f} ms a file), {wall:.2f} s wall; "
        f"{statuses}; actions {sum(r.actions_created for r in results)}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        if os.environ.get("PROFILE_OUT"):
            stats.dump_stats(os.environ["PROFILE_OUT"])
        stats.sort_stats(os.environ.get("SORT", "cumulative")).print_stats(args.profile)


if __name__ == "__main__":
    main()
