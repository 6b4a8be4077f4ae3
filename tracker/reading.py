"""Reading and extracting minutes files, with no database: what a batch import's workers run.

Why a module of its own: ``tracker import --jobs N`` reads and extracts in spawned worker processes,
and a worker imports only what unpickling its task needs. Everything here imports ``extract``,
:mod:`tracker.profiles` (the linker's text side) and the standard library alone (not Flask,
SQLAlchemy or the models), so each worker holds the spaCy pipeline and not the web app (about 40 MB
less each; ``docs/IMPORT.md``), provided the worker is started by :class:`LeanSpawnContext`, which
keeps the parent's ``__main__`` out of it. :mod:`tracker.services` and :mod:`tracker.batch` use
these functions and give them under their old names too.

spaCy (about 70 MB and a second to import) is imported when a process first extracts a text, not
with this module: the web app (which extracts only when someone imports minutes in the browser) and
a batch import's main process (when workers extract, with `--jobs` 2 or more) import this module and
never need it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
from datetime import date
from multiprocessing.context import SpawnContext, SpawnProcess
from urllib.parse import urlsplit

from extract.errors import ExtractionError
from extract.records import Extraction
from extract.sources import SourceText, read_bytes, read_source

from .errors import MinutesRejectedError, ValidationError
from .profiles import ItemProfile, item_profile

COMMITTEE_NAME_MAX = 200
URL_MAX = 2000

#: a sidecar sits next to its file: ``12.meta.json`` (or ``12.txt.meta.json``) for ``12.txt``
SIDECAR_SUFFIX = ".meta.json"
#: the keys a sidecar may hold; any other is refused (a typo would otherwise be ignored silently)
SIDECAR_KEYS = frozenset({"committee", "meeting_date", "item", "source_url"})
SIDECAR_MAX_BYTES = 64 * 1024


class BatchInputError(Exception):
    """An input the batch cannot use as given (a bad sidecar, an unsafe ZIP); ``str()`` says why."""


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """One file to import: on disk (``path``) or in memory (``data``, from an upload or a ZIP member).

    ``sidecar`` is an in-memory sidecar's bytes; files on disk find theirs next to them.
    """

    name: str
    path: str | None = None
    data: bytes | None = None
    sidecar: bytes | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Given:
    """What the user gave for every file: ``--committee``/``--date``, or the upload form's fields."""

    committee: str | None = None
    meeting_date: date | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Sidecar:
    """A ``NAME.meta.json`` file's metadata for its minutes file."""

    committee: str | None = None
    meeting_date: date | None = None
    item: str | None = None
    source_url: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Ready:
    """A file read and extracted, its metadata settled: what the main process writes."""

    name: str
    source: SourceText
    extraction: Extraction
    committee: str
    meeting_date: date | None
    #: where the date came from: ``given``, ``sidecar``, ``page``, or None (no date)
    date_from: str | None
    item_number: str | None
    source_url: str | None
    #: what makes a changed text the same item (``docs/IMPORT.md``)
    key: str
    #: the follow-up linker's profile of the item's text, with all its extracted actions as what
    #: it asks for (made here, in the worker, so that the writer need not)
    profile: ItemProfile | None = None
    #: ``json.dumps(extraction.to_dict())``: the stored extraction, serialised here for the same reason
    extraction_json: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Refused:
    """A file that cannot be imported, and why (for the person: one line)."""

    name: str
    reason: str


# ---------------------------------------------------------------------------------------------
# reading and extracting one file


def read_minutes(path: str | os.PathLike[str]) -> SourceText:
    """Read a ``.txt``/``.html``/``.htm`` minutes file (see :func:`extract.sources.read_source`).

    :raise MinutesRejectedError: the file is missing, empty, binary, too large, undecodable, of
        another type, or cannot be read; ``code`` is the extractor's (``E_EMPTY``, …).
    """
    try:
        return read_source(path)
    except ExtractionError as err:
        raise MinutesRejectedError(err) from err
    except OSError as err:
        refused = ExtractionError(f"cannot read the file ({err.strerror or err})", source=os.fspath(path))
        raise MinutesRejectedError(refused) from err


def read_upload(data: bytes, name: str, *, suffix: str | None = None) -> SourceText:
    """Read minutes that arrived as bytes (an upload, or pasted text with ``suffix=".txt"``).

    The rules are :func:`read_minutes`'s (see :func:`extract.sources.read_bytes`).

    :raise MinutesRejectedError: empty, binary, too large, undecodable or of another type; the
        error's ``source`` is ``name``.
    """
    try:
        return read_bytes(data, name, suffix=suffix)
    except ExtractionError as err:
        raise MinutesRejectedError(err) from err


