"""Find resolution blocks and split them into clauses, one record per leaf clause.

A block starts at an opener (``RESOLVED that the Committee:-``, ``Decision:``, ``AGREED –``) or,
with no opener at all, at a run of numbered clauses that read like resolutions at the end of an
item (the first seed). Clauses nest by their numbering (:mod:`extract.numbering`); a clause that
only introduces sub-clauses leads their text, while a condition list stays inside its clause.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import cache
from operator import itemgetter

from . import rules
from .cues import Cues
from .frozen import frozen
from .layout import Item, Layout
from .numbering import Marker, Numbering, read_marker
from .text import (
    Line,
    key_words,
    lower_same_length,
    merge_windows,
    rx,
    search_from_word,
    snap_to_lines,
    windows,
)

_BULLET = re.compile(r"[•·▪◦●\-*–]\s*")
#: a marker inside a line, after punctuation, " -", or a whole "and" / "or" / "that":
#: ``(?:[,;:.–]|\s-|\band\b|\bor\b|\bthat\b)\s+(?=…)`` with each word's leading ``\b`` written as a
#: look-behind after its first letter, and " -" as a hyphen with white space behind it, so every
#: alternative starts with a character the engine can skip on other than white space (the same
#: matches, see :func:`_inline_spans`, for a third of the cost; ``tests/extract/test_fast_paths.py``)
_INLINE = re.compile(
    r"(?:[,;:.–]|-(?<=\s-)|a(?<!\wa)nd\b|o(?<!\wo)r\b|t(?<!\wt)hat\b)\s+(?=\(?[0-9a-zA-Z]{1,4}[).]\s)"
)


def _inline_spans(f: str, s: int, e: int) -> list[tuple[int, int]]:
    """The spans of ``(?:[,;:.–]|\\s-|\\band\\b|…)\\s+(?=marker)`` in ``f[s:e]``, found with :data:`_INLINE`.

    A match of the hyphen's alternative starts one character later than the plain pattern's (at
    the hyphen, not the white space before it): it is moved back, and dropped when that white
    space lies before ``s``, where the plain search would not look.
    """
    out = []
    for m in _INLINE.finditer(f, s, e):
        start = m.start()
        if f[start] == "-":
            start -= 1
            if start < s:
                continue
        out.append((start, m.end()))
    return out


_FUNCTION_END = re.compile(
    r"(?:\b(?:the|of|and|to|a|an|for|with|that|in|on|by|be|or|from|at|as|its|their|his|her|this|these|those|"
    r"which|who|is|are|was|were|has|have|into|onto|upon|under|over|about|between|including|regarding|such)|"
    r"[,;:(–/&-])$",
    re.I,
)
_TERMINAL = re.compile(r"[.!?][\"')\]]*$")
_BODY_ONLY = re.compile(
    r"^(?:that\s*)?(?:the\s+)?(?:[\w-]+\s+){0,4}?(?:Committee|Board|Panel|Cabinet|Council|Sub-Committee|Forum|"
    r"Group|Executive|Members)?\s*(?:has\s+|hereby\s+)?(?:as\s+follows)?\s*$",
    re.I,
)
_STATUS_LINE = re.compile(
    r"^(?:Implemented|Not\s+implemented|Approved|Agreed|Noted|Deferred|Completed|Withdrawn|Rejected|Refused|"
    r"Recommendations?\s+approved|For\s+determination|Decision\s+made|Made|Published)\.?$",
    re.I,
)
_FIRST_VALUES = frozenset({"1", "a", "A", "i"})
_RUN_START_CHARS = frozenset("(1aAi•·▪◦●-*–")
#: the end of a sentence inside a line: a full stop before a capital (a new sentence)
_SENTENCE_STOP = re.compile(
    # the full stop first, each look-behind reaching over it: the engine skips from stop to stop
    r"\.(?<![A-Z]\.)(?<!\bNo\.)(?<!\bno\.)(?<!\bSt\.)(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!Mrs\.)(?<!Cllr\.)"
    r"(?<!para\.)(?<!etc\.)(?=\s+[A-Z])"
)
_OPENER_PUNCT = re.compile(r"[ \t:;,–-]*")
_LEAD_TRIM = re.compile(r"[\s;,–-]+$")
_RESOLUTION_START = re.compile(
    r"^(?:That\b|that\b|(?:Notes|Agrees|Approves|Endorses|Requests|Recommends|Welcomes|Supports|Asks|Resolves|Receives|"
    r"Accepts|Thanks|Refers|Confirms|Defers|Delegates|Authorises|Authorizes|Instructs|Invites|Calls|Urges)\b)"
)
#: the subjunctive of a resolution anywhere in a clause: "A report back … be submitted", "Cabinet be informed"
_RESOLUTION_PASSIVE = re.compile(
    r"\bbe\s+(?:\w+\s+)?(?:noted|approved|informed|submitted|circulated|requested|asked|received|agreed|adopted|"
    r"endorsed|recommended|referred|updated|thanked|authori[sz]ed|presented|provided|made|invited|deferred|accepted|"
    r"confirmed|supported|welcomed|advised|forwarded|sent|reported|brought|added|included|amended|arranged|"
    r"undertaken|published|established|appointed|delegated|instructed|granted|refused)\b"
)
_PAST_TENSE = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))[ \t]*(?:\d{1,3}(?:\.\d{1,3})*\.?[ \t]+)?"
    r"(?:The\s+(?:[A-Z][\w-]+\s+){0,3}(?:Committee|Board|Panel|Cabinet|Sub-Committee|Forum|"
    r"Group|Members|Partnership|Council)\s+(?:noted|endorsed|approved|agreed|accepted|supported|welcomed(?!\s+[A-Z])|thanked|adopted|"
    r"ratified|resolved|decided|recommended|confirmed)\b|The\s+(?:minutes|notes)\s+of\s+the\s+(?:last\s+|previous\s+)?"
    r"meeting\b[^.\n]{0,80}?\s+(?:were|was)\s+(?:agreed|approved|confirmed|accepted|signed))[^.]*[.]?"
)
_START = itemgetter(0)  # a Line's start offset
#: every opener rule holds one of these words (lower-cased): only lines holding one are scanned
_OPENER_KEYS = frozenset({"resolved", "agreed", "decision", "decided"})
#: the same, as whole tokens for the page's cue finder
OPENER_CUES = ("resolved", "agreed", "decision", "decisions", "decided")


@dataclass(slots=True)
class Clause:
    """A clause as read: its marker path, where its own words are, and its sub-clauses."""

    path: list[str]
    depth: int
    start: int  # marker start, or text start when unnumbered
    body_start: int
    end: int
    children: list[Clause] = field(default_factory=list)


@frozen
class LeafClause:
    """One resolution record's raw material: label, text pieces (lead, body) and span."""

    label: str | None
    leads: tuple[tuple[int, int], ...]  # the introducing clauses' words, outermost first
    body: tuple[int, int]
    span: tuple[int, int]
    item: str | None
    hint: str | None  # a block-wide kind hint ("recommendation" for RESOLVED TO RECOMMEND)


