"""Markdown to safe HTML, in one place: the only route by which user-written text becomes markup.

Python-Markdown passes raw HTML through and does not sanitise, so its output goes through nh3 with
an allow-list of tags and attributes before it is marked safe. Templates use the ``markdown`` filter
(``{{ update.note|markdown }}``) and never ``|safe`` on user text.

The highlight helpers split a source text into plain and marked pieces, so templates can wrap the
marked ones in ``<mark>`` while Jinja escapes every piece.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

import markdown
import nh3
from flask import Flask
from markupsafe import Markup

#: tags a note may use after rendering; anything else is removed (its text kept, unless a script/style)
ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def markdown_to_html(text: str | None) -> Markup:
    """Render Markdown, then keep only :data:`ALLOWED_TAGS` and attributes (nh3); safe to output."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)


class Piece(NamedTuple):
    """A run of source text, marked or not; ``kinds`` says what marked it (see :func:`highlight_kinds`)."""

    text: str
    marked: bool
    kinds: tuple[str, ...] = ()


def highlight(text: str, spans: list[tuple[int, int]]) -> list[Piece]:
    """Split ``text`` into pieces, marking the character ranges in ``spans`` (overlaps merged)."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, at = [], 0
    for start, end in merged:
        if start > at:
            pieces.append(Piece(text[at:start], False))
        pieces.append(Piece(text[start:end], True))
        at = end
    if at < len(text):
        pieces.append(Piece(text[at:], False))
    return pieces


def highlight_kinds(text: str, spans: Iterable[tuple[int, int, str]]) -> list[Piece]:
    """Split ``text`` at every span's ends; each piece a span covers is marked with its spans' kinds.

    ``spans`` are ``(start, end, kind)``, e.g. ``(120, 171, "action")``; overlapping spans of
    different kinds give pieces marked with both, in the order the kinds first appear.
    """
    kept = [(max(0, s), min(len(text), e), k) for s, e, k in spans if e > s]
    order = list(dict.fromkeys(k for _, _, k in kept))
    cuts = sorted({0, len(text), *(s for s, _, _ in kept), *(e for _, e, _ in kept)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start >= end:
            continue
        found = {k for s, e, k in kept if s <= start and end <= e}
        kinds = tuple(k for k in order if k in found)
        pieces.append(Piece(text[start:end], bool(kinds), kinds))
    return pieces


def in_context(text: str, start: int, end: int, margin: int = 400) -> list[Piece]:
    """The span ``start:end`` marked, with up to ``margin`` characters either side (cut at a space)."""
    return _framed(text, [(start, end)], start, end, margin)


def words_in_context(text: str, words: str, margin: int = 120) -> list[Piece]:
    """``text`` (white space flattened) around the first place it holds ``words``, every match marked.

    Matching ignores case. With no match (the words were in a label, say), the start of the text.
    The pieces are plain text for the template to escape, so marking can never inject markup.
    """
    flat = " ".join(text.split())
    spans = [m.span() for m in re.finditer(re.escape(words), flat, re.IGNORECASE)] if words else []
    if not spans:
        return _framed(flat, [], 0, 0, 2 * margin)
    return _framed(flat, spans, *spans[0], margin)


def _framed(text: str, spans: list[tuple[int, int]], start: int, end: int, margin: int) -> list[Piece]:
    """``spans`` marked in the window of up to ``margin`` characters around ``start:end``."""
    lo, hi = max(0, start - margin), min(len(text), end + margin)
    if lo > 0 and not text[lo - 1].isspace():
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text) and not text[hi].isspace():
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    pieces = highlight(text[lo:hi], [(s - lo, e - lo) for s, e in spans if s >= lo and e <= hi])
    if lo > 0:
        pieces.insert(0, Piece("… ", False))
    if hi < len(text):
        pieces.append(Piece(" …", False))
    return pieces


def init_app(app: Flask) -> None:
    """Register the Jinja filters: ``markdown``, ``day``, ``moment`` and ``words``."""
    app.add_template_filter(markdown_to_html, "markdown")
    app.add_template_filter(day, "day")
    app.add_template_filter(moment, "moment")
    app.add_template_filter(words, "words")


def day(value: date | None) -> str:
    """A date as people write it: ``12 April 2017`` (``not known`` for None)."""
    if not value:
        return "not known"
    if type(value) is not date:  # a datetime, or a date subclass: not cached
        return f"{value.day} {value:%B %Y}"
    return _day_words(value)


@functools.lru_cache(maxsize=4096)
def _day_words(value: date) -> str:
    """:func:`day`'s words for one date, kept: a list page writes about 90 dates (``strftime`` each time
    was a tenth of its rendering)."""
    return f"{value.day} {value:%B %Y}"


def moment(value: datetime | None) -> str:
    """A UTC time as ``12 April 2017, 14:05 UTC``."""
    return f"{day(value.date())}, {value:%H:%M} UTC" if value else ""


def words(value: enum.Enum | str | None) -> str:
    """An enum value as words: ``in_progress`` → ``in progress``."""
    if value is None:
        return ""
    raw = value.value if isinstance(value, enum.Enum) else value
    return str(raw).replace("_", " ")
