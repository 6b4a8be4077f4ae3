"""Blueprint ``imports``: staff import minutes by pasting or uploading them, review, correct, confirm.

Also the batch upload (several files or one ``.zip``, imported at once with :mod:`tracker.batch`, one
transaction per file, answered with the per-file report) and the list of items needing a date.

Nothing is written until the review is confirmed. Between the two steps the pending minutes live in
the review form itself, signed with the app's secret key (itsdangerous): the text, its file name,
committee and meeting date. Confirming checks the signature, extracts the text again, applies the
reviewer's corrections by index, and imports the lot in one transaction. A changed or forged
payload is refused with a 400 page; a form that fails keeps what was typed.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from extract.records import Extraction, ExtractionWarning
from extract.sources import MAX_BYTES, SUFFIXES, SourceText

from .. import batch, services
from ..auth import role_required
from ..db import get_session
from ..errors import (
    DuplicateMinutesError,
    FormTamperedError,
    MinutesRejectedError,
    NotFoundError,
    ValidationError,
)
from ..models import Capacity, MinuteItem, ResolutionKind
from ..render import highlight_kinds

bp = Blueprint("imports", __name__)

#: the fields of the import form, kept as typed when it is refused
FORM_FIELDS = ("text", "committee_id", "new_committee", "meeting_date")
#: the fields of the batch upload form, kept as typed when it is refused
BATCH_FIELDS = ("committee_id", "new_committee", "meeting_date")
#: what the batch form's file chooser offers: the minutes formats, sidecars and ZIP archives
BATCH_ACCEPT = ",".join([*sorted(SUFFIXES), batch.SIDECAR_SUFFIX, ".json", ".zip"])
#: the name pasted text goes by in messages and on the minute item
PASTED = "pasted text"
#: the most rows for added actions a review page offers
NEW_ROWS_MAX = 20
_SALT = "tracker.imports.review"


class _Refused(Exception):
    """The import form cannot be used as it is; ``message`` says why, for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@bp.get("/import")
@role_required("staff")
def form() -> str:
    """The import form: paste the text or choose a file, and say whose minutes they are and when."""
    return _form_page({})[0]


@bp.post("/import")
@role_required("staff")
def review() -> Any:
    """Read and extract the minutes (writing nothing), then show the extraction beside the text."""
    typed = {name: request.form.get(name, "") for name in FORM_FIELDS}
    session = get_session()
    try:
        committee, when = _meeting(typed)
        source = _source(typed)
        existing = services.find_minutes(session, source.text)
        if existing is not None:
            return _form_page(typed, existing=existing, status=409)
        extraction = _extract(source, when)
    except _Refused as refused:
        return _form_page(typed, error=refused.message, status=400)
    pending = {
        "name": source.name,
        "text": source.text,
        "derived": source.derived,
        "warnings": [[w.code, w.message] for w in source.warnings],
        "committee": committee,
        "date": when.isoformat() if when else None,
    }
    return _review_page(_serializer().dumps(pending), pending, extraction)


