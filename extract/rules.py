"""Load the rule tables in ``extract/patterns/*.jsonl`` and compile them once.

Each line is ``{"id": ..., "label": ..., "pattern": <regex>}`` (extra keys allowed), so every
match can be traced to the rule that made it. Patterns of one label are joined into a single
alternation with one named group per rule: one scan finds the earliest cue of any rule.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from operator import itemgetter
from typing import Any

import ahocorasick

#: macros usable in patterns as {NAME}: shared sub-expressions kept in one place
MACROS_FILE = "macros.jsonl"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    label: str
    pattern: str
    data: dict[str, Any]


@cache
def _macros() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in read_rows(MACROS_FILE):
        out[row["id"]] = _expand(row["pattern"], out)
    return out


def _expand(pattern: str, macros: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise KeyError(f"unknown macro {{{name}}} in pattern {pattern!r}")
        return macros[name]

    return re.sub(r"\{([A-Z_]{2,})\}", sub, pattern)


def read_rows(name: str) -> list[dict[str, Any]]:
    """The JSON objects of ``extract/patterns/NAME``, one a line; ``//`` lines are comments."""
    text = resources.files("extract.patterns").joinpath(name).read_text(encoding="utf-8")
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:  # a broken rule file is a programming error: say where
            raise ValueError(f"extract/patterns/{name}:{n}: {exc}") from exc
    return rows


@cache
def rules(name: str) -> tuple[Rule, ...]:
    """The rules of one pattern file, macros expanded, in file order."""
    macros = _macros()
    out = []
    for row in read_rows(name):
        data = {k: v for k, v in row.items() if k not in ("id", "label", "pattern")}
        out.append(Rule(row["id"], row.get("label", ""), _expand(row["pattern"], macros), data))
    return tuple(out)


def macro(name: str) -> str:
    """One expanded macro, for code that builds a regex around it."""
    return _macros()[name]


@cache
def compiled(name: str, label: str | None = None, flags: int = 0) -> tuple[tuple[Rule, re.Pattern[str]], ...]:
    """Each rule of ``name`` (optionally of one label) compiled on its own."""
    return tuple(
        (rule, re.compile(rule.pattern, flags))
        for rule in rules(name)
        if label is None or rule.label == label
    )


@cache
def keyed(name: str, flags: int = 0) -> tuple[tuple[int, Rule, re.Pattern[str], tuple[str, ...]], ...]:
    """Each rule compiled with its ``keywords``: lower-case strings one of which must occur in
    the lower-cased text for the rule to match (a ``str in`` test is far cheaper than a regex scan).
    A rule without keywords always runs. ``tests/extract/test_rules.py`` checks the keywords."""
    return tuple(
        (i, rule, re.compile(rule.pattern, flags), tuple(rule.data.get("keywords", ())))
        for i, rule in enumerate(rules(name))
    )


@cache
def _keyword_index(name: str) -> tuple[frozenset[int], tuple[tuple[str, frozenset[int]], ...]]:
    """The rules that always run (no keywords), and each distinct keyword with the rules listing it."""
    # a rule with no keywords, or with an empty one (which every text holds), always runs
    always = frozenset(i for i, rule in enumerate(rules(name)) if "" in (rule.data.get("keywords") or [""]))
    index: dict[str, set[int]] = {}
    for i, rule in enumerate(rules(name)):
        for k in rule.data.get("keywords", ()):
            if k:
                index.setdefault(k, set()).add(i)
    return always, tuple((k, frozenset(v)) for k, v in index.items())


@cache
def _keyword_finder(name: str) -> ahocorasick.Automaton | None:
    """Every keyword of ``name`` in one Aho-Corasick automaton (keyword -> the rules listing it);
    None when the table has no keywords."""
    index = _keyword_index(name)[1]
    if not index:
        return None
    finder = ahocorasick.Automaton()
    for k, idxs in index:
        finder.add_word(k, idxs)
    finder.make_automaton()
    return finder


def _live(name: str, lower: str) -> list[int]:
    """Indices, in file order, of the rules of ``name`` whose keywords occur in ``lower`` (or have none).

    Classifying a page's clauses asks this of the same few tables a dozen times; one pass of the
    tables' automaton over the clause finds every keyword in it, where a ``str in`` test of each
    keyword cost several times as much (and a filter of the keywords present in the page's
    clauses, built once a page, cost more than it saved).
    """
    return _table(name, 0).live(lower)


@dataclass(frozen=True, slots=True)
class _Table:
    """One rule file compiled with one set of flags, with what a search of a clause needs."""

    rules: tuple[Rule, ...]
    patterns: tuple[re.Pattern[str], ...]
    #: each rule's case-sensitive pattern for lower-cased text, or None (see :func:`lowered`)
    fast: tuple[re.Pattern[str] | None, ...]
    #: the rules that always run, and the automaton of the others' keywords (None without keywords)
    always: frozenset[int]
    finder: ahocorasick.Automaton | None

    def live(self, lower: str) -> list[int]:
        """See :func:`_live`."""
        if self.finder is None:
            return sorted(self.always)
        live = set(self.always)
        for _end, idxs in self.finder.iter(lower):
            live.update(idxs)
        return sorted(live)


_TABLES: dict[tuple[str, int], _Table] = {}


def _table(name: str, flags: int) -> _Table:
    """The table of ``name`` compiled with ``flags`` (an int), made once."""
    table = _TABLES.get((name, flags))
    if table is None:
        table = _TABLES[(name, flags)] = _Table(
            rules(name),
            tuple(pattern for _, _, pattern, _ in keyed(name, flags)),
            lowered(name),
            _keyword_index(name)[0],
            _keyword_finder(name),
        )
    return table


