"""The README is tested: its set-up commands, the CI command, and every CLI command, option and code.

Like datasette's ``tests/test_docs.py``: adding a command, an option, a warning or an error code
without documenting it fails here.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import click
import pytest

import extract.errors
from extract.records import (
    Action,
    Amount,
    Attendee,
    DateMention,
    Due,
    Extraction,
    ExtractionWarning,
    Meeting,
    Reference,
    Report,
    Resolution,
)
from tracker.cli import main
from tracker.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def code_blocks(text: str) -> list[str]:
    return [m.group(1) for m in FENCE.finditer(text)]


def setup_commands() -> tuple[str, str]:
    first, second = code_blocks(README)[:2]
    return first.strip(), second.strip()


def test_readme_opens_with_exactly_two_commands() -> None:
    lines = README.splitlines()
    assert lines[0].startswith("# ")
    # After the title: two fenced one-line blocks, nothing but blank lines around them.
    rest = "\n".join(lines[1:]).lstrip("\n")
    opening = re.match(r"```sh\n([^\n]+)\n```\n\n```sh\n([^\n]+)\n```\n", rest)
    assert opening, "README must open with two ```sh blocks of one command each"
    assert (opening.group(1), opening.group(2)) == setup_commands()
    after = rest[opening.end() :].lstrip("\n")
    assert not after.startswith("```"), "a third command block follows the two set-up commands"


def test_first_command_installs_and_runs_the_main_job() -> None:
    install_and_run, _ = setup_commands()
    assert install_and_run.startswith("python3 -m venv .venv && ")
    assert "pip install" in install_and_run and "'.[dev,postgres]'" in install_and_run
    assert install_and_run.endswith("tracker demo")


def test_second_command_runs_the_tests() -> None:
    _, tests = setup_commands()
    assert tests.startswith("python3 -m venv .venv && ")
    assert "'.[dev,postgres]'" in tests
    assert tests.endswith("python -m pytest -q")


def test_ci_runs_the_readme_test_command() -> None:
    out = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--print-test-command"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert out.strip() == setup_commands()[1]


def test_ci_runs_on_sqlite_and_postgresql_from_a_fresh_venv() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in ci
    assert "rm -rf .venv" in ci
    assert "postgresql+psycopg://postgres@127.0.0.1:5432/test" in ci
    assert "TRACKER_TEST_DATABASE_URL" in ci
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"


def _commands(group: click.Group, prefix: str = "tracker") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = [(prefix, group)]
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            found += _commands(cmd, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", cmd))
    return found


@pytest.mark.parametrize(("path", "command"), _commands(main), ids=lambda v: v if isinstance(v, str) else "")
def test_every_cli_command_and_option_is_documented(path: str, command: click.Command) -> None:
    assert f"`{path}" in README or f"{path} " in README, f"README does not mention `{path}`"
    for param in command.params:
        if isinstance(param, click.Option):
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"README does not document {path} {opt}"
        if isinstance(param.type, click.Choice):
            for choice in param.type.choices:
                assert f"`{choice}`" in README, f"README does not document {path} choice {choice!r}"


def _codes_in_source(pattern: str, *dirs: str) -> set[str]:
    codes: set[str] = set()
    for folder in dirs:
        for path in (ROOT / folder).rglob("*.py"):
            codes.update(re.findall(pattern, path.read_text(encoding="utf-8")))
    return codes


def test_every_warning_code_is_documented() -> None:
    listed = {
        "W_ACTION_NO_OWNER",
        "W_DUE_UNREADABLE",
        "W_DUE_NEEDS_MEETING_DATE",
        "W_NUMBERING_GAP",
        "W_TEXT_CUT_OFF",
        "W_ENCODING_CP1252",
    }
    for code in listed | _codes_in_source(r"\"(W_[A-Z0-9_]+)\"", "extract", "tracker"):
        assert f"`{code}`" in README, f"README does not document warning {code}"


def _subclasses(cls: type) -> list[type]:
    return [cls, *(sub for direct in cls.__subclasses__() for sub in _subclasses(direct))]


def test_every_error_code_is_documented() -> None:
    for cls in _subclasses(extract.errors.ExtractionError):
        assert f"`{cls.code}`" in README, f"README does not document {cls.__name__} ({cls.code})"
        assert f"`{cls.__name__}`" in README


def test_every_environment_variable_is_documented() -> None:
    names = {"TRACKER_SPACY_MODEL", "TRACKER_TEST_DATABASE_URL"}
    names |= _codes_in_source(r"\b(TRACKER_[A-Z0-9_]*[A-Z0-9])\b", "extract", "tracker", "tests", "bench")
    for name in names:
        assert f"`{name}`" in README, f"README does not document {name}"


def test_every_schema_key_is_documented() -> None:
    span = (0, 1)
    due = Due("the next meeting", "2019-04-01")
    full = Extraction(
        text="x",
        source_name="x.txt",
        sha256="0" * 64,
        title="t",
        report=Report("report", "the Director", span),
        attendees=(Attendee("A Khan", "Councillor", "Cabinet Member", "Council", "present", span),),
        resolutions=(Resolution("(1)", "t", "request", True, "officers", due, span, "12"),),
        actions=(Action("t", "officers", due, "resolution", "(1)", span, 0, "12"),),
        dates=(DateMention("1 May 2019", "2019-05-01", span),),
        amounts=(Amount("£5", 5, "GBP", span),),
        references=(Reference("Minute 18 below refers", span),),
        warnings=(ExtractionWarning("W_TEXT_CUT_OFF", "m", span),),
        meeting=Meeting("Audit Committee", "2019-03-14", "12", span),
        meeting_date="2019-03-14",
        derived_text=True,
    )

    def keys(value: object) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    obj = full.to_dict()
    assert obj["schema"] == "minutes-extract/1"
    assert "`minutes-extract/1`" in README
    for key in keys(obj):
        assert f"`{key}`" in README, f"README's schema section does not mention `{key}`"


# --- docs/OPERATIONS.md ---------------------------------------------------------------------------

OPERATIONS = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", [s.name for s in SETTINGS])
def test_every_setting_is_documented_in_the_readme_and_the_operations_guide(setting: str) -> None:
    assert f"`TRACKER_{setting}`" in README, f"README does not document TRACKER_{setting}"
    assert f"`TRACKER_{setting}`" in OPERATIONS, f"docs/OPERATIONS.md does not document TRACKER_{setting}"


def test_the_documented_sqlite_online_backup_makes_a_consistent_copy(tmp_path: Path) -> None:
    import sqlite3
    import sys

    command = next(b for b in code_blocks(OPERATIONS) if "src.backup(dst)" in b).strip()
    program = re.search(r"-c '([^']+)'", command).group(1)
    source, copy = tmp_path / "tracker.sqlite3", tmp_path / "copy.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE t (n INTEGER)")
        db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(1000)])
    writer = sqlite3.connect(source)
    writer.execute("BEGIN")
    writer.execute("INSERT INTO t VALUES (-1)")  # a write in progress is not in the copy
    try:
        subprocess.run([sys.executable, "-c", program, str(source), str(copy)], check=True, timeout=60)
    finally:
        writer.rollback()
        writer.close()
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT count(*), min(n) FROM t").fetchone() == (1000, 0)
