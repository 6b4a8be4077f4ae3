"""Count the instructions a batch import's writer executes a file: a figure the machine's load cannot move.

On this shared 2-core machine the same import's wall time moves by a third from one hour to the
next (``docs/IMPORT.md``). Valgrind's callgrind counts instructions executed, which do not depend on
the load, so two versions of the writer can be compared one after the other. A proxy, not a timing:
it ignores cache misses and waits for the disk.

The items are generated and extracted as ``bench/import.py`` generates them (cached, see
``bench/import_writer.py``). The first ``--base`` are imported into a fresh database (not counted);
then a child process imports the next ``--items`` onto a copy of it under callgrind, and a second
child does everything but the import (start-up, unpickling); the difference, divided by the items,
is the writer's instructions a file. ``--repo`` runs another checkout's ``tracker`` (its own schema,
its own writer) on the same items:

    python bench/import_instructions.py --base 8000 --items 300
    python bench/import_instructions.py --base 8000 --items 300 --repo /tmp/old-checkout

Needs ``valgrind`` on the PATH; SQLite only; a few minutes for 300 items.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACKER = Path(sys.executable).with_name("tracker")


def _writer_bench():  # the sibling script's generator and extraction cache
    spec = importlib.util.spec_from_file_location("bench_import_writer", ROOT / "bench" / "import_writer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _child(repo: str, mode: str, database: str, items: str) -> None:
    """Run in a child process: import the pickled items into ``database`` (``--null``: only load them)."""
    sys.path.insert(0, repo)
    ready = pickle.loads(Path(items).read_bytes())
    from sqlalchemy.orm import Session

    import tracker
    from tracker import batch, db

    assert str(Path(tracker.__file__).resolve()).startswith(str(Path(repo).resolve())), tracker.__file__
    if mode == "build":  # the checkout's own schema, made by its own ``tracker init-db``
        env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": repo}
        subprocess.run([str(TRACKER), "init-db"], env=env, check=True, capture_output=True)
    engine = db.make_engine(f"sqlite:///{database}")
    with Session(db.batch_bind(engine), expire_on_commit=False) as session:
        if mode != "null":
            results = list(batch.import_all(session, ready))
            failed = [r for r in results if r.status == batch.FAILED]
            if failed:
                raise SystemExit(f"import_instructions: {failed[0].file}: {failed[0].reason}")
    engine.dispose()


def _instructions(args: list[str], out: Path) -> int:
    subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, *args],
        check=True,
        capture_output=True,
    )
    m = re.search(r"^summary:\s+(\d+)", out.read_text(encoding="utf-8", errors="replace"), re.M)
    if not m:
        raise SystemExit(f"import_instructions: no summary line in {out}")
    return int(m.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=int, default=8000, help="items already in the database (not counted)")
    parser.add_argument("--items", type=int, default=300, help="items imported under callgrind")
    parser.add_argument("--repo", type=Path, default=ROOT, help="the checkout whose tracker is measured")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-import-writer")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("import_instructions: needs valgrind on the PATH")
    args.work.mkdir(parents=True, exist_ok=True)
    ready = _writer_bench().prepared(args.work, args.base + args.items)
    repo = str(args.repo.resolve())
    me = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        folder = Path(tmp)
        base, measured = folder / "base.pickle", folder / "measured.pickle"
        base.write_bytes(pickle.dumps(ready[: args.base]))
        measured.write_bytes(pickle.dumps(ready[args.base :]))
        del ready
        database = folder / "base.sqlite3"
        subprocess.run([sys.executable, me, "--child", repo, "build", str(database), str(base)], check=True)
        counts = {}
        for mode in ("import", "null"):
            copy = folder / f"{mode}.sqlite3"
            shutil.copy(database, copy)
            child = [me, "--child", repo, mode, str(copy), str(measured)]
            counts[mode] = _instructions(child, folder / f"{mode}.callgrind")
    writer = counts["import"] - counts["null"]
    print(
        f"{args.items} items onto {args.base} ({repo}): {counts['import']:,} instructions, "
        f"{counts['null']:,} without importing; writer {writer / args.items / 1e6:.1f} M instructions a file"
    )


if __name__ == "__main__":
    main()
