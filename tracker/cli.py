"""The ``tracker`` console script: ``tracker extract`` prints what the extractor reads, no database.

Later issues turn :func:`main` into the web app's command group; ``extract`` stays a plain debugging
tool for the patterns: files in, extraction out (text for a person, JSON for a program).
"""

from __future__ import annotations

import dataclasses
import json
import os
import textwrap
from collections.abc import Iterator, Sequence
from datetime import date, datetime

import click

from extract import extract_many
from extract.errors import ExtractionError
from extract.records import Attendee, Due, Extraction
from extract.sources import SourceText, iter_sources, read_source

FORMATS = ("text", "json", "jsonl")
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: how much of a resolution's or action's text the ``text`` format shows
SHORT_TEXT = 240
_WIDTH = 100


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="minutes-tracker", prog_name="tracker")
def main() -> None:
    """Read UK committee minutes and track what they resolve and who must act.

    \b
    Examples:
      tracker extract seeds/
      tracker extract minutes.html --format json
      tracker extract minutes/ --format jsonl --meeting-date 2019-03-14
    """


@main.command("extract")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text: a summary to read; json: one pretty object (a list for several inputs); "
    "jsonl: one compact object per input, one per line.",
)
@click.option(
    "--meeting-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The meeting's date, for deadlines such as 'the next meeting'. Applies to every input.",
)
@click.pass_context
def extract_command(
    ctx: click.Context, paths: tuple[str, ...], fmt: str, meeting_date: datetime | None
) -> None:
    """Print what the extractor finds in minutes files. Needs no database.

    Each PATH is a .txt file (UTF-8; Windows-1252 is accepted with a warning), an .html or .htm page
    saved from a council's website (the text of its main content is read, and the output then
    carries that text), or a directory, walked recursively for such files in sorted order.

    Output follows the input order. JSON output is the minutes-extract/1 schema: one object when a
    single file is named, otherwise a list.

    An input that cannot be read (missing, empty, binary, undecodable, over 5 MB) gets one line on
    stderr naming it and the reason; the other inputs are still printed, and the exit status is 2.
    """
    if any(not p for p in paths):
        raise click.BadParameter("a PATH is empty", param_hint="PATH")
    when = meeting_date.date() if meeting_date else None
    entries = list(_read_all(paths))
    results = _extract_all([e for e in entries if isinstance(e, SourceText)], when)
    single = len(paths) == 1 and not os.path.isdir(paths[0])

    failed = 0
    objects: list[dict] = []
    first_text = True
    for entry in entries:
        outcome: Extraction | ExtractionError | str = (
            next(results) if isinstance(entry, SourceText) else entry
        )
        if isinstance(outcome, Extraction):
            if fmt == "text":
                if not first_text:
                    click.echo()
                click.echo(format_text(outcome))
                first_text = False
            elif fmt == "jsonl":
                click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False, separators=(",", ":")))
            else:
                objects.append(outcome.to_dict())
            continue
        failed += 1
        click.echo(f"tracker extract: {_failure(entry, outcome)}", err=True)
    if fmt == "json" and (objects or not single):
        click.echo(json.dumps(objects[0] if single else objects, ensure_ascii=False, indent=2))
    if failed:
        ctx.exit(2)


def _failure(entry: SourceText | ExtractionError | str, outcome: ExtractionError | str) -> str:
    """``PATH: reason [CODE]`` for one stderr line."""
    if isinstance(outcome, str):
        return outcome  # already "PATH: reason"
    name = entry.name if isinstance(entry, SourceText) else outcome.source
    return f"{name}: {_one_line(outcome.message)} [{outcome.code}]"


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _read_all(paths: Sequence[str]) -> Iterator[SourceText | ExtractionError | str]:
    """Read every input in order; a failure stays in its place as the error (or an OS error's text)."""
    for item in iter_sources(paths):
        if isinstance(item, ExtractionError):
            yield item
            continue
        try:
            yield read_source(item)
        except ExtractionError as err:
            yield err
        except OSError as err:
            yield f"{item}: cannot read ({err.strerror or err})"


def _extract_all(
    sources: list[SourceText], meeting_date: date | None
) -> Iterator[Extraction | ExtractionError]:
    """One pipeline for all inputs, in order; a text the extractor refuses yields its error in place.

    ``extract_many`` is a generator, so an error ends it: start it again after the text that failed.
    """
    start = 0
    while start < len(sources):
        batch = sources[start:]
        items = ((s.text, {"source_name": s.name, "meeting_date": meeting_date}) for s in batch)
        try:
            for src, ex in zip(batch, extract_many(items, as_tuples=True), strict=False):
                start += 1
                if src.derived or src.warnings:
                    ex = dataclasses.replace(
                        ex, derived_text=src.derived, warnings=src.warnings + ex.warnings
                    )
                yield ex
        except ExtractionError as err:
            start += 1
            yield err


