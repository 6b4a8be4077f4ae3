"""Batch import: many minutes files (named, walked, globbed, uploaded or zipped) in, one report out.

Why a module of its own: a batch adds what one file does not need. Metadata comes per file from,
in order, what the user gave for every file, a sidecar ``NAME.meta.json`` and what the page states.
Reading and extracting (the slow part) may run in worker processes while the main process writes,
each file in its own transaction, in input order, with a bounded window of files in flight so that
memory does not grow with their number. A changed text of an item already imported becomes a new
version of it (see ``docs/IMPORT.md`` for the rule). ZIP uploads are unpacked here, with the checks
that keep a hostile archive out.
"""

from __future__ import annotations

import dataclasses
import glob
import io
import json
import os
import re
import stat
import textwrap
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, or_, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload

from extract.errors import ExtractionError
from extract.records import Action as ExtractedAction
from extract.sources import SUFFIXES, iter_sources

from . import candidates, checkpoints, direct, links, services
from .errors import TrackerError
from .models import Meeting, MinuteItem
from .reading import (
    SIDECAR_SUFFIX,
    BatchInputError,
    Given,
    LeanSpawnContext,
    Ready,
    Refused,
    Source,
    one_line,
    prepare,
    prepare_chunk,
    sidecar_names,
    worker_start,
)

IMPORTED = "imported"
UNCHANGED = "unchanged"
NEW_VERSION = "new version"
FAILED = "failed"
STATUSES = (IMPORTED, UNCHANGED, NEW_VERSION, FAILED)

#: files handed to a worker at once, and chunks in flight per worker: enough to keep both sides busy
CHUNK = 8
WINDOW_PER_JOB = 3

#: ZIP limits: members, total bytes once unpacked, and how much one member may expand
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_TOTAL = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
#: documents that are ZIP files inside (a reader for them may join ``SUFFIXES``); any other is refused
_ZIP_DOCUMENTS = frozenset({".docx", ".odt"})
_GLOB_MAGIC = re.compile(r"[*?[]")


@dataclasses.dataclass(slots=True)
class FileResult:
    """What happened to one file: a line of the summary and an object of the JSON report."""

    file: str
    status: str
    reason: str | None = None
    minute_item_id: int | None = None
    version: int | None = None
    previous_id: int | None = None
    title: str | None = None
    committee: str | None = None
    meeting_date: date | None = None
    date_from: str | None = None
    item_number: str | None = None
    resolutions: int = 0
    actions_created: int = 0
    actions_kept: int = 0
    warnings: int = 0

    @property
    def needs_date(self) -> bool:
        """True for a file stored (or that would be) with no meeting date."""
        return self.status != FAILED and self.meeting_date is None

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["meeting_date"] = self.meeting_date.isoformat() if self.meeting_date else None
        out["needs_date"] = self.needs_date
        return out


@dataclasses.dataclass(slots=True)
class Summary:
    """Counts over a run: files per status, actions created, files needing a date."""

    counts: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    actions_created: int = 0
    needing_date: int = 0

    def add(self, result: FileResult) -> None:
        self.counts[result.status] += 1
        self.actions_created += result.actions_created
        self.needing_date += result.needs_date

    @property
    def files(self) -> int:
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, int]:
        return {
            "files": self.files,
            "imported": self.counts[IMPORTED],
            "unchanged": self.counts[UNCHANGED],
            "new_versions": self.counts[NEW_VERSION],
            "failed": self.counts[FAILED],
            "actions_created": self.actions_created,
            "needing_date": self.needing_date,
        }


# ---------------------------------------------------------------------------------------------
# finding the files


