"""``tracker extract``: formats, input order, directory walking and one stderr line per bad input.

The extractor is still being written, so these tests check structure and behaviour, not what is
extracted (the seeds' schema and hash excepted).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import main

KEYS = {
    "schema",
    "source",
    "title",
    "report",
    "meeting",
    "meeting_date",
    "attendees",
    "resolutions",
    "actions",
    "dates",
    "amounts",
    "references",
    "warnings",
}
MINUTE = "Agenda item\n\nHousing Update\n\nRESOLVED that the report be noted.\n"
PAGE = (
    "<!DOCTYPE html><html><head><title>Page title</title></head><body>"
    "<nav>Home | Meetings</nav><main><h1>Housing Update</h1>"
    "<p>RESOLVED that the report be noted.</p></main></body></html>"
)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["extract", *map(str, args)])


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def stderr_lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


# --- the seeds ----------------------------------------------------------------------------------


def test_json_on_the_seeds(seeds_dir: Path) -> None:
    result = run(seeds_dir, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = json.loads(result.stdout)
    files = sorted(seeds_dir.glob("*.txt"))
    assert isinstance(out, list)
    assert [o["source"]["name"] for o in out] == [str(p) for p in files]
    for obj, path in zip(out, files, strict=True):
        assert obj["schema"] == "minutes-extract/1"
        assert obj["source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert KEYS <= obj.keys()
        assert "text" not in obj  # plain text is not repeated in the output


def test_single_seed_gives_one_pretty_object(seeds_dir: Path) -> None:
    path = sorted(seeds_dir.glob("*.txt"))[0]
    result = run(path, "--format", "json")
    assert result.exit_code == 0
    obj = json.loads(result.stdout)
    assert isinstance(obj, dict)
    assert obj["schema"] == "minutes-extract/1"
    assert result.stdout.startswith('{\n  "schema"')


def test_text_is_the_default_format(seeds_dir: Path) -> None:
    result = run(seeds_dir)
    assert result.exit_code == 0
    for path in sorted(seeds_dir.glob("*.txt")):
        assert str(path) in result.stdout
    for heading in ("Title", "Meeting date", "SHA-256", "Attendees", "Resolutions", "Actions", "Warnings"):
        assert heading in result.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)


# --- formats ------------------------------------------------------------------------------------


def test_jsonl_is_one_compact_line_per_input_in_order(tmp_path: Path) -> None:
    names = ["c.txt", "a.txt", "b.html"]
    paths = [write(tmp_path, n, PAGE if n.endswith(".html") else MINUTE) for n in names]
    result = run(*paths, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert [json.loads(line)["source"]["name"] for line in lines] == [str(p) for p in paths]
    assert all(": " not in line.split('"text"')[0] for line in lines)  # compact separators


def test_json_list_for_several_files(tmp_path: Path) -> None:
    a, b = write(tmp_path, "a.txt", MINUTE), write(tmp_path, "b.txt", MINUTE)
    out = json.loads(run(b, a, "--format", "json").stdout)
    assert [o["source"]["name"] for o in out] == [str(b), str(a)]


def test_json_list_for_a_directory_with_one_file(tmp_path: Path) -> None:
    write(tmp_path, "only.txt", MINUTE)
    out = json.loads(run(tmp_path, "--format", "json").stdout)
    assert isinstance(out, list) and len(out) == 1


def test_text_format_summarises_each_input(tmp_path: Path) -> None:
    a, b = write(tmp_path, "a.txt", MINUTE), write(tmp_path, "b.html", PAGE)
    result = run(a, b)
    assert result.exit_code == 0
    assert result.stdout.index(str(a)) < result.stdout.index(str(b))
    assert "read from HTML" in result.stdout


def test_html_output_carries_the_text(tmp_path: Path) -> None:
    page = write(tmp_path, "m.html", PAGE)
    obj = json.loads(run(page, "--format", "json").stdout)
    assert obj["text"] == "Housing Update\n\nRESOLVED that the report be noted.\n"
    assert obj["source"]["sha256"] == hashlib.sha256(obj["text"].encode()).hexdigest()
    assert list(obj)[:3] == ["schema", "source", "text"]


def test_cp1252_warning_reaches_the_output(tmp_path: Path) -> None:
    path = write(tmp_path, "m.txt", "Caf\xe9 minutes \u2013 RESOLVED.\n".encode("cp1252"))
    result = run(path, "--format", "json")
    assert result.exit_code == 0
    obj = json.loads(result.stdout)
    assert "W_ENCODING_CP1252" in [w["code"] for w in obj["warnings"]]
    assert "W_ENCODING_CP1252" in run(path).stdout


def test_meeting_date_is_passed_on(tmp_path: Path) -> None:
    path = write(tmp_path, "m.txt", MINUTE)
    obj = json.loads(run(path, "--format", "json", "--meeting-date", "2019-03-14").stdout)
    assert obj["meeting_date"] == "2019-03-14"


def test_bad_meeting_date_is_a_usage_error(tmp_path: Path) -> None:
    result = run(write(tmp_path, "m.txt", MINUTE), "--meeting-date", "14/03/2019")
    assert result.exit_code == 2
    assert "--meeting-date" in result.stderr
    assert result.stdout == ""


def test_bad_format_is_a_usage_error(tmp_path: Path) -> None:
    result = run(write(tmp_path, "m.txt", MINUTE), "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of" in result.stderr


def test_no_paths_is_a_usage_error() -> None:
    result = run()
    assert result.exit_code == 2
    assert "Missing argument 'PATH...'" in result.stderr


# --- directories --------------------------------------------------------------------------------


def test_directories_are_walked_in_sorted_order(tmp_path: Path) -> None:
    for name in ["b.txt", "a.htm", "notes.md", ".hidden.txt", "sub/c.txt"]:
        write(tmp_path, name, PAGE if name.endswith(".htm") else MINUTE)
    result = run(tmp_path, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    names = [json.loads(line)["source"]["name"] for line in result.stdout.splitlines()]
    assert names == [str(tmp_path / "a.htm"), str(tmp_path / "b.txt"), str(tmp_path / "sub" / "c.txt")]


def test_empty_directory_fails(tmp_path: Path) -> None:
    result = run(tmp_path, "--format", "jsonl")
    assert result.exit_code == 2
    assert stderr_lines(result) == [
        f"tracker extract: {tmp_path}: no .txt, .html, .htm, .pdf or .docx files in this directory"
        " [E_NOT_FOUND]"
    ]


# --- bad inputs ---------------------------------------------------------------------------------


BAD = {
    "empty.txt": b"",
    "blank.txt": b"  \n\n ",
    "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00",
    "nul.txt": b"abc\x00def",
    "undecodable.txt": b"caf\xe9 \x81",
    "notes.pdf": b"%PDF-1.4",
    "notes.odt": b"PK\x03\x04",
}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.txt", "file is empty (0 bytes) [E_EMPTY]"),
        ("blank.txt", "file holds only whitespace [E_EMPTY]"),
        ("image.txt", "PNG image), not text [E_BINARY]"),
        ("nul.txt", "NUL bytes), not text [E_BINARY]"),
        ("undecodable.txt", "is not Windows-1252 either [E_UNDECODABLE]"),
        ("notes.pdf", "the PDF is truncated (no %%EOF end marker): download or export it again [E_CORRUPT]"),
        (
            "notes.odt",
            "unsupported file type (.odt); expected .txt, .html, .htm, .pdf or .docx [E_UNSUPPORTED]",
        ),
    ],
)
def test_each_bad_input_is_one_stderr_line(tmp_path: Path, name: str, reason: str) -> None:
    path = write(tmp_path, name, BAD[name])
    result = run(path, "--format", "jsonl")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = stderr_lines(result)
    assert line.startswith(f"tracker extract: {path}: ")
    assert line.endswith(reason)


def test_too_large_file(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"a" * (5 * 1024 * 1024 + 1))
    result = run(path)
    assert result.exit_code == 2
    (line,) = stderr_lines(result)
    assert line.startswith(f"tracker extract: {path}: file is 5,242,881 bytes")
    assert line.endswith("[E_TOO_LARGE]")


def test_good_inputs_still_print_when_others_fail(tmp_path: Path) -> None:
    good1 = write(tmp_path, "1.txt", MINUTE)
    bad1 = write(tmp_path, "2.txt", b"")
    missing = tmp_path / "3.txt"
    good2 = write(tmp_path, "4.html", PAGE)
    bad2 = write(tmp_path, "5.txt", b"\x00\x01")
    for fmt in ("text", "json", "jsonl"):
        result = run(good1, bad1, missing, good2, bad2, "--format", fmt)
        assert result.exit_code == 2
        lines = stderr_lines(result)
        assert len(lines) == 3
        assert [line.split(": ")[1] for line in lines] == [str(bad1), str(missing), str(bad2)]
        assert str(good1) in result.stdout and str(good2) in result.stdout
    out = json.loads(run(good1, bad1, good2, "--format", "json").stdout)
    assert [o["source"]["name"] for o in out] == [str(good1), str(good2)]


def test_single_failed_input_prints_nothing(tmp_path: Path) -> None:
    result = run(tmp_path / "missing.txt", "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert stderr_lines(result) == [
        f"tracker extract: {tmp_path / 'missing.txt'}: no such file or directory [E_NOT_FOUND]"
    ]


def test_an_extraction_error_fails_only_its_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The extractor may refuse one text; the inputs after it must still be extracted."""
    import tracker.cli
    from extract.errors import MinutesTooLargeError

    real = tracker.cli.extract_many

    def refusing(items, **kwargs):  # type: ignore[no-untyped-def]
        for ex in real(items, **kwargs):
            if ex.source_name.endswith("2.txt"):
                raise MinutesTooLargeError("too long\nfor the extractor", source=ex.source_name)
            yield ex

    monkeypatch.setattr(tracker.cli, "extract_many", refusing)
    paths = [write(tmp_path, f"{i}.txt", MINUTE) for i in (1, 2, 3)]
    result = run(*paths, "--format", "jsonl")
    assert result.exit_code == 2
    assert stderr_lines(result) == [f"tracker extract: {paths[1]}: too long for the extractor [E_TOO_LARGE]"]
    assert [json.loads(x)["source"]["name"] for x in result.stdout.splitlines()] == [
        str(paths[0]),
        str(paths[2]),
    ]


def test_extract_many_is_called_once_for_all_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.cli

    calls = []
    real = tracker.cli.extract_many

    def counting(items, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return real(items, **kwargs)

    monkeypatch.setattr(tracker.cli, "extract_many", counting)
    paths = [write(tmp_path, f"{i}.txt", MINUTE) for i in range(4)]
    assert run(*paths, "--format", "jsonl").exit_code == 0
    assert calls == [{"as_tuples": True}]


# --- help -----------------------------------------------------------------------------------------


def test_help_reads_well() -> None:
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    assert "extract" in top.stdout
    sub = runner.invoke(main, ["extract", "--help"])
    assert sub.exit_code == 0
    for word in ("PATH...", "--format", "text|json|jsonl", "--meeting-date", "YYYY-MM-DD", "stderr"):
        assert word in sub.stdout
