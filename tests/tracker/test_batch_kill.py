"""SIGKILL a real ``tracker import`` part-way: no half-imported item, and a rerun finishes the job.

Runs the installed console script in a subprocess on a database of its own (a SQLite file, or a
fresh PostgreSQL schema when the suite runs on PostgreSQL), kills its whole process group once a
few files are in, and checks the rows file by file against what the extractor finds in each.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from extract import extract_minutes
from tracker.models import Action, Meeting, MinuteItem, Resolution

if TYPE_CHECKING:
    from conftest import Seed

TRACKER = Path(sys.executable).with_name("tracker")
FILES = 16


def make_files(folder: Path, seeds: list[Seed]) -> dict[str, tuple[int, int]]:
    """Distinct minutes texts with sidecars; each file's expected (resolutions, actions)."""
    folder.mkdir()
    expected = {}
    for i in range(FILES):
        text = seeds[i % 2].source.text + f"\nThis is minute {i} of the interrupted import.\n"
        path = folder / f"m{i:02d}.txt"
        path.write_text(text, encoding="utf-8")
        (folder / f"m{i:02d}.meta.json").write_text(
            f'{{"committee": "Committee {i % 3}", "meeting_date": "2020-01-{i + 1:02d}"}}', encoding="utf-8"
        )
        found = extract_minutes(text, meeting_date=f"2020-01-{i + 1:02d}")
        expected[str(path)] = (len(found.resolutions), len(found.actions))
    return expected


def rows_by_file(url: str) -> dict[str, tuple[int, int]]:
    """What the database holds: each minute item's (resolutions, actions), by its file."""
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            items = s.scalars(select(MinuteItem)).all()
            found = {
                i.source_name: (
                    s.scalar(
                        select(func.count()).select_from(Resolution).where(Resolution.minute_item_id == i.id)
                    ),
                    s.scalar(select(func.count()).select_from(Action).where(Action.minute_item_id == i.id)),
                )
                for i in items
            }
            empty_meetings = s.scalar(select(func.count()).select_from(Meeting).where(~Meeting.items.any()))
            assert empty_meetings == 0, "a meeting with no item: part of a file was committed"
            return found
    finally:
        engine.dispose()


@pytest.mark.parametrize("jobs", [1, 2])
def test_sigkill_part_way_then_rerun_imports_each_file_exactly_once(
    empty_database_url: str, tmp_path: Path, seed_2017: Seed, seed_2018: Seed, jobs: int
) -> None:
    expected = make_files(tmp_path / "in", [seed_2017, seed_2018])
    env = {**os.environ, "TRACKER_DATABASE_URL": empty_database_url, "PYTHONUNBUFFERED": "1"}
    subprocess.run([str(TRACKER), "init-db"], env=env, check=True, capture_output=True, timeout=120)

    command = [str(TRACKER), "import", str(tmp_path / "in"), "--jobs", str(jobs)]
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    done = 0
    deadline = time.monotonic() + 240
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            done += ": new minute item " in line
            if done >= 3 or time.monotonic() > deadline:
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert 3 <= done < FILES, "the import finished before it could be killed"

    part = rows_by_file(empty_database_url)
    # Every file in the database is there whole, and nothing else is.
    assert len(part) >= done
    assert all(part[name] == expected[name] for name in part), part

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"Imported {FILES - len(part)}, unchanged {len(part)}, new versions 0, failed 0" in rerun.stdout
    assert rows_by_file(empty_database_url) == expected


def test_ctrl_c_stops_cleanly_and_says_how_to_finish(
    empty_database_url: str, tmp_path: Path, seed_2017: Seed, seed_2018: Seed
) -> None:
    expected = make_files(tmp_path / "in", [seed_2017, seed_2018])
    env = {**os.environ, "TRACKER_DATABASE_URL": empty_database_url, "PYTHONUNBUFFERED": "1"}
    subprocess.run([str(TRACKER), "init-db"], env=env, check=True, capture_output=True, timeout=120)
    report = tmp_path / "report.json"
    command = [str(TRACKER), "import", str(tmp_path / "in"), "--jobs", "2", "--report", str(report)]
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # As from a terminal: a test run started in the background inherits SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if len(lines) == 2:
                os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole group
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    output = "".join(lines)
    assert proc.returncode == 130, output
    assert (
        "Interrupted: the file in progress was not imported. Run the same command again to finish." in output
    )
    part = rows_by_file(empty_database_url)
    assert all(part[name] == expected[name] for name in part)
    written = json.loads(report.read_text(encoding="utf-8"))
    assert written["interrupted"] is True and written["summary"]["imported"] == len(part)
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert rows_by_file(empty_database_url) == expected
