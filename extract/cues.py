"""Where the cue words of a page are: token sequences of spaCy's English tokenizer, found once.

Scanning a whole page with a regex per rule costs more than tokenising it; a
:class:`~spacy.matcher.PhraseMatcher` over the tokens' lower-case forms finds every cue word and
phrase of every rule in one pass. Rules then run only in small windows around their cues.

The cues are defined on the English tokenizer's tokens, but tokenising the whole page only to find
them was the largest single cost of extraction. :meth:`CueFinder.find_near_flags` gives the same
answer from a Doc split on white space alone, tokenising only the few places where a cue can be:
the tokenizer cuts a text at white space first and splits each white-space-free chunk on its own,
so a stretch of whole chunks tokenises exactly as it does inside the page.
:meth:`CueFinder.find_in_text` finds the same places with no Doc at all (the anchors found in the
lower-cased page by one Aho-Corasick pass): making a token of every word cost more than finding
the cues.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable

import ahocorasick
import numpy
from spacy.attrs import FLAG62, FLAG63, IDX, IS_SPACE, LENGTH, SPACY
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
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
    """Character offsets of each cue phrase found on one page.

    :meth:`CueFinder.find_in_text` also keeps its needle hits (the automaton's ``(end, (width,
    phrases, needle))``), so a rule that looks for a needle as a substring of the page
    (:meth:`substrings`) need not scan the page again.
    """

    def __init__(
        self,
        hits: dict[str, list[tuple[int, int]]],
        length: int,
        needles: list[tuple[int, tuple[int, object, str]]] | None = None,
        needle_words: frozenset[str] = frozenset(),
    ) -> None:
        self.hits = hits
        self.length = length
        self._needles = needles
        self._needle_words = needle_words

    def substrings(self, words: frozenset[str]) -> list[tuple[int, int]] | None:
        """``[start, end)`` of every occurrence of each of ``words`` in the lower-cased page (inside
        words too, overlapping ones too), unordered: what ``str.find`` from each offset finds. None
        when the needles were not kept or one of ``words`` is not a needle."""
        if self._needles is None or not words <= self._needle_words:
            return None
        return [(end - width + 1, end + 1) for end, (width, _, needle) in self._needles if needle in words]

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
        found = self.find(keywords)
        if not found:  # most rules' cues are not on most pages
            return []
        n = self.length
        return _merge([(max(0, s - before), min(n, e + after)) for s, e in found])

    def __contains__(self, keyword: str) -> bool:
        return keyword in self.hits


#: lexeme flags (from spaCy's range for user flags): the word holds an anchor of a one-word cue;
#: of a cue of several words
FLAG_ONE_WORD = FLAG63
FLAG_PHRASE = FLAG62
#: words whose flags :meth:`CueFinder.find_in_text` keeps at most (then it starts afresh): a few
#: MB, where a long batch meets some tens of thousands of distinct words holding a cue
MAX_WORD_FLAGS = 50_000


def piece_tokenizer(tokenizer: Tokenizer) -> Tokenizer:
    """``tokenizer`` without its white-space special cases, for tokenising pieces of a page.

    spaCy stops caching a call's chunks once any special case has been used in that call, and a
    single newline is one: pieces of a page joined by newlines were tokenised afresh every time
    (six times slower). Without those four rules a white-space run becomes the same one token by
    the ordinary path, and chunks (which hold no white space) are split exactly as before.
    """
    rules = {k: v for k, v in (tokenizer.rules or {}).items() if not k.isspace()}
    return Tokenizer(
        tokenizer.vocab,
        rules=rules,
        prefix_search=tokenizer.prefix_search,
        suffix_search=tokenizer.suffix_search,
        infix_finditer=tokenizer.infix_finditer,
        token_match=tokenizer.token_match,
        url_match=tokenizer.url_match,
    )


class CueFinder:
    """A PhraseMatcher (on lower-case token text) for a fixed set of cue phrases."""

    def __init__(self, vocab: Vocab, keywords: Iterable[str]) -> None:
        self.matcher = PhraseMatcher(vocab, attr="LOWER")
        self.keywords = sorted({k.strip().lower() for k in keywords if k.strip()})
        self.vocab = vocab
        self._pending = list(self.keywords)
        self._one_word: set[str] = set()
        self._phrase_words: set[str] = set()
        #: how many tokens a phrase can have before its anchor, and after
        self._reach_before = 0
        self._reach_after = 0
        #: first word of each phrase -> its other words as a pattern on lower-cased text (at most
        #: one space between two)
        self._phrase_forms: dict[str, list[str]] = {}
        #: how many characters a phrase can reach beyond the chunk holding its anchor
        self._reach_chars = 0
        self._phrase_rx: re.Pattern[str] | None = None
        #: each phrase's words and anchor
        self._phrases: list[tuple[list[str], str]] = []
        #: the needles (anchors no other anchor lies within) as one Aho-Corasick automaton: needle ->
        #: (its length, the phrases whose anchor holds it); set by flag_lexemes
        self._needle_finder: ahocorasick.Automaton | None = None
        #: every needle (what the automaton finds)
        self._needle_words: frozenset[str] = frozenset()
        #: each word found by :meth:`find_in_text` -> its lexeme's two flags (bit 0 one-word cue,
        #: bit 1 phrase anchor); a dict look-up costs a tenth of ``vocab[word].flags``
        self._word_flags: dict[str, int] = {}

    def prepare(self, make_doc: Callable[[str], Doc]) -> None:
        """Add the patterns, tokenised exactly as pages are."""
        for k in self._pending:
            doc = make_doc(k)
            self.matcher.add(k, [doc])
            self._add_anchor([t.text for t in doc])
        self._pending = []

    def _add_anchor(self, words: list[str]) -> None:
        # A match of the phrase is its words' tokens, each (lower-cased) equal to a word. One word,
        # the longest (the last of equals), is its anchor: the token of a match that holds it lies
        # in a white-space-free chunk whose lower-cased text contains the anchor.
        j = max(range(len(words)), key=lambda i: (len(words[i]), i))
        if len(words) == 1:
            self._one_word.add(words[0])
        else:
            self._phrase_words.add(words[j])
            self._reach_before = max(self._reach_before, j)
            self._reach_after = max(self._reach_after, len(words) - 1 - j)
            self._phrase_forms.setdefault(words[0], []).append(" ?".join(map(re.escape, words[1:])))
            self._reach_chars = max(self._reach_chars, sum(len(w) + 1 for w in words))
            self._phrases.append((words, words[j]))
            self._phrase_rx = re.compile(
                "|".join(f"{re.escape(w)} ?(?:{'|'.join(rest)})" for w, rest in self._phrase_forms.items())
            )

    def flag_lexemes(self) -> None:
        """Flag every lexeme of the vocabulary (now and later) that holds an anchor word.

        spaCy computes a lexeme's flags once, when the lexeme is made, as it does ``is_alpha`` or
        ``like_num``; a Doc's flags then come out of its tokens in one C loop (``Doc.to_array``).
        """
        # a word is short: one alternation searched once costs less than a test per anchor
        one = re.compile("|".join(map(re.escape, sorted(self._one_word))) or "(?!)").search
        phrase = re.compile("|".join(map(re.escape, sorted(self._phrase_words))) or "(?!)").search
        self.vocab.add_flag(lambda s: one(s.lower()) is not None, flag_id=FLAG_ONE_WORD)
        self.vocab.add_flag(lambda s: phrase(s.lower()) is not None, flag_id=FLAG_PHRASE)
        anchors = self._one_word | self._phrase_words
        finder = ahocorasick.Automaton()
        for needle in sorted(a for a in anchors if not any(b != a and b in a for b in anchors)):
            forms = [" ?".join(map(re.escape, w)) for w, anchor in self._phrases if needle in anchor]
            finder.add_word(needle, (len(needle), re.compile("|".join(forms)) if forms else None, needle))
        finder.make_automaton()
        self._needle_finder = finder
        self._needle_words = frozenset(finder.keys())

    def __call__(self, doc: Doc, length: int) -> Cues:
        hits: dict[str, list[tuple[int, int]]] = {}
        strings = self.vocab.strings
        for match_id, start, end in self.matcher(doc):
            key = strings[match_id]
            span_start = doc[start].idx
            last = doc[end - 1]
            hits.setdefault(key, []).append((span_start, last.idx + len(last)))
        return Cues(hits, length)

    def find_near_flags(self, doc: Doc, tokenize: Callable[[str], Doc], *, words: bool = False) -> Cues:
        """What ``self(tokenize(doc.text), len(doc.text))`` finds, tokenising only near flagged tokens.

        ``tokenize`` is the tokenizer the patterns were prepared with; :meth:`flag_lexemes` must
        have run on the Doc's vocabulary. The Doc's tokens must each lie inside one
        white-space-free chunk and never cut one of ``tokenize``'s tokens: white-space tokens (the
        blank pipeline's) and ``tokenize``'s own qualify. Then a match's anchor token lies inside a
        flagged token, and a match of ``k`` tokens reaches at most ``k - 1`` chunks on either side
        of the anchor's. Around each flagged token, whole chunks are cut out to that reach and one
        chunk further on each side (spaCy's special cases are matched over the tokens after
        splitting, so a neighbour is kept in view); the pieces, joined by newlines (a token no
        phrase holds), are tokenised and matched at once.

        ``words`` says the Doc was split on white space alone (spaCy's ``Tokenizer`` with no rules):
        each token is a chunk, and the two columns that find chunks are not read.
        """
        text = doc.user_data.get("minutes.text") or doc.text
        n = len(text)
        if words:
            arr = doc.to_array([FLAG_ONE_WORD, FLAG_PHRASE, IDX, LENGTH])
        else:
            arr = doc.to_array([FLAG_ONE_WORD, FLAG_PHRASE, IDX, LENGTH, IS_SPACE, SPACY])
        flagged = numpy.flatnonzero(arr[:, 0] | arr[:, 1])
        if not len(flagged):
            return Cues({}, n)
        ntok = len(arr)
        if words:
            chunk_of = numpy.arange(ntok)
            first = list(range(ntok + 1))
        else:
            space = arr[:, 4].astype(bool)
            # a chunk starts at the first token, after a token followed by a space or itself white
            # space, and at a white-space token
            bound = numpy.ones(ntok, dtype=bool)
            bound[1:] = arr[:-1, 5].astype(bool) | space[:-1] | space[1:]
            chunk_of = numpy.cumsum(bound) - 1
            first = numpy.flatnonzero(bound).tolist()  # first token of each chunk
            first.append(ntok)
        last_chunk = len(first) - 2
        before, after = self._reach_before + 1, self._reach_after + 1
        idx = arr[:, 2]
        length = arr[:, 3]
        # A phrase anchor is taken only where the phrase's words can be read around its token, in
        # lower-cased text, with at most one space between two ("provided" alone is not "would
        # provide"): its tokens lie within the reach of the flagged token.
        phrase_rx = self._phrase_rx
        reach = self._reach_chars
        ranges = []
        rows = arr[flagged]
        for c, one, is_phrase, s, e in zip(
            chunk_of[flagged].tolist(),
            rows[:, 0].tolist(),
            rows[:, 1].tolist(),
            rows[:, 2].tolist(),
            (rows[:, 2] + rows[:, 3]).tolist(),
            strict=True,
        ):
            if is_phrase and phrase_rx is not None:
                window = text[max(0, s - reach) : e + reach]
                low = window.lower()
                if len(low) != len(window) or phrase_rx.search(low):
                    ranges.append((c - before, c + after))
                    continue
            if one:
                ranges.append((c - 1, c + 1))
        if not ranges:
            return Cues({}, n)
        ranges.sort()
        merged: list[list[int]] = []
        for lo, hi in ranges:
            lo = lo if lo > 0 else 0
            hi = hi if hi < last_chunk else last_chunk
            if merged and lo <= merged[-1][1] + 1:
                if hi > merged[-1][1]:
                    merged[-1][1] = hi
            else:
                merged.append([lo, hi])
        pieces = []
        for lo, hi in merged:
            t0, t1 = first[lo], first[hi + 1] - 1
            pieces.append((int(idx[t0]), int(idx[t1] + length[t1])))
        return self._match_pieces(text, pieces, tokenize)

    def _match_pieces(
        self,
        text: str,
        pieces: list[tuple[int, int]],
        tokenize: Callable[[str], Doc],
        needles: list[tuple[int, tuple[int, object, str]]] | None = None,
    ) -> Cues:
        """Tokenise the disjoint ``pieces`` of ``text`` (each whole chunks) at once and match them;
        the Cues keep ``needles``, the automaton's hits, when given (:meth:`find_in_text`)."""
        # where each piece starts in the joined text, and the page offset to add back
        starts: list[int] = []
        shifts: list[int] = []
        parts: list[str] = []
        pos = 0
        for s, e in pieces:
            starts.append(pos)
            shifts.append(s - pos)
            parts.append(text[s:e])
            pos += e - s + 1
        joined = tokenize("\n".join(parts))
        hits: dict[str, list[tuple[int, int]]] = {}
        strings = self.vocab.strings
        for match_id, start, end in self.matcher(joined):
            s = joined[start].idx
            last = joined[end - 1]
            shift = shifts[bisect_right(starts, s) - 1]
            hits.setdefault(strings[match_id], []).append((s + shift, last.idx + len(last) + shift))
        if needles is None:
            return Cues(hits, len(text))
        return Cues(hits, len(text), needles, self._needle_words)

    def find_in_text(self, text: str, lowered: str, tokenize: Callable[[str], Doc]) -> Cues:
        """What :meth:`find_near_flags` finds on ``text`` split on white space, with no Doc of it.

        ``lowered`` is ``text`` lower-cased (or folded as :func:`~extract.text.fold` does, then
        lower-cased) and of the same length, so an anchor (ASCII letters) is at the same offsets in
        both. Every word holding an anchor holds a needle (an anchor with no other inside it), and
        finding the needles costs a fraction of making a token of every word and reading their
        flags. Each word found is read with its lexeme's flags, as a token would be; the pieces
        are the Doc path's or wider (whole words, never less reach), which finds the same cues:
        any match in a piece is a match of the page, and each is found once.
        """
        assert self._needle_finder is not None, "flag_lexemes() first"
        n = len(text)
        # every occurrence of every needle, overlapping ones too, in one pass in C (49 ``str.find``
        # scans of the page took four times as long)
        found = list(self._needle_finder.iter(lowered))
        if not found:
            return Cues({}, n, found, self._needle_words)
        vocab = self.vocab
        word_flags = self._word_flags
        rev = text[::-1]  # words before an offset are found by matching forwards in the reversal
        word = _WORD_REST.match
        word_and_next = _WORD_AND_NEXT.match
        reach = self._reach_chars
        ranges: list[tuple[int, int]] = []
        for end, (width, phrases, _needle) in found:
            i = end - width + 1
            ws = n - word(rev, n - i).end()
            we = word(text, i).end()
            # the word's lexeme flags (computed once per lexeme, as for the Doc's tokens)
            key = text[ws:we]
            flags = word_flags.get(key)
            if flags is None:
                lexeme_flags = vocab[key].flags
                flags = (lexeme_flags >> FLAG_ONE_WORD & 1) | (lexeme_flags >> FLAG_PHRASE & 1) << 1
                if len(word_flags) >= MAX_WORD_FLAGS:
                    word_flags.clear()
                word_flags[key] = flags
            if phrases is not None and flags & 2:
                # Only the phrases whose anchor holds this needle: a match's anchor word holds
                # some needle, whose own hit checks that phrase. The Doc path reads the window
                # lower-cased; ``lowered`` holds the same ASCII letters, spaces and hyphens at the
                # same offsets (folding only adds some).
                if phrases.search(lowered, max(0, ws - reach), we + reach):
                    # a match holding this word lies within reach of it: its words, and one more
                    ranges.append((max(0, ws - reach), min(n, we + reach)))
                    continue
            if flags & 1:
                ranges.append((ws, we))
        if not ranges:
            return Cues({}, n, found, self._needle_words)
        # widen to whole words and one word further each side (spaCy's special cases are matched
        # over neighbouring tokens), then merge
        widened = sorted(
            (n - word_and_next(rev, n - s).end(), word_and_next(text, e).end()) for s, e in ranges
        )
        pieces = [widened[0]]
        for s, e in widened[1:]:
            if s <= pieces[-1][1]:
                if e > pieces[-1][1]:
                    pieces[-1] = (pieces[-1][0], e)
            else:
                pieces.append((s, e))
        return self._match_pieces(text, pieces, tokenize, found)


#: the rest of a word from an offset; that and the next word (white space as ``str.isspace``)
_WORD_REST = re.compile(r"\S*")
_WORD_AND_NEXT = re.compile(r"\S*\s*\S*")