def extract_source(
    source: SourceText, *, meeting_date: date | None = None, model: str | None = None
) -> Extraction:
    """Run the extractor on a text read by :func:`read_minutes`, keeping the reader's warnings.

    :param meeting_date: the meeting's date, so that deadlines such as "the next meeting" resolve.
    :param model: a trained spaCy pipeline to use (default: ``TRACKER_SPACY_MODEL``, else blank).
    :raise MinutesRejectedError: the extractor refused the text (empty, too large).
    """
    from extract.pipeline import get_nlp, run  # here: spaCy loads with the first text (see above)

    try:
        extraction = run(get_nlp(model), source.text, source_name=source.name, meeting_date=meeting_date)
    except ExtractionError as err:
        raise MinutesRejectedError(err) from err
    if source.derived or source.warnings:
        extraction = dataclasses.replace(
            extraction, derived_text=source.derived, warnings=source.warnings + extraction.warnings
        )
    return extraction


def check_committee_name(name: str) -> str:
    """The committee name as stored: spaces collapsed.

    :raise ValidationError: it is blank or over :data:`COMMITTEE_NAME_MAX` characters.
    """
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("the committee name is blank")
    if len(cleaned) > COMMITTEE_NAME_MAX:
        raise ValidationError(f"the committee name is over {COMMITTEE_NAME_MAX} characters")
    return cleaned


def sidecar_names(name: str) -> tuple[str, str]:
    """Where a file's sidecar may be: ``12.meta.json`` or ``12.txt.meta.json`` beside ``12.txt``."""
    stem, _ = os.path.splitext(name)
    return stem + SIDECAR_SUFFIX, name + SIDECAR_SUFFIX


def read_sidecar(data: bytes, name: str) -> Sidecar:
    """Parse a sidecar: a JSON object with ``committee``, ``meeting_date``, ``item``, ``source_url``.

    :raise BatchInputError: not JSON, not an object, an unknown key, or a value of the wrong shape.
    """
    if len(data) > SIDECAR_MAX_BYTES:
        raise BatchInputError(f"sidecar {name} is over {SIDECAR_MAX_BYTES:,} bytes")
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as err:
        raise BatchInputError(f"sidecar {name} is not valid JSON ({one_line(str(err))})") from None
    if not isinstance(obj, dict):
        raise BatchInputError(f"sidecar {name} must hold a JSON object")
    unknown = sorted(set(obj) - SIDECAR_KEYS)
    if unknown:
        allowed = ", ".join(sorted(SIDECAR_KEYS))
        raise BatchInputError(f"sidecar {name} has unknown key(s) {', '.join(unknown)}; allowed: {allowed}")
    committee = _optional_text(obj.get("committee"), name, "committee")
    if committee is not None:
        try:
            committee = check_committee_name(committee)
        except ValidationError as err:
            raise BatchInputError(f"sidecar {name}: {err.message}") from None
    when = None
    raw_date = _optional_text(obj.get("meeting_date"), name, "meeting_date")
    if raw_date is not None:
        try:
            when = date.fromisoformat(raw_date)
        except ValueError:
            raise BatchInputError(
                f"sidecar {name}: meeting_date {raw_date!r} is not a date written YYYY-MM-DD"
            ) from None
    item = obj.get("item")
    if isinstance(item, int) and not isinstance(item, bool):
        item = str(item)
    item = _optional_text(item, name, "item")
    url = _optional_text(obj.get("source_url"), name, "source_url")
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
            raise BatchInputError(f"sidecar {name}: source_url must be an http(s) address")
    return Sidecar(committee, when, item, url)


