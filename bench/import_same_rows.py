"""Check that this checkout's batch import writes exactly the rows another version writes.

Exports the other version (default: where this branch left ``main``) with ``git archive``, generates
N items the way ``bench/import.py`` does, and runs the real ``tracker init-db`` and ``tracker import
DIR --jobs 2`` once with each version's code (``PYTHONPATH`` puts the other version's ``tracker``
and ``extract`` first) into two fresh databases. Then it compares every table row by row, in id
order, leaving out the timestamp columns (they record when the run happened) and the random value
of ``choices_stamp`` (new at every write, by design). Exits 1 on any difference, printing the first
few.

    python bench/import_same_rows.py --items 2500                        # SQLite files
    python bench/import_same_rows.py --items 300 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/import_same_rows.py --baseline some-branch --items 500
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
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


def export(ref: str, into: Path) -> str:
    """Write the tree of ``ref`` into ``into``; return the commit it names."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref], check=True, capture_output=True, text=True
    ).stdout.strip()
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return commit


def run_import(src: Path, url: str, folder: Path, jobs: int) -> float:
    """``tracker init-db`` and ``tracker import FOLDER`` with the code in ``src``; the import's seconds."""
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "PYTHONPATH": str(src)}
    where = subprocess.run(
        [sys.executable, "-c", "import tracker, extract; print(tracker.__file__, extract.__file__)"],
        env=env,
        cwd=src,  # ``python -c`` puts the working directory first on the path
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert all(Path(w).resolve().is_relative_to(src.resolve()) for w in where), where
    subprocess.run([str(TRACKER), "init-db"], env=env, cwd=src, check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(
        [str(TRACKER), "import", str(folder), "--jobs", str(jobs)],
        env=env,
        cwd=src,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"tracker import failed with {src}: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows in primary-key order, timestamp columns and random stamps left out."""
    from sqlalchemy import DateTime, select

    from tracker import choices_stamp
    from tracker.db import make_engine
    from tracker.models import Base, UTCDateTime

    engine = make_engine(url)
    out: dict[str, list[tuple[object, ...]]] = {}
    try:
        with engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                columns = [
                    c
                    for c in table.c
                    if not isinstance(c.type, DateTime | UTCDateTime)
                    and not (table.name == choices_stamp.TABLE and c.name == "stamp")
                ]
                stmt = select(*columns).order_by(*table.primary_key.columns)
                out[table.name] = [tuple(r) for r in conn.execute(stmt)]
    finally:
        engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: fresh SQLite files).")
    parser.add_argument(
        "--baseline", help="The version to compare with (default: the merge base of HEAD and main)."
    )
    args = parser.parse_args()
    baseline = (
        args.baseline
        or subprocess.run(
            ["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], check=True, capture_output=True, text=True
        ).stdout.strip()
    )
    bench = _bench_import()
    work = Path(tempfile.mkdtemp(prefix="bench-same-rows-"))
    try:
        commit = export(baseline, work / "baseline")
        folder = work / "items"
        bench.generate(folder, args.items)
        found = {}
        for label, src in (("baseline", work / "baseline"), ("this checkout", ROOT)):
            url, drop = bench.fresh_database(args.database_url, work, label.replace(" ", "-"))
            try:
                seconds = run_import(src, url, folder, args.jobs)
                found[label] = rows(url)
            finally:
                if callable(drop):
                    drop()
            print(f"{label} ({commit if label == 'baseline' else src}): import {seconds:.1f} s")
        old, new = found["baseline"], found["this checkout"]
        differences = 0
        for table in old:
            same = old[table] == new[table]
            verdict = "same" if same else "DIFFER"
            print(f"  {table}: {len(old[table]):,} rows vs {len(new[table]):,}: {verdict}")
            if same:
                continue
            for i, (a, b) in enumerate(zip(old[table], new[table], strict=False)):
                if a != b and differences < 5:
                    print(f"    row {i}:\n      baseline {a!r}\n      this     {b!r}")
                    differences += 1
            differences += 1
        total = sum(len(v) for v in old.values())
        db_name = "PostgreSQL" if args.database_url else "SQLite"
        outcome = "identical" if not differences else "DIFFERENT"
        print(f"{args.items:,} items on {db_name}: {total:,} rows, {outcome} (timestamps aside)")
        if differences:
            raise SystemExit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
