"""Follow-ups outside the resolution block: ``Action:`` lines and promises in the narrative.

Resolution actions are made in :mod:`extract.build` from the clauses that need a follow-up;
this module finds the others (``ACTION: Councillor Patel``, ``Officers undertook to …``,
``The Committee requested that …``, ``It was agreed that the clerk would circulate …``).
"""

from __future__ import annotations

import re

from . import rules
from .classify import clean_owner
from .cues import Cues
from .frozen import frozen
from .layout import Layout
from .text import Line, finditer_near, rx

_ACTION_LINE = re.compile(
    r"(?P<head>(?:ACTIONS?|Actions?)(?:\s+(?:by|for|point))?\s*(?::|–|\s-\s))\s*(?P<body>.*)$"
)
_BODY_OWNER = re.compile(
    r"^(?P<owner>.{1,80}?)\s+(?:to|will|should|must|would|agreed\s+to|undertook\s+to)\s+(?!be\b)(?=[a-z])"
)
_BARE_OWNER = re.compile(
    r"^(?:(?:Councillors?|Cllrs?\.?|Dr|Mr|Mrs|Ms|The|the)\s+)?[A-Z][\w'.-]*(?:\s+(?:[A-Z][\w'.-]*|and|&|of|for|/))*\s*"
    r"(?:,\s*[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*)*\.?$|^(?:[Oo]fficers|all|All(?:\s+members)?|[A-Z]{2,4}(?:\s*[/,&]\s*[A-Z]{2,4})*)\.?$"
)
#: a few words with no "to"/"will": the owner alone ("ACTION: All Board members")
_NO_VERB = re.compile(r"(?!.*\b(?:to|will|should|must|would|be)\b)[A-Za-z][\w'.&/ -]{1,58}\.?")
_BULLET_LEAD = re.compile(r"[•·▪●*–-]\s*")
_TRAILING_OWNER = re.compile(r"[(\[]\s*(?P<owner>[^()\[\]]{2,80}?)\s*[)\]]\.?\s*$")
_OWNER_SPLIT = re.compile(r"[\s/&,]+")
_OWNER_CONNECTORS = frozenset(
    {
        "and",
        "of",
        "the",
        "for",
        "or",
        "team",
        "teams",
        "officials",
        "officers",
        "members",
        "colleagues",
        "group",
        "staff",
    }
)
_ACRONYM = re.compile(r"[A-Z][A-Za-z]{0,2}[A-Z]{1,5}s?")
SENT_END = re.compile(
    r"(?<=[.!?])(?=\s+[A-Z(\"']|\s*$)|(?<=[.!?])[\"')]?\s*\n|\n\s*\n(?=\s*[A-Z•·\-*(])|\n\s*[•·▪●]"
)


#: how far a narrative rule's match may start before its keyword, and end after it (checked in tests)
_BEFORE = 110
_AFTER = 110


@frozen
class NarrativeAction:
    text_span: tuple[int, int]
    owner: str | None
    origin: str
    rule: str


#: the only characters that can end a sentence or change the bracket depth (see _sentence_end)
_SENTENCE_STOPS = re.compile(r"[().!?\n]")