def _optional_text(value: object, name: str, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BatchInputError(f"sidecar {name}: {key} must be text")
    if not value.strip():
        raise BatchInputError(f"sidecar {name}: {key} is blank; leave it out instead")
    return value.strip()


def _sidecar_on_disk(path: str) -> tuple[bytes, str] | None:
    found = [p for p in sidecar_names(path) if os.path.isfile(p)]
    if len(found) > 1:
        raise BatchInputError(f"two sidecars for one file: {found[0]} and {found[1]}; keep one")
    if not found:
        return None
    with open(found[0], "rb") as fh:
        return fh.read(SIDECAR_MAX_BYTES + 1), found[0]


def prepare(source: Source, given: Given, model: str | None = None) -> Ready | Refused:
    """Read and extract one file and settle its metadata; never raises for a bad file.

    Metadata, first found wins: ``given`` (flags or form), the sidecar, the page itself.
    """
    try:
        if source.path is not None:
            found = _sidecar_on_disk(source.path)
        else:
            found = (source.sidecar, sidecar_names(source.name)[0]) if source.sidecar is not None else None
        sidecar = read_sidecar(*found) if found else Sidecar()
        text = (
            read_minutes(source.path)
            if source.path is not None
            else read_upload(source.data or b"", source.name)
        )
        when = given.meeting_date or sidecar.meeting_date
        extraction = extract_source(text, meeting_date=when, model=model)
    except (BatchInputError, OSError) as err:
        return Refused(source.name, one_line(str(err)))
    except MinutesRejectedError as err:
        return Refused(source.name, f"{one_line(err.message)} [{err.code}]")
    page = extraction.meeting
    committee = given.committee or sidecar.committee or (page.committee if page else None)
    if not committee:
        return Refused(
            source.name,
            "no committee: give --committee (or the form's committee), a sidecar "
            f"{os.path.basename(sidecar_names(source.name)[0])} with one, or a page that states its meeting",
        )
    try:
        committee = check_committee_name(committee)
    except ValidationError as err:
        return Refused(source.name, err.message)
    date_from = "given" if given.meeting_date else "sidecar" if sidecar.meeting_date else None
    if when is None and extraction.meeting_date:
        when, date_from = date.fromisoformat(extraction.meeting_date), "page"
    item = sidecar.item or (page.item if page else None)
    return Ready(
        name=source.name,
        source=text,
        extraction=extraction,
        committee=committee,
        meeting_date=when,
        date_from=date_from,
        item_number=item,
        source_url=sidecar.source_url,
        key=item_key(source, committee, when, item, sidecar.source_url),
        profile=item_profile(extraction.title, text.text, [a.span for a in extraction.actions]),
        extraction_json=json.dumps(extraction.to_dict()),
    )


def item_key(source: Source, committee: str, when: date | None, item: str | None, url: str | None) -> str:
    """What identifies an agenda item across versions of its text (``docs/IMPORT.md``).

    The source URL; else committee, meeting date and item number when all three are known; else
    the file's absolute path (an upload's name, within its committee).
    """
    if url:
        return f"url:{url}"
    if when is not None and item:
        return f"meeting:{committee.casefold()}|{when.isoformat()}|{item.strip().casefold()}"
    if source.path is not None:
        return f"path:{os.path.abspath(source.path)}"
    return f"upload:{committee.casefold()}|{source.name}"


def prepare_chunk(sources: list[Source], given: Given, model: str | None) -> list[Ready | Refused]:
    return [prepare(s, given, model) for s in sources]


#: how much lower a batch worker's scheduling priority is than the writer's (``nice``)
WORKER_NICENESS = 5


def worker_start() -> None:
    """Set up a batch worker: it ignores Ctrl-C, and it yields the CPU to the writer.

    Ctrl-C reaches the whole process group: the main process decides, workers stop when told. The
    writer stores the files one by one, in order, and is the slower side of a batch: on two cores,
    two workers and the writer would otherwise get two thirds of a core each whenever all three can
    run. A lower priority matters only when they compete; a CPU nobody else wants is still theirs.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice() here (Windows), or not allowed: run as we are
        pass


def one_line(message: str) -> str:
    return " ".join(message.split())


class LeanSpawnProcess(SpawnProcess):
    """A spawned worker that does not import the parent's ``__main__`` first.

    A spawned process normally runs the parent's main module (here the ``tracker`` console script,
    hence the CLI, Flask, SQLAlchemy and the models: about 40 MB a worker, measured) before its
    task, in case the task lives there. Ours live in :mod:`tracker.reading`, which imports only
    ``extract``; hiding the main module's name and file while the process starts leaves it out.
    """

    def start(self) -> None:
        main = sys.modules["__main__"]
        saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
        main.__dict__.pop("__file__", None)
        main.__spec__ = None
        try:
            super().start()
        finally:
            main.__dict__.pop("__spec__", None)
            main.__dict__.update(saved)


class LeanSpawnContext(SpawnContext):
    """The spawn start method with :class:`LeanSpawnProcess`. Both live here, in a module that
    imports only ``extract``, because the child unpickles the process object, importing its class's
    module."""

    Process = LeanSpawnProcess
