"""Dates and deadlines in committee minutes: every day-precise date, and the due phrase of a clause.

* :func:`find_dates` lists each day-precise date (``2nd October, 2018``, ``14/03/2019``, ``May 3,
  2016``, ``21st November`` with the year taken from the meeting) with its span and ISO date.
* :func:`parse_due` finds the deadline of one resolution or action (``the next meeting``, ``within
  two weeks``, ``by December``, ``by 21st November 2016``) with the rule table
  ``patterns/dues.jsonl``, and turns doubt into ``(code, message)`` warnings.

Why it is written this way: the whole extractor must cost less than spaCy's blank tokenizer, so each
function gets tens of microseconds for a 6 KB page. CPython's regex engine jumps to a literal first
character with a tight C loop but tests a character class at every position several times slower,
so matching runs on a one-byte-per-character copy of the text (:func:`_scan_copy`) in which line
breaks, tabs, brackets, quotes and every character outside Latin-1 are spaces, and each scanning
pattern opens with a literal: a space for deadlines, a digit for dates (the date copy writes every
digit as ``0``). The copy has one extra leading space: copy offset ``i + 1`` is text offset ``i``.

Day, month and year come straight from the matched digits (``datetime.date``): dateutil's parser
would cost ~30 µs a call and its fuzzy mode finds dates in version numbers, so dateutil supplies
only ``relativedelta``. This module is the boundary for date errors: ``ValueError`` and
``OverflowError`` from building or shifting a date end here, as a skipped mention or a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from dateutil.relativedelta import relativedelta

from . import rules
from .frozen import frozen
from .records import DateMention

__all__ = ["MONTHS", "DueMatch", "DueRule", "due_rules", "find_dates", "parse_due", "read_date"]

# --- vocabulary -------------------------------------------------------------------------------

_MONTH_NAMES = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
#: month names and abbreviations (lower case) -> month number
MONTHS: dict[str, int] = {name: i for i, names in enumerate(_MONTH_NAMES, 1) for name in names}
_BY_LENGTH = sorted(MONTHS, key=len, reverse=True)  # "sept" before "sep": alternation takes the first fit

#: longest day of each month in any year (29 February is possible without a year)
_MAX_DAY = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: years a committee minute plausibly names; others are typos or not dates
_YEARS = range(1900, 2100)

_NUMBER_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty-four": 24,
    "twenty four": 24,
    "a couple of": 2,
}
#: unit word (singular, lower case) -> (relativedelta keyword, multiplier)
_UNITS: dict[str, tuple[str, int]] = {
    "day": ("days", 1),
    "week": ("weeks", 1),
    "fortnight": ("weeks", 2),
    "month": ("months", 1),
    "quarter": ("months", 3),
    "year": ("years", 1),
}

# --- the scan copy ----------------------------------------------------------------------------

_SEPARATORS = b'\t\n\v\f\r\x1c\x1d\x1e\x85"()[]{}<>:;?|*\xa0\xb7'


def _table(*, lower: bool, extra: bytes = b"", digits: bool = False) -> bytes:
    table = bytearray(range(256))
    if lower:
        table[65:91] = bytes(range(97, 123))
    if digits:
        table[48:58] = b"0" * 10
    for c in _SEPARATORS + extra:
        table[c] = 32
    return bytes(table)


#: for dates every digit is "0", so the date scanner opens with one literal character, which the
#: engine finds with its fast prefix search instead of stopping at every space
_DATE_TABLE = _table(lower=False, extra=b"'", digits=True)
_DUE_TABLE = _table(lower=True)  # keeps "'" for "in six months' time"


def _scan_copy(text: str, table: bytes) -> bytes:
    """``" " + text`` as one byte per character, separators turned into spaces.

    Characters outside Latin-1 (en dashes, curly quotes, bullets) encode as ``?``, which the table
    also turns into a space, so the copy is exactly one byte longer than ``text``.
    """
    return (" " + text).encode("latin-1", "replace").translate(table)


# --- dates ------------------------------------------------------------------------------------

_ORD = rb"(?:st|nd|rd|th|ST|ND|RD|TH)"
#: month names as minutes print them: Title case or capitals, never lower case ("2 may be")
_MONTH_CASED = b"|".join(alt for name in _BY_LENGTH for alt in (name.title().encode(), name.upper().encode()))
_MONTH_LOWER = "|".join(_BY_LENGTH)
#: a misspelt month keeps its first three letters ("Febuary"); with a day and a year it is a date
#: whose ISO date cannot be read
_MONTH_START = b"|".join(
    alt for (name, *_) in _MONTH_NAMES for alt in (name[:3].title().encode(), name[:3].upper().encode())
)

#: finds dates on the digit-blind copy. Every branch starts at a day or year digit after a space (the
#: literal "0" first lets the engine skip ahead to the next digit); the last two are a misspelt
#: month (``31st Febuary 2020``) and the tail of a month-first date (``May 3, 2016``), whose month
#: :data:`_MONTH_BEFORE` checks.
_SCAN_DATE = re.compile(
    # the day's digits are taken possessively (?+, {}+): no branch needs them given back, and a page of
    # figures then costs one quick failure per number instead of a backtracking search
    rb"0(?<= 0)(?:0?+(?:"
    rb"" + _ORD + rb"?(?:\s{1,3}(?:of|OF))?\s{1,3}+(?=[JFMASOND])(?:"
    rb"(?:" + _MONTH_CASED + rb")\b(?:\.?,?\s{1,3}0000(?!0))?"
    rb"|(?P<misspelt>(?:" + _MONTH_START + rb")[a-zA-Z]{1,8},?\s{1,3}0000(?!0)))"
    rb"|/00?/(?:0000|00)(?![0/])"
    rb"|\.00?\.0000(?!0|\.0)"
    rb"|-00?-0000(?!0|-0)"
    rb"|(?P<tail>" + _ORD + rb"?,?\s{1,3}0000(?!0))"
    rb")|000-00-00(?!0))"
)
_MONTH_BEFORE = re.compile(rb" (?:" + _MONTH_CASED + rb")\.?\s{1,3}\Z")

#: reads one date found by _SCAN_DATE or the DATE macro (full match on the original text, any case)
_READ_DATE = re.compile(
    r"(?P<d1>\d\d?)(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<m1>[a-z]+)(?:\.?,?\s+(?P<y1>\d{4}))?"
    r"|(?P<d2>\d\d?)(?P<s2>[/.-])(?P<m2>\d\d?)(?P=s2)(?P<y2>\d{4}|\d\d)"
    r"|(?P<y3>\d{4})-(?P<m3>\d\d?)-(?P<d3>\d\d?)"
    r"|(?P<m4>[a-z]+)\.?\s+(?P<d4>\d\d?)(?:st|nd|rd|th)?,?\s+(?P<y4>\d{4})",
    re.I,
)


def _ymd(m: re.Match[str]) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) from a :data:`_READ_DATE` match; None when the month is unknown."""
    if m["d1"] is not None:
        month = MONTHS.get(m["m1"].lower())
        return (int(m["y1"]) if m["y1"] else None, month, int(m["d1"])) if month else None
    if m["d2"] is not None:
        year = int(m["y2"])
        if len(m["y2"]) == 2:  # a fixed pivot, not "near today", so results do not drift with the clock
            year += 2000 if year < 70 else 1900
        return year, int(m["m2"]), int(m["d2"])
    if m["y3"] is not None:
        return int(m["y3"]), int(m["m3"]), int(m["d3"])
    month = MONTHS.get(m["m4"].lower())
    return (int(m["y4"]), month, int(m["d4"])) if month else None


