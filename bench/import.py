"""Benchmark ``tracker import --jobs 2``: seed-sized items into a fresh database, speed and memory.

Generates N items from the two seeds (``seeds/*.txt``), varied programmatically: one of ~50
committees, a meeting date, an item number, and wording changes (numbers, officers' titles, a
sentence naming the item), each with a sidecar giving its committee, date and item. Then, for each
size asked for (default 2,500 and 10,000), it makes a fresh database, runs the real console script
``tracker import DIR --jobs 2`` and measures wall time, items per second and peak memory (the main
process, the largest worker and the whole process tree, sampled from /proc), and finally times
``extract_many(n_process=2)`` alone on the same texts for the ratio. Targets (issue 4): SQLite within
60 s, PostgreSQL within 90 s, peak under 400 MB and not growing with the number of files.

    python bench/import.py                                  # SQLite file in a temporary directory
    python bench/import.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    python bench/import.py --sizes 500 --keep /tmp/items    # a quick look

On PostgreSQL the URL's database is used through a schema of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
TRACKER = Path(sys.executable).with_name("tracker")

AREAS = (
    "Adults", "Children", "Housing", "Planning", "Licensing", "Audit", "Health", "Transport",
    "Environment", "Finance", "Education", "Culture",
)  # fmt: skip
KINDS = ("Scrutiny Committee", "Scrutiny Board", "Panel", "Committee")
TITLES = (
    "Director of Public Health", "Director of Finance", "Head of Service", "Scrutiny Co-ordinator",
    "Cabinet Member", "Chief Executive", "Monitoring Officer",
)  # fmt: skip
_NUMBER = re.compile(r"\b\d{2,}\b")


def committees() -> list[str]:
    """About 50 committee names: area x kind, the first 50."""
    return [f"{area} {kind}" for area in AREAS for kind in KINDS][:50]


def vary(text: str, rng: random.Random, item: int) -> str:
    """The seed's text with different numbers, one officer's title swapped, and the item named."""
    text = _NUMBER.sub(lambda m: str(int(m.group()) + rng.randint(1, 97)), text)
    for title in TITLES:
        if title in text:
            text = text.replace(title, rng.choice(TITLES), 1)
            break
    return f"{text.rstrip()}\n\nThis minute is generated item {item} of the import benchmark.\n"


def generate(out: Path, n: int, seed: int = 4) -> list[str]:
    """Write ``n`` items with sidecars into ``out``; return their texts' paths in import order."""
    rng = random.Random(seed)
    bases = [p.read_text(encoding="utf-8") for p in SEEDS]
    names = committees()
    start = date(2015, 1, 6)
    paths = []
    for i in range(n):
        folder = out / f"{i // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"item{i:05d}.txt"
        path.write_text(vary(bases[i % len(bases)], rng, i), encoding="utf-8")
        meta = {
            "committee": names[i % len(names)],
            "meeting_date": (start + timedelta(days=7 * (i // len(names)))).isoformat(),
            "item": str(i % 17 + 1),
        }
        (folder / f"item{i:05d}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
        paths.append(str(path))
    return paths


class TreeMemory:
    """Samples the resident memory of a process and its descendants from /proc until stopped."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every = pid, every
        self.main = self.worker = self.tree = 0
        #: CPU seconds (user + system) last seen per process: the main process's and the workers'
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = _rss_by_pid(self.pid)
            if rss:
                self.main = max(self.main, rss.get(self.pid, 0))
                others = [v for p, v in rss.items() if p != self.pid]
                self.worker = max(self.worker, *others, 0)
                self.tree = max(self.tree, sum(rss.values()))
                for pid in rss:
                    self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu_seconds(pid))
            self._stop.wait(self.every)


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, from /proc (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _rss_by_pid(root: int) -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    out = {}
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        out[pid] = int(line.split()[1]) * 1024
        except OSError:
            continue
    return out


def run_import(url: str, folder: Path, jobs: int) -> dict[str, float]:
    """``tracker init-db`` then ``tracker import FOLDER --jobs N`` on ``url``; time and memory."""
    env = {**os.environ, "TRACKER_DATABASE_URL": url}
    subprocess.run([str(TRACKER), "init-db"], env=env, check=True, capture_output=True)
    report = folder.parent / f"report-{folder.name}.json"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(TRACKER), "import", str(folder), "--jobs", str(jobs), "--report", str(report)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    memory = TreeMemory(proc.pid)
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    memory.stop()
    if proc.returncode != 0:
        raise SystemExit(f"tracker import failed ({proc.returncode}): {err.decode()[-2000:]}")
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    cpu_main = memory.cpu.get(proc.pid, 0.0)
    cpu_workers = sum(v for p, v in memory.cpu.items() if p != proc.pid)
    return {
        "wall": wall,
        "main": memory.main,
        "worker": memory.worker,
        "tree": memory.tree,
        "cpu_main": cpu_main,
        "cpu_workers": cpu_workers,
        **summary,
    }


def time_extract_many(paths: list[str], jobs: int) -> float:
    """Seconds for ``extract_many(n_process=jobs)`` over the same texts (in a fresh process)."""
    code = (
        "import sys, time\n"
        "from extract import extract_many\n"
        "paths = sys.argv[1:]\n"
        "t = time.perf_counter()\n"
        "texts = (open(p, encoding='utf-8').read() for p in paths)\n"
        f"n = sum(1 for _ in extract_many(texts, n_process={jobs}))\n"
        "print(time.perf_counter() - t)\n"
    )
    listing = Path(tempfile.mkstemp(suffix=".txt")[1])
    listing.write_text("\n".join(paths), encoding="utf-8")
    try:
        out = subprocess.run(
            [sys.executable, "-c", code.replace("sys.argv[1:]", f"open({str(listing)!r}).read().split()")],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        listing.unlink()
    return float(out.stdout.strip())


def fresh_database(base_url: str | None, work: Path, label: str) -> tuple[str, object]:
    """A new empty database: a SQLite file in ``work``, or a new schema in the PostgreSQL database."""
    if not base_url:
        path = work / f"bench-{label}.sqlite3"
        for stale in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
            stale.unlink(missing_ok=True)  # a kept directory's database from an earlier run
        return f"sqlite:///{path}", None
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    schema = f"bench_import_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2500,10000", help="Item counts, comma-separated.")
    parser.add_argument("--jobs", type=int, default=2, help="tracker import --jobs (default 2).")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh SQLite file).")
    parser.add_argument("--keep", type=Path, help="Generate into this directory and keep it.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    db_name = "PostgreSQL" if args.database_url else "SQLite (file)"
    print(f"{db_name}, --jobs {args.jobs}, {os.cpu_count()} CPUs; generating {max(sizes):,} items in {work}")
    try:
        for n in sizes:
            folder = work / f"items-{n}"
            shutil.rmtree(folder, ignore_errors=True)
            paths = generate(folder, n)
            url, drop = fresh_database(args.database_url, work, str(n))
            try:
                r = run_import(url, folder, args.jobs)
            finally:
                if callable(drop):
                    drop()
            extract_s = time_extract_many(paths, args.jobs)
            mb = 1024 * 1024
            print(
                f"{n:>6,} items: {r['wall']:6.1f} s wall, {n / r['wall']:6.1f} items/s; "
                f"imported {r['imported']:,}, failed {r['failed']}, actions {r['actions_created']:,}; "
                f"peak RSS main {r['main'] / mb:.0f} MB, largest worker {r['worker'] / mb:.0f} MB, "
                f"tree {r['tree'] / mb:.0f} MB; CPU main {r['cpu_main']:.1f} s "
                f"({1000 * r['cpu_main'] / n:.1f} ms a file), workers {r['cpu_workers']:.1f} s; "
                f"load average {os.getloadavg()[0]:.2f}; extract_many alone {extract_s:.1f} s "
                f"({n / extract_s:.0f} texts/s): import takes {r['wall'] / extract_s:.2f}x"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