@dataclass(slots=True)
class BlockResult:
    leaves: list[LeafClause]
    spans: list[tuple[int, int]]  # the text the blocks cover (narrative search skips it)
    gaps: list[tuple[int, int]]  # markers that skipped numbers


class _Reader:
    """Reads blocks from one text. Holds the folded text, its lines and the layout."""

    def __init__(
        self, folded: str, lines: list[Line], layout: Layout, cues: Cues, lower: str | None = None
    ) -> None:
        self.f = folded
        self.lines = lines
        self.layout = layout
        self.line_starts = list(map(_START, lines))
        self.opener_re = rules.alternation("openers.jsonl", re.M)[0]
        self.gaps: list[tuple[int, int]] = []
        self.cues = cues
        self.lower = lower if lower is not None else lower_same_length(folded)

    # -- helpers -----------------------------------------------------------------------------
    def line_index(self, pos: int) -> int:
        return max(0, bisect_right(self.line_starts, pos) - 1)

    def is_stop_line(self, idx: int) -> bool:
        return idx in self.layout.headings

    def content_start(self, ln: Line) -> int:
        """Offset of a line's text after any bullet."""
        m = _BULLET.match(ln.text)
        if m and m.end() < len(ln.text) and not read_marker(ln.text, 0):
            return ln.start + m.end()
        return ln.start

    def item_of(self, pos: int) -> str | None:
        for it in self.layout.items:
            if it.start <= pos < it.end:
                return it.number
        return None

    def item_end(self, pos: int) -> int:
        for it in self.layout.items:
            if it.start <= pos < it.end:
                return it.end
        return len(self.f)

    # -- openers -----------------------------------------------------------------------------
    def openers(self) -> list[tuple[int, int, str | None]]:
        """``(start, end, hint)`` of each opener; hint "recommendation" for ``RESOLVED TO RECOMMEND``."""
        out = []
        # substrings, not the token cues: "resolved:-" can stay one token
        found = self.cues.substrings(_OPENER_KEYS)
        near = snap_to_lines(
            self.f, merge_windows(found) if found is not None else windows(self.lower, _OPENER_KEYS, 0, 0)
        )
        for s, e in opener_spans(self.f, near):
            while s < e and self.f[s].isspace():
                s += 1
            hint = "recommendation" if rx.search(r"recommend", self.f[s:e], re.I) else None
            out.append((s, e, hint))
        return out

    # -- block parsing -----------------------------------------------------------------------
    def parse_block(
        self, start: int, limit: int, *, openerless: bool
    ) -> tuple[list[Clause], int, tuple[int, int] | None]:
        """Read clauses from ``start`` (just after an opener, or at a first marker).

        Returns the top-level clauses, where the block ends, and the span of the head text
        between opener and first marker (``None`` when there is none).
        """
        f = self.f
        numbering = Numbering()
        flat: list[Clause] = []
        # skip opener punctuation: "RESOLVED –", "Resolved:-", "AGREED:"
        m = _OPENER_PUNCT.match(f, start)
        pos = m.end() if m else start
        idx = self.line_index(pos)
        if pos >= self.lines[idx].end:
            # nothing more on the opener's line: the block starts on a later line
            idx += 1
            first_line = False
        else:
            first_line = True
        end = pos
        saw_blank = False
        prev_text = ""
        unnumbered: list[Clause] = []
        while idx < len(self.lines):
            ln = self.lines[idx]
            if ln.start >= limit:
                break
            if not ln.text:
                saw_blank = True
                idx += 1
                continue
            seg_start = max(ln.start, pos) if first_line else ln.start
            if not first_line and self.is_stop_line(idx):
                break
            if (
                not first_line
                and not openerless
                and _has_opener_word(ln.text)
                and self.opener_re.match(f, ln.start)
            ):
                # a second opener begins a block of its own
                break
            if (
                not first_line
                and _STATUS_LINE.match(ln.text)
                and not _FUNCTION_END.search(prev_text.rstrip())
            ):
                # a status column flattened into the text ("Implemented"): not part of any clause
                idx += 1
                continue
            cs = self.content_start(ln) if seg_start == ln.start else seg_start
            marker = read_marker(f, cs) if cs < ln.end else None
            placed = None
            if marker is not None and (flat or not unnumbered or _starts_list(marker)):
                placed = numbering.place(marker, strict=False, allow_child=True)
            if placed is not None:
                depth, gap = placed
                if gap:
                    self.gaps.append((marker.start, marker.end))
                self._close(flat, marker.start)
                body_start, depth_path = self._compound(marker, numbering, depth)
                flat.append(Clause(numbering.path(), depth_path, marker.start, body_start, ln.end))
            elif flat or unnumbered:
                # not a marker: a continuation of the current clause, or the end of the block
                current = flat[-1] if flat else unnumbered[-1]
                if not first_line and not self._continues(prev_text, ln, saw_blank, bool(flat)):
                    if not flat and rx.match(r"(?:That|that)\b", ln.text) and not self.is_stop_line(idx):
                        self._close(unnumbered, ln.start)
                        unnumbered.append(Clause([], 0, ln.start, ln.start, ln.end))
                    else:
                        break
                else:
                    current.end = ln.end
            else:
                # head text before the first marker (or an unnumbered clause)
                if openerless:
                    break
                if not first_line and saw_blank and not self._continues(prev_text, ln, saw_blank, False):
                    if not rx.match(r"(?:That|that)\b", ln.text):
                        break
                unnumbered.append(Clause([], 0, seg_start, seg_start, ln.end))
            if unnumbered and not flat:
                # an unnumbered resolution is one sentence: "It was RESOLVED that X. The Clerk reported …"
                cur = unnumbered[-1]
                stop = _SENTENCE_STOP.search(f, max(cur.start, seg_start), cur.end)
                if stop is not None:
                    cur.end = stop.start() + 1
                    end = cur.end
                    break
            # inline markers later on this line: "(a) That …, (b) that …, and (c) that …"
            self._inline(flat, unnumbered, numbering, max(seg_start, cs), ln.end)
            end = flat[-1].end if flat else (unnumbered[-1].end if unnumbered else end)
            prev_text = f[max(ln.start, seg_start) : ln.end]
            saw_blank = False
            first_line = False
            idx += 1
        head = None
        if flat:
            # unnumbered text before the first marker is the head (an intro such as "That the Committee:-")
            if unnumbered:
                head = (unnumbered[0].start, flat[0].start)
            return self._tree(flat), flat[-1].end, head
        if unnumbered:
            return unnumbered, unnumbered[-1].end, None
        return [], end, None

    def _compound(self, marker: Marker, numbering: Numbering, depth: int) -> tuple[int, int]:
        """Follow a compound marker (``(6)(a)``, ``6 (a)``) to the body; return body start and depth."""
        pos = marker.end
        f = self.f
        while True:
            q = pos + 1 if f.startswith(" ", pos) else pos  # past one space, as r" ?" matched
            sub = read_marker(f, q) if q < len(f) and f[q] in "(abcdefghijklmnopqrstuvwxyz" else None
            if sub is None or sub.form not in ("paren", "rparen"):
                break
            placed = numbering.place(sub, strict=False, allow_child=True)
            if placed is None:
                break
            depth = placed[0]
            pos = sub.end
        while pos < len(f) and f[pos] in " \t":
            pos += 1
        return pos, depth

    def _inline(
        self, flat: list[Clause], unnumbered: list[Clause], numbering: Numbering, s: int, e: int
    ) -> None:
        f = self.f
        for m_start, m_end in _inline_spans(f, s, e):
            mk = read_marker(f, m_end)
            if mk is None or mk.end > e:
                continue
            prev = f[max(s, m_start - 2) : m_start + 1]
            allow_child = ":" in prev or "–" in prev or (not flat and not unnumbered)
            if not flat:
                # the first marker of a one-line block: "Resolved – (a) That …"
                head_text = f[s : mk.start].strip(" :–-")
                if head_text and len(head_text) > 80 and not allow_child:
                    continue
                allow_child = True
            placed = numbering.place(mk, strict=True, allow_child=allow_child)
            if placed is None:
                continue
            self._close(flat, mk.start)
            body_start, depth = self._compound(mk, numbering, placed[0])
            if not flat and unnumbered:
                # what preceded the first marker on the line is head text
                unnumbered[-1].end = mk.start
            flat.append(Clause(numbering.path(), depth, mk.start, body_start, e))

    @staticmethod
    def _close(clauses: list[Clause], at: int) -> None:
        """End the last clause at its last line read, or where the next marker starts on the same line."""
        if clauses:
            c = clauses[-1]
            c.end = min(c.end, at) if c.end >= c.body_start else at

    def _continues(self, prev: str, ln: Line, saw_blank: bool, numbered: bool) -> bool:
        """Is ``ln`` more of the clause whose last line was ``prev``?"""
        text = ln.text
        first = text[:1]
        if first.islower() or (first.isdigit() and not read_marker(text, 0)):
            return True
        if _BULLET.match(text) and prev.rstrip().endswith((":", ":-", ";")):
            return True
        prev = prev.rstrip()
        if not prev:
            return False
        if _FUNCTION_END.search(prev):
            return True
        if prev.count("(") > prev.count(")"):
            return True
        if _TERMINAL.search(prev):
            return False
        if not saw_blank:
            return not _looks_like_heading(text)
        # blank line between: a long wrapped line without a full stop usually continues
        return numbered and len(prev) >= 55 and not _looks_like_heading(text) and len(text) < 160

    def _tree(self, flat: list[Clause]) -> list[Clause]:
        top: list[Clause] = []
        stack: list[Clause] = []
        for c in flat:
            while stack and stack[-1].depth >= c.depth:
                stack.pop()
            if stack:
                stack[-1].children.append(c)
            else:
                top.append(c)
            stack.append(c)
        return top


