"""Where the cue words of a page are, found once from spaCy's tokens.

Scanning a whole page with a regex (or even ``str.find``) per rule costs more than tokenising it;
a :class:`~spacy.matcher.PhraseMatcher` over the tokens' lower-case forms finds every cue word
and phrase of every rule in one pass. Rules then run only in small windows around their cues.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


class Cues:
    """Character offsets of each cue phrase found on one page."""

    def __init__(self, hits: dict[str, list[tuple[int, int]]], length: int) -> None:
        self.hits = hits
        self.length = length

    def find(self, keywords: Iterable[str]) -> list[tuple[int, int]]:
        """``(start, end)`` of every occurrence of any of ``keywords``, in text order."""
        out: list[tuple[int, int]] = []
        for k in keywords:
            found = self.hits.get(k)
            if found:
                out.extend(found)
        out.sort()
        return out

    def windows(self, keywords: Iterable[str], before: int, after: int) -> list[tuple[int, int]]:
        """Merged windows reaching ``before`` characters before and ``after`` after each cue."""
        n = self.length
        return _merge([(max(0, s - before), min(n, e + after)) for s, e in self.find(keywords)])

    def __contains__(self, keyword: str) -> bool:
        return keyword in self.hits


class CueFinder:
    """A PhraseMatcher (on lower-case token text) for a fixed set of cue phrases."""

    def __init__(self, vocab: Vocab, keywords: Iterable[str]) -> None:
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        self.keywords = sorted({k.strip().lower() for k in keywords if k.strip()})
        self.vocab = vocab
        self._pending = list(self.keywords)

    def prepare(self, make_doc: Callable[[str], Doc]) -> None:
        """Add the patterns, tokenised exactly as pages are."""
        for k in self._pending:
            self.matcher.add(k, [make_doc(k)])
        self._pending = []

    def __call__(self, doc: Doc, length: int) -> Cues:
        hits: dict[str, list[tuple[int, int]]] = {}
        strings = self.vocab.strings
        for match_id, start, end in self.matcher(doc):
            key = strings[match_id]
            span_start = doc[start].idx
            last = doc[end - 1]
            hits.setdefault(key, []).append((span_start, last.idx + len(last)))
        return Cues(hits, length)
