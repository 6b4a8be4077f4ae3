"""``tracker import PATH...``: many files, the summary and the JSON report, exit status, --dry-run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import Action, MinuteItem

if TYPE_CHECKING:
    from conftest import Seed

Counts = Callable[[Session], dict[str, int]]
PAGE_LINE = "Meeting: 14/03/2019 - Audit Committee (Item 12)\n\n"


def folder_of_minutes(root: Path, seed_2017: Seed, seed_2018: Seed) -> Path:
    """Four files: one dated by its page, one by its sidecar, one undated, one empty (fails)."""
    (root / "in" / "sub").mkdir(parents=True)
    (root / "in" / "a.txt").write_text(PAGE_LINE + seed_2017.source.text, encoding="utf-8")
    (root / "in" / "b.txt").write_text(seed_2018.source.text, encoding="utf-8")
    (root / "in" / "b.meta.json").write_text(
        json.dumps({"committee": "Cabinet", "meeting_date": "2018-09-26", "item": "4"}), encoding="utf-8"
    )
    (root / "in" / "sub" / "c.txt").write_text(seed_2017.source.text, encoding="utf-8")
    (root / "in" / "sub" / "c.meta.json").write_text('{"committee": "Cabinet"}', encoding="utf-8")
    (root / "in" / "sub" / "d.txt").write_text("\n\n", encoding="utf-8")
    return root / "in"


def test_a_directory_with_a_report_and_a_failure(
    runner: CliRunner, session: Session, tmp_path: Path, seed_2017: Seed, seed_2018: Seed
) -> None:
    folder = folder_of_minutes(tmp_path, seed_2017, seed_2018)
    report = tmp_path / "report.json"
    result = runner.invoke(args=["import", str(folder), "--report", str(report)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{folder / 'a.txt'}: new minute item ")
    assert "(Audit Committee, 2019-03-14): 8 resolutions, 7 actions created" in lines[0]
    assert "(Cabinet, 2018-09-26)" in lines[1]
    assert "(Cabinet, date unknown)" in lines[2]
    assert f"failed: {folder / 'sub' / 'd.txt'}: file holds only whitespace [E_EMPTY]" in result.output
    assert (
        "Imported 3, unchanged 0, new versions 0, failed 1; 18 actions created; 1 needing a meeting date"
        in (result.output)
    )
    assert (
        "Needing a meeting date (see Import minutes > Needing a date in the web app):\n"
        f"  {folder / 'sub' / 'c.txt'}" in result.output
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["summary"] == {
        "files": 4,
        "imported": 3,
        "unchanged": 0,
        "new_versions": 0,
        "failed": 1,
        "actions_created": 18,
        "needing_date": 1,
    }
    assert data["dry_run"] is False and data["interrupted"] is False
    by_file = {Path(f["file"]).name: f for f in data["files"]}
    assert by_file["a.txt"]["date_from"] == "page" and by_file["a.txt"]["item_number"] == "12"
    assert by_file["b.txt"]["date_from"] == "sidecar" and by_file["b.txt"]["committee"] == "Cabinet"
    assert by_file["c.txt"]["needs_date"] is True
    assert by_file["d.txt"]["status"] == "failed" and by_file["d.txt"]["reason"].endswith("[E_EMPTY]")
    stored = session.scalars(select(MinuteItem.id).order_by(MinuteItem.id)).all()
    assert stored == [f["minute_item_id"] for f in data["files"][:3]]
    assert session.scalar(select(func.count()).select_from(Action)) == 18

    again = runner.invoke(
        args=["import", str(folder / "a.txt"), str(folder / "sub" / "c.txt"), str(folder / "b.txt")]
    )
    assert again.exit_code == 0, again.output
    assert "Imported 0, unchanged 3, new versions 0, failed 0; 0 actions created" in again.output
    assert session.scalar(select(func.count()).select_from(Action)) == 18


def test_a_changed_file_is_reported_as_a_new_version(
    runner: CliRunner, session: Session, tmp_path: Path, seed_2017: Seed
) -> None:
    path = tmp_path / "item.txt"
    path.write_text(PAGE_LINE + seed_2017.source.text, encoding="utf-8")
    assert runner.invoke(args=["import", str(path)]).exit_code == 0
    path.write_text(
        PAGE_LINE + seed_2017.source.text + "\nAction: Officers to brief members.\n", encoding="utf-8"
    )
    result = runner.invoke(args=["import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    first = session.scalars(select(MinuteItem).order_by(MinuteItem.id)).first()
    assert f"new version 2 of minute item {first.id}" in result.output
    assert (
        "1 actions created" in result.output and "7 already tracked on the earlier version" in result.output
    )
    assert "Imported 0, unchanged 0, new versions 1, failed 0; 1 actions created" in result.output


def test_globs_and_the_committee_flag(
    runner: CliRunner, session: Session, tmp_path: Path, seed_2017: Seed
) -> None:
    for i in range(3):
        (tmp_path / f"m{i}.txt").write_text(seed_2017.source.text + f"\nItem {i}.\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not minutes", encoding="utf-8")
    result = runner.invoke(
        args=["import", str(tmp_path / "*"), "--committee", "Council", "--date", "2017-04-12"]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 3, unchanged 0" in result.output and "notes.md" not in result.output
    names = session.scalars(select(MinuteItem.source_name).order_by(MinuteItem.id)).all()
    assert names == [str(tmp_path / f"m{i}.txt") for i in range(3)]


def test_dry_run_reports_and_writes_nothing(
    runner: CliRunner, session: Session, tmp_path: Path, seed_2017: Seed, seed_2018: Seed, row_counts: Counts
) -> None:
    folder = folder_of_minutes(tmp_path, seed_2017, seed_2018)
    before = row_counts(session)
    report = tmp_path / "dry.json"
    result = runner.invoke(args=["import", str(folder), "--dry-run", "--report", str(report)])
    assert result.exit_code == 1
    assert "would be a new minute item" in result.output
    assert (
        "Dry run, nothing written: would import 3, unchanged 0, new versions 0, failed 1; "
        "18 actions to create" in result.output
    )
    assert json.loads(report.read_text(encoding="utf-8"))["dry_run"] is True
    assert row_counts(session) == before


def test_bad_flags_are_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(args=["import", str(tmp_path), "--jobs", "0"]).exit_code == 2
    blank = runner.invoke(args=["import", str(tmp_path), "--committee", "  "])
    assert blank.exit_code == 1 and "committee" in blank.output
