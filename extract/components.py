"""The ``minutes_*`` spaCy components: each reads the Doc, does one job, stores its result.

Logic lives in plain modules (layout, resolutions, people, actions, dates, money); a component
only calls them and keeps the answer on the Doc, as plain data in ``doc.user_data`` under
``minutes.*`` keys. Spans for inspecting a Doc by hand are made on request by
:func:`evidence_spans`: building them for every page (a ``char_span`` per record and six
SpanGroups) cost about 4% of extraction and nothing in the pipeline reads them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

from . import rules
from .actions import NarrativeAction, find_action_lines, find_narrative_actions
from .cues import CueFinder, Cues, piece_tokenizer
from .dates import find_dates
from .layout import Layout, read_layout
from .money import find_amounts
from .people import CUE_WORDS as PEOPLE_CUES
from .people import Person, find_people
from .resolutions import OPENER_CUES, BlockResult, find_resolutions
from .text import Line, finditer_near, fold, lower_for_keywords, lower_same_length, split_lines


@dataclass(slots=True)
class Page:
    """What ``minutes_layout`` learns once and every later component reuses."""

    folded: str
    lower: str  # the folded text lower-cased for ASCII keywords (lower_for_keywords), same length
    lines: list[Line]
    layout: Layout
    cues: Cues


def page(doc: Doc) -> Page:
    return doc.user_data["minutes.page"]


def _spans(doc: Doc, items: list[tuple[int, int, str]]) -> list[Span]:
    out = []
    for s, e, label in items:
        span = doc.char_span(s, e, label=label, alignment_mode="expand")
        if span is not None:
            out.append(span)
    return out


def evidence_spans(doc: Doc) -> Doc:
    """Put the components' findings on ``doc.spans`` (``resolutions``, ``attendees``, ``actions``,
    ``dates``, ``amounts``, ``references``) for someone inspecting a processed Doc; returns ``doc``."""
    data = doc.user_data
    groups: dict[str, list[tuple[int, int, str]]] = {
        "dates": [(d.span[0], d.span[1], "DATE") for d in data["minutes.dates"]],
        "amounts": [(a.span[0], a.span[1], "MONEY") for a in data["minutes.amounts"]],
        "references": [(s, e, "REFERENCE") for s, e in data["minutes.references"]],
        "resolutions": [(lf.span[0], lf.span[1], "RESOLUTION") for lf in data["minutes.resolutions"].leaves],
        "attendees": [(x.start, x.end, "ATTENDEE") for x in data["minutes.people"]],
        "actions": [(a.text_span[0], a.text_span[1], "ACTION") for a in data["minutes.narrative_actions"]],
    }
    for key, items in groups.items():
        doc.spans[key] = _spans(doc, items)
    return doc


def cue_keywords() -> list[str]:
    """Every cue word or phrase a page-wide rule needs: openers, attendance, narrative actions, references."""
    words = [*OPENER_CUES, *PEOPLE_CUES]
    for name in ("actions.jsonl", "references.jsonl"):
        for rule in rules.rules(name):
            words.extend(rule.data.get("keywords", ()))
    return words


@Language.factory("minutes_cues", assigns=["doc.user_data"], default_config={"from_text": False})
def make_minutes_cues(nlp: Language, name: str, from_text: bool) -> Callable[[Doc], Doc]:
    """Find every cue phrase of the page-wide rules in one PhraseMatcher pass over the tokens.

    The phrases are tokenised by the pipeline's tokenizer as it is when the component is added.
    With ``from_text`` they are found with that tokenizer near the Doc's flagged tokens
    (:meth:`~extract.cues.CueFinder.find_near_flags`), whose own tokens need only lie within
    white-space-free chunks: the blank pipeline then gives its Docs a cheaper tokenizer (see
    ``pipeline.build_nlp``). A Doc that ``pipeline`` split on white space alone because of a
    hostile run (``minutes.plain_tokens``) is matched on its own tokens, as always. The empty Doc
    ``pipeline.run`` makes (``minutes.no_tokens``) is read from its text
    (:meth:`~extract.cues.CueFinder.find_in_text`).
    """
    finder = CueFinder(nlp.vocab, cue_keywords())
    finder.prepare(nlp.make_doc)
    tokenize = nlp.tokenizer
    if from_text:
        finder.flag_lexemes()
        tokenize = piece_tokenizer(nlp.tokenizer)
    split = Tokenizer(nlp.vocab)

    def minutes_cues(doc: Doc) -> Doc:
        data = doc.user_data
        text = data["minutes.text"]
        # folded and lower-cased once here; minutes_layout keeps them on the page
        folded = data["minutes.folded"] = fold(text)
        lowered = lower_for_keywords(folded)  # the page's lower case is only searched for ASCII words
        same_length = len(lowered) == len(folded)
        data["minutes.lower"] = lowered if same_length else folded  # as lower_same_length
        if from_text and data.get("minutes.no_tokens"):
            if same_length:
                data["minutes.cues"] = finder.find_in_text(text, lowered, tokenize)
            else:  # lower-casing changes the length: the white-space tokens' flags, as below
                data["minutes.cues"] = finder.find_near_flags(split(text), tokenize, words=True)
        elif from_text and not data.get("minutes.plain_tokens"):
            if doc.vocab is finder.vocab:
                words = bool(data.get("minutes.word_tokens"))
                data["minutes.cues"] = finder.find_near_flags(doc, tokenize, words=words)
            else:  # a Doc made elsewhere carries none of our flags: tokenise the page
                data["minutes.cues"] = finder(tokenize(text), len(text))
        else:
            data["minutes.cues"] = finder(doc, len(text))
        return doc

    return minutes_cues


@Language.component("minutes_layout", requires=["doc.user_data"], assigns=["doc.user_data"])
def minutes_layout(doc: Doc) -> Doc:
    """Fold the text, split lines, find title, report, meeting line, items and headings."""
    data = doc.user_data
    folded = data.get("minutes.folded")
    if folded is None:
        folded = fold(data["minutes.text"])
        lowered = lower_same_length(folded)
    else:
        lowered = data["minutes.lower"]
    nonblank: list[int] = []
    lines = split_lines(folded, nonblank)
    layout = read_layout(folded, lines, nonblank)
    data["minutes.page"] = Page(folded, lowered, lines, layout, data["minutes.cues"])
    return doc


@Language.component("minutes_mentions", requires=["doc.user_data"], assigns=["doc.user_data"])
def minutes_mentions(doc: Doc) -> Doc:
    """Dates, money amounts and references to other minutes."""
    p = page(doc)
    meeting_date = doc.user_data.get("minutes.meeting_date")
    dates = find_dates(p.folded, meeting_date)
    amounts = find_amounts(p.folded)
    refs = []
    for _i, _rule, rx, keywords in rules.keyed("references.jsonl"):
        refs.extend(
            (m.start(), m.end()) for m in finditer_near(rx, p.folded, p.cues.windows(keywords, 8, 160))
        )
    refs.sort()
    doc.user_data["minutes.dates"] = dates
    doc.user_data["minutes.amounts"] = amounts
    doc.user_data["minutes.references"] = refs
    return doc


@Language.component("minutes_resolutions", requires=["doc.user_data"], assigns=["doc.user_data"])
def minutes_resolutions(doc: Doc) -> Doc:
    """Resolution blocks split into leaf clauses."""
    p = page(doc)
    result: BlockResult = find_resolutions(p.folded, p.lines, p.layout, p.cues, p.lower)
    doc.user_data["minutes.resolutions"] = result
    return doc


@Language.component("minutes_attendees", requires=["doc.user_data"], assigns=["doc.user_data"])
def minutes_attendees(doc: Doc) -> Doc:
    """People present, invited, welcomed, in attendance or sending apologies.

    With a trained pipeline (``TRACKER_SPACY_MODEL``), PERSON entities in sentences that say
    someone attended or was welcomed add candidates the rules missed.
    """
    p = page(doc)
    skip = doc.user_data["minutes.resolutions"].spans
    people: list[Person] = find_people(p.folded, p.lines, skip, p.cues, p.layout.nonblank)
    # doc.ents walks the tokens in C; has_annotation("ENT_IOB") did it in a Python generator (~40 µs
    # a page). A Doc annotated with no entity adds no candidate either way: people stay as sorted.
    if doc.ents:
        people = _add_entity_candidates(doc, people, skip)
    doc.user_data["minutes.people"] = people
    return doc


_ATTENDANCE_CONTEXT = re.compile(
    r"\b(?:attended|welcomed|in\s+attendance|were\s+present|was\s+present|invited)\b"
)


def _add_entity_candidates(doc: Doc, people: list[Person], skip: list[tuple[int, int]]) -> list[Person]:
    known = {(x.name or "").lower() for x in people}
    text = doc.user_data["minutes.text"]
    extra = []
    for ent in doc.ents:
        if ent.label_ != "PERSON" or ent.text.lower() in known:
            continue
        if any(s <= ent.start_char < e for s, e in skip):
            continue
        sent_start = text.rfind(".", 0, ent.start_char) + 1
        sent_end = text.find(".", ent.end_char)
        context = text[sent_start : sent_end if sent_end != -1 else len(text)]
        if not _ATTENDANCE_CONTEXT.search(context):
            continue
        known.add(ent.text.lower())
        extra.append(Person(ent.text, None, None, None, "invited", ent.start_char, ent.end_char))
    return sorted(people + extra, key=lambda x: x.start)


@Language.component("minutes_actions", requires=["doc.user_data"], assigns=["doc.user_data"])
def minutes_actions(doc: Doc) -> Doc:
    """``Action:`` lines and promises in the narrative (resolution actions come from clauses)."""
    p = page(doc)
    skip = doc.user_data["minutes.resolutions"].spans
    found: list[NarrativeAction] = find_action_lines(p.folded, p.lines, p.layout)
    taken = skip + [a.text_span for a in found]
    found += find_narrative_actions(p.folded, taken, p.cues)
    found.sort(key=lambda a: a.text_span[0])
    doc.user_data["minutes.narrative_actions"] = found
    return doc