@bp.post("/import/confirm")
@role_required("staff")
def confirm() -> Any:
    """Import the reviewed minutes with the reviewer's corrections, or add a row for another action.

    :raise FormTamperedError: the signed part of the form was changed (a 400 page).
    """
    payload = request.form.get("payload", "")
    pending = _unsign(payload)
    when = date.fromisoformat(pending["date"]) if pending["date"] else None
    source = SourceText(
        name=pending["name"],
        text=pending["text"],
        derived=pending["derived"],
        warnings=tuple(ExtractionWarning(code, message, None) for code, message in pending["warnings"]),
    )
    try:
        extraction = _extract(source, when)
    except _Refused as refused:  # only if the extractor changed between the two steps
        return _form_page({}, error=refused.message, status=400)
    rows = _new_rows(request.form)
    if "more" in request.form:
        return _review_page(payload, pending, extraction, typed=request.form, new_rows=rows + 1)
    session = get_session()
    try:
        corrections = _corrections(request.form, extraction, rows)
        item, created = services.import_minutes(
            session,
            committee=pending["committee"],
            meeting_date=when,
            extraction=extraction,
            source_text=source.text,
            source_name=source.name,
            corrections=corrections,
            author=g.user,
        )
        session.commit()
    except ValidationError as err:
        session.rollback()
        error = _sentence(err.message)
        return _review_page(payload, pending, extraction, typed=request.form, new_rows=rows, error=error)
    except (DuplicateMinutesError, IntegrityError):
        # Another import of the same text won (or was made for another committee or date).
        session.rollback()
        existing = services.find_minutes(session, source.text)
        if existing is None:
            raise
        return _form_page(_typed_from(pending), existing=existing, status=409)
    if not created:
        flash("These minutes were imported before, as this item; nothing was changed.")
    else:
        flash(
            f"Imported {len(item.resolutions)} resolutions and {len(item.actions)} actions "
            f"for {item.meeting.committee.name}. Each action is open."
        )
    return redirect(url_for("committees.item", item_id=item.id))


# ---------------------------------------------------------------------------------------------
# reading the form


def _meeting(typed: dict[str, str]) -> tuple[str, date | None]:
    """The committee's name and the meeting's date, from the list or the typed name and the date."""
    chosen, new = typed["committee_id"].strip(), typed["new_committee"].strip()
    if chosen and new:
        raise _Refused("Choose a committee from the list or type the name of a new one, not both.")
    if new:
        try:
            name = services.check_committee_name(new)
        except ValidationError as err:
            raise _Refused(_sentence(err.message)) from None
    elif chosen.isdigit():
        try:
            name = services.get_committee(get_session(), int(chosen)).name
        except NotFoundError:
            raise _Refused("That committee is no longer there; choose another or type its name.") from None
    else:
        raise _Refused("Choose the committee whose minutes these are, or type the name of a new one.")
    when = None
    if typed["meeting_date"].strip():
        try:
            when = date.fromisoformat(typed["meeting_date"].strip())
        except ValueError:
            raise _Refused(
                "The meeting date must be a date written as year-month-day, like 2025-03-31, or left empty."
            ) from None
    return name, when


def _source(typed: dict[str, str]) -> SourceText:
    """The minutes from the uploaded file or the paste box, read with ``tracker extract``'s rules."""
    upload = request.files.get("file")
    pasted = typed["text"]
    if upload is not None and upload.filename:
        if pasted.strip():
            raise _Refused("Paste the minutes or choose a file, not both: empty the box or the file choice.")
        # Only the last part of the name: browsers may send a whole path.
        name = os.path.basename(upload.filename.replace("\\", "/")) or "the file"
        data = upload.stream.read(MAX_BYTES + 1)
        try:
            return services.read_upload(data, name)
        except MinutesRejectedError as err:
            raise _Refused(_rejected(err, f"The file “{name}”")) from None
    if not pasted.strip():
        raise _Refused("Paste the text of the minutes into the box, or choose a .txt or .html file.")
    # A browser sends a text box's line breaks as CR LF; the same text pasted twice must match.
    data = pasted.replace("\r\n", "\n").encode("utf-8")
    try:
        return services.read_upload(data, PASTED, suffix=".txt")
    except MinutesRejectedError as err:
        raise _Refused(_rejected(err, "The pasted text")) from None


def _extract(source: SourceText, when: date | None) -> Extraction:
    try:
        return services.extract_source(source, meeting_date=when, model=current_app.config.get("SPACY_MODEL"))
    except MinutesRejectedError as err:
        what = "The pasted text" if source.name == PASTED else f"The file “{source.name}”"
        raise _Refused(_rejected(err, what)) from None


def _rejected(err: MinutesRejectedError, what: str) -> str:
    return f"{what} was not imported: {' '.join(err.message.split())} [{err.code}]. Nothing was saved."


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _typed_from(pending: dict[str, Any]) -> dict[str, str]:
    return {
        "text": "",
        "committee_id": "",
        "new_committee": pending["committee"],
        "meeting_date": pending["date"] or "",
    }