# ---------------------------------------------------------------------------------------------
# text format


def format_text(ex: Extraction) -> str:
    """A plain, aligned summary of one extraction for a person to read."""
    lines = [ex.source_name or "(text)", "=" * min(len(ex.source_name or "(text)"), _WIDTH)]
    facts = [
        ("Title", ex.title or "-"),
        ("Report", _report(ex)),
        ("Meeting", _meeting(ex)),
        ("Meeting date", ex.meeting_date or "-"),
        ("Text", f"{len(ex.text):,} characters" + (", read from HTML" if ex.derived_text else "")),
        ("SHA-256", ex.sha256),
    ]
    lines += _aligned(facts)
    lines += _section("Attendees", [_attendee_row(a) for a in ex.attendees])
    lines += _resolutions(ex)
    lines += _actions(ex)
    lines += _section("Amounts", [[a.text, f"{a.value:,} {a.currency}"] for a in ex.amounts])
    lines += _section("Dates", [[d.text, d.date or "(no date)"] for d in ex.dates])
    lines += _section("References", [[r.text] for r in ex.references])
    lines += _section("Warnings", [[w.code, w.message, _span(w.span)] for w in ex.warnings])
    return "\n".join(lines)


def _aligned(pairs: list[tuple[str, str]]) -> list[str]:
    width = max(len(k) for k, _ in pairs) + 2
    return [f"{k:<{width}}{v}" for k, v in pairs]


def _report(ex: Extraction) -> str:
    if ex.report is None:
        return "-"
    return f"{ex.report.kind} of {ex.report.author}" if ex.report.author else ex.report.kind


def _meeting(ex: Extraction) -> str:
    m = ex.meeting
    if m is None:
        return "-"
    parts = [m.committee, m.date, f"item {m.item}" if m.item else None]
    return ", ".join(p for p in parts if p) or "-"


def _span(span: tuple[int, int] | None) -> str:
    return f"at {span[0]}-{span[1]}" if span else ""


def _due(due: Due | None) -> str:
    if due is None:
        return "-"
    return f"{due.text} ({due.date})" if due.date else due.text


def _shorten(text: str) -> str:
    return textwrap.shorten(" ".join(text.split()), width=SHORT_TEXT, placeholder=" …")


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Left-align columns; the last column is never padded (it may be long)."""
    widths = [max(len(r[i]) for r in rows) for i in range(max(len(r) for r in rows))]
    out = []
    for row in rows:
        cells = [c.ljust(widths[i]) if i < len(row) - 1 else c for i, c in enumerate(row)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _section(title: str, rows: list[list[str]]) -> list[str]:
    if not rows:
        return ["", f"{title}: none"]
    return ["", f"{title} ({len(rows)})", *_table(rows)]


def _attendee_row(a: Attendee) -> list[str]:
    name = " ".join(p for p in (a.honorific, a.name) if p) or "(unnamed)"
    about = ", ".join(p for p in (a.role, a.organisation) if p) or "-"
    return [name, about, a.capacity]


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(_shorten(text), width=_WIDTH, initial_indent=indent, subsequent_indent=indent)


def _resolutions(ex: Extraction) -> list[str]:
    if not ex.resolutions:
        return ["", "Resolutions: none"]
    heads = _table(
        [
            [
                r.label or "-",
                r.kind,
                "follow-up" if r.needs_followup else "no follow-up",
                f"owner: {r.owner or '-'}",
                f"due: {_due(r.due)}" + (f"   item {r.item}" if r.item else ""),
            ]
            for r in ex.resolutions
        ]
    )
    out = ["", f"Resolutions ({len(ex.resolutions)})"]
    for head, r in zip(heads, ex.resolutions, strict=True):
        out += [head, *_wrapped(r.text, "      ")]
    return out


def _actions(ex: Extraction) -> list[str]:
    if not ex.actions:
        return ["", "Actions: none"]
    heads = _table(
        [
            [
                f"{i}.",
                f"owner: {a.owner or '-'}",
                f"due: {_due(a.due)}",
                f"from: {a.origin}" + (f" {a.resolution}" if a.resolution else ""),
            ]
            for i, a in enumerate(ex.actions, 1)
        ]
    )
    out = ["", f"Actions ({len(ex.actions)})"]
    for head, a in zip(heads, ex.actions, strict=True):
        out += [head, *_wrapped(a.text, "      ")]
    return out


if __name__ == "__main__":  # pragma: no cover
    main()
