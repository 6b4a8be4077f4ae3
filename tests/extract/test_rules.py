"""The rule tables' ``keywords`` are only a speed-up: they must never hide a match.

Each rule runs only when one of its keywords occurs (clause rules) or only in a window around a
keyword found by the page's cue finder (page rules). Over every seed and fixture, and every line
and sentence of them, these tests check that the full regex finds nothing the filtered one misses.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from extract import rules
from extract.actions import _AFTER, _BEFORE
from extract.pipeline import get_nlp
from extract.text import fold, lower_same_length

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "extract" / "fixtures"
TEXTS = sorted((ROOT / "seeds").glob("*.txt")) + sorted(FIXTURES.glob("*.txt"))
_PIECES = re.compile(r"[^\n.;]+[.;]?")

#: clause-level rule files and the flags they are matched with
CLAUSE_FILES = {"kinds.jsonl": re.I, "followup.jsonl": re.I, "conditions.jsonl": re.I, "owners.jsonl": 0}


@cache
def _folded() -> list[str]:
    return [fold(p.read_text(encoding="utf-8")) for p in TEXTS]


@cache
def _pieces() -> list[str]:
    """Lines and sentences, white space squashed: the shapes clause texts take."""
    out = []
    for text in _folded():
        for m in _PIECES.finditer(text):
            piece = " ".join(m.group(0).split())
            if len(piece) > 8:
                out.append(piece)
    return out


@pytest.mark.parametrize("name", sorted(CLAUSE_FILES))
def test_clause_rule_keywords_never_hide_a_match(name: str) -> None:
    flags = CLAUSE_FILES[name]
    checked = 0
    for _i, rule, pattern, keywords in rules.keyed(name, flags):
        if not keywords:
            continue
        for piece in _pieces():
            if pattern.search(piece):
                checked += 1
                low = piece.lower()
                assert any(k in low for k in keywords), (rule.id, piece)
    assert checked > 0


@pytest.mark.parametrize("name", ["actions.jsonl", "references.jsonl"])
def test_page_rules_match_only_near_a_cue_the_tokens_show(name: str) -> None:
    nlp = get_nlp()
    cue_step = dict(nlp.pipeline)["minutes_cues"]
    checked = 0
    for text in _folded():
        doc = nlp.make_doc(text)
        doc.user_data["minutes.text"] = text
        cues = cue_step(doc).user_data["minutes.cues"]
        lower = lower_same_length(text)
        for rule, pattern in rules.compiled(name):
            keywords = tuple(rule.data.get("keywords", ()))
            for m in pattern.finditer(text):
                checked += 1
                near = [
                    (s, e)
                    for s, e in cues.find(keywords)
                    if s - _BEFORE <= m.start() and m.end() <= e + _AFTER
                ]
                assert near, (rule.id, text[m.start() : m.end()], [k for k in keywords if k in lower])
    assert checked > 0


def test_section_line_starts_never_hide_a_heading() -> None:
    """Every stripped ASCII line a section rule matches at its start begins with one of its ``starts``."""
    lines = {ln.strip() for text in _folded() for ln in text.split("\n") if ln.strip()}
    lines |= {"PDF 120 KB", "(PDF, 2 MB)", "Is Key Decision? No", "NOTES:", "Call-in deadline: 5 May"}
    checked = 0
    for rule, pattern in rules.compiled("sections.jsonl"):
        starts = tuple(rule.data["starts"])
        assert starts and all(s == s.lower() for s in starts), rule.id
        for line in lines:
            for variant in (line, line.upper(), line.lower(), line.title()):
                if variant.isascii() and pattern.match(variant):
                    checked += 1
                    assert variant.lower().startswith(starts), (rule.id, variant)
    assert checked > 50
    assert rules.line_starts("sections.jsonl") is not None


def test_every_opener_match_holds_one_of_its_rule_s_literals() -> None:
    checked = 0
    for rule in rules.rules("openers.jsonl"):
        literals = rule.data["literals"]
        pattern = re.compile(rule.pattern, re.M)
        for text in _folded() + _pieces():
            for m in pattern.finditer(text):
                checked += 1
                assert any(w in m.group(0) for w in literals), (rule.id, m.group(0))
    assert checked > 0
