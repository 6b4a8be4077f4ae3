"""Turn an analysed Doc into an :class:`Extraction`: records, texts as printed, and warnings.

Here the components' raw material (offsets, clause pieces) becomes plain records. Record text
comes from the original text (curly quotes and all) with white space squashed; spans point into
the original text.
"""

from __future__ import annotations

import re
from datetime import date

from spacy.tokens import Doc

from .actions import NarrativeAction
from .classify import classify
from .components import page
from .dates import find_dates, parse_due
from .people import Person
from .records import (
    Action,
    Amount,
    Attendee,
    DateMention,
    Due,
    Extraction,
    ExtractionWarning,
    Meeting,
    Reference,
    Report,
    Resolution,
)
from .resolutions import BlockResult
from .text import Line, key_words, rx, squash, trim_span

_NOISE = re.compile(r"\s*(?:pdf\s+icon\s*)?PDF\s*,?\s*\d+\s*[KM]B\b|\bpdf\s+icon\b", re.I)
_ENDS_SENTENCE = re.compile(r"[.!?:;)\"'’”]\s*$")
_SENTENCE_ENDERS = frozenset(".!?:;)\"'’”")
_CUT_OFF = re.compile(
    r"(?:\b(?:the|of|and|to|a|an|for|with|that|in|on|by|be|or|from|at|as|which|who|including|such)|[,:;(–-]|"
    r"\(\w{1,4}\)|\b\w{1,3}[.)])\s*$",
    re.I,
)
#: no alternative of ``_CUT_OFF`` is longer than this ("including"), with room to spare
_CUT_OFF_REACH = 12


def _ends_cut_off(line: str) -> bool:
    """``_CUT_OFF.search(line)``, looking only at the line's end.

    Every match ends where the line's trailing white space begins (``\\s*$``, and no alternative
    matches white space), and no alternative is longer than ``_CUT_OFF_REACH``: a search from
    there finds a match exactly when a search of the whole line does. With ``re.I`` and a ``\\b``
    to start each alternative, a whole-line search tries every alternative at every position.
    """
    start = len(line.rstrip()) - _CUT_OFF_REACH
    return _CUT_OFF.search(line, start if start > 0 else 0) is not None


def _clean(text: str) -> str:
    if "pdf" in text or "PDF" in text:
        text = _NOISE.sub(" ", text)
    return squash(text)


def _key(text: str) -> set[str]:
    return set(key_words(text))


def build_extraction(
    doc: Doc, *, source_name: str | None, sha256: str, meeting_date: date | None
) -> Extraction:
    """Assemble the records the components found on ``doc``."""
    text = doc.user_data["minutes.text"]
    p = page(doc)
    lay = p.layout
    warnings: list[ExtractionWarning] = []

    meeting = _meeting(lay.meeting, meeting_date)
    when = meeting_date
    if when is None and meeting is not None and meeting.date:
        when = date.fromisoformat(meeting.date)

    resolutions = _resolutions(text, doc.user_data["minutes.resolutions"], when, warnings)
    actions = _actions(text, resolutions, doc.user_data["minutes.narrative_actions"], when, warnings)
    attendees = tuple(_attendee(x) for x in doc.user_data["minutes.people"])

    for s, e in doc.user_data["minutes.resolutions"].gaps:
        warnings.append(ExtractionWarning("W_NUMBERING_GAP", f"numbering skips at {text[s:e]!r}", (s, e)))
    for a in actions:
        if a.owner is None:
            warnings.append(
                ExtractionWarning("W_ACTION_NO_OWNER", "action has no owner named in the text", a.span)
            )
    cut = _cut_off(text, (p.lines, lay.nonblank) if _same_lines(text, p.folded) else None)
    if cut is not None:
        warnings.append(ExtractionWarning("W_TEXT_CUT_OFF", "the text seems to stop mid-sentence", cut))
    warnings.sort(key=lambda w: (w.span or (0, 0))[0])

    title = _clean(text[lay.title[0] : lay.title[1]]) if lay.title else None
    report = None
    if lay.report:
        kind, author, s, e = lay.report
        report = Report(kind, author, (s, e))
    dates = doc.user_data["minutes.dates"]
    if when is not None and meeting_date is None:
        dates = find_dates(p.folded, when)  # years missing from dates now come from the page's meeting
    return Extraction(
        text=text,
        source_name=source_name,
        sha256=sha256,
        title=title,
        report=report,
        attendees=attendees,
        resolutions=tuple(resolutions),
        actions=tuple(actions),
        dates=tuple(
            DateMention(
                d.text if d.text == text[d.span[0] : d.span[1]] else text[d.span[0] : d.span[1]],
                d.date,
                d.span,
            )
            for d in dates
        ),
        amounts=tuple(
            Amount(text[a.span[0] : a.span[1]], a.value, a.currency, a.span)
            for a in doc.user_data["minutes.amounts"]
        ),
        references=tuple(Reference(text[s:e], (s, e)) for s, e in doc.user_data["minutes.references"]),
        warnings=tuple(warnings),
        meeting=meeting,
        meeting_date=when.isoformat() if when else None,
        items=tuple(it.number for it in lay.items if it.number),
    )


def _meeting(info: dict | None, meeting_date: date | None) -> Meeting | None:
    if not info:
        return None
    iso = None
    found = find_dates(info["date_text"], None)
    if found:
        iso = found[0].date
    return Meeting(info.get("committee"), iso, info.get("item"), info.get("span"))


