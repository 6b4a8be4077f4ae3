"""tracker.batch without the CLI: metadata order, sidecars, versions that keep people's work, ZIP safety."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import batch, services
from tracker.models import Action, ActionUpdate, MinuteItem, User

if TYPE_CHECKING:
    from conftest import Seed

#: a line an issue page states, and a later action added to the same item's text
PAGE_LINE = "Meeting: 14/03/2019 - Audit Committee (Item 12)\n\n"
EXTRA_ACTION = "\n\nAction: Officers to circulate the revised waiting-time figures to members.\n"


def write(path: Path, text: str, meta: dict | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if meta is not None:
        path.with_name(path.stem + ".meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def run(session: Session, paths: list[str], given: batch.Given | None = None, **kw) -> list[batch.FileResult]:
    sources = batch.expand_paths(paths)
    return list(batch.import_all(session, batch.prepared_in_order(sources, given or batch.Given()), **kw))


# --- metadata ---------------------------------------------------------------------------------


def test_metadata_comes_from_flags_then_sidecar_then_page(tmp_path: Path, seed_2017: Seed) -> None:
    text = PAGE_LINE + seed_2017.source.text
    page_only = write(tmp_path / "a.txt", text)
    with_sidecar = write(
        tmp_path / "b.txt", text, {"committee": "Cabinet", "meeting_date": "2019-04-01", "item": "7"}
    )
    page = batch.prepare(batch.Source(str(page_only), path=str(page_only)), batch.Given())
    assert isinstance(page, batch.Ready)
    assert (page.committee, page.meeting_date, page.date_from, page.item_number) == (
        "Audit Committee",
        date(2019, 3, 14),
        "page",
        "12",
    )
    assert page.key == "meeting:audit committee|2019-03-14|12"
    side = batch.prepare(batch.Source(str(with_sidecar), path=str(with_sidecar)), batch.Given())
    assert (side.committee, side.meeting_date, side.date_from, side.item_number) == (
        "Cabinet",
        date(2019, 4, 1),
        "sidecar",
        "7",
    )
    flags = batch.prepare(
        batch.Source(str(with_sidecar), path=str(with_sidecar)), batch.Given("Council", date(2020, 1, 2))
    )
    assert (flags.committee, flags.meeting_date, flags.date_from) == ("Council", date(2020, 1, 2), "given")


def test_no_committee_anywhere_fails_with_the_reason(tmp_path: Path, seed_2017: Seed) -> None:
    path = write(tmp_path / "bare.txt", seed_2017.source.text)
    refused = batch.prepare(batch.Source(str(path), path=str(path)), batch.Given())
    assert isinstance(refused, batch.Refused)
    assert refused.reason.startswith("no committee: give --committee")
    assert "bare.meta.json" in refused.reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "is not valid JSON"),
        (b"[1, 2]", "must hold a JSON object"),
        (b'{"commitee": "Typo"}', "unknown key(s) commitee"),
        (b'{"meeting_date": "14/03/2019"}', "is not a date written YYYY-MM-DD"),
        (b'{"committee": 12}', "committee must be text"),
        (b'{"committee": "   "}', "committee is blank"),
        (b'{"source_url": "javascript:alert(1)"}', "source_url must be an http(s) address"),
    ],
)
def test_an_invalid_sidecar_fails_its_file(
    tmp_path: Path, seed_2017: Seed, content: bytes, reason: str
) -> None:
    path = write(tmp_path / "x.txt", seed_2017.source.text)
    (tmp_path / "x.meta.json").write_bytes(content)
    refused = batch.prepare(batch.Source(str(path), path=str(path)), batch.Given("C"))
    assert isinstance(refused, batch.Refused)
    assert reason in refused.reason


def test_two_sidecars_for_one_file_are_refused(tmp_path: Path, seed_2017: Seed) -> None:
    path = write(tmp_path / "x.txt", seed_2017.source.text, {"committee": "A"})
    (tmp_path / "x.txt.meta.json").write_text('{"committee": "B"}', encoding="utf-8")
    refused = batch.prepare(batch.Source(str(path), path=str(path)), batch.Given())
    assert isinstance(refused, batch.Refused) and "two sidecars" in refused.reason


def test_expand_walks_directories_sorted_skips_hidden_and_expands_globs(tmp_path: Path) -> None:
    for name in ("b/2.txt", "b/1.html", "a.txt", ".hidden/3.txt", "b/.4.txt", "b/notes.md", "b/1.meta.json"):
        write(tmp_path / name, "x")
    walked = [s.name for s in batch.expand_paths([str(tmp_path)])]
    assert walked == [str(tmp_path / n) for n in ("a.txt", "b/1.html", "b/2.txt")]
    globbed = [s.name for s in batch.expand_paths([str(tmp_path / "b" / "*")])]
    assert globbed == [str(tmp_path / "b" / n) for n in ("1.html", "2.txt")]
    nothing = list(batch.expand_paths([str(tmp_path / "*.pdfx")]))
    assert nothing == [batch.Refused(str(tmp_path / "*.pdfx"), "no minutes file matches this pattern")]


# --- importing and versions -------------------------------------------------------------------


def test_same_text_again_is_unchanged_and_adds_nothing(
    session: Session, tmp_path: Path, seed_2017: Seed, row_counts
) -> None:
    path = write(
        tmp_path / "x.txt", seed_2017.source.text, {"committee": "Cabinet", "meeting_date": "2017-04-12"}
    )
    first = run(session, [str(path)])
    assert [r.status for r in first] == [batch.IMPORTED]
    assert first[0].actions_created == 7
    before = row_counts(session)
    again = run(session, [str(path)])
    assert [r.status for r in again] == [batch.UNCHANGED]
    assert again[0].minute_item_id == first[0].minute_item_id and again[0].actions_created == 0
    assert row_counts(session) == before


def test_a_changed_text_is_a_new_version_and_keeps_what_people_recorded(
    session: Session, tmp_path: Path, seed_2017: Seed, staff: User
) -> None:
    path = write(tmp_path / "item.txt", PAGE_LINE + seed_2017.source.text)
    (v1,) = run(session, [str(path)])
    assert v1.status == batch.IMPORTED and v1.actions_created == 7
    old = session.get(MinuteItem, v1.minute_item_id)
    chased = old.actions[0]
    services.add_update(session, chased.id, author=staff, note="Chased the Director.")
    session.commit()

    write(path, PAGE_LINE + seed_2017.source.text + EXTRA_ACTION)
    (v2,) = run(session, [str(path)])
    assert v2.status == batch.NEW_VERSION
    assert (v2.version, v2.previous_id) == (2, v1.minute_item_id)
    # Only the new action is created: the seven identical ones stay where they are, with their history.
    assert (v2.actions_created, v2.actions_kept) == (1, 7)
    new = session.get(MinuteItem, v2.minute_item_id)
    session.refresh(old)
    assert old.superseded_by_id == new.id and new.superseded_by_id is None
    assert [a.text for a in new.actions] == [
        "Officers to circulate the revised waiting-time figures to members."
    ]
    assert session.scalar(select(func.count()).select_from(Action)) == 8
    assert [u.note for u in session.get(Action, chased.id).updates] == ["Chased the Director."]
    assert session.scalar(select(func.count()).select_from(ActionUpdate)) == 1

    # Going back to the first text is unchanged (it is stored), and a third text is version 3.
    write(path, PAGE_LINE + seed_2017.source.text)
    assert [r.status for r in run(session, [str(path)])] == [batch.UNCHANGED]
    write(path, PAGE_LINE + seed_2017.source.text + EXTRA_ACTION + "\nAgreed.\n")
    (v3,) = run(session, [str(path)])
    assert (v3.status, v3.version, v3.previous_id, v3.actions_created) == (batch.NEW_VERSION, 3, new.id, 0)


def test_a_source_url_identifies_the_item_wherever_the_file_is(
    session: Session, tmp_path: Path, seed_2017: Seed
) -> None:
    meta = {"committee": "Cabinet", "source_url": "https://council.example/item/1"}
    run(session, [str(write(tmp_path / "one/a.txt", seed_2017.source.text, meta))])
    (r,) = run(session, [str(write(tmp_path / "two/b.txt", seed_2017.source.text + EXTRA_ACTION, meta))])
    assert (r.status, r.actions_created) == (batch.NEW_VERSION, 1)
    assert session.get(MinuteItem, r.minute_item_id).source_url == meta["source_url"]


def test_a_bad_file_leaves_nothing_and_the_rest_go_on(
    session: Session, tmp_path: Path, seed_2017: Seed, seed_2018: Seed, row_counts
) -> None:
    write(tmp_path / "1.txt", seed_2017.source.text)
    write(tmp_path / "2.txt", "   \n")
    write(tmp_path / "3.txt", seed_2018.source.text)
    write(tmp_path / "4.txt", seed_2017.source.text + "\n")  # another text at another path: its own item
    results = run(session, [str(tmp_path)], batch.Given("Cabinet", None))
    assert [r.status for r in results] == [batch.IMPORTED, batch.FAILED, batch.IMPORTED, batch.IMPORTED]
    assert results[1].reason.endswith("[E_EMPTY]")
    results = run(session, [str(tmp_path / "1.txt")], batch.Given("Council", date(2020, 1, 1)))
    assert results[0].status == batch.FAILED and "already imported as minute item" in results[0].reason
    assert row_counts(session)["minute_item"] == 3


def test_dry_run_writes_nothing(session: Session, tmp_path: Path, seed_2017: Seed, row_counts) -> None:
    write(tmp_path / "1.txt", seed_2017.source.text)
    before = row_counts(session)
    (r,) = run(session, [str(tmp_path)], batch.Given("Cabinet", date(2017, 4, 12)), dry_run=True)
    assert (r.status, r.actions_created, r.minute_item_id) == (batch.IMPORTED, 7, None)
    assert row_counts(session) == before


def test_items_needing_a_date_are_listed(
    session: Session, tmp_path: Path, seed_2017: Seed, seed_2018: Seed
) -> None:
    write(tmp_path / "1.txt", seed_2017.source.text)
    write(tmp_path / "2.txt", seed_2018.source.text, {"meeting_date": "2018-09-26"})
    results = run(session, [str(tmp_path)], batch.Given("Cabinet"))
    assert [r.needs_date for r in results] == [True, False]
    assert [i.id for i in batch.items_needing_date(session)] == [results[0].minute_item_id]


def test_prepared_in_order_with_two_workers_keeps_the_input_order(tmp_path: Path, seed_2017: Seed) -> None:
    names = []
    for i in range(batch.CHUNK * 2 + 3):
        names.append(str(write(tmp_path / f"{i:02d}.txt", seed_2017.source.text + f"\nItem {i}.\n")))
    names.insert(5, str(tmp_path / "missing.txt"))
    out = list(batch.prepared_in_order(batch.expand_paths(names), batch.Given("C"), jobs=2))
    assert [p.name for p in out] == names
    assert isinstance(out[5], batch.Refused) and "no such file" in out[5].reason
    assert all(isinstance(p, batch.Ready) for i, p in enumerate(out) if i != 5)


# --- ZIP safety -----------------------------------------------------------------------------------


def make_zip(members: dict[str, bytes], *, link: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def test_a_zip_gives_its_files_in_order_with_their_sidecars() -> None:
    data = make_zip(
        {
            "b/2.txt": b"two",
            "a.txt": b"one",
            "a.meta.json": b'{"committee": "C"}',
            "__MACOSX/._a.txt": b"junk",
            "dir/": b"",
        }
    )
    sources = batch.unpack_zip(data, "up.zip")
    assert [(s.name, s.data, s.sidecar) for s in sources] == [
        ("a.txt", b"one", b'{"committee": "C"}'),
        ("b/2.txt", b"two", None),
    ]


@pytest.mark.parametrize(
    ("members", "link", "reason"),
    [
        ({"../evil.txt": b"x"}, None, "outside the archive"),
        ({"/etc/evil.txt": b"x"}, None, "outside the archive"),
        ({"a/../../evil.txt": b"x"}, None, "outside the archive"),
        ({"C:/evil.txt": b"x"}, None, "outside the archive"),
        ({"a.txt": b"x"}, "link.txt", "symbolic link"),
        ({"inner.zip": b"PK\x03\x04rest"}, None, "archive inside the archive"),
        ({"inner.txt": make_zip({"a.txt": b"x"})}, None, "archive inside the archive"),
        ({"bomb.txt": b"\0" * (20 * 1024 * 1024)}, None, "zip bomb"),
        ({f"{i}.txt": b"x" for i in range(batch.ZIP_MAX_MEMBERS + 1)}, None, "entries; the limit is"),
    ],
)
def test_an_unsafe_zip_is_refused_whole(members: dict[str, bytes], link: str | None, reason: str) -> None:
    with pytest.raises(batch.BatchInputError) as refused:
        batch.unpack_zip(make_zip(members, link=link), "up.zip")
    assert reason in str(refused.value)


def test_a_zip_over_the_total_size_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "ZIP_MAX_TOTAL", 1000)
    data = make_zip({"a.txt": b"a" * 600, "b.txt": bytes(range(256)) * 3})
    with pytest.raises(batch.BatchInputError, match="unpacks to more than"):
        batch.unpack_zip(data, "up.zip")


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(batch.BatchInputError, match="not a readable ZIP archive"):
        batch.unpack_zip(b"just text", "up.zip")


def test_a_worker_imports_neither_flask_nor_sqlalchemy(tmp_path: Path) -> None:
    """A ``--jobs`` worker, started from a main module that has the web app loaded (as the
    ``tracker`` script has), holds neither the web app nor the database layer: only ``extract``."""
    seen = tmp_path / "modules.json"
    main = tmp_path / "main.py"
    probe = f"import sys, json; json.dump(sorted(sys.modules), open({str(seen)!r}, 'w'))"
    main.write_text(
        "import flask, sqlalchemy\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from tracker.reading import LeanSpawnContext\n"
        "if __name__ == '__main__':\n"
        "    with ProcessPoolExecutor(1, mp_context=LeanSpawnContext()) as pool:\n"
        f"        pool.submit(exec, {probe!r}).result()\n"
    )
    subprocess.run([sys.executable, str(main)], check=True, timeout=120)
    loaded = set(json.loads(seen.read_text()))
    assert "tracker.reading" in loaded
    assert not {"flask", "sqlalchemy", "tracker.models", "tracker.services", "tracker.cli"} & loaded


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no nice() on this platform")
def test_a_worker_yields_the_cpu_to_the_writer() -> None:
    """Workers run at a lower priority than the main process, which writes every file in turn."""
    from concurrent.futures import ProcessPoolExecutor

    from tracker.reading import WORKER_NICENESS, LeanSpawnContext, worker_start

    with ProcessPoolExecutor(1, mp_context=LeanSpawnContext(), initializer=worker_start) as pool:
        theirs = pool.submit(os.nice, 0).result(timeout=120)
    ours = os.nice(0)
    assert theirs == min(ours + WORKER_NICENESS, 19)


def test_spacy_is_loaded_by_the_first_extraction_not_by_the_app_or_the_batch() -> None:
    """The web app and a batch import's main process (its workers extract) never need spaCy's
    ~70 MB and second of start-up; a process loads it when it first extracts a text."""
    probe = (
        "import sys\n"
        "from tracker import batch, cli, create_app\n"
        "create_app({'TESTING': True, 'SECRET_KEY': 'x', 'DATABASE_URL': 'sqlite://'})\n"
        "assert 'spacy' not in sys.modules, 'spaCy loaded at start'\n"
        "from tracker.reading import extract_source, read_upload\n"
        "found = extract_source(read_upload(b'RESOLVED - That officers report back in May.', 'a.txt'))\n"
        "assert 'spacy' in sys.modules and found.resolutions, found\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