#: characters other than ASCII that lower-casing leaves alone and that ``re.I`` equates with no other
_CASELESS = "£€–—‘’“”…•·§°"
_CASE_TRAP = re.compile(f"[^\\x00-\\x7f{_CASELESS}]")


@cache
def lowered(name: str) -> tuple[re.Pattern[str] | None, ...]:
    """Each rule of ``name`` compiled case-sensitively, for searching lower-cased text in place of
    a ``re.I`` search; None for a rule that names an upper-case letter (``[A-Z]``, ``\\S``) or turns
    case-insensitivity off, where the two searches could differ.

    Under ``re.I`` every alternative of a pattern is entered at every position it is tried; the
    case-sensitive engine skips an alternative whose first literal differs, which makes the big
    verb alternations several times cheaper. On text made only of ASCII and ``_CASELESS``
    characters, lower-casing changes nothing but A–Z, so both searches find the same spans.
    """
    out = []
    for rule in rules(name):
        plain = not any(c.isupper() for c in rule.pattern) and "(?-" not in rule.pattern
        out.append(re.compile(rule.pattern) if plain else None)
    return tuple(out)


#: ``re.I`` as a plain int: ``&`` and hashing of a ``re.RegexFlag`` run in Python (``enum``), ~1 µs
#: each, where an int's run in C; callers pass ``re.I`` and the tables are looked up by int
_IGNORECASE = int(re.IGNORECASE)


def _lower_in_place(text: str, flags: int) -> bool:
    """May a ``re.I`` search of ``text`` be made case-sensitively on ``text.lower()``? (``flags`` an int)"""
    # str.isascii() reads a flag CPython keeps on the string: most clauses never need the scan
    return bool(flags & _IGNORECASE) and (text.isascii() or _CASE_TRAP.search(text) is None)


_START_AND_INDEX = itemgetter(0, 1)


@cache
def _joint_finder(names: tuple[str, ...]) -> ahocorasick.Automaton:
    """The keywords of several tables in one automaton: keyword -> ``(table position, rules)`` pairs."""
    joint: dict[str, list[tuple[int, frozenset[int]]]] = {}
    for k, name in enumerate(names):
        for keyword, idxs in _keyword_index(name)[1]:
            joint.setdefault(keyword, []).append((k, idxs))
    finder = ahocorasick.Automaton()
    for keyword, pairs in joint.items():
        finder.add_word(keyword, tuple(pairs))
    finder.make_automaton()
    return finder


def live_in_tables(names: tuple[str, ...], lower: str) -> list[list[int]]:
    """``[_live(name, lower) for name in names]`` from one automaton pass over ``lower``: a clause
    is searched for the keywords of its kinds, owners and follow-up tables at once."""
    live = [set(_keyword_index(name)[0]) for name in names]
    for _end, pairs in _joint_finder(names).iter(lower):
        for k, idxs in pairs:
            live[k].update(idxs)
    return [sorted(found) for found in live]


def first_matches(
    name: str, text: str, lower: str, flags: int = 0, live: list[int] | None = None
) -> list[tuple[int, int, Rule, re.Match[str]]]:
    """The first match of every rule of ``name`` in ``text``, as ``(start, rule index, rule, match)``
    sorted by position then file order; rules whose keywords are all absent from ``lower`` are skipped.

    ``lower`` must be ``text.lower()``. With ``re.I`` a match may have been made on ``lower``
    (see :func:`lowered`): its offsets are those of ``text``, its letters may be lower-cased.
    ``live`` may give ``_live(name, lower)`` when the caller has it (:func:`live_in_tables`).
    """
    flags = int(flags)
    table = _TABLES.get((name, flags)) or _table(name, flags)
    fast = table.fast if _lower_in_place(text, flags) else None
    patterns = table.patterns
    out = []
    for i in table.live(lower) if live is None else live:
        f = fast[i] if fast is not None else None
        m = f.search(lower) if f is not None else patterns[i].search(text)
        if m is not None:
            out.append((m.start(), i, table.rules[i], m))
    out.sort(key=_START_AND_INDEX)
    return out


def any_match(name: str, text: str, lower: str, flags: int = 0, live: list[int] | None = None) -> bool:
    """Does any rule of ``name`` match ``text``? (``lower`` must be ``text.lower()``; ``live`` as for
    :func:`first_matches`.)"""
    flags = int(flags)
    table = _TABLES.get((name, flags)) or _table(name, flags)
    patterns = table.patterns
    if live is None:
        live = table.live(lower)
    if _lower_in_place(text, flags):
        fast = table.fast
        return any(
            (fast[i].search(lower) if fast[i] is not None else patterns[i].search(text)) is not None
            for i in live
        )
    return any(patterns[i].search(text) is not None for i in live)


@cache
def line_starts(name: str) -> tuple[str, ...] | None:
    """The ``starts`` of every rule of ``name``: lower-case prefixes one of which an ASCII line with
    no white space in front must start with (once lower-cased) for a rule to match at its start.
    None when a rule lists none, so every line must be tried. ``tests/extract/test_rules.py``
    checks the prefixes against every line of the seeds and fixtures."""
    out: list[str] = []
    for rule in rules(name):
        starts = rule.data.get("starts")
        if not starts:
            return None
        out.extend(starts)
    return tuple(sorted(set(out)))


@cache
def alternation(name: str, flags: int = 0) -> tuple[re.Pattern[str], dict[str, Rule]]:
    """All rules of ``name`` as one regex; ``match.lastgroup`` names the rule (``r<index>``)."""
    parts = []
    by_group: dict[str, Rule] = {}
    for i, rule in enumerate(rules(name)):
        group = f"r{i}"
        by_group[group] = rule
        parts.append(f"(?P<{group}>{rule.pattern})")
    return re.compile("|".join(parts), flags), by_group