def _sentence_end(f: str, pos: int, limit: int, paren_open: bool) -> int:
    """End of the sentence from ``pos``: a full stop, the bracket closing an aside, or the paragraph's end."""
    depth = 1 if paren_open else 0
    i = pos
    n = min(limit, len(f), pos + 1500)
    stops = _SENTENCE_STOPS.search
    while i < n:
        # jump to the next character that matters instead of stepping over every one
        m = stops(f, i, n)
        if m is None:
            break
        i = m.start()
        ch = f[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0 or (paren_open and depth == 0):
                return i
        elif ch in ".!?":
            if i + 1 >= n or f[i + 1].isspace():
                return i + 1
        else:  # a newline
            # a paragraph break ends the sentence unless the next line carries it on (lower case)
            j = i
            while j < n and f[j] in " \n":
                j += 1
            if j >= n:
                return i
            if f[i:j].count("\n") >= 2 or f[j] in "•·▪●" or f.startswith(("- ", "* "), j):
                if not f[j].islower():
                    return i
            i = j
            continue
        i += 1
    return n


def _sentence_end_by_char(f: str, pos: int, limit: int, paren_open: bool) -> int:
    """The plain character-by-character definition of :func:`_sentence_end`, kept for its tests."""
    depth = 1 if paren_open else 0
    i = pos
    n = min(limit, len(f), pos + 1500)
    while i < n:
        ch = f[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0 or (paren_open and depth == 0):
                return i
        elif ch in ".!?" and (i + 1 >= n or f[i + 1].isspace()):
            return i + 1
        elif ch == "\n":
            j = i
            while j < n and f[j] in " \n":
                j += 1
            if j >= n:
                return i
            if f[i:j].count("\n") >= 2 or f[j] in "•·▪●" or f.startswith(("- ", "* "), j):
                if not f[j].islower():
                    return i
            i = j
            continue
        i += 1
    return n


def _sentence_start(f: str, pos: int) -> int:
    lo = max(0, pos - 400)
    best = lo
    for m in rx.finditer(r"[.!?]\s+|\n\s*\n\s*|[•·▪●]\s*|\n[-*]\s+|\(\s*", f[lo:pos]):
        best = lo + m.end()
    return best


def find_action_lines(folded: str, lines: list[Line], layout: Layout) -> list[NarrativeAction]:
    """``Action: Officers to review the figures`` and ``ACTION: Councillor Patel`` lines."""
    out = []
    # the lines layout marked ACTION, in page order (a dict of a few headings, not every line)
    for idx in sorted(i for i, heading in layout.headings.items() if heading == "ACTION"):
        ln = lines[idx]
        m = _ACTION_LINE.match(ln.text)
        if not m:
            continue
        body = m.group("body").strip()
        body_start = ln.start + m.start("body")
        lead = _BULLET_LEAD.match(body)
        if lead:
            body, body_start = body[lead.end() :], body_start + lead.end()
        if not body:
            # "Action:" / "Actions:" alone: each task line under it is an action
            out.extend(_task_lines(lines, idx + 1, layout))
            continue
        ln_end = ln.end
        if (_BARE_OWNER.match(body) or _NO_VERB.fullmatch(body)) and len(body) < 60:
            # the owner alone: the task is the paragraph above
            owner = owner_as_written(body.rstrip("."))
            j = idx - 1
            while j >= 0 and not lines[j].text:
                j -= 1
            if j < 0:
                continue
            while j > 0 and lines[j - 1].text and (idx - j) < 40:
                j -= 1
            start = lines[j].start
            out.append(NarrativeAction((start, ln_end), owner, "action_line", "action-owner-line"))
            continue
        out.append(
            NarrativeAction((body_start, ln_end), action_line_owner(body), "action_line", "action-line")
        )
    return out


def _task_lines(lines: list[Line], idx: int, layout: Layout) -> list[NarrativeAction]:
    """The task lines under an ``Action:`` heading, up to the first line that is not one."""
    out: list[NarrativeAction] = []
    while idx < len(lines) and len(out) < 20:
        ln = lines[idx]
        idx += 1
        if not ln.text:
            continue
        if idx - 1 in layout.headings:
            break
        lead = _BULLET_LEAD.match(ln.text)
        body = ln.text[lead.end() :] if lead else ln.text
        start = ln.start + (lead.end() if lead else 0)
        owner = action_line_owner(body)
        if not lead and owner is None:
            break  # neither a bullet nor "X to …": the narrative has resumed
        out.append(NarrativeAction((start, ln.end), owner, "action_line", "action-task-line"))
    return out


def action_line_owner(body: str) -> str | None:
    """Who an action line names: before "to <verb>" (``DCLG to produce …``), or in closing
    brackets (``… (Ruth Hayes / Tim Allen)``, ``… [Nigel Shadbolt]``)."""
    om = _BODY_OWNER.match(body)
    if om:
        owner = owner_as_written(om.group("owner"), single_word=True)
        if owner:
            return owner
    tm = _TRAILING_OWNER.search(body)
    if tm and not tm.group("owner").upper().startswith(("DN", "NOTE", "SEE ")):
        return owner_as_written(tm.group("owner"))
    return None


def owner_as_written(raw: str, *, single_word: bool = False) -> str | None:
    """A role, a person, a team or a list of them as the line writes it, or None.

    Accepts ``officers``, ``the Clerk``, ``Kieron O'Hara``, ``DCLG``, ``Tim Allen/Janet Hughes``,
    ``Home Office and NPIA team``; refuses ordinary words (``Comments``, ``The views``).
    """
    raw = raw.strip(" ,;:.")
    owner = clean_owner(raw, person_ok=True)
    if owner:
        return owner
    words = [w for w in _OWNER_SPLIT.split(raw) if w]
    if not 1 <= len(words) <= 9 or not raw[:1].isupper():
        return None
    if not all(w[:1].isupper() or w.lower() in _OWNER_CONNECTORS for w in words):
        return None
    capitalised = [w for w in words if w[:1].isupper()]
    if len(capitalised) * 2 < len(words):
        return None
    if len(words) == 1 and not (single_word or _ACRONYM.fullmatch(words[0])):
        return None  # one plain capitalised word ("Comments") names nobody unless it acts ("Janet to …")
    return raw


def find_narrative_actions(folded: str, skip: list[tuple[int, int]], cues: Cues) -> list[NarrativeAction]:
    """Promises and requests recorded in the narrative, outside ``skip`` (the resolution blocks)."""
    out: list[NarrativeAction] = []
    taken: list[tuple[int, int]] = []
    for rule, pattern in rules.compiled("actions.jsonl"):
        near = cues.windows(rule.data.get("keywords", ()), _BEFORE, _AFTER)
        for m in finditer_near(pattern, folded, near):
            s = m.start()
            if any(a <= s < b for a, b in skip) or any(a <= s < b for a, b in taken):
                continue
            subject = rule.data.get("needs_subject")
            if subject and not rx.search(subject, folded[_sentence_start(folded, s) : s]):
                continue  # "asked for …" counts only when members or the committee asked
            while s < len(folded) and folded[s].isspace():
                s += 1
            if rule.id == "requests-for":
                start = s
                # "with requests for …": the request is the action
                start = s + (len(rx.match(r"(?:with\s+)?", folded[s:]).group(0)))
            else:
                start = max(_sentence_start(folded, s), s if rule.id != "committee-requested" else s)
                start = s if folded[s : s + 1].isupper() or start > s else start
            paren_open = folded[max(0, start - 2) : start].strip().endswith("(")
            end = _sentence_end(folded, m.end(), len(folded), paren_open)
            while end > start and folded[end - 1] in " \n,;":
                end -= 1
            if end <= start:
                continue
            owner = None
            if "owner" in pattern.groupindex and m.group("owner"):
                owner = clean_owner(m.group("owner"), person_ok=True)
            out.append(NarrativeAction((start, end), owner, rule.label, rule.id))
            taken.append((start, end))
    out.sort(key=lambda a: a.text_span[0])
    # members asked, and the next sentence records who undertook it: one follow-up, kept as the promise
    kept: list[NarrativeAction] = []
    for i, a in enumerate(out):
        b = out[i + 1] if i + 1 < len(out) else None
        if a.rule == "members-asked-for" and b is not None and b.owner is not None:
            if b.text_span[0] <= a.text_span[1]:
                # "members asked for a map …, which Dr Sorensen agreed to provide": one sentence
                out[i + 1] = NarrativeAction((a.text_span[0], b.text_span[1]), b.owner, b.origin, b.rule)
                continue
            if b.text_span[0] - a.text_span[1] < 40:
                continue
        kept.append(a)
    return kept
