"""Text helpers that keep offsets: a same-length folded copy to match on, lines, squashing.

Matching runs on ``fold(text)``, which maps look-alike characters one-for-one (non-breaking
spaces, curly quotes, dashes, tabs), so every offset found in it is an offset in the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FOLD = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\t": " ",
        "\r": "\n",
        "\f": "\n",
        "\v": "\n",
        "\u2028": "\n",
        "\u2029": "\n",
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "–",  # keep en dash distinct from hyphen: it separates titles and openers
        "\u2014": "–",
        "\u2212": "-",
        "\ufeff": " ",
        "\u200b": " ",
    }
)

_WS = re.compile(r"\s+")


def fold(text: str) -> str:
    """Same-length copy of ``text`` with look-alike characters folded for matching."""
    return text.translate(_FOLD)


def squash(text: str) -> str:
    """Collapse every run of white space to one space and trim: for record text, not matching."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the folded text: ``start``/``end`` exclude the newline and outer spaces."""

    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text


def split_lines(folded: str) -> list[Line]:
    """Lines with their offsets, stripped of outer white space (blank lines kept as empty)."""
    out: list[Line] = []
    pos = 0
    for raw in folded.split("\n"):
        end = pos + len(raw)
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            s = pos + lead
            out.append(Line(s, s + len(stripped), stripped))
        else:
            out.append(Line(pos, pos, ""))
        pos = end + 1
    return out


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