# ---------------------------------------------------------------------------------------------
# the signed pending import


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def _unsign(payload: str) -> dict[str, Any]:
    try:
        pending = _serializer().loads(payload)
    except BadSignature:
        pending = None
    if not isinstance(pending, dict) or not {
        "name",
        "text",
        "derived",
        "warnings",
        "committee",
        "date",
    } <= set(pending):
        raise FormTamperedError(
            "The review form came back changed, or was not made by this tracker, so nothing was "
            "imported. Start the import again from the Import minutes page."
        )
    return pending


# ---------------------------------------------------------------------------------------------
# corrections


def _new_rows(form: MultiDict[str, str]) -> int:
    try:
        return max(0, min(NEW_ROWS_MAX, int(form.get("new_rows", "1"))))
    except ValueError:
        return 1


def _date(value: str, what: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"{what} must be a date written as year-month-day, like 2025-03-31") from None


def _index(value: str, limit: int) -> int | None:
    return int(value) if value.isdigit() and int(value) < limit else None


def _corrections(form: MultiDict[str, str], extraction: Extraction, rows: int) -> services.ImportCorrections:
    """The review form's fields as corrections, by index into the fresh extraction's lists."""
    clauses = {
        i: services.ClauseFix(form[f"r{i}-text"], form.get(f"r{i}-kind", r.kind), f"r{i}-followup" in form)
        for i, r in enumerate(extraction.resolutions)
        if f"r{i}-text" in form
    }
    actions = {
        i: services.ActionFix(
            form[f"a{i}-text"],
            owner=form.get(f"a{i}-owner"),
            due_text=form.get(f"a{i}-due_text"),
            due_date=_date(form.get(f"a{i}-due_date", ""), f"action {i + 1}'s due date"),
            remove=f"a{i}-remove" in form,
        )
        for i in range(len(extraction.actions))
        if f"a{i}-text" in form
    }
    attendees = {
        i: services.AttendeeFix(
            form.get(f"p{i}-name"),
            form.get(f"p{i}-role"),
            form.get(f"p{i}-organisation"),
            form.get(f"p{i}-capacity", a.capacity),
            remove=f"p{i}-remove" in form,
        )
        for i, a in enumerate(extraction.attendees)
        if f"p{i}-capacity" in form
    }
    added = []
    for j in range(rows):
        fields = [form.get(f"n{j}-{k}", "").strip() for k in ("text", "owner", "due_text", "due_date")]
        if not any(fields):
            continue
        added.append(
            services.NewAction(
                form.get(f"n{j}-text", ""),
                owner=fields[1],
                due_text=fields[2],
                due_date=_date(fields[3], f"added action {j + 1}'s due date"),
                resolution_index=_index(form.get(f"n{j}-clause", ""), len(extraction.resolutions)),
            )
        )
    return services.ImportCorrections(clauses=clauses, actions=actions, added=added, attendees=attendees)


# ---------------------------------------------------------------------------------------------
# pages


def _form_page(
    typed: dict[str, str], *, error: str | None = None, existing: MinuteItem | None = None, status: int = 200
) -> tuple[str, int]:
    return render_template(
        "imports/form.html",
        form=typed,
        committees=services.list_committees(get_session()),
        error=error,
        existing=existing,
        limit_mb=f"{MAX_BYTES / 1024 / 1024:g}",
        accept=",".join(sorted(SUFFIXES)),
    ), status


def _review_page(
    payload: str,
    pending: dict[str, Any],
    extraction: Extraction,
    *,
    typed: MultiDict[str, str] | None = None,
    new_rows: int = 1,
    error: str | None = None,
) -> tuple[str, int]:
    spans = [(*r.span, "resolution") for r in extraction.resolutions]
    spans += [(*a.span, "action") for a in extraction.actions]
    spans += [(*p.span, "attendee") for p in extraction.attendees]
    return render_template(
        "imports/review.html",
        payload=payload,
        pending=pending,
        extraction=extraction,
        source=highlight_kinds(extraction.text, spans),
        typed=typed if typed is not None else MultiDict(),
        retyped=typed is not None,
        new_rows=new_rows,
        new_rows_max=NEW_ROWS_MAX,
        kinds=[k.value for k in ResolutionKind],
        capacities=[c.value for c in Capacity],
        error=error,
    ), (400 if error else 200)