def expand_paths(paths: Sequence[str]) -> Iterator[Source | Refused]:
    """The files the user named, in order: files as given, directories walked, globs expanded.

    Directories and globs keep only minutes files (``extract.sources.SUFFIXES``), skip hidden
    names and sidecars, and are sorted; a named file is kept whatever its suffix, so that reading it
    says why it is refused. A name matching nothing is refused in its place.
    """
    for raw in paths:
        if not raw:
            yield Refused("(empty path)", "an empty PATH was given")
            continue
        if not os.path.exists(raw) and _GLOB_MAGIC.search(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            found = [m for m in matches if os.path.isdir(m) or _is_minutes_file(m)]
            if not found:
                yield Refused(raw, "no minutes file matches this pattern")
            named: Iterable[str] = found
        else:
            named = [raw]
        for entry in iter_sources(named):
            if isinstance(entry, ExtractionError):
                yield Refused(entry.source or raw, f"{one_line(entry.message)} [{entry.code}]")
            elif not entry.endswith(SIDECAR_SUFFIX) or entry == raw:
                yield Source(name=entry, path=entry)


def _is_minutes_file(path: str) -> bool:
    base = os.path.basename(path)
    return (
        os.path.isfile(path)
        and not base.startswith(".")
        and not base.endswith(SIDECAR_SUFFIX)
        and Path(base).suffix.lower() in SUFFIXES
    )


def prepared_in_order(
    sources: Iterable[Source | Refused], given: Given, *, jobs: int = 1, model: str | None = None
) -> Iterator[Ready | Refused]:
    """Read and extract every source, in input order, in ``jobs`` worker processes when above 1.

    At most ``jobs * WINDOW_PER_JOB`` chunks of :data:`CHUNK` files are in flight, so memory stays
    flat however many files there are. Workers are spawned (not forked) so they share no database
    connection with the main process.
    """
    if jobs <= 1:
        for s in sources:
            yield s if isinstance(s, Refused) else prepare(s, given, model)
        return
    pool = ProcessPoolExecutor(jobs, mp_context=LeanSpawnContext(), initializer=worker_start)
    window: deque[Future[list[Ready | Refused]] | list[Ready | Refused]] = deque()
    chunk: list[Source] = []

    def pending(f: Future[list[Ready | Refused]] | list[Ready | Refused]) -> list[Ready | Refused]:
        return f if isinstance(f, list) else f.result()

    try:
        for s in sources:
            if isinstance(s, Refused):
                # Keep its place: flush the chunk before it, then queue the refusal as done.
                if chunk:
                    window.append(pool.submit(prepare_chunk, chunk, given, model))
                    chunk = []
                window.append([s])
            else:
                chunk.append(s)
                if len(chunk) == CHUNK:
                    window.append(pool.submit(prepare_chunk, chunk, given, model))
                    chunk = []
            while len(window) > jobs * WINDOW_PER_JOB:
                yield from pending(window.popleft())
        if chunk:
            window.append(pool.submit(prepare_chunk, chunk, given, model))
        while window:
            yield from pending(window.popleft())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------------------------------------
# writing (main process, one transaction per file)


def store(session: Session, ready: Ready) -> FileResult:
    """Import one prepared file (no commit): new item, new version of its item, or unchanged.

    :raise TrackerError: refused (the text is imported for another committee or date, …).
    """
    # a new item (the usual case) is known by one query: neither its key nor its text is stored
    key_or_text = {"key": ready.key, "digest": ready.extraction.sha256}
    seen = _KEY_OR_TEXT.first(session, key_or_text)
    previous = None
    if seen is not None:
        previous = session.scalar(
            select(MinuteItem)
            .where(MinuteItem.item_key == ready.key, MinuteItem.superseded_by_id.is_(None))
            .order_by(MinuteItem.item_version.desc())
            .limit(1)
        )
    known = _known_actions(session, ready.key) if previous is not None else set()
    kept = [a for a in ready.extraction.actions if _fingerprint_of(a) not in known] if known else None
    created_item = services.import_minutes(
        session,
        committee=ready.committee,
        meeting_date=ready.meeting_date,
        extraction=ready.extraction,
        source_text=ready.source.text,
        source_name=ready.name,
        keep_action=(lambda a: _fingerprint_of(a) not in known) if known else None,
        batch=services.BatchItem(
            key=ready.key,
            number=ready.item_number,
            source_url=ready.source_url,
            version=previous.item_version + 1 if previous is not None else 1,
            profile=ready.profile,
            extraction_json=ready.extraction_json,
        ),
        new_text=seen is None,
    )
    item = created_item.item
    meeting = item.meeting  # the Meeting and Committee the import used: no query
    result = FileResult(
        file=ready.name,
        status=IMPORTED if created_item.created else UNCHANGED,
        minute_item_id=item.id,
        version=item.item_version,
        title=item.title,
        committee=meeting.committee.name,
        meeting_date=meeting.date,
        date_from=ready.date_from,
        item_number=item.item_number,
        warnings=len(ready.extraction.warnings),
    )
    if not created_item.created:
        return result
    created = len(ready.extraction.actions) if kept is None else len(kept)
    result.resolutions = len(ready.extraction.resolutions)
    result.actions_created = created
    result.actions_kept = len(ready.extraction.actions) - created
    if previous is not None:
        previous.superseded_by = item
        session.flush()
        result.status = NEW_VERSION
        result.previous_id = previous.id
    return result


#: is the item's key or its text stored? (through ``ix_minute_item_item_key`` and the text's unique index)
_KEY_OR_TEXT = direct.Statement(
    select(MinuteItem.id)
    .where(or_(MinuteItem.item_key == bindparam("key"), MinuteItem.text_sha256 == bindparam("digest")))
    .limit(1)
)


def _fingerprint(text: str | None, owner: str | None, due_text: str | None) -> tuple[str, str, str]:
    """An action's identity across versions: its words, owner and deadline, spacing and case aside."""
    return tuple(" ".join((v or "").split()).casefold() for v in (text, owner, due_text))  # type: ignore[return-value]


def _fingerprint_of(a: ExtractedAction) -> tuple[str, str, str]:
    return _fingerprint(a.text, a.owner, (a.due.text or None) if a.due else None)


def _known_actions(session: Session, key: str) -> set[tuple[str, str, str]]:
    """Every action any earlier version of the item holds or was read with (before people edited it)."""
    known: set[tuple[str, str, str]] = set()
    for old in session.scalars(
        select(MinuteItem).where(MinuteItem.item_key == key).options(joinedload(MinuteItem.actions))
    ).unique():
        for a in old.extraction.get("actions", []):
            due = a.get("due") or {}
            known.add(_fingerprint(a.get("text"), a.get("owner"), due.get("text") or None))
        known.update(_fingerprint(a.text, a.owner, a.due_text) for a in old.actions)
    return known


def import_all(
    session: Session, prepared: Iterable[Ready | Refused], *, dry_run: bool = False
) -> Iterator[FileResult]:
    """Store each prepared file in its own transaction, yielding what happened, in order.

    A refused or failing file is rolled back and reported; the others go on. ``dry_run`` rolls
    every file back after finding out what it would do. Anything unexpected (a bug, Ctrl-C) rolls
    the file in progress back and propagates: what was committed before stays, whole.
    """
    statistics = _Statistics(session)
    links.action_store(session, batch=True)
    if not dry_run:  # a dry run rolls every file back, which drops what is kept: the linker asks
        candidates.keep(session)
    with checkpoints.beside(session):
        for p in prepared:
            yield _import_one(session, p, statistics, dry_run=dry_run)


def _import_one(
    session: Session, p: Ready | Refused, statistics: _Statistics, *, dry_run: bool
) -> FileResult:
    """One file of :func:`import_all`, in its own transaction: committed, or rolled back and reported."""
    if isinstance(p, Refused):
        return FileResult(file=p.name, status=FAILED, reason=p.reason)
    try:
        candidates.begin(session)
        result = store(session, p)
        if dry_run:
            session.rollback()
            if result.status != UNCHANGED:
                result.minute_item_id = None
        else:
            session.flush()
            candidates.seal(session)
            session.commit()
            statistics.stored(result)
    except TrackerError as err:
        session.rollback()
        return FileResult(file=p.name, status=FAILED, reason=one_line(err.message))
    except SQLAlchemyError as err:
        session.rollback()
        reason = one_line(str(getattr(err, "orig", None) or err))
        return FileResult(file=p.name, status=FAILED, reason=f"the database refused it: {reason}")
    except BaseException:
        session.rollback()
        raise
    return result


class _Statistics:
    """Keeps PostgreSQL's planner statistics of the tables a batch grows in step with the batch.

    The writer's look-ups (an item's key, its committee's open actions, the actions referred to it,
    the calendar's dues) are planned from table statistics, and autovacuum refreshes those only
    about once a minute and after a tenth of a table has changed. A batch into a new or small
    database outgrows them within seconds: plans made for a few rows (whole-table scans) then got
    slower with every file. So the batch runs ``ANALYZE`` on those tables itself each time the
    number of files it has stored doubles (after 64, 128, 256 … files): 11 times in 100,000 files,
    each well under a second. SQLite plans without statistics.
    """

    TABLES = "action, minute_item, meeting, follow_up_link"
    FIRST = 64

    def __init__(self, session: Session) -> None:
        self.session = session
        self.on = session.get_bind().dialect.name == "postgresql"
        self.files = 0
        self.next = self.FIRST

    def stored(self, result: FileResult) -> None:
        if not self.on or result.status == UNCHANGED:
            return
        self.files += 1
        if self.files >= self.next:
            self.next *= 2
            self.session.execute(text(f"ANALYZE {self.TABLES}"))
            self.session.commit()


def items_needing_date(session: Session) -> list[MinuteItem]:
    """Current versions of minute items whose meeting has no date, newest import first."""
    return list(
        session.scalars(
            select(MinuteItem)
            .join(MinuteItem.meeting)
            .where(Meeting.date.is_(None), MinuteItem.superseded_by_id.is_(None))
            .options(joinedload(MinuteItem.meeting).joinedload(Meeting.committee))
            .order_by(MinuteItem.imported_at.desc(), MinuteItem.id.desc())
        )
    )


# ---------------------------------------------------------------------------------------------
# the JSON report


class ReportWriter:
    """Writes ``--report FILE.json`` as results arrive (nothing held in memory), then renames it in.

    The file is ``{"dry_run": …, "files": [ … ], "summary": { … }, "interrupted": …}``.
    """

    def __init__(self, path: str | None, *, dry_run: bool) -> None:
        self.path = path
        self._fh: io.TextIOWrapper | None = None
        self._first = True
        if path:
            self._tmp = f"{path}.part"
            self._fh = open(self._tmp, "w", encoding="utf-8")  # noqa: SIM115 - closed in finish()
            self._fh.write(f'{{"dry_run": {json.dumps(dry_run)}, "files": [\n')

    def add(self, result: FileResult) -> None:
        if self._fh is None:
            return
        self._fh.write(("" if self._first else ",\n") + json.dumps(result.to_dict(), ensure_ascii=False))
        self._first = False

    def finish(self, summary: Summary, *, interrupted: bool = False) -> None:
        if self._fh is None or self.path is None:
            return
        tail = {"summary": summary.to_dict(), "interrupted": interrupted}
        self._fh.write("\n], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n")
        self._fh.close()
        self._fh = None
        os.replace(self._tmp, self.path)


# ---------------------------------------------------------------------------------------------
# ZIP uploads


def unpack_zip(data: bytes, name: str) -> list[Source | Refused]:
    """The minutes files in an uploaded ZIP, with their sidecars, in name order.

    Refused whole, before anything is read: a member path that is absolute or climbs out (``..``),
    a symbolic link, a nested archive, an encrypted member, more than :data:`ZIP_MAX_MEMBERS`
    members, more than :data:`ZIP_MAX_TOTAL` bytes unpacked, or a member that expands more than
    :data:`ZIP_MAX_RATIO` times (a zip bomb). Sizes are checked again while reading, so a header
    that lies does not help. Directories, hidden files and ``__MACOSX`` are skipped.

    :raise BatchInputError: the archive is unreadable or unsafe; nothing from it is used.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise BatchInputError(f"{name} is not a readable ZIP archive ({one_line(str(err))})") from None
    if len(members) > ZIP_MAX_MEMBERS:
        raise BatchInputError(f"{name} holds {len(members):,} entries; the limit is {ZIP_MAX_MEMBERS:,}")
    total = 0
    wanted: list[zipfile.ZipInfo] = []
    for m in members:
        path = _member_path(m, name)
        if path is None:
            continue
        if m.flag_bits & 0x1:
            raise BatchInputError(f"{name}: {m.filename} is encrypted")
        if path.lower().endswith(".zip"):
            raise BatchInputError(
                f"{name}: {m.filename} is an archive inside the archive; upload it on its own"
            )
        total += m.file_size
        if total > ZIP_MAX_TOTAL:
            raise BatchInputError(f"{name} unpacks to more than {ZIP_MAX_TOTAL // (1024 * 1024)} MB")
        if m.file_size > ZIP_MAX_RATIO * max(m.compress_size, 1) and m.file_size > 1024 * 1024:
            raise BatchInputError(f"{name}: {m.filename} expands over {ZIP_MAX_RATIO} times (a zip bomb?)")
        wanted.append(m)
    contents: dict[str, bytes] = {}
    with archive:
        for m in wanted:
            with archive.open(m) as fh:
                body = fh.read(m.file_size + 1)
            if len(body) != m.file_size:
                raise BatchInputError(f"{name}: {m.filename} is not the size its header says")
            if body.startswith(_ZIP_MAGIC) and Path(m.filename).suffix.lower() not in _ZIP_DOCUMENTS:
                raise BatchInputError(f"{name}: {m.filename} is an archive inside the archive")
            contents[_member_path(m, name) or m.filename] = body
    return sources_from_files(contents)


def _member_path(m: zipfile.ZipInfo, name: str) -> str | None:
    """The member's safe relative path, or None to skip it (a directory, hidden, Mac metadata)."""
    raw = m.filename.replace("\\", "/")
    parts = raw.split("/")
    if raw.startswith("/") or re.match(r"^[A-Za-z]:", raw) or ".." in parts:
        raise BatchInputError(f"{name}: {m.filename} would be written outside the archive's folder")
    if stat.S_ISLNK(m.external_attr >> 16):
        raise BatchInputError(f"{name}: {m.filename} is a symbolic link")
    if m.is_dir() or any(p.startswith(".") or p == "__MACOSX" for p in parts if p):
        return None
    return "/".join(p for p in parts if p)


def sources_from_files(files: dict[str, bytes]) -> list[Source | Refused]:
    """Uploaded files (name → bytes) as sources in name order, each with its sidecar if one came."""
    sources: list[Source | Refused] = []
    for fname in sorted(files):
        if fname.endswith(SIDECAR_SUFFIX):
            continue
        found = [s for s in sidecar_names(fname) if s in files]
        if len(found) > 1:
            sources.append(Refused(fname, f"two sidecars for one file: {found[0]} and {found[1]}; keep one"))
            continue
        sources.append(Source(name=fname, data=files[fname], sidecar=files[found[0]] if found else None))
    return sources


# ---------------------------------------------------------------------------------------------
# lines for a person (the CLI)


def describe(r: FileResult, *, dry_run: bool = False) -> str:
    """One line saying what happened to a file (the single-file ``tracker import`` line, kept)."""
    if r.status == FAILED:
        return f"{r.file}: {r.reason}"
    title = textwrap.shorten(r.title or "untitled", width=60, placeholder=" …")
    where = f"{r.committee}, {r.meeting_date.isoformat() if r.meeting_date else 'date unknown'}"
    if r.status == UNCHANGED:
        item = f'minute item {r.minute_item_id} "{title}"' if r.minute_item_id else f'"{title}"'
        return f"{r.file}: unchanged, already {item} ({where}); 0 actions created"
    notes = f", {r.warnings} warning{'s' * (r.warnings != 1)}" if r.warnings else ""
    if r.actions_kept:
        notes += f", {r.actions_kept} already tracked on the earlier version"
    if dry_run:
        what = (
            "would be a new minute item" if r.status == IMPORTED else f"would be version {r.version} of item"
        )
        ref = "" if r.status == IMPORTED else f" {r.previous_id}"
        return (
            f'{r.file}: {what}{ref} "{title}" ({where}): '
            f"{r.resolutions} resolutions, {r.actions_created} actions to create{notes}"
        )
    what = (
        f"new minute item {r.minute_item_id}"
        if r.status == IMPORTED
        else f"new version {r.version} of minute item {r.previous_id}, as minute item {r.minute_item_id}"
    )
    return (
        f'{r.file}: {what} "{title}" ({where}): '
        f"{r.resolutions} resolutions, {r.actions_created} actions created{notes}"
    )


def summary_line(s: Summary, *, dry_run: bool = False) -> str:
    """The run's totals in one line."""
    c = s.counts
    head = "Dry run, nothing written: would import" if dry_run else "Imported"
    return (
        f"{head} {c[IMPORTED]}, unchanged {c[UNCHANGED]}, new versions {c[NEW_VERSION]}, "
        f"failed {c[FAILED]}; {s.actions_created} actions {'to create' if dry_run else 'created'}; "
        f"{s.needing_date} needing a meeting date"
    )