def _starts_list(marker: Marker) -> bool:
    """``(1)``, ``a.``, ``i)``, ``C.1.a``: a marker a list can begin with."""
    last = marker.value.rstrip(".").split(".")[-1] if marker.form == "dotted" else marker.value
    return last in _FIRST_VALUES


def _has_opener_word(text: str) -> bool:
    low = text[:60].lower()
    return any(k in low for k in _OPENER_KEYS)


def _looks_like_heading(text: str) -> bool:
    if text.endswith(":") and len(text) < 70:
        return True
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters) and len(text) < 100:
        return True
    return False


def _key(f: str, span: tuple[int, int]) -> str:
    return " ".join(key_words(f[span[0] : span[1]]))


def _conditions(f: str, body: tuple[int, int]) -> bool:
    text = f[body[0] : body[1]]
    return rules.any_match("conditions.jsonl", text, text.lower(), re.I)


def _leaves(
    reader: _Reader,
    clauses: list[Clause],
    leads: tuple[tuple[int, int], ...],
    item: str | None,
    hint: str | None,
) -> list[LeafClause]:
    f = reader.f
    out: list[LeafClause] = []
    for c in clauses:
        own_end = c.children[0].start if c.children else c.end
        body = (c.body_start, own_end)
        label = "".join(c.path) if c.path else None
        if c.children and not _conditions(f, body):
            intro = (c.body_start, own_end)
            stripped = _LEAD_TRIM.sub("", f[intro[0] : intro[1]])
            intro = (intro[0], intro[0] + len(stripped))
            out.extend(_leaves(reader, c.children, _join_lead(leads, intro), item, hint))
            continue
        end = _last_end(c)
        out.append(LeafClause(label, leads, (c.body_start, end), (c.start, end), item, hint))
    return out