def _make_date(year: int, month: int, day: int) -> date | None:
    if year not in _YEARS:
        return None
    try:
        return date(year, month, day)
    except ValueError:  # 31/02/2019, month 13: not a date, which callers report or skip
        return None


def _as_date(value: date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _resolve(m: re.Match[str], meeting_date: date | None, after: date | None) -> tuple[date | None, bool]:
    """``(date, readable)`` for a reader match; a year-less date takes the meeting's year.

    ``(None, True)`` is a possible day whose year is unknown. ``after`` moves a year-less date on to
    its first occurrence from that day (a deadline is not in the past).
    """
    ymd = _ymd(m)
    if ymd is None:
        return None, False
    year, month, day = ymd
    if year is not None:
        found = _make_date(year, month, day)
        return found, found is not None
    if meeting_date is None:
        return None, 1 <= month <= 12 and 1 <= day <= _MAX_DAY[month]
    found = _make_date(meeting_date.year, month, day)
    if found is not None and after is not None and found < after:
        found = _make_date(meeting_date.year + 1, month, day)
    return found, found is not None


def read_date(phrase: str, meeting_date: date | None = None) -> tuple[date | None, bool]:
    """Read one date written on its own (``3rd of May 2016``, ``14/3/19``, ``May 3, 2016``).

    Returns ``(date, True)`` when readable, ``(None, True)`` for a possible day without a year
    and no meeting date, ``(None, False)`` when it is no date (``31/02/2019``, ``Febuary 3, 2019``).

    :param meeting_date: supplies the year of a date printed without one.
    """
    m = _READ_DATE.fullmatch(phrase.strip())
    return _resolve(m, _as_date(meeting_date), after=None) if m else (None, False)


def find_dates(text: str, meeting_date: date | None) -> list[DateMention]:
    """Every day-precise date in ``text``, in order, with ``text[start:end] == mention.text``.

    Month-only dates, bare years, ``2017/18``, times, version numbers and impossible dates
    (``31/02/2019``, ``30 February 2019``) are not mentions. A date without a year takes the
    meeting's year; with no meeting date its ISO ``date`` is None, as it is for a day and year
    around a misspelt month (``31st Febuary 2020``): a date was printed, but not a readable one.

    :param text: usually ``fold(text)``; offsets are offsets in it.
    :param meeting_date: the meeting's date, for dates printed without a year.
    """
    meeting_date = _as_date(meeting_date)
    copy = _scan_copy(text, _DATE_TABLE)
    out: list[DateMention] = []
    for m in _SCAN_DATE.finditer(copy):
        start, end = m.start() - 1, m.end() - 1
        if m.start("tail") >= 0:  # "3, 2016": a date only after a month name ("May 3, 2016")
            month = _MONTH_BEFORE.search(copy, max(0, start - 16), start + 1)
            if month is None:
                continue
            start = month.start()
        elif m.start("misspelt") >= 0:  # printed as a date, but which one cannot be read
            out.append(DateMention(text[start:end], None, (start, end)))
            continue
        read = _READ_DATE.fullmatch(text, start, end)
        if read is None:  # a separator the copy blanked sits inside ("3 (May 2016")
            continue
        found, readable = _resolve(read, meeting_date, after=None)
        if readable:
            out.append(DateMention(text[start:end], found.isoformat() if found else None, (start, end)))
    return out


# --- deadlines --------------------------------------------------------------------------------

DUES_FILE = "dues.jsonl"
_RESOLVES = ("none", "offset", "month_end", "year_end", "financial_year_end", "explicit")
_GROUPS = ("due", "n", "unit", "month", "year", "date")

_CODE_MACROS: dict[str, str] = {
    "NUM": r"(?:\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")",
    "UNIT": r"(?:(?:calendar|working|business|clear) )?(?:days?|weeks?|fortnights?|months?|quarters?|years?)",
    "MONTH": f"(?:{_MONTH_LOWER})",
    "MONTHISH": r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*",
    "YEAR": r"\d{4}",
}
# Loose on purpose: a deadline that looks like a date but cannot be read ("by 31st Febuary 2019")
# must still be found, to be reported as unreadable rather than dropped.
_CODE_MACROS["DATE"] = (
    (
        r"(?:\d{1,2}(?:st|nd|rd|th)?(?: of)? (?:{MONTH}\b(?:\.?,? \d{4}\b)?|{MONTHISH},? \d{4}\b)"
        r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"
        r"|\d{4}-\d{1,2}-\d{1,2}\b"
        r"|{MONTH}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}\b)"
    )
    .replace("{MONTH}", _CODE_MACROS["MONTH"])
    .replace("{MONTHISH}", _CODE_MACROS["MONTHISH"])
)

