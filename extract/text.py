"""Text helpers that keep offsets: a same-length folded copy to match on, lines, squashing.

Matching runs on ``fold(text)``, which maps look-alike characters one-for-one (non-breaking
spaces, curly quotes, dashes, tabs), so every offset found in it is an offset in the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

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

_FOLD_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in _FOLD if chr(c) != "\u2013") + "]")


#: each folded character and its replacement (no replacement is itself folded to something else)
_FOLD_PAIRS = tuple((chr(c), r) for c, r in _FOLD.items() if chr(c) != r)
_FOLD_ASCII_PAIRS = tuple((c, r) for c, r in _FOLD_PAIRS if c.isascii())


def fold(text: str) -> str:
    """Same-length copy of ``text`` with look-alike characters folded for matching."""
    # str.translate looks every character up in a dict, and a regex substitution calls back into
    # Python for every one it changes (a page with Windows line ends has a hundred); one
    # str.replace per character present does the work in C
    if text.isascii():  # a flag CPython keeps: only the four ASCII characters can need folding
        for char, repl in _FOLD_ASCII_PAIRS:
            if char in text:
                text = text.replace(char, repl)
        return text
    if _FOLD_CHARS.search(text) is None:
        return text
    for char, repl in _FOLD_PAIRS:
        if char in text:
            text = text.replace(char, repl)
    return text


#: the only characters outside ASCII whose lower case holds an ASCII letter: İ (to "i̇") and the
#: Kelvin sign (to "k")
_LOWER_TO_ASCII = ("\u0130", "\u212a")


def lower_for_keywords(folded: str) -> str:
    """``folded.lower()`` wherever an ASCII keyword could be found in it.

    On text outside ASCII, ``str.lower`` looks every character up in Unicode's tables; lower-casing
    the UTF-8 bytes changes A–Z alone, in C, in a third of the time. Only A–Z and the two
    characters of ``_LOWER_TO_ASCII`` lower-case to ASCII letters, so with neither of those in
    the text, both copies hold the same ASCII characters at the same offsets (the rest may keep
    their case): keyword and needle searches find the same things in both.
    """
    if folded.isascii() or any(c in folded for c in _LOWER_TO_ASCII):
        return folded.lower()
    return folded.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def lower_same_length(folded: str) -> str:
    """Lower-cased copy for keyword search; the folded text itself if lowering changes lengths."""
    low = folded.lower()
    return low if len(low) == len(folded) else folded


def windows(lowered: str, keywords: tuple[str, ...], before: int, after: int) -> list[tuple[int, int]]:
    """Merged ``[start, end)`` windows around every occurrence of any keyword (a cheap prefilter:
    ``str.find`` is far faster than a regex scan, so patterns only run where they can match)."""
    n = len(lowered)
    found: list[tuple[int, int]] = []
    for kw in keywords:
        i = lowered.find(kw)
        while i != -1:
            found.append((max(0, i - before), min(n, i + len(kw) + after)))
            i = lowered.find(kw, i + 1)
    return merge_windows(found)


def merge_windows(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``found`` sorted, with windows that overlap or touch merged (sorts ``found`` in place)."""
    if not found:
        return []
    found.sort()
    merged = [found[0]]
    for s, e in found[1:]:
        if s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def snap_to_lines(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Widen windows to whole lines, so anchored patterns (``^``) see their line start."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        s = text.rfind("\n", 0, s) + 1
        nl = text.find("\n", e)
        e = len(text) if nl == -1 else nl
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def finditer_near(pattern: re.Pattern[str], text: str, spans: list[tuple[int, int]]) -> list[re.Match[str]]:
    """``pattern.finditer`` run only inside ``spans``; a match found twice is kept once."""
    if len(spans) == 1:  # one window: its matches are already in order, each once
        return list(pattern.finditer(text, *spans[0]))
    out: list[re.Match[str]] = []
    seen: set[int] = set()
    for s, e in spans:
        for m in pattern.finditer(text, s, e):
            if m.start() not in seen:
                seen.add(m.start())
                out.append(m)
    out.sort(key=lambda m: m.start())
    return out


def search_from_word(
    pattern: re.Pattern[str], f: str, word: str, pos: int, end: int, in_prefix: Callable[[str], bool]
) -> re.Match[str] | None:
    """``pattern.search(f, pos, end)``, for a pattern every match of which has ``word`` right after
    a run (perhaps empty) of characters ``in_prefix`` accepts, from its start.

    A pattern that opens with look-behinds gives the engine nothing to skip to, so a plain search
    tries it at every character (~25 µs a kilobyte). Here each occurrence of ``word``, in order, is
    tried from the first of the accepted characters before it (not before ``pos``): the first
    position that matches is where the plain search would have found the match.
    """
    match = pattern.match
    while True:
        at = f.find(word, pos, end)
        if at == -1:
            return None
        start = at
        while start > pos and in_prefix(f[start - 1]):
            start -= 1
        for s in range(start, at + 1):
            m = match(f, s, end)
            if m is not None:
                return m
        pos = at + 1


def squash(text: str) -> str:
    """Collapse every run of white space to one space and trim: for record text, not matching."""
    # str.split() and the regex \s agree on what white space is; the split is the cheaper
    return " ".join(text.split())


_KEY_WORDS = re.compile(r"[a-z0-9]+")
#: every ASCII character but a-z and 0-9 becomes a space (key_words applies it to lower-cased text)
_NOT_KEY = str.maketrans({c: " " for c in map(chr, range(128)) if not ("a" <= c <= "z" or "0" <= c <= "9")})


#: every byte but a-z and 0-9 becomes a space, those of characters beyond ASCII included
_NOT_KEY_BYTES = bytes(b if (97 <= b <= 122 or 48 <= b <= 57) else 32 for b in range(256))


def key_words(text: str) -> list[str]:
    """The runs of ``a-z``/``0-9`` in ``text.lower()``: the words clauses are compared by.

    On ASCII, ``str.translate`` (which CPython runs in C for ASCII text) and ``str.split`` give the
    same runs as the regex at a third less cost. Other text goes through its UTF-8 bytes, where
    every byte of a character beyond ASCII is 0x80 or more and becomes a space, as the regex
    treats such a character: the same runs, at half the regex's cost.
    """
    low = text.lower()
    if low.isascii():
        return low.translate(_NOT_KEY).split()
    return low.encode("utf-8", "surrogatepass").translate(_NOT_KEY_BYTES).decode("ascii").split()


class Line(NamedTuple):
    """One line of the folded text: ``start``/``end`` exclude the newline and outer spaces.

    A NamedTuple, not a frozen dataclass: pages have hundreds of lines and tuples are cheaper to make.
    """

    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text


def split_lines(folded: str, nonblank: list[int] | None = None) -> list[Line]:
    """Lines with their offsets, stripped of outer white space (blank lines kept as empty).

    ``nonblank``, when given, receives the index of every line with text, in order.
    """
    # a page has a hundred-odd lines: tuple.__new__ skips the NamedTuple constructor's Python frame,
    # and a line with nothing to strip (most of them) is kept as it is
    out: list[Line] = []
    append = out.append
    mark = nonblank.append if nonblank is not None else None
    new = tuple.__new__
    pos = 0
    for raw in folded.split("\n"):
        n = len(raw)
        if raw:
            stripped = raw.strip()
            if stripped:
                if mark is not None:
                    mark(len(out))
                if len(stripped) == n:
                    append(new(Line, (pos, pos + n, raw)))
                else:
                    s = pos + n - len(raw.lstrip())
                    append(new(Line, (s, s + len(stripped), stripped)))
                pos += n + 1
                continue
        append(new(Line, (pos, pos, "")))
        pos += n + 1
    return out


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class CachedRe:
    """``re``'s module functions over a plain dict of compiled patterns.

    ``re.match(pattern, s)`` looks its pattern up in ``re``'s own cache on every call, which costs
    more than matching a short string; rules written inline use this instead of ``re``.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], re.Pattern[str]] = {}

    def compile(self, pattern: str, flags: int = 0) -> re.Pattern[str]:
        key = (pattern, flags)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = re.compile(pattern, flags)
        return found

    def match(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        return self.compile(pattern, flags).match(string)

    def search(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        return self.compile(pattern, flags).search(string)

    def fullmatch(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        return self.compile(pattern, flags).fullmatch(string)

    def sub(self, pattern: str, repl: str, string: str, count: int = 0, flags: int = 0) -> str:
        return self.compile(pattern, flags).sub(repl, string, count)

    def split(self, pattern: str, string: str, maxsplit: int = 0, flags: int = 0) -> list[str]:
        return self.compile(pattern, flags).split(string, maxsplit)

    def finditer(self, pattern: str, string: str, flags: int = 0):  # noqa: ANN201
        return self.compile(pattern, flags).finditer(string)

    def findall(self, pattern: str, string: str, flags: int = 0) -> list:
        return self.compile(pattern, flags).findall(string)


#: the shared instance: ``from .text import rx`` then ``rx.match(r"…", s)``
rx = CachedRe()
