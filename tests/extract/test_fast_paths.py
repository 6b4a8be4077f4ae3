"""The extractor's fast paths give exactly what their plain definitions give.

Each speed-up in ``extract/`` replaces a simple loop with something cheaper (window probes, a
regex jump, a keyword filter built once per page); here each is checked against the plain
definition on arbitrary text, so a faster path can never change an answer.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract import rules
from extract.actions import _sentence_end, _sentence_end_by_char
from extract.build import _CUT_OFF, _cut_off, _ends_cut_off, _same_lines
from extract.people import (
    _REPS_INTRO,
    _ROLE_HEAD,
    _TRAILING_ADVERB,
    NAME_RE,
    _drop_trailing_adverbs,
    _in_the_chair,
    _is_name,
    _role_or_org,
)
from extract.pipeline import _has_long_run
from extract.resolutions import (
    _PAST_TENSE,
    _SENTENCE_STOP,
    _inline_spans,
    opener_spans,
    past_tense_matches,
)
from extract.text import Line, finditer_near, fold, key_words, lower_for_keywords, split_lines, squash

#: characters that matter to the code under test, plus the odd white space str.split() knows
_ALPHABET = st.sampled_from(list("ab x.!?()•\n\t\u00a0\u2028\x1cTcA;:'\u2019") + ["\u0130", "\u03a3"])
_TEXT = st.text(_ALPHABET, max_size=300)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.integers(min_value=1, max_value=40))
def test_long_run_probe_agrees_with_the_word_split(text: str, limit: int) -> None:
    plain = len(text) > limit and max(map(len, text.split()), default=0) > limit
    assert _has_long_run(text, limit) == plain


def test_long_run_probe_finds_a_run_anywhere() -> None:
    for at in range(0, 3000, 97):
        text = "word " * 600
        text = text[:at] + " " + "x" * 1001 + " " + text[at:]
        assert _has_long_run(text)
        assert not _has_long_run(text.replace("x" * 1001, "x" * 1000))


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_squash_agrees_with_the_regex(text: str) -> None:
    assert squash(text) == re.sub(r"\s+", " ", text).strip()


_LONG_LINES = st.lists(
    st.sampled_from(
        ["x" * 45 + ".", "y" * 50, "v" * 40, "u" * 40 + ".", " " * 3 + "z" * 41 + "  ", "", "short"]
        + ["\u00a0" + "w" * 44 + "\u2019"]
    ),
    max_size=12,
).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT | _LONG_LINES | st.tuples(_LONG_LINES, _TEXT).map("".join))
def test_cut_off_read_from_the_page_lines_agrees_with_splitting_the_text(text: str) -> None:
    folded = fold(text)
    if not _same_lines(text, folded):
        return
    lines = split_lines(folded)
    nonblank = [i for i, ln in enumerate(lines) if ln.text]
    assert _cut_off(text, (lines, nonblank)) == _cut_off(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | _TEXT | st.text(st.sampled_from(list("aBé\u212aİΣ\ud800 \U0001f600K"))))
def test_keyword_lower_case_holds_the_ascii_of_the_full_lower_case(text: str) -> None:
    fast, full = lower_for_keywords(text), text.lower()
    if len(full) != len(text):  # İ: the caller falls back on the folded text itself
        assert fast == full
        return
    assert len(fast) == len(full)
    ascii_of = lambda low: [(i, c) for i, c in enumerate(low) if c.isascii()]  # noqa: E731
    assert ascii_of(fast) == ascii_of(full)


def _plain_lines(folded: str) -> list[Line]:
    out, pos = [], 0
    for raw in folded.split("\n"):
        stripped = raw.strip()
        if stripped:
            s = pos + len(raw) - len(raw.lstrip())
            out.append(Line(s, s + len(stripped), stripped))
        else:
            out.append(Line(pos, pos, ""))
        pos += len(raw) + 1
    return out


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_split_lines_agrees_with_the_plain_loop(text: str) -> None:
    nonblank: list[int] = []
    lines = split_lines(text, nonblank)
    assert lines == _plain_lines(text)
    assert all(type(ln) is Line and text[ln.start : ln.end] == ln.text for ln in lines)
    assert nonblank == [i for i, ln in enumerate(lines) if ln.text]


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=400), st.booleans())
def test_sentence_end_jumps_to_the_same_place(text: str, pos: int, limit: int, paren_open: bool) -> None:
    pos = min(pos, len(text))
    assert _sentence_end(text, pos, limit, paren_open) == _sentence_end_by_char(text, pos, limit, paren_open)


_CLAUSE_WORDS = st.sampled_from(
    [
        "officers", "be requested", "to report", "the Committee", "noted", "circulated", "referred to",
        "Cabinet Member", "recommends", "RESOLVED", "agreed", "that", "approve", "Council", " ", "\n",
        "by March", "write to", "endorse", "the report be", "İ", "Σ", "ask", ", ", "; and",
    ]
)  # fmt: skip


_BE_WORDS = st.sampled_from(
    ["be ", "be", " ", "made", "made available", "set up", "sent", "forwarded", "re-submitted",
     "brought back", "looked into", "organised", "\n", "tube ", "maybe ", "be  sent", "x", "submitted"]
)  # fmt: skip


def _plain_live(name: str, lower: str) -> list[int]:
    """The rules of ``name`` with no keywords or with a keyword in ``lower``, by ``str in`` tests."""
    return [
        i
        for i, rule in enumerate(rules.rules(name))
        if not rule.data.get("keywords") or any(k in lower for k in rule.data["keywords"])
    ]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_BE_WORDS, _CLAUSE_WORDS), max_size=40).map("".join))
def test_live_rules_are_those_with_a_keyword_in_the_text(text: str) -> None:
    """One automaton pass finds every keyword in a clause, overlapping ones and those beyond ASCII too."""
    for lower in (text.lower(), text):
        for name in ("kinds.jsonl", "owners.jsonl", "followup.jsonl", "conditions.jsonl", "actions.jsonl"):
            assert rules._live(name, lower) == _plain_live(name, lower), name


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_BE_WORDS, _CLAUSE_WORDS), max_size=40).map("".join))
def test_live_rules_of_several_tables_from_one_pass_are_each_table_s(text: str) -> None:
    names = ("kinds.jsonl", "owners.jsonl", "followup.jsonl")
    lower = text.lower()
    assert rules.live_in_tables(names, lower) == [_plain_live(name, lower) for name in names]


def test_live_rules_of_every_keyword_alone_and_run_together() -> None:
    for name in ("kinds.jsonl", "owners.jsonl", "followup.jsonl", "conditions.jsonl"):
        keys = [k for rule in rules.rules(name) for k in rule.data.get("keywords", ())]
        for k in keys:
            assert rules._live(name, k) == _plain_live(name, k), k
        joined = "".join(keys)
        assert rules._live(name, joined) == _plain_live(name, joined)


_FOLDABLE = st.text(
    st.sampled_from(
        list("ab \n\t\r\f\v\u00a0\u2007\u2018\u2019\u201c\u201d\u2013\u2014\u2212\ufeff\u200b\u2028-'")
    ),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(_FOLDABLE)
def test_fold_agrees_with_the_translation_table(text: str) -> None:
    from extract.text import _FOLD

    folded = fold(text)
    assert folded == text.translate(_FOLD)
    assert len(folded) == len(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), max_size=4))
def test_finditer_near_keeps_each_match_once_in_order(text: str, spans: list[tuple[int, int]]) -> None:
    pattern = re.compile(r"\w+|\(\w*\)")
    spans = sorted((min(a, b), max(a, b)) for a, b in spans)
    plain: dict[int, re.Match[str]] = {}
    for s, e in spans:
        for m in pattern.finditer(text, s, e):
            plain.setdefault(m.start(), m)
    found = finditer_near(pattern, text, spans)
    assert [(m.start(), m.end()) for m in found] == [
        (m.start(), m.end()) for m in sorted(plain.values(), key=re.Match.start)
    ]


_HEAD_WORDS = st.sampled_from(
    ["Present", "PRESENT", "Apologies", "APOLOGIES", "for", "Absence", "ABSENCE", "In", "attendance",
     "Attendance", "IN ATTENDANCE", "Members", "Officers", "1.", "2)", ":", ":-", " – ", " - ", "-", ".",
     " ", "Cllr A Smith"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_HEAD_WORDS, max_size=8).map(" ".join))
def test_list_head_prefilter_agrees_with_both_patterns(text: str) -> None:
    from extract.people import _LIST_HEAD, _LIST_HEAD_BARE, _list_head

    text = text.strip()
    plain = _LIST_HEAD.match(text) or _LIST_HEAD_BARE.match(text)
    found = _list_head(text)
    assert (found and found.re, found and found.span()) == (plain and plain.re, plain and plain.span())


def _first_chars(items: list) -> tuple[set[str], bool]:
    """The characters a parsed pattern's match can start with, and whether it may open with a
    decimal digit (``\\d``); fails on anything else it cannot read."""
    from re import _constants as c

    chars: set[str] = set()
    digit = False
    for op, av in items:
        if op is c.AT:
            continue
        if op is c.LITERAL:
            chars.add(chr(av))
            return chars, digit
        if op is c.IN:
            for kind, value in av:
                if kind is c.LITERAL:
                    chars.add(chr(value))
                elif kind is c.CATEGORY and value is c.CATEGORY_DIGIT:
                    digit = True
                else:
                    raise AssertionError(f"cannot read {kind} {value}")
            return chars, digit
        if op is c.SUBPATTERN:
            more, d = _first_chars(list(av[3]))
            chars |= more
            digit |= d
            return chars, digit
        if op is c.BRANCH:
            for alt in av[1]:
                more, d = _first_chars(list(alt))
                chars |= more
                digit |= d
            return chars, digit
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            more, d = _first_chars(list(av[2]))
            chars |= more
            digit |= d
            if av[0] > 0:
                return chars, digit
            continue  # optional: what follows may come first
        raise AssertionError(f"cannot read {op}")
    raise AssertionError("a pattern that can match the empty string")


def test_list_head_first_letters_are_read_off_both_patterns() -> None:
    from re import _parser

    from extract.people import _LIST_HEAD, _LIST_HEAD_BARE, _LIST_HEAD_FIRST

    for pattern in (_LIST_HEAD, _LIST_HEAD_BARE):
        assert not pattern.flags & re.I
        chars, _digit = _first_chars(list(_parser.parse(pattern.pattern, pattern.flags)))
        assert chars <= _LIST_HEAD_FIRST, sorted(chars - _LIST_HEAD_FIRST)
    assert _first_chars(list(_parser.parse(_LIST_HEAD_BARE.pattern)))[1]  # the number: isdecimal()
    assert "A" in _LIST_HEAD_FIRST and "s" in _LIST_HEAD_FIRST


#: role nouns at the end, at the start before "of"/"for"/"to", cut, and other text
_ROLE_PIECES = st.sampled_from(
    ["Officer", "Officers", "Representative", "Representatives", "Vice-Chairman", "Manager", "of", "for",
     "to", "the", "Head", "x", " ", "  ", "\n", "-", "'", ",", "é", "Senior", "Offic", "er", "s", "Trust"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_ROLE_PIECES, max_size=14).map("".join))
def test_role_shape_halves_agree_with_the_whole_search(text: str) -> None:
    from extract.people import _ROLE_SHAPE, _role_shape

    assert _role_shape(text) == (_ROLE_SHAPE.search(text) is not None)


#: honorifics, names, initials, role words, lower-case words, and what may follow a name
_PERSON_PIECES = st.sampled_from(
    ["Councillor", "Councillors", "Cllr.", "Dr", "Mrs.", "Chief Inspector", "A", "J.", "B.", "Smith",
     "O'Neil", "McDonald", "Ōtani", "Āb", "Siân", "Jones-Evans", "Cabinet", "Member", "Equalities", "for",
     "of", "and", "the", "in", "in the chair", "the chair", "chair", "Smithin", "(", ")", "(Chair)", " – ",
     "–", "-", " - ", " ", "  ", "\n", "\t", "\u00a0", ",", ".", "x", "zed", "é", "3", "’", "'"]
)  # fmt: skip


def _assert_person_part_agrees(text: str) -> None:
    """The quick refusal gives what ``_PERSON_PART.match`` gives: the same groups, the same span."""
    from extract.people import _PERSON_PART, _person_part_match

    fast, plain = _person_part_match(text), _PERSON_PART.match(text)
    assert (fast and fast.groupdict(), fast and fast.span()) == (
        plain and plain.groupdict(),
        plain and plain.span(),
    )


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PERSON_PIECES, max_size=9).map(" ".join), st.lists(_PERSON_PIECES, max_size=6).map("".join))
def test_person_part_quick_no_agrees_with_the_pattern(spaced: str, glued: str) -> None:
    for text in (spaced.strip(), glued.strip(), (spaced + glued).strip()):
        _assert_person_part_agrees(text)


_NAME_PIECES = st.sampled_from(
    ["Councillor", "Cllr", "Dr.", "A", "J.", "Smith", "O'Neil", "Āb", "Jones-Evans", "Member"]
)
_AFTER_NAME = st.sampled_from(
    ["", " ", " (Chair)", "(x", " – Chair", " - ", "-", "–x", " in the chair", "in the chair",
     " in  the\tchair", "in", " in", ", ", " and", "\n"]
)  # fmt: skip
_TAIL_WORDS = st.sampled_from(["and", "the", "in", "chair", "for", "x", "Policy", "(", "-", " ", "  "])


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(_NAME_PIECES, min_size=1, max_size=4).map(" ".join),
    _AFTER_NAME,
    st.lists(_TAIL_WORDS, max_size=5).map(" ".join),
)
def test_person_part_quick_no_agrees_on_names_then_more(name: str, after: str, tail: str) -> None:
    for text in ((name + after + " " + tail).strip(), (name + after + tail).strip()):
        _assert_person_part_agrees(text)


_ROLE_ONLY_PIECES = st.sampled_from(
    ["The", "The ", "the", "Thesis", "Finance Manager", "Head of Legal", "Director", "Planning Officer", " ",
     "\n", ". ", "! ", "attended", "presented", "explained", "was in attendance", "attended with the",
     "presented alongside the", "reattended", "x", "(Interim) ", " of ", "Children", "and ", "&", "é", ","]
)  # fmt: skip


_ROLE_ONLY_SENTENCES = st.builds(
    lambda lead, role, verb, tail: f"{lead}The {role} {verb}{tail}",
    st.sampled_from(["", "x. ", "x.\n", "\n  ", "x ", "y! ", "Cllr Smith attended with the "]),
    st.sampled_from(
        ["Finance Manager", "Head of Legal", "Director", "Senior Planning Officer (Interim)", "Clerk"]
    ),
    st.sampled_from(
        ["attended", "presented", "explained", "was in attendance", "noted", "attended with the Director"]
    ),
    st.sampled_from(
        ["", ".", " the report. ", " and the Head of Service presented alongside the Lead Officer"]
    ),
)


@settings(max_examples=600, deadline=None)
@given(
    st.one_of(
        st.lists(_ROLE_ONLY_PIECES, max_size=30).map(" ".join),
        st.lists(st.one_of(_ROLE_ONLY_SENTENCES, _ROLE_ONLY_PIECES), min_size=1, max_size=6).map("".join),
    ),
    st.lists(st.tuples(st.integers(0, 250), st.integers(0, 120)), max_size=4),
)
def test_role_only_windows_without_the_agree_with_the_whole_pattern(
    text: str, raw: list[tuple[int, int]]
) -> None:
    from extract.cues import _merge
    from extract.people import _ROLE_ONLY, _role_only_matches

    windows = _merge([(min(s, len(text)), min(s + w, len(text))) for s, w in raw])
    fast = [
        (m.span(), m.groupdict().get("role"), m.groupdict().get("role2"))
        for m in _role_only_matches(text, windows)
    ]
    plain = [(m.span(), m.group("role"), m.group("role2")) for m in finditer_near(_ROLE_ONLY, text, windows)]
    assert fast == plain


_OWNER_TAIL_PIECES = st.sampled_from(
    ["the Clerk", "officers", " and", " of", " for", " the", " to", " &", " in", " on", " de", ",", ";", ":",
     ".", "–", "-", " ", "\n", "x", "and", "Board", "d", "n", "e"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_OWNER_TAIL_PIECES, max_size=10).map("".join))
def test_owner_tail_trimming_agrees_with_the_substitution_loop(text: str) -> None:
    from extract import classify

    def plain(raw: str) -> str | None:
        owner = classify._OWNER_HEAD.sub("", " ".join(raw.split()))
        prev = None
        while prev != owner:
            prev = owner
            owner = classify._OWNER_TAIL.sub("", owner)
        return owner

    assert classify._trim_owner(text) == plain(text)
    assert classify._trim_owner("That " + text) == plain("That " + text)


#: the words, markers and punctuation _CUT_OFF looks for, in any case, among other characters
_LINE_END_PIECES = st.sampled_from(
    ["the", "OF", "And", "including", "such", "which", "(a)", "(iv)", "1.", "ab)", "ſuch", "K", ",", "–", "-",
     "(", ":", "x", " ", "\t", "\n", "\u00a0", ".", "word", "é", "İ"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_LINE_END_PIECES, max_size=30).map("".join))
def test_cut_off_tail_search_agrees_with_the_whole_line(line: str) -> None:
    assert _ends_cut_off(line) == (_CUT_OFF.search(line) is not None)


#: clause words that the kind, follow-up and condition rules look for, in mixed case, with
#: characters that re.I equates with ASCII letters (ſ, K, ı, İ) or whose lower case differs
_CLAUSE_PIECES = st.sampled_from(
    ["the report be ", "NOTED", "Approved", "agrees", "AGREED to", "be referred to", "Cabinet", "requests",
     "officers to ", "Officers will ", "that ", "be Submitted to ", "the Planning Committee",
     "sets the budget",
     "no objections", "Recommends", "be circulated", "welcomed", "receive a report", "subject to",
     "unless", "provided that", " and ", "; ", ", ", ". ", "–", "£5m", "’", "é", "É", "ſ", "K", "ı", "İ",
     "\u00a0", "\n", "ﬁ", "ß", "Σ"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_CLAUSE_PIECES, max_size=25).map("".join))
def test_lowered_search_finds_what_the_case_insensitive_search_finds(text: str) -> None:
    lower = text.lower()
    for name in ("kinds.jsonl", "followup.jsonl", "conditions.jsonl"):
        fast = [(s, i, m.span()) for s, i, _rule, m in rules.first_matches(name, text, lower, re.I)]
        plain = []
        for i, _rule, pattern, _keywords in rules.keyed(name, re.I):
            m = pattern.search(text)
            if m is not None and i in rules._live(name, lower):
                plain.append((m.start(), i, m.span()))
        assert fast == sorted(plain), name
        assert rules.any_match(name, text, lower, re.I) == bool(plain), name


_INLINE_PLAIN = re.compile(r"(?:[,;:.–]|\s-|\band\b|\bor\b|\bthat\b)\s+(?=\(?[0-9a-zA-Z]{1,4}[).]\s)")
_MARKER_PIECES = st.sampled_from(
    ["and", "or", "that", "sand", "for", "what", "andor", "x", "1", "(a)", "b)", "iv.", " ", "\n", ",", ";",
     ":", ".",
     "–", "-", " -", "- ", "é", "_", "\u00a0"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_MARKER_PIECES, max_size=30).map("".join), st.integers(0, 40), st.integers(0, 120))
def test_inline_marker_scan_agrees_with_the_plain_pattern(text: str, start: int, end: int) -> None:
    assert _inline_spans(text, start, end) == [m.span() for m in _INLINE_PLAIN.finditer(text, start, end)]


def test_inline_marker_after_a_hyphen_needs_its_white_space_inside_the_search() -> None:
    text = "Agreed - (a) x, and - (b) y"
    for start in range(len(text)):
        assert _inline_spans(text, start, len(text)) == [
            m.span() for m in _INLINE_PLAIN.finditer(text, start, len(text))
        ], start


_OWNER_PIECES = st.sampled_from(
    ["and ", "sand ", "And ", ", ", "; ", "that ", "officers", "the Director of Public Health",
     "the Cabinet Member", " be ", " is ", " are ", "requested", "asked", "to ", "x", "é", "\n"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_OWNER_PIECES, max_size=20).map("".join))
def test_owner_rule_with_a_word_start_look_behind_agrees_with_its_plain_form(text: str) -> None:
    """``owner-be-asked-mid`` writes ``\\band`` as ``a(?<!\\wa)nd``, which the engine can skip on."""
    for rule, pattern in rules.compiled("owners.jsonl"):
        if "a(?<!\\wa)nd" not in rule.pattern:
            continue
        plain = re.compile(rule.pattern.replace("a(?<!\\wa)nd", "\\band"))
        fast = [m.span("owner") for m in pattern.finditer(text)]
        assert fast == [m.span("owner") for m in plain.finditer(text)]


_WORDS_ALPHABET = st.sampled_from(
    ["Police", "Service", "Services", "Vice", "Chair", "Head", "of", "Care", "Hospitals", " ", "-", "'", "x",
     "a", "S", "é", "_", "1", "(", "\n", "Group", "Leader", "Barnardo's", "plc", "Co-ordinator"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS_ALPHABET, max_size=30).map("".join))
def test_word_alternations_agree_with_their_plain_form(text: str) -> None:
    from extract import people

    for name in ("_ROLE_WORDS", "_ORG_WORDS", "_OFFICER_ROLE", "_QUALIFIER"):
        fast = getattr(people, name)
        plain = re.compile(rf"\b(?:{getattr(people, name + '_BODY')})\b")
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], name


def test_word_alternation_refuses_an_alternative_it_cannot_rewrite() -> None:
    from extract.people import _word_alternation

    for body in (r"Chair|\w+", "Chair|(?:Vice)", "A?b"):
        try:
            _word_alternation(body)
        except ValueError:
            continue
        raise AssertionError(body)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(list("aZz09 -'’,.\n\t_–£") + ["\u0130", "\u212a", "é", "\ud800", "\U0001f600"]),
        max_size=200,
    )
)
def test_key_words_agree_with_the_regex(text: str) -> None:
    assert key_words(text) == re.findall(r"[a-z0-9]+", text.lower())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["also", "both", "all", "each", "too", "tall", " ", ",", "\n", "x"])))
def test_trailing_adverbs_are_dropped_as_the_substitution_drops_them(words: list[str]) -> None:
    text = "".join(words)
    assert _drop_trailing_adverbs(text) == _TRAILING_ADVERB.sub("", text)


# Cue words, their parts and look-alikes, and what spaCy's affix rules and exceptions split on
_CUE_PIECES = st.sampled_from(
    ["attended", "Attended", "ATTENDANCE", "in", "attendance", "was", "were", "present", "it", "agreed",
     "minute", "minutes", "Minute's", "decision", "will", "would", "e", "-", "mail", "e-mail", "email",
     "report", "back", "look", "into", "the", "introduced", "gave", "a", "presentation", "requested",
     "that", "resolved:-", "(", ")", ".", ",", ":", ";", "'", "\u2019", '"', "/", "n't", "can't",
     "don't", "'s", "a.m.", "U.K.", "İ", "\u212a", "Σ", "http://x.org/agreed", "co-ordination", "£5",
     "10km", "x" * 40, "\U0001f4ce", "re\U0001f4cereported", "reportreport", "intointo"]
)  # fmt: skip
_CUE_GAPS = st.sampled_from(["", " ", " ", " ", "  ", "\n", "\t", "\u00a0", " \n ", "\u2028"])


@cache
def _cue_step() -> tuple:
    import spacy
    from spacy.tokenizer import Tokenizer

    from extract.components import cue_keywords
    from extract.cues import CueFinder, piece_tokenizer

    tokenize = spacy.blank("en").tokenizer
    finder = CueFinder(tokenize.vocab, cue_keywords())
    finder.prepare(tokenize)
    finder.flag_lexemes()
    return finder, tokenize, piece_tokenizer(tokenize), Tokenizer(tokenize.vocab)


def _cues_both_ways(text: str) -> tuple[dict, dict, dict]:
    """Cues near the flags of white-space tokens and of the English tokens; on the whole page's.

    Where lower-casing keeps the length, the cues found in the text with no Doc (from the lower-cased
    text and from the folded one, as ``minutes_cues`` passes it) must be the white-space tokens'.
    """
    finder, tokenize, pieces, split = _cue_step()
    plain = finder(tokenize(text), len(text)).hits
    by_words = finder.find_near_flags(split(text), pieces, words=True).hits
    assert finder.find_near_flags(split(text), pieces).hits == by_words
    by_tokens = finder.find_near_flags(tokenize(text), pieces).hits
    for lowered in (text.lower(), fold(text).lower()):
        if len(lowered) == len(text):
            assert finder.find_in_text(text, lowered, pieces).hits == by_words
    return by_words, by_tokens, plain


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(_CUE_GAPS, _CUE_PIECES), max_size=40))
def test_cues_found_in_the_text_are_the_cues_of_the_whole_page_tokens(parts: list[tuple[str, str]]) -> None:
    text = "".join(gap + piece for gap, piece in parts)
    fast, fast_tokens, plain = _cues_both_ways(text)
    assert fast == plain
    assert fast_tokens == plain


def test_cues_found_in_the_text_agree_on_every_seed_and_fixture() -> None:
    root = Path(__file__).resolve().parents[2]
    paths = sorted((root / "seeds").glob("*.txt"))
    paths += sorted(p for p in (root / "tests").rglob("*") if p.suffix in (".txt", ".md", ".html"))
    found = 0
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        for variant in (text, text.upper(), text.replace("\n", " ")):
            fast, fast_tokens, plain = _cues_both_ways(variant)
            assert fast == plain, path.name
            assert fast_tokens == plain, path.name
            found += sum(map(len, plain.values()))
    assert found > 1000


def test_extraction_without_tokens_finds_the_cues_of_the_white_space_doc() -> None:
    """``run`` gives the blank pipeline an empty Doc; its cues are those of the white-space Doc,
    also on a page whose lower-casing changes its length (the white-space tokens are made then)."""
    from extract.pipeline import _prepare, build_nlp

    nlp = build_nlp()
    cues = nlp.get_pipe("minutes_cues")
    root = Path(__file__).resolve().parents[2]
    for path in sorted((root / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for variant in (text, text.upper(), "\u0130 " + text, text.replace("Minutes", "M\u0130nutes")):
            bare = cues(_prepare(nlp, variant, None, tokens=False))
            assert bare.user_data.get("minutes.no_tokens") and not len(bare)
            words = cues(_prepare(nlp, variant, None))
            assert words.user_data.get("minutes.word_tokens")
            assert bare.user_data["minutes.cues"].hits == words.user_data["minutes.cues"].hits
            assert bare.user_data["minutes.cues"].hits


def test_word_flags_kept_by_the_finder_stay_bounded_and_change_no_answer(monkeypatch) -> None:
    """``find_in_text`` keeps each word's lexeme flags; when the store is full it starts afresh."""
    from extract import cues as cues_module
    from extract.components import cue_keywords
    from extract.cues import CueFinder

    finder, tokenize, pieces, split = _cue_step()
    small = CueFinder(tokenize.vocab, cue_keywords())
    small.prepare(tokenize)
    small.flag_lexemes()
    monkeypatch.setattr(cues_module, "MAX_WORD_FLAGS", 3)
    root = Path(__file__).resolve().parents[2]
    for path in sorted((root / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for _ in range(2):  # the second time round, some words' flags come from the store
            found = small.find_in_text(text, text.lower(), pieces).hits
            assert found == finder.find_near_flags(split(text), pieces, words=True).hits
            assert found
            assert 0 < len(small._word_flags) <= 3


_PEOPLE_PIECES = st.sampled_from(
    ["Jane Doe", "Cllr A Khan", " in the chair", " in  the\nchair", "chair", " (Chair)", "(", ")", ", ", ",",
     "Example Police", "Cabinet Member", " ", "\n", "and", "Chairman", "x"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PEOPLE_PIECES, max_size=12).map("".join))
@example("Jane Doe in the chair")
@example("Jane Doe (Chair)")
@example("Cabinet Member, Example Police")
def test_people_prefilters_agree_with_their_patterns(text: str) -> None:
    assert _in_the_chair(text) == (re.search(r"\bin\s+the\s+chair\b", text) is not None)
    plain = re.sub(r"\s*\([^)]*\)$|\s+in\s+the\s+chair$", "", text.strip())
    assert _is_name(text) == (bool(NAME_RE.fullmatch(plain)) and not _ROLE_HEAD.match(plain))
    parts = [p.strip() for p in re.split(r",\s*", text) if p.strip()]
    assert (
        _role_or_org(text) == _role_or_org(", ".join(parts)) if parts else _role_or_org(text) == (None, None)
    )


#: ``_SENTENCE_STOP`` as first written, each look-behind before the full stop
_SENTENCE_STOP_PLAIN = re.compile(
    r"(?<![A-Z])(?<!\bNo)(?<!\bno)(?<!\bSt)(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!Mrs)(?<!Cllr)(?<!para)(?<!etc)"
    r"\.(?=\s+[A-Z])"
)
_STOP_PIECES = st.sampled_from(
    [
        "No",
        "no",
        "St",
        "Dr",
        "Mr",
        "Ms",
        "Mrs",
        "Cllr",
        "para",
        "etc",
        ".",
        " ",
        "A",
        "b",
        "x.",
        "\n",
        "The",
        "aNo",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_STOP_PIECES, max_size=14).map("".join), st.integers(0, 30), st.integers(0, 60))
def test_sentence_stop_with_its_look_behinds_after_the_full_stop_agrees_with_the_plain_one(
    text: str, start: int, end: int
) -> None:
    plain = _SENTENCE_STOP_PLAIN
    assert [m.span() for m in _SENTENCE_STOP.finditer(text, start, end)] == [
        m.span() for m in plain.finditer(text, start, end)
    ]


_SUMMARY_PIECES = st.sampled_from(
    ["The Committee noted the report", "The Board endorsed", "The minutes of the last meeting were agreed",
     "The Cabinet Member noted it.", "The", "Panel", " approved", ".", ". ", "!\n", " ", "\n", "\t", "12.",
     "3", "1.2 ", "x", "٣"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_SUMMARY_PIECES, max_size=12).map("".join), st.integers(0, 60), st.integers(0, 200))
def test_past_tense_summaries_tried_before_each_the_are_the_plain_search_s(
    text: str, lo: int, hi: int
) -> None:
    assert [m.span() for m in past_tense_matches(text, lo, hi)] == [
        m.span() for m in _PAST_TENSE.finditer(text, lo, hi)
    ]


_OPENER_PIECES = st.sampled_from(
    ["RESOLVED", "Resolved", "resolved", "It was ", "it was ", "The Committee ", "Board ", " agreed",
     "AGREED", "Agreed", "Decision", "DECISIONS", "decision", " that", ": ", " – ", "\n", ". ",
     " to recommend", "x", " ", "(a)", "UNANIMOUSLY", ", unanimously,", " of the Audit Panel", " was"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_OPENER_PIECES, max_size=14).map("".join),
    st.lists(st.tuples(st.integers(0, 120), st.integers(0, 40)), max_size=3),
)
def test_openers_found_rule_by_rule_are_those_of_the_alternation(
    text: str, cuts: list[tuple[int, int]]
) -> None:
    windows, pos = [], 0
    for start, width in sorted(cuts):
        start = max(start, pos)
        if start > len(text):
            break
        windows.append((start, min(len(text), start + width)))
        pos = windows[-1][1] + 1
    windows = windows or [(0, len(text))]
    alternation = rules.alternation("openers.jsonl", re.M)[0]
    assert opener_spans(text, windows) == [m.span() for m in finditer_near(alternation, text, windows)]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["the following", "representatives", "Following officers", ":", "-", " ", "\u00a0", "\n", "x"]
        ),
        max_size=8,
    ).map("".join)
)
def test_representatives_intro_needs_the_line_to_end_with_a_colon(text: str) -> None:
    tail = text.rstrip()
    colon = tail.endswith(":") or (tail.endswith("-") and tail[:-1].rstrip().endswith(":"))
    if _REPS_INTRO.search(tail):
        assert colon, tail