@cache
def _opener_rules() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """Each opener rule compiled alone (with ``re.M``, as in the alternation), and its literals."""
    compiled = rules.compiled("openers.jsonl", None, re.M)
    return tuple((pattern, tuple(rule.data["literals"])) for rule, pattern in compiled)


def opener_spans(f: str, windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans ``finditer_near(rules.alternation("openers.jsonl", re.M)[0], f, windows)`` finds.

    The alternation starts with look-behinds and optional words, so the engine tried it at every
    character of a window, and a window is whole lines: in minutes printed with one paragraph a
    line, an eighth of extraction. Here each rule runs alone, and only in a window holding one of
    its ``literals`` (``tests/extract/test_rules.py`` checks every match holds one). From each
    position the alternation gives the leftmost match, the first rule's at equal starts: the
    leftmost of the rules' own leftmost matches, the earliest rule winning a tie, which is then
    the match of that rule; the scan goes on from its end, as ``finditer`` does.
    """
    seen: set[int] = set()
    out: list[tuple[int, int]] = []
    for ws, we in windows:
        live = [rule for rule, literals in _opener_rules() if any(f.find(w, ws, we) != -1 for w in literals)]
        pos = ws
        while live:
            best: re.Match[str] | None = None
            still: list[re.Pattern[str]] = []
            for rule in live:
                m = rule.search(f, pos, we)
                if m is None:
                    continue  # nothing from here on: a later position cannot give one either
                still.append(rule)
                if best is None or m.start() < best.start():
                    best = m
            if best is None:
                break
            live = still
            if best.start() not in seen:
                seen.add(best.start())
                out.append(best.span())
            pos = best.end()
    out.sort()
    return out


def _join_lead(leads: tuple[tuple[int, int], ...], intro: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    return leads + (intro,) if intro[1] > intro[0] else leads


def _last_end(c: Clause) -> int:
    return _last_end(c.children[-1]) if c.children else c.end


def find_resolutions(
    folded: str, lines: list[Line], layout: Layout, cues: Cues, lower: str | None = None
) -> BlockResult:
    """Every leaf resolution clause on the page, in order, each counted once per item.

    ``lower`` is the page's :func:`~extract.text.lower_same_length` copy, when the caller has it.
    """
    reader = _Reader(folded, lines, layout, cues, lower)
    leaves: list[LeafClause] = []
    spans: list[tuple[int, int]] = []
    covered_until = -1
    for s, e, hint in reader.openers():
        if s < covered_until:
            continue
        limit = reader.item_end(s)
        clauses, end, head = reader.parse_block(e, limit, openerless=False)
        if not clauses:
            continue
        leads: tuple[tuple[int, int], ...] = ()
        if head is not None:
            head_text = _LEAD_TRIM.sub("", folded[head[0] : head[1]])
            if _conditions(folded, head) and len(clauses) >= 1:
                # "That approval be granted subject to the following conditions: 1. … 2. …"
                leaves.append(LeafClause(None, (), (head[0], end), (head[0], end), reader.item_of(s), hint))
                spans.append((s, end))
                covered_until = end
                continue
            if head_text.strip() and not _BODY_ONLY.match(head_text.strip(" :")):
                leads = ((head[0], head[0] + len(head_text)),)
        block = _leaves(reader, clauses, leads, reader.item_of(s), hint)
        marker = _marker_before(reader, s)
        if marker is not None:
            # "b. RESOLVED to accept the quotation …": the item's own marker labels the resolution
            block = [replace(lf, label=marker.label) if lf.label is None else lf for lf in block]
        leaves.extend(block)
        spans.append((s, end))
        covered_until = end
    leaves.extend(_openerless(reader, spans))
    items_with_blocks = {lf.item for lf in leaves}
    if len(layout.items) == 1:
        if not leaves:
            leaves.extend(_past_tense(reader, None))
    else:
        for it in layout.items:
            if it.number is not None and it.number not in items_with_blocks:
                leaves.extend(_past_tense(reader, it))
    leaves.sort(key=lambda lf: lf.span[0])
    return BlockResult(_dedupe(folded, leaves), spans, reader.gaps)


def _marker_before(reader: _Reader, opener_start: int) -> Marker | None:
    """A list marker standing alone before the opener on its line (not a paragraph number such as 8.4)."""
    ln = reader.lines[reader.line_index(opener_start)]
    cs = reader.content_start(ln)
    marker = read_marker(reader.f, cs)
    if marker is None or marker.form in ("dotted", "bare") or reader.f[marker.end : opener_start].strip():
        return None
    return marker


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _openerless(reader: _Reader, spans: list[tuple[int, int]]) -> list[LeafClause]:
    """Runs of numbered clauses with no opener that read like resolutions and close their item."""
    f = reader.f
    out: list[LeafClause] = []
    blocked_items = {reader.item_of(s) for s, _ in spans}
    if len(reader.layout.items) == 1 and blocked_items:
        return out  # the page's one item already has its resolution block
    idx = 0
    lines = reader.lines
    while idx < len(lines):
        ln = lines[idx]
        idx += 1
        # a list that starts a run begins "(1)", "1.", "(a)", "a)", "A.", "(i)" … (after any bullet)
        if not ln.text or ln.text[0] not in _RUN_START_CHARS:
            continue
        cs = reader.content_start(ln)
        mk = read_marker(f, cs)
        if mk is None or mk.form in ("dotted", "bare") or mk.value not in _FIRST_VALUES:
            continue
        if _inside(ln.start, spans):
            continue
        item = reader.item_of(ln.start)
        if item in blocked_items:
            continue
        limit = reader.item_end(ln.start)
        clauses, end, _ = reader.parse_block(ln.start, limit, openerless=True)
        if not clauses:
            continue
        bodies = [f[c.body_start : (c.children[0].start if c.children else c.end)].strip() for c in clauses]
        cue = sum(1 for b in bodies if _RESOLUTION_START.match(b) or _RESOLUTION_PASSIVE.search(b))
        if cue * 2 < len(bodies) or cue == 0:
            continue
        if not _closes_item(reader, end, limit):
            continue
        out.extend(_leaves(reader, clauses, (), item, None))
        spans.append((ln.start, end))
        idx = reader.line_index(end) + 1
    return out


def _closes_item(reader: _Reader, end: int, limit: int) -> bool:
    """Nothing but headings, action lines, noise or blank lines between ``end`` and ``limit``."""
    idx = reader.line_index(end) + 1
    while idx < len(reader.lines):
        ln = reader.lines[idx]
        if ln.start >= limit:
            return True
        if ln.text and not reader.is_stop_line(idx):
            return False
        if reader.layout.headings.get(idx) in ("END", "ITEM", "MINUTES"):
            return True
        idx += 1
    return True


def _summary_prefix(c: str) -> bool:
    """What may stand between a summary's start and its "The": white space, a paragraph number."""
    return c in " \t." or c.isdecimal()


def past_tense_matches(f: str, lo: int, hi: int) -> list[re.Match[str]]:
    """``list(_PAST_TENSE.finditer(f, lo, hi))``, each match searched for only just before a "The"
    (:func:`~extract.text.search_from_word`): the pattern opens with look-behinds."""
    out: list[re.Match[str]] = []
    pos = lo
    while (m := search_from_word(_PAST_TENSE, f, "The", pos, hi, _summary_prefix)) is not None:
        out.append(m)
        pos = m.end()
    return out


def _past_tense(reader: _Reader, item: Item | None) -> list[LeafClause]:
    """``The Board noted the report and endorsed the plan.``: a summary standing in for a resolution."""
    out = []
    lo, hi = (item.start, item.end) if item else (0, len(reader.f))
    for m in past_tense_matches(reader.f, lo, hi):
        s, e = m.start(), m.end()
        while s < e and reader.f[s].isspace():
            s += 1
        if rx.search(r"\b(?:noted|received)\s+that\b", reader.f[s:e]):
            continue  # "noted that X is still active": narrative, not a resolution
        out.append(LeafClause(None, (), (s, e), (s, e), reader.item_of(s), None))
    return out


def _dedupe(f: str, leaves: list[LeafClause]) -> list[LeafClause]:
    """Drop clauses that repeat an earlier clause of the same item word for word (Decision/Minutes)."""
    seen: set[tuple[str | None, str]] = set()
    # sibling clauses share their introductions: each lead span's words are read once (by offset)
    lead_keys: dict[tuple[int, int], str] = {}
    out = []
    for lf in leaves:
        parts = []
        for sp in lf.leads:
            k = lead_keys.get(sp)
            if k is None:
                k = lead_keys[sp] = _key(f, sp)
            parts.append(k)
        key = (lf.item, " ".join(parts) + "|" + _key(f, lf.body))
        if key in seen:
            continue
        seen.add(key)
        out.append(lf)
    return out
