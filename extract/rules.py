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


def _live(name: str, lower: str) -> list[int]:
    """Indices, in file order, of the rules of ``name`` whose keywords occur in ``lower`` (or have none)."""
    always, index = _keyword_index(name)
    live = set(always)
    for k, idxs in index:
        if k in lower:
            live.update(idxs)
    return sorted(live)


def first_matches(
    name: str, text: str, lower: str, flags: int = 0
) -> list[tuple[int, int, Rule, re.Match[str]]]:
    """The first match of every rule of ``name`` in ``text``, as ``(start, rule index, rule, match)``
    sorted by position then file order; rules whose keywords are all absent are skipped."""
    table = keyed(name, flags)
    out = []
    for i in _live(name, lower):
        _, rule, pattern, _keywords = table[i]
        m = pattern.search(text)
        if m is not None:
            out.append((m.start(), i, rule, m))
    out.sort(key=lambda t: (t[0], t[1]))
    return out


def any_match(name: str, text: str, lower: str, flags: int = 0) -> bool:
    """Does any rule of ``name`` match ``text``?"""
    table = keyed(name, flags)
    return any(table[i][2].search(text) is not None for i in _live(name, lower))


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
