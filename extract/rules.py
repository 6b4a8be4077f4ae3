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
    always = frozenset(i for i, rule in enumerate(rules(name)) if not rule.data.get("keywords"))
    index: dict[str, set[int]] = {}
    for i, rule in enumerate(rules(name)):
        for k in rule.data.get("keywords", ()):
            index.setdefault(k, set()).add(i)
    return always, tuple((k, frozenset(v)) for k, v in index.items())


class KeywordFilter:
    """The keywords of the rule tables that occur in one body of text, found once.

    Classifying a page's clauses searches the same few tables a dozen times; checking every
    keyword of a table against every clause costs more than the searches it saves. Built over
    the lower-cased text of all those clauses together, the filter leaves each clause only the
    keywords present somewhere in them. Every text later checked must be a substring of
    ``corpus``: an ASCII keyword inside it is then inside ``corpus`` too (non-ASCII keywords,
    whose lower case can depend on context, are always checked).
    """

    def __init__(self, corpus: str) -> None:
        self.corpus = corpus
        self._present: dict[str, tuple[tuple[str, frozenset[int]], ...]] = {}

    def index(self, name: str) -> tuple[tuple[str, frozenset[int]], ...]:
        """The keywords of ``name`` (with the rules listing each) that may occur in a checked text."""
        found = self._present.get(name)
        if found is None:
            corpus = self.corpus
            single, groups, other_keys = _keyword_groups(name)
            keep = [pair for pair in single if pair[0] in corpus]
            for prefix, width, pairs in groups:
                # a keyword starting with ``prefix`` occurs in the corpus exactly when it starts
                # one of the ``width`` characters read at each occurrence of the prefix
                at = corpus.find(prefix)
                if at == -1:
                    continue
                spots = []
                while at != -1:
                    spots.append(corpus[at : at + width])
                    at = corpus.find(prefix, at + 1)
                near = "\n".join(spots)
                keep.extend(pair for pair in pairs if pair[0] in near)
            found = self._present[name] = (*keep, *other_keys)
        return found


#: keywords sharing a prefix are looked for together once this many share it
_GROUP_MIN = 8
_GROUP_PREFIX = 3


@cache
def _keyword_groups(
    name: str,
) -> tuple[
    tuple[tuple[str, frozenset[int]], ...],
    tuple[tuple[str, int, tuple[tuple[str, frozenset[int]], ...]], ...],
    tuple[tuple[str, frozenset[int]], ...],
]:
    """:func:`_keywords_by_script`'s ASCII keywords split into those looked for on their own and
    groups sharing a prefix of ``_GROUP_PREFIX`` characters (``"be "``: fifty of the kinds' keywords),
    each with the width its keywords need; and the keywords beyond ASCII.

    A hundred ``str in`` tests of the whole corpus were most of :class:`KeywordFilter`'s cost; a
    group's keywords are looked for only in the few characters after each occurrence of its prefix.
    """
    ascii_keys, other_keys = _keywords_by_script(name)
    by_prefix: dict[str, list[tuple[str, frozenset[int]]]] = {}
    for pair in ascii_keys:
        if len(pair[0]) >= _GROUP_PREFIX and "\n" not in pair[0]:
            by_prefix.setdefault(pair[0][:_GROUP_PREFIX], []).append(pair)
    groups = tuple(
        (prefix, max(len(k) for k, _ in pairs), tuple(pairs))
        for prefix, pairs in by_prefix.items()
        if len(pairs) >= _GROUP_MIN
    )
    grouped = {k for _, _, pairs in groups for k, _ in pairs}
    single = tuple(pair for pair in ascii_keys if pair[0] not in grouped)
    return single, groups, other_keys


@cache
def _keywords_by_script(
    name: str,
) -> tuple[tuple[tuple[str, frozenset[int]], ...], tuple[tuple[str, frozenset[int]], ...]]:
    """:func:`_keyword_index`'s keywords split into ASCII ones and the others."""
    index = _keyword_index(name)[1]
    return tuple(p for p in index if p[0].isascii()), tuple(p for p in index if not p[0].isascii())


def _live(name: str, lower: str, keywords: KeywordFilter | None = None) -> list[int]:
    """Indices, in file order, of the rules of ``name`` whose keywords occur in ``lower`` (or have none)."""
    always, index = _keyword_index(name)
    if keywords is not None:
        index = keywords.index(name)
    live = set(always)
    for k, idxs in index:
        if k in lower:
            live.update(idxs)
    return sorted(live)


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


def first_matches(
    name: str, text: str, lower: str, flags: int = 0, keywords: KeywordFilter | None = None
) -> list[tuple[int, int, Rule, re.Match[str]]]:
    """The first match of every rule of ``name`` in ``text``, as ``(start, rule index, rule, match)``
    sorted by position then file order; rules whose keywords are all absent are skipped
    (``keywords``, when given, must have been built over text holding ``lower``).

    ``lower`` must be ``text.lower()``. With ``re.I`` a match may have been made on ``lower``
    (see :func:`lowered`): its offsets are those of ``text``, its letters may be lower-cased.
    """
    flags = int(flags)
    table = keyed(name, flags)
    fast = lowered(name) if _lower_in_place(text, flags) else None
    out = []
    for i in _live(name, lower, keywords):
        _, rule, pattern, _keywords = table[i]
        if fast is not None and fast[i] is not None:
            m = fast[i].search(lower)
        else:
            m = pattern.search(text)
        if m is not None:
            out.append((m.start(), i, rule, m))
    out.sort(key=_START_AND_INDEX)
    return out


def any_match(
    name: str, text: str, lower: str, flags: int = 0, keywords: KeywordFilter | None = None
) -> bool:
    """Does any rule of ``name`` match ``text``? (``lower`` must be ``text.lower()``.)"""
    flags = int(flags)
    table = keyed(name, flags)
    if _lower_in_place(text, flags):
        fast = lowered(name)
        return any(
            (fast[i].search(lower) if fast[i] is not None else table[i][2].search(text)) is not None
            for i in _live(name, lower, keywords)
        )
    return any(table[i][2].search(text) is not None for i in _live(name, lower, keywords))


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