_MACRO_REF = re.compile(r"\{([A-Z_]+)\}")
_LEADS = re.compile(r"\(\?:((?:[a-z' -]+\|)*[a-z' -]+)\)|([a-z'-]+(?: [a-z'-]+)*)")
_GROUP_NAME = re.compile(r"\(\?P(<|=)([a-z_]+)")
_SPACE_IN_CLASS = re.compile(r"\[[^\]]* ")


@dataclass(frozen=True, slots=True)
class DueRule:
    """One row of ``patterns/dues.jsonl``: how a deadline phrase is found and what date it means."""

    id: str
    kind: str
    regex: str
    resolve: str
    n: int | None = None


@frozen
class DueMatch:
    """The deadline phrase of a clause: ``clause[start:end] == text``; ``date`` is ISO or None."""

    text: str
    date: str | None
    start: int
    end: int
    #: id of the dues.jsonl row that matched, for tracing (not part of equality)
    rule: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class _Alt:
    rule: DueRule
    groups: dict[str, str]  # our group name -> its name in the combined pattern


def _read_rows() -> list[dict[str, Any]]:
    return rules.read_rows(DUES_FILE)


def _expand(regex: str, macros: dict[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if m[1] not in macros:
            raise ValueError(f"{where}: unknown macro {{{m[1]}}}")
        return macros[m[1]]

    return _MACRO_REF.sub(sub, regex)


@cache
def due_rules() -> tuple[DueRule, ...]:
    """The rows of ``patterns/dues.jsonl``, macros expanded, in file order (loaded once)."""
    macros = dict(_CODE_MACROS)
    out = []
    for row in _read_rows():
        if "macro" in row:
            macros[row["macro"]] = _expand(row["regex"], macros, f"macro {row['macro']}")
            continue
        where = f"{DUES_FILE} rule {row.get('id')!r}"
        if row.get("resolve") not in _RESOLVES:
            raise ValueError(f"{where}: resolve must be one of {_RESOLVES}")
        regex = _expand(row["regex"], macros, where)
        if _SPACE_IN_CLASS.search(regex):
            raise ValueError(f"{where}: a space inside a character class")
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            raise ValueError(f"{where}: {exc}") from exc
        unknown = set(compiled.groupindex) - set(_GROUPS)
        if unknown:
            raise ValueError(f"{where}: unknown groups {sorted(unknown)}")
        out.append(DueRule(row["id"], row.get("kind", ""), regex, row["resolve"], row.get("n")))
    return tuple(out)


@cache
def _due_scanner() -> tuple[re.Pattern[bytes], dict[str, _Alt]]:
    """All rules as one bytes regex over the lower-cased scan copy, its leads merged into a trie.

    The engine tries the pattern at every space, so what follows the space must fail fast: the lead
    words of all rules form a trie (``b(?:y…|efore…)|t(?:o…)|…``), and a space followed by a letter
    no lead starts with costs one comparison per first letter. Each rule's rest hangs under its lead
    and ends in an empty group ``_<rule>_<lead>`` that ``match.lastgroup`` reports.
    """
    trie: dict[str, Any] = {}
    alts: dict[str, _Alt] = {}
    for i, rule in enumerate(due_rules()):
        m = _LEADS.match(rule.regex)
        if m is None:
            raise ValueError(f"{DUES_FILE} rule {rule.id!r}: pattern must start with literal lead words")
        for k, lead in enumerate(m[1].split("|") if m[1] else [m[2]]):
            tag = f"_{i}_{k}"
            groups: dict[str, str] = {}

            def rename(g: re.Match[str], tag: str = tag, groups: dict[str, str] = groups) -> str:
                groups[g[2]] = f"{tag}_{g[2]}"
                return f"(?P{g[1]}{tag}_{g[2]}"

            node = trie
            for ch in lead:
                node = node.setdefault(ch, {})
            rest = _GROUP_NAME.sub(rename, rule.regex[m.end() :]).replace(" ", _SPACES)
            node.setdefault("", []).append(f"{rest}(?P<{tag}>)")
            alts[tag] = _Alt(rule, groups)
    # the one literal space in front is the scan's anchor
    return re.compile(f" {_trie_regex(trie)}".encode("ascii")), alts


_SPACES = "(?: +)"  # a space in a rule stands for a run of spaces


#: English words by first letter, most frequent first: the engine checks a space's next letter
#: against the leads' first letters in order, so frequent ones go first
_INITIALS = "taoiswcbphfmdrelngu"


def _trie_regex(node: dict[str, Any]) -> str:
    """Regex for a trie of leads: longer leads first, then the rests of the leads ending here."""
    order = sorted((ch for ch in node if ch), key=lambda ch: _INITIALS.find(ch) % 100)
    parts = [(_SPACES if ch == " " else re.escape(ch)) + _trie_regex(node[ch]) for ch in order]
    if "" in node:
        rests = node[""]
        if all(r.startswith(_SPACES) for r in rests):  # then each rest opens with a literal: fast to skip
            parts.append(r"\b" + _SPACES + "(?:" + "|".join(r.removeprefix(_SPACES) for r in rests) + ")")
        else:
            parts.append(r"\b(?:" + "|".join(rests) + ")")
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _number(word: str) -> int:
    word = " ".join(word.split())
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _unit(words: str) -> tuple[str, int, bool]:
    """(relativedelta keyword, multiplier, working days?) for ``months``, ``fortnight``, ``working days``."""
    parts = words.split()
    keyword, times = _UNITS[parts[-1].removesuffix("s")]
    return keyword, times, parts[0] in ("working", "business")


def _add_working_days(start: date, n: int) -> date:
    weeks, rest = divmod(n, 5)
    day = start + timedelta(weeks=weeks)
    while rest:  # at most four steps, each skipping a weekend
        day += timedelta(days=1)
        if day.weekday() < 5:
            rest -= 1
    return day


def _month_end(year: int, month: int) -> date:
    return date(year, month, 1) + relativedelta(months=1, days=-1)


#: group name -> matched text: lower-cased copy text, except ``date`` (the clause's own text)
_Groups = dict[str, str]
_Result = tuple[date | None, str | None]  # (date, warning code)
_UNREADABLE = "W_DUE_UNREADABLE"
_NEEDS_DATE = "W_DUE_NEEDS_MEETING_DATE"


def _by_offset(rule: DueRule, g: _Groups, meeting: date | None) -> _Result:
    if meeting is None:
        return None, _NEEDS_DATE
    n = _number(g["n"]) if "n" in g else (rule.n or 1)
    keyword, times, working = _unit(g["unit"])
    if working:
        return _add_working_days(meeting, n), None
    return meeting + relativedelta(**{keyword: n * times}), None


def _by_month_end(rule: DueRule, g: _Groups, meeting: date | None) -> _Result:
    if "month" not in g:  # "by the end of the month": the meeting's month
        return (None, _NEEDS_DATE) if meeting is None else (_month_end(meeting.year, meeting.month), None)
    month = MONTHS.get(g["month"])
    if month is None:  # "by Febuary 2019"
        return None, _UNREADABLE
    if "year" in g:
        year = int(g["year"])
        return (_month_end(year, month), None) if year in _YEARS else (None, _UNREADABLE)
    if meeting is None:
        return None, _NEEDS_DATE
    return _month_end(meeting.year + (month < meeting.month), month), None


def _by_year_end(rule: DueRule, g: _Groups, meeting: date | None) -> _Result:
    if "year" in g:
        year = int(g["year"])
        return (date(year, 12, 31), None) if year in _YEARS else (None, _UNREADABLE)
    return (None, _NEEDS_DATE) if meeting is None else (date(meeting.year, 12, 31), None)


def _by_financial_year_end(rule: DueRule, g: _Groups, meeting: date | None) -> _Result:
    if meeting is None:
        return None, _NEEDS_DATE
    return date(meeting.year + (meeting.month > 3), 3, 31), None


def _by_explicit(rule: DueRule, g: _Groups, meeting: date | None) -> _Result:
    m = _READ_DATE.fullmatch(g["date"])
    if m is None:
        return None, _UNREADABLE
    found, readable = _resolve(m, meeting, after=meeting)
    if not readable:
        return None, _UNREADABLE
    return (None, _NEEDS_DATE) if found is None else (found, None)


def _no_date(rule: DueRule, g: _Groups, meeting: date | None) -> _Result:
    return None, None


_RESOLVERS: dict[str, Callable[[DueRule, _Groups, date | None], _Result]] = {
    "none": _no_date,
    "offset": _by_offset,
    "month_end": _by_month_end,
    "year_end": _by_year_end,
    "financial_year_end": _by_financial_year_end,
    "explicit": _by_explicit,
}
_MESSAGES = {
    _UNREADABLE: "cannot read the date of deadline {text!r}",
    _NEEDS_DATE: "deadline {text!r} counts from the meeting, whose date is unknown",
}


def parse_due(clause: str, meeting_date: date | None) -> tuple[DueMatch | None, list[tuple[str, str]]]:
    """The first deadline phrase in one resolution or action text, and any doubts about it.

    Returns ``(None, [])`` when the clause names no deadline. Otherwise the match's ``date`` is the
    ISO date it resolves to, or None for phrases that name no date (``the next meeting``, ``when
    available``) and for doubtful ones, which also add ``("W_DUE_UNREADABLE", ...)`` (``by 31st
    Febuary 2019``) or ``("W_DUE_NEEDS_MEETING_DATE", ...)`` (``within two weeks`` with no meeting date).

    :param clause: one resolution or action text; offsets are offsets in it.
    :param meeting_date: the meeting's date, which relative deadlines count from.
    """
    scanner, alts = _due_scanner()
    copy = _scan_copy(clause, _DUE_TABLE)
    m = scanner.search(copy)
    if m is None:
        return None, []
    alt = alts[m.lastgroup or ""]
    groups: _Groups = {}
    start, end = m.start(), m.end() - 1  # the match opens with the space before the phrase
    for name, full in alt.groups.items():
        s, e = m.span(full)
        if s < 0:
            continue
        if name == "due":
            start, end = s - 1, e - 1
        groups[name] = clause[s - 1 : e - 1] if name == "date" else copy[s:e].decode("latin-1")
    text = clause[start:end]
    meeting = _as_date(meeting_date)
    try:
        found, code = _RESOLVERS[alt.rule.resolve](alt.rule, groups, meeting)
    except (ValueError, OverflowError):  # relativedelta pushed a date past year 9999
        found, code = None, _UNREADABLE
    if found is not None and found.year not in _YEARS:  # "within 500 years"
        found, code = None, _UNREADABLE
    notes = [(code, _MESSAGES[code].format(text=text))] if code else []
    return DueMatch(text, found.isoformat() if found else None, start, end, alt.rule.id), notes