# ---------------------------------------------------------------------------------------------
# batch upload: several files or one ZIP, imported at once, a report per file


@bp.get("/import/batch")
@role_required("staff")
def batch_form() -> str:
    """The batch upload form: several minutes files (with sidecars) or one ZIP archive."""
    return _batch_page({})[0]


@bp.post("/import/batch")
@role_required("staff")
def batch_import() -> Any:
    """Import every uploaded file in its own transaction and show what happened to each.

    Committee and date from the form apply to every file; left empty, each file's sidecar or page
    says. A refused form (no files, an unsafe ZIP, a bad date) keeps what was typed.
    """
    typed = {name: request.form.get(name, "") for name in BATCH_FIELDS}
    try:
        given = _batch_given(typed)
        sources = _batch_sources()
    except _Refused as refused:
        return _batch_page(typed, error=refused.message, status=400)
    session = get_session()
    model = current_app.config.get("SPACY_MODEL")
    summary = batch.Summary()
    results = []
    for result in batch.import_all(session, batch.prepared_in_order(sources, given, jobs=1, model=model)):
        summary.add(result)
        results.append(result)
    current_app.logger.info("batch import by user %s (%s): %s", g.user.id, g.user.email, summary.to_dict())
    return render_template(
        "imports/batch_report.html", results=results, summary=summary.to_dict(), batch=batch
    )


@bp.get("/import/needs-date")
@role_required("staff")
def needs_date() -> str:
    """Minute items imported without a meeting date: what staff still have to date."""
    return render_template("imports/needs_date.html", items=batch.items_needing_date(get_session()))


def _batch_given(typed: dict[str, str]) -> batch.Given:
    """The committee and date for every file; both may be left empty (sidecars or pages say)."""
    if not typed["committee_id"].strip() and not typed["new_committee"].strip():
        when = _form_date(typed["meeting_date"])
        return batch.Given(None, when)
    name, when = _meeting(typed)
    return batch.Given(name, when)


def _form_date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _Refused(
            "The meeting date must be a date written as year-month-day, like 2025-03-31, or left empty."
        ) from None


def _batch_sources() -> list[batch.Source | batch.Refused]:
    """The uploaded files as sources: one ZIP unpacked, or the files with their sidecars."""
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        raise _Refused("Choose the minutes files to import (several at once), or one .zip archive.")
    files: dict[str, bytes] = {}
    for upload in uploads:
        name = os.path.basename(upload.filename.replace("\\", "/")) or "the file"
        if name in files:
            raise _Refused(f"Two files are called “{name}”: rename one, or put them in a .zip.")
        files[name] = upload.stream.read()
    zips = [n for n in files if n.lower().endswith(".zip")]
    if zips and len(files) > 1:
        raise _Refused("Upload one .zip archive on its own, or several minutes files without a .zip.")
    if zips:
        try:
            return batch.unpack_zip(files[zips[0]], zips[0])
        except batch.BatchInputError as err:
            raise _Refused(f"The archive was not imported: {err}. Nothing was saved.") from None
    return batch.sources_from_files(files)


def _batch_page(typed: dict[str, str], *, error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "imports/batch.html",
        form=typed,
        committees=services.list_committees(get_session()),
        error=error,
        accept=BATCH_ACCEPT,
        suffixes=", ".join(sorted(SUFFIXES)),
        limit_mb=f"{(current_app.config.get('MAX_CONTENT_LENGTH') or 0) / 1024 / 1024:g}",
        zip_members=batch.ZIP_MAX_MEMBERS,
    ), status
