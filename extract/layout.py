"""Page layout: title, report line, meeting line, numbered minute items and section headings.

Works on the folded text and its lines (:mod:`extract.text`); returns offsets, never copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import rules
from .frozen import frozen
from .text import Line, rx

_TITLE_LABELS = re.compile(
    r"^(?:agenda\s+item(?:\s+\d+[a-z]?)?|issue\s*[-–]\s*meetings|decision\s+details|item|"
    r"printed\s+minutes|draft\s+minutes|public\s+minutes|meeting\s+details|details|decision\s+notice)\s*:?$",
    re.I,
)
_REPORT = re.compile(
    r"^(?P<kind>(?:Joint\s+)?(?:Report|Briefing\s+Note|Briefing\s+Paper|Briefing|Presentation|Note|Verbal\s+Report|"
    r"Verbal\s+Update|Update\s+Report|Covering\s+Report|Report\s+and\s+Presentation|Memorandum))"
    r"\s+(?:of|by|from)\s+(?:the\s+)?(?P<author>.{3,160}?)\s*\.?$"
)
_REPORT_IN_TEXT = re.compile(
    r"\bconsidered\s+(?:a|the)\s+(?:joint\s+)?(?P<kind>report|briefing\s+note|briefing\s+paper)\s+(?:of|by|from)\s+the\s+"
    r"(?P<author>[A-Z][\w'&-]*(?:\s+(?:[A-Z][\w'&-]*|of|for|and|&|\([A-Za-z ,&'-]{1,40}\)))*)"
)
_MEETING_LINE = re.compile(
    r"^Meeting\s*:?\s*(?P<date>\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+,?\s+\d{4})\s*[-–]\s*"
    r"(?P<committee>.+?)(?:\s*\((?:Item|item)\s+(?P<item>[\w.]+)\))?\s*$"
)
_HEADING_DATE = re.compile(
    r"^(?P<committee>[A-Z][^\n]{2,120}?)\s*(?:[-–,]\s*|\s+)(?:(?:held\s+on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday),?\s+)?(?P<date>\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Z][a-z]+,?\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})"
    r"\s*$"
)
_HELD_ON = re.compile(
    r"\b(?:meeting\s+of\s+(?:the\s+)?(?P<committee>[A-Z][\w&'-]*(?:\s+(?:[A-Z][\w&'-]*|and|of|&))*)\s+)?held\s+(?:on\s+)?"
    r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
    r"(?P<date>\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Z][a-z]+,?\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})"
)
#: a numbered minute heading on a whole-meeting page: "112  DECLARATIONS OF INTEREST" / "Item 4: Budget"
_ITEM_HEADING = re.compile(
    r"^(?:(?:Minute|MINUTE|Item|ITEM)\s+(?:No\.?\s*)?(?P<num1>\d{1,4}(?:[./]\d{1,4})?[a-z]?)\s*[:.–-]?\s+(?P<title1>\S.{2,200})"
    r"|(?P<num2>\d{1,4}(?:/\d{2,4})?|[A-Z]{1,4}\s?\d{1,4}(?:/\d{2,4})?|[A-Z]\.\d{1,3})\.?\s+(?:\(\d+\)\s+)?"
    r"(?P<title2>[A-Z][A-Z0-9 ,'&()/:;–-]{3,}.*))$"
)
_CAPS_RATIO_WINDOW = 40


@frozen
class Item:
    """One numbered minute of a whole-meeting page (or the whole page when it holds one item)."""

    number: str | None
    title: str | None
    start: int
    end: int


@dataclass(slots=True)
class Layout:
    title: tuple[int, int] | None = None
    report: tuple[str, str | None, int, int] | None = None
    meeting: dict | None = None
    items: list[Item] = field(default_factory=list)
    #: line index -> section label for heading lines (END, MINUTES, ACTION, NOISE, ITEM)
    headings: dict[int, str] = field(default_factory=dict)
    #: indices of the lines with text (most of a page's lines are blank): loops over lines use it
    nonblank: list[int] = field(default_factory=list)


def _mostly_caps(s: str) -> bool:
    letters = [c for c in s[:_CAPS_RATIO_WINDOW] if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def heading_label(line: Line) -> str | None:
    """The section label of a heading line (END, MINUTES, ACTION, NOISE), or None."""
    pat, by_group = rules.alternation("sections.jsonl")
    m = pat.match(line.text)
    if not m:
        return None
    label = by_group[m.lastgroup or ""].label
    if label in ("END", "MINUTES"):
        rest = line.text[m.end() :].strip()
        # "Reasons for the decision: ..." may carry text on the same line; a heading still
        if (
            label == "END"
            and len(line.text) > 90
            and not line.text.rstrip().endswith(":")
            and rest[:1].islower()
        ):
            return None
    return label


def item_heading(line: Line) -> tuple[str, str] | None:
    """``(number, title)`` when the line heads a numbered minute on a whole-meeting page."""
    m = _ITEM_HEADING.match(line.text)
    if not m:
        return None
    if m.group("num1"):
        return m.group("num1"), m.group("title1").strip()
    title = m.group("title2").strip()
    if not _mostly_caps(title):
        return None
    return m.group("num2"), title


def read_layout(folded: str, lines: list[Line], nonblank: list[int] | None = None) -> Layout:
    """Find the page's title, report line, meeting line, minute items and section headings.

    ``nonblank`` holds the indices of the lines with text, when the caller has them (``split_lines``).
    """
    lay = Layout()
    nonblank_idx = [i for i, ln in enumerate(lines) if ln[2]] if nonblank is None else nonblank
    lay.nonblank = nonblank_idx
    nonblank_lines = [lines[i] for i in nonblank_idx]
    # headings: the bare pattern tests run on every line, the full readers only where they match
    item_heads: list[tuple[int, str, str]] = []
    heading_match = rules.alternation("sections.jsonl")[0].match
    # an ASCII line can head a section only if it starts with one of the rules' first words: one
    # C-level startswith instead of the case-insensitive alternation (~1 µs a line)
    starts = rules.line_starts("sections.jsonl")
    width = max(map(len, starts)) if starts else 0
    item_match = _ITEM_HEADING.match
    numbered: list[int] = []  # lines starting with a digit, no section heading (_numbered_headings)
    for idx, ln in zip(nonblank_idx, nonblank_lines, strict=True):
        text = ln[2]
        if (
            starts is None or not text.isascii() or text[:width].lower().startswith(starts)
        ) and heading_match(text):
            label = heading_label(ln)
            if label:
                lay.headings[idx] = label
                continue
        if text[0].isdigit():
            numbered.append(idx)
        if item_match(text):
            ih = item_heading(ln)
            if ih:
                item_heads.append((idx, ih[0], ih[1]))
    if len(item_heads) < 2:
        item_heads = _numbered_headings(lines, numbered) or item_heads
    if len(item_heads) >= 2 or any(lines[i].text[:4].lower() in ("item", "minu") for i, _, _ in item_heads):
        for n, (idx, num, title) in enumerate(item_heads):
            lay.headings[idx] = "ITEM"
            start = lines[idx].start
            end = lines[item_heads[n + 1][0]].start if n + 1 < len(item_heads) else len(folded)
            lay.items.append(Item(num, title, start, end))
        if lay.items and lay.items[0].start > 0:
            lay.items.insert(0, Item(None, None, 0, lay.items[0].start))
    else:
        lay.items.append(Item(None, None, 0, len(folded)))

    _read_title(lay, folded, nonblank_lines)
    _read_report(lay, folded, nonblank_lines)
    _read_meeting(lay, folded, nonblank_lines)
    return lay


_NUMBERED_HEADING = re.compile(r"^(?P<num>\d{1,3})\.?\s+(?P<title>[A-Z][^.;:]{2,70})$")
_NOT_HEADING = re.compile(r"^(?:That|that)\b|\b(?:be|is|are|was|were|has|have|had)\b")


def _numbered_headings(lines: list[Line], numbered: list[int]) -> list[tuple[int, str, str]]:
    """``1. Notes of the last meeting`` … ``4. Date of next meeting``: short numbered lines, counting
    up from 1 with nothing skipped, each followed by a blank line, none reading like a resolution.

    ``numbered`` holds the indices, in order, of the lines that start with a digit and are no
    section heading: the only lines that can be one of these."""
    found: list[tuple[int, str, str]] = []
    for idx in numbered:
        ln = lines[idx]
        m = _NUMBERED_HEADING.match(ln.text)
        if not m or _NOT_HEADING.search(m.group("title")):
            continue
        if idx + 1 < len(lines) and lines[idx + 1].text:
            continue
        num = int(m.group("num"))
        if (found and num == int(found[-1][1]) + 1) or (not found and num == 1):
            found.append((idx, m.group("num"), m.group("title").strip()))
    return found if len(found) >= 2 else []


#: "Agenda item 41" with its number: the agenda item's own title is the line after it
_ITEM_LABEL = re.compile(r"^agenda\s+item\s+\d+[a-z]?\s*:?$", re.I)
#: "Item 9 – Delayed Discharge …": the number in front is not part of the title
_ITEM_PREFIX = re.compile(r"^(?:Agenda\s+)?(?:Item|ITEM)\s+\d{1,4}[a-z]?\s*[–:.-]\s+(?=\S)")


def _read_title(lay: Layout, folded: str, nonblank: list[Line]) -> None:
    first = 0
    head_end = nonblank[min(7, len(nonblank) - 1)].end if nonblank else 0
    # two C searches of the page's head ("Agenda", "agenda", "AGENDA") before a loop over its first lines
    if folded.find("genda", 0, head_end) != -1 or folded.find("GENDA", 0, head_end) != -1:
        for n, ln in enumerate(nonblank[1:8], 1):
            if ln.text[:1] in "Aa" and _ITEM_LABEL.match(ln.text):
                first = n + 1  # "Westmoor Combined Authority … Agenda item 41 / Adult Skills Fund: …"
                break
    for n, ln in enumerate(nonblank[:6] if not first else nonblank[first : first + 1], first):
        if _TITLE_LABELS.match(ln.text):
            continue
        if _MEETING_LINE.match(ln.text) or _REPORT.match(ln.text) or len(ln.text) > 250:
            continue
        if ln.text.endswith(":") and n + 1 < len(nonblank):
            continue
        end = ln.end
        nxt = nonblank[n + 1] if n + 1 < len(nonblank) else None
        # a title broken over two lines: the next line follows at once and is a short fragment
        if (
            nxt is not None
            and nxt.start == ln.end + 1
            and len(nxt.text) < 60
            and not _REPORT.match(nxt.text)
            and not _MEETING_LINE.match(nxt.text)
            and not ln.text.endswith((".", ":"))
        ):
            end = nxt.end
        prefix = _ITEM_PREFIX.match(ln.text) if ln.text[:1] in "AIi" else None
        lay.title = (ln.start + (prefix.end() if prefix else 0), end)
        return


def _read_report(lay: Layout, folded: str, nonblank: list[Line]) -> None:
    for ln in nonblank[:8]:
        m = _REPORT.match(ln.text)
        if m:
            author = m.group("author").strip().rstrip(".")
            lay.report = (m.group("kind"), author or None, ln.start, ln.end)
            return
    head_end = min(len(folded), 4000)
    # the pattern opens with \b, which leaves the engine no literal to skip to: ~55 µs a page alone
    if len(lay.items) == 1 and folded.find("considered", 0, head_end) != -1:
        m = _REPORT_IN_TEXT.search(folded, 0, head_end)
        if m:
            kind = m.group("kind")
            author = rx.sub(r"\s+", " ", m.group("author")).strip()
            author = rx.sub(r"\s+(?:on|and|which|that)$", "", author)
            lay.report = (kind[:1].upper() + kind[1:], author, m.start(), m.end())


def _read_meeting(lay: Layout, folded: str, nonblank: list[Line]) -> None:
    for ln in nonblank[:10]:
        # cheap literal tests first: the patterns below try every split of a long line
        m = _MEETING_LINE.match(ln.text) if ln.text.startswith("Meeting") else None
        if m:
            lay.meeting = {
                "committee": m.group("committee").strip(),
                "date_text": m.group("date"),
                "item": m.group("item"),
                "span": (ln.start, ln.end),
            }
            return
    for ln in nonblank[:3]:
        m = _HEADING_DATE.match(ln.text) if ln.text[-4:].isdigit() else None  # it ends with a year
        if m and not _REPORT.match(ln.text):
            committee = m.group("committee").strip().rstrip("-–, ")
            committee = rx.sub(
                r"^(?:Minutes\s+of\s+(?:the\s+)?(?:meeting\s+of\s+(?:the\s+)?)?)", "", committee, flags=re.I
            )
            lay.meeting = {
                "committee": committee or None,
                "date_text": m.group("date"),
                "item": None,
                "span": (ln.start, ln.end),
            }
            return
    m = _HELD_ON.search(folded, 0, min(len(folded), 1500)) if folded.find("held", 0, 1500) != -1 else None
    if m:
        lay.meeting = {
            "committee": m.group("committee"),
            "date_text": m.group("date"),
            "item": None,
            "span": (m.start(), m.end()),
        }