def _due(
    text: str, when: date | None, span: tuple[int, int], warnings: list[ExtractionWarning]
) -> Due | None:
    match, notes = parse_due(text, when)
    for code, message in notes:
        warnings.append(ExtractionWarning(code, message, span))
    if match is None:
        return None
    return Due(match.text, match.date)


def _resolutions(
    text: str, found: BlockResult, when: date | None, warnings: list[ExtractionWarning]
) -> list[Resolution]:
    pieces = []
    for lf in found.leaves:
        lead = " ".join(_clean(text[s:e]) for s, e in lf.leads)
        body = _clean(text[lf.body[0] : lf.body[1]])
        if body:
            pieces.append((lf, lead, body, f"{lead} {body}" if lead else body))
    lead_kinds: dict[str, tuple[str, str | None]] = {}
    out = []
    for lf, lead, body, full in pieces:
        c = classify(body, lead=lead, hint=lf.hint, lead_kinds=lead_kinds)
        span = trim_span(text, *lf.span)
        due = _due(full, when, span, warnings) if c.needs_followup else None
        out.append(Resolution(lf.label, full, c.kind, c.needs_followup, c.owner, due, span, lf.item))
    return out


def _actions(
    text: str,
    resolutions: list[Resolution],
    narrative: list[NarrativeAction],
    when: date | None,
    warnings: list[ExtractionWarning],
) -> list[Action]:
    out: list[Action] = []
    for i, r in enumerate(resolutions):
        if r.needs_followup:
            out.append(Action(r.text, r.owner, r.due, "resolution", r.label, r.span, i, r.item))
    # each resolution action's words, made when first compared (a repeat is often found early)
    keys: list[set[str]] = []
    n_res = len(out)
    # every resolution action's text at once: a word of no action is in none of their words
    joined = " ".join(a.text for a in out).lower() if narrative and n_res else ""
    for na in narrative:
        s, e = trim_span(text, *na.text_span)
        body = _clean(text[s:e])
        if not body:
            continue
        k = _key(body)
        need = 0.8 * max(1, len(k))
        repeats = False
        # a repeat shares ``need`` words with one action, and each of them is in the joined texts:
        # with fewer there, no action's words need making
        n_compare = n_res if sum(w in joined for w in k) >= need else 0
        for j in range(n_compare):
            if j == len(keys):
                keys.append(_key(out[j].text))
            if len(k & keys[j]) >= need:
                repeats = True
                break
        if repeats:
            continue  # it repeats a resolution
        due = _due(body, when, (s, e), warnings)
        out.append(Action(body, na.owner, due, na.origin, None, (s, e), None, None))
    out.sort(key=lambda a: a.span[0])
    return out


def _attendee(p: Person) -> Attendee:
    return Attendee(p.name, p.honorific, p.role, p.organisation, p.capacity, (p.start, p.end))


#: characters that folding turns into a line break, or into white space from something else: in a
#: text holding none, the folded copy has the same lines, each stripped to the same length
_LINE_CHANGERS = "\r\f\v\u2028\u2029\ufeff\u200b"


def _same_lines(text: str, folded: str) -> bool:
    """Do ``split_lines(folded)``'s lines stand for ``text.split("\n")``'s, stripped, at the same offsets?"""
    return folded is text or not any(c in text for c in _LINE_CHANGERS)


def _cut_off(text: str, lines: tuple[list[Line], list[int]] | None = None) -> tuple[int, int] | None:
    """The last line, when the text seems to stop part-way: a dangling word, comma or marker, or
    an unfinished sentence on a page whose other paragraphs end with full stops.

    ``lines`` may give the text's lines as :func:`~extract.text.split_lines` makes them and the
    indices of those with text (``Layout.nonblank``), when they stand for the text's own (see
    :func:`_same_lines`): they spare splitting the page again.
    """
    stripped = text.rstrip()
    if not stripped:
        return None
    start = stripped.rfind("\n") + 1
    last = stripped[start:]
    span = (start + len(last) - len(last.lstrip()), len(stripped))
    # under re.I the first letter is S, s, ſ (which case-folds to s), B or b: most last lines have none
    if last.lstrip()[:1] in "SsſBb" and rx.match(
        r"\s*(?:Supporting\s+documents|Background\s+papers)", last, re.I
    ):
        return None
    if _ends_cut_off(last):
        return span
    if not _ENDS_SENTENCE.search(last):
        # a sentence carried over a line break that never ends: "… whether the / Council would … a new"
        prev = stripped[:start].rstrip()
        prev_line = prev[prev.rfind("\n") + 1 :]
        if prev_line and _ends_cut_off(prev_line) and not _ENDS_SENTENCE.search(prev_line):
            return span
    if len(last) > 40 and not _ENDS_SENTENCE.search(last):
        # the page's recent paragraphs: do they end with full stops? (the last 6,000 characters say enough)
        long_lines = finished = 0
        if lines is not None and start <= 6000:
            # the window holds every line before the last, whole: their stripped texts are made
            page_lines, nonblank = lines
            for i in nonblank:
                start_, end_, line_text = page_lines[i]
                if start_ >= start:
                    break
                if end_ - start_ > 40:
                    long_lines += 1
                    finished += line_text[-1] in _SENTENCE_ENDERS
        else:
            window = stripped[max(0, start - 6000) : start]
            for ln in window.split("\n"):
                if len(ln) > 40 and len(ln.strip()) > 40:
                    long_lines += 1
                    # what _ENDS_SENTENCE finds at the end of a line stripped on the right
                    finished += ln.rstrip()[-1] in _SENTENCE_ENDERS
        if long_lines >= 3 and finished >= 0.7 * long_lines:
            return span
    return None
