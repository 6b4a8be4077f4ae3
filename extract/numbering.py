"""Clause numbering: read a printed marker (``(6)``, ``b)``, ``C.1.a``, ``ii.``) and decide how
markers nest, so ``(6)`` then ``(a)`` reads as ``(6)(a)``.

A marker has a *style* (what counts: digits, lower or upper letters, roman numerals) and a *form*
(how it is printed: ``(x)``, ``x)``, ``x.``, bare ``x``). Siblings share style and form; a new
style under a clause starts a child level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_ROMAN_RE = re.compile(r"^(?=[ivxlc])c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")

#: one marker at the current position; groups tell the form
MARKER_RE = re.compile(
    r"""
    (?:
        \((?P<paren>\d{1,4}|[a-zA-Z]|[ivxlc]{2,6})\)            # (1) (a) (A) (iv)
      | (?P<dotted>(?:[A-Z]|\d{1,3})(?:\.(?:\d{1,3}|[a-z]|[ivx]{1,4})){1,3})(?![\w/])\.?   # C.1.a 2.i 8.4
      | (?P<rparen>\d{1,4}|[a-zA-Z]|[ivxlc]{2,6})\)            # 1) a) iv)
      | (?P<dot>\d{1,4}|[a-zA-Z]|[ivxlc]{2,6})\.(?!\d)         # 1. a. A. iv.
      | (?P<bare>\d{1,3})(?=\s+\(?[a-z]\))                      # 6 (a): a bare number before a sub-marker
    )
    """,
    re.VERBOSE,
)


class Marker(NamedTuple):
    """A printed marker: ``text`` as printed (``(6)``), its ``label`` form (``(6)``, ``1`` for ``1.``)."""

    text: str
    form: str  # paren | rparen | dot | dotted | bare
    value: str  # the bare token: "6", "b", "iv", "C.1.a"
    start: int
    end: int

    @property
    def label(self) -> str:
        if self.form == "dot":
            return self.value
        if self.form == "dotted":
            return self.value.rstrip(".")
        return self.text.replace(" ", "")


def read_marker(text: str, pos: int) -> Marker | None:
    """The marker starting exactly at ``pos``, if it is followed by white space or a sub-marker."""
    m = MARKER_RE.match(text, pos)
    if not m:
        return None
    end = m.end()
    nxt = text[end : end + 1]
    # "6 (a)": a bare number is followed by its sub-marker; every other marker by white space
    if m.lastgroup != "bare" and nxt and not nxt.isspace() and nxt != "(":
        return None
    form = m.lastgroup or "dot"
    value = m.group(form)
    return Marker(m.group(0), form, value, m.start(), end)


def roman_value(token: str) -> int | None:
    """Value of a lower-case roman numeral, or None."""
    if not token or not _ROMAN_RE.match(token):
        return None
    total = 0
    for a, b in zip(token, token[1:] + " ", strict=True):
        va = _ROMAN[a]
        vb = _ROMAN.get(b, 0)
        total += -va if vb > va else va
    return total


def _letter_value(token: str) -> int | None:
    if len(token) == 1 and token.isalpha():
        return ord(token.lower()) - ord("a") + 1
    return None


def interpretations(marker: Marker) -> list[tuple[str, int]]:
    """Possible (style, ordinal) readings of a marker; ``i`` may be a letter or a roman one."""
    v = marker.value
    if marker.form == "dotted":
        return [("dotted", 0)]
    if v.isdigit():
        return [("num", int(v))]
    out: list[tuple[str, int]] = []
    if v.islower():
        r = roman_value(v)
        if r is not None:
            out.append(("roman", r))
        lv = _letter_value(v)
        if lv is not None:
            out.append(("lower", lv))
    elif v.isupper() and len(v) == 1:
        out.append(("upper", _letter_value(v) or 0))
    return out


@dataclass(slots=True)
class Level:
    """One nesting level of an open numbered list."""

    style: str
    form: str
    ordinal: int
    label: str
    implied: bool = False  # a parent number no marker printed (``2.i`` after ``1.``)


def dotted_parts(value: str) -> list[str]:
    return [p for p in value.rstrip(".").split(".") if p]


class Numbering:
    """Track nesting while reading markers in order; decide whether a marker continues the list.

    ``place(marker, strict)`` returns ``(depth, gap)`` when the marker is accepted: ``depth`` is
    its level index (0 = top) and ``gap`` says whether it skipped numbers; or None when the marker
    does not fit (then it is ordinary text, such as a cross-reference).
    """

    def __init__(self) -> None:
        self.levels: list[Level] = []

    def path(self) -> list[str]:
        if self.levels and self.levels[-1].style == "dotted":
            return [self.levels[-1].label]  # "C.1.a" already spells out its parents
        return [lv.label for lv in self.levels]

    def place(self, marker: Marker, *, strict: bool, allow_child: bool = True) -> tuple[int, bool] | None:
        readings = interpretations(marker)
        if not readings:
            return None
        if readings[0][0] == "dotted":
            return self._place_dotted(marker)
        if marker.form == "bare":
            # "5 (a)": the bare number restates an open clause, or stands for the next one ("1." then
            # "2 (a)"); the sub-marker after it is the child
            n = readings[0][1]
            for depth in range(len(self.levels) - 1, -1, -1):
                lv = self.levels[depth]
                if lv.style == "num" and lv.ordinal == n:
                    return depth, False
                if lv.style == "num" and lv.ordinal == n - 1:
                    del self.levels[depth + 1 :]
                    self.levels[depth] = Level("num", lv.form, n, str(n), implied=True)
                    return depth, False
            return None
        # 1. a sibling at an open level (innermost first): the next number in the same style
        for depth in range(len(self.levels) - 1, -1, -1):
            lv = self.levels[depth]
            for style, ordinal in readings:
                if style != lv.style or marker.form != lv.form:
                    continue
                if ordinal == lv.ordinal + 1 or (not strict and lv.ordinal < ordinal <= lv.ordinal + 3):
                    gap = ordinal != lv.ordinal + 1
                    del self.levels[depth + 1 :]
                    self.levels[depth] = Level(style, marker.form, ordinal, marker.label)
                    return depth, gap
        # 2. the first item of a new level under the current clause (or the very first marker)
        for style, ordinal in readings:
            if ordinal == 1 and (allow_child or not self.levels):
                if any(lv.style == style and lv.form == marker.form for lv in self.levels):
                    continue  # that style is already open above: a restart, not a child
                self.levels.append(Level(style, marker.form, 1, marker.label))
                return len(self.levels) - 1, False
        if not self.levels and not strict:
            style, ordinal = readings[-1] if len(readings) > 1 and readings[0][0] == "roman" else readings[0]
            self.levels.append(Level(style, marker.form, ordinal, marker.label))
            return 0, ordinal != 1
        return None

    def _place_dotted(self, marker: Marker) -> tuple[int, bool] | None:
        """``C.1.a``, ``2.i`` carry their whole path in the label.

        Under a printed ``2.`` a ``2.i`` is its child; after ``1.`` with no ``2.`` printed, ``2.i``
        stands in for item 2 at the same depth (so ``3.`` still follows as a sibling).
        """
        parts = dotted_parts(marker.value)
        head = parts[0]
        if head.isdigit():
            n = int(head)
            for depth in range(len(self.levels) - 1, -1, -1):
                lv = self.levels[depth]
                if lv.style != "num":
                    continue
                if lv.ordinal == n and not lv.implied:
                    del self.levels[depth + 1 :]
                    self.levels.append(Level("dotted", "dotted", 0, marker.label))
                    return depth + 1, False
                if lv.ordinal == n or lv.ordinal == n - 1:
                    del self.levels[depth + 1 :]
                    self.levels[depth] = Level("num", lv.form, n, head, implied=True)
                    self.levels.append(Level("dotted", "dotted", 0, marker.label))
                    return depth, False
        self.levels = [Level("dotted", "dotted", 0, p) for p in parts[:-1]]
        self.levels.append(Level("dotted", "dotted", 0, marker.label))
        return len(parts) - 1, False

    def restart(self) -> None:
        self.levels = []
