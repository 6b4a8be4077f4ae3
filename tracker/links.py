"""Follow-up linking: find the later minute items that may answer an earlier action, and let staff decide.

When an item is imported, :func:`link_item` compares it with the open actions of earlier meetings of
its committee (and open actions owned by that committee, e.g. "Audit Committee" as owner), and, so
that import order does not matter, compares the item's own actions with the already-imported items
of its committee's later meetings. Each pair scoring at least :data:`THRESHOLD` is stored as a
:class:`~tracker.models.FollowUpLink` with its score and the words that matched. The scoring design
and its measured precision and recall are in ``docs/LINKING.md``.

Rules: never an action of the item itself; never an action from a meeting on the same day as the
item or later; no suggestion when either meeting's date is unknown (the order cannot be known, and is
never guessed); one row per (action, item), so a dismissed suggestion stays dismissed.

Cost: two queries for the candidate actions (bounded by the committee's open actions, through the
meeting and minute item indexes, and the owner index), two for the later items (at most
:data:`MAX_LATER_ITEMS`), one for existing links. Word profiles of actions and items are cached per
process, and evidence is only gathered for pairs over the threshold.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select, tuple_
from sqlalchemy.orm import Session, defer, joinedload

from .errors import InvalidTransitionError, NotFoundError
from .models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Committee,
    FollowUpLink,
    LinkStatus,
    Meeting,
    MinuteItem,
    User,
    utcnow,
)

__all__ = [
    "LINK_KEYS",
    "THRESHOLD",
    "confirm_link",
    "dismiss_link",
    "link_item",
    "link_record",
    "links_for_action",
    "links_for_item",
    "list_links",
    "score_pair",
]

#: a pair scoring below this is not suggested (chosen on ``tests/links``: see ``docs/LINKING.md``)
THRESHOLD = 0.42
#: this many characters at the start of an item say what it is about (title, report, first paragraph)
OPENING = 900
#: at most this many suggestions are stored for one newly imported item, best first
MAX_PER_ITEM = 8
#: a floor no score reaches: :func:`score_pair` then skips gathering evidence
_NO_EVIDENCE = 2.0
#: at most this many of the committee's open actions (the most recent meetings') are scored per item:
#: a committee that never closes anything must not make every import slower than the last
MAX_CANDIDATES = 400
#: when an item's actions are compared with later items, at most this many (the nearest meetings)
MAX_LATER_ITEMS = 60

# ---------------------------------------------------------------------------------------------
# words

#: function words and the boilerplate of minutes: weight 0, they say nothing about a topic
_STOP = frozenset(
    """
    a about above across after again against all also although am an and any are as at be been before
    being below between both but by can could did do does doing done during each either else etc for
    from further had has have having he her here hers him his how however i if in into is it its itself
    just may me might more most much must my no nor not now of off on once only or other our out over
    own per same shall she should so some such than that the their them then there these they this
    those though through thus to too under until up upon us very via was we were what when where
    whether which while who whom whose why will with within without would yet you your
    committee committees council councils cabinet member members councillor councillors officer
    officers chair chairman vice panel board meeting meetings minute minutes agenda item items
    resolved resolve resolution resolutions recommend recommends recommended recommendation
    request requests requested note notes noted noting welcome welcomes welcomed consider considers
    considered consideration submit submitted provide provided circulate circulated refer refers
    referred report reports reported briefing presentation scrutiny director executive deputy head
    chief manager city borough county date future next back regarding regard relation respect
    including include includes included detail details matter matters issue issues raise raised
    agreed agree agrees asked ask seek sought receive received undertake undertook arising following
    set out hold held attend attended present presented invite invited appropriate relevant
    particular particularly various number numbers thank thanks ensure ensured place placed made make
    available soon possible wa ha ve ll
    """.split()
)
#: words too common in minutes to weigh much alone (services, support, work, ...)
_WEAK = frozenset(
    """
    service services support work working partner partners agency agencies plan plans strategy data
    performance review new current local public people year years area areas city-wide provision
    update updates progress information approval final programme programmes proposal proposals
    option options group groups team teams level levels outcome outcomes impact way ways view
    general overall key further need needs use used across within position time times
    """.split()
)
#: words saying an action asks for something to come back (and so may be answered by a later item)
_ASKS_REPORT = frozenset(
    """report reports briefing update updates synopsis review back explanation analysis information
    details figures data options plan submitted brought circulated provided""".split()
)
#: an action asking for nothing to come back (``X attend the next meeting``) is rarely answered
#: by an item: its score is multiplied by this
NO_ASK_FACTOR = 0.75
#: a sentence of an item holding one of these asks for something: its words are not an answer
_ASKING_SENTENCE = re.compile(
    r"(?:requested|asked for|asked that|be submitted|report back|be brought|be provided|undertook to|"
    r"agreed to provide|to be circulated)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+|\n\s*\n")
_ASKS_PROGRESS = frozenset({"progress", "update", "updates", "back", "monitor", "monitoring", "performance"})
#: words in a later item's title or opening that say it is a progress report
_PROGRESS_TITLE = frozenset({"progress", "update", "performance", "monitoring", "review", "annual"})
#: the phrase after these is the topic the action asked about ("a report on X")
_TOPIC_CUE = re.compile(
    r"\b(?:report|update|briefing|information|details?|synopsis|review|paper|figures|data|"
    r"presentation|analysis|breakdown|summary)\s+(?:back\s+)?(?:on|regarding|about|into|of|concerning|"
    r"relating to|in respect of|for)\s+(.*)",
    re.IGNORECASE | re.DOTALL,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_REPORT_ITEM = re.compile(
    r"\b(?:report|briefing note|presentation|update|paper)\s+(?:of|from|by)\b|\bconsidered an? "
    r"(?:report|briefing note|update|presentation)|\breceived an? (?:report|briefing|update|presentation)",
    re.IGNORECASE,
)


def stem(word: str) -> str:
    """A crude English stem, enough to match ``contracts``/``contract``, ``waiting``/``wait``."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'")
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith("sses"):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


#: words that name the same thing in minutes: each group is matched as its first word
_CONCEPTS = (
    "contract award tender procure procurement commission recommission bidder provider",
    "wait waiting delay backlog queue",
    "counselling counsellor therapy",
    "consultation consult engagement survey",
    "budget funding fund finance spending cost",
    "housing accommodation homelessness",
    "school schools pupil pupils education",
    "road roads highway highways pothole potholes",
    "child children young",
)
_CONCEPT_OF = {stem(w): stem(group.split()[0]) for group in _CONCEPTS for w in group.split()}
_STOP_STEMS = frozenset(stem(w) for w in _STOP)
_PROGRESS_STEMS = frozenset(stem(w) for w in _PROGRESS_TITLE)
_WEAK_STEMS = frozenset(stem(w) for w in _WEAK) - _STOP_STEMS


@functools.lru_cache(maxsize=200_000)
def weight(term: str) -> float:
    """How much a stemmed word says about a topic: 0 for boilerplate, 0.3 for common words, else 1."""
    if term in _STOP_STEMS or len(term) < 3:
        return 0.0
    return 0.3 if term in _WEAK_STEMS else 1.0


def _terms(text: str) -> list[tuple[str, str]]:
    """``(stem, surface word)`` for every word of ``text``, boilerplate included (for bigrams)."""
    return [(_concept(m.group()), m.group().lower().replace("’", "'")) for m in _WORD.finditer(text)]


@functools.lru_cache(maxsize=200_000)
def _concept(word: str) -> str:
    """The stem of ``word``, or of the first word of its group in :data:`_CONCEPTS` (cached)."""
    s = stem(word)
    return _CONCEPT_OF.get(s, s)


@functools.lru_cache(maxsize=200_000)
def _content_stem(word: str) -> str:
    """The concept stem of a lower-case word, or "" for boilerplate (cached)."""
    s = _concept(word)
    return s if weight(s) > 0 else ""


def _stems(text: str) -> list[str]:
    """The content stems of ``text`` in order (boilerplate dropped): the fast path for items."""
    return [s for s in map(_content_stem, _WORD.findall(text.lower().replace("’", "'"))) if s]


def _content(words: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(s, w) for s, w in words if weight(s) > 0]


def _bigrams(words: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Adjacent content words (``waiting times``), keyed by their stems, with the words as written."""
    found: dict[tuple[str, str], str] = {}
    for (s1, w1), (s2, w2) in zip(words, words[1:], strict=False):
        if weight(s1) > 0 and weight(s2) > 0 and (weight(s1) == 1.0 or weight(s2) == 1.0):
            found.setdefault((s1, s2), f"{w1} {w2}")
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class ActionProfile:
    """What an action asked about: its words (weighted, topic words more), phrases, and the subject."""

    terms: dict[str, float]
    surface: dict[str, str]
    bigrams: dict[tuple[str, str], str]
    subject: dict[str, float]
    asks_report: bool
    asks_progress: bool
    #: ``terms`` heaviest first, their sum, and the subject's sum: precomputed for scoring
    weighted: tuple[tuple[str, float], ...] = ()
    total: float = 1.0
    subject_total: float = 0.0


@dataclasses.dataclass(frozen=True, slots=True)
class ItemProfile:
    """What a minute item says: title words, words of what it delivers, words of what it asks for."""

    title: frozenset[str]
    #: title and opening together: what the item is about
    front: frozenset[str]
    #: words of the opening of the delivered text (what the item is about), and of all of it
    opening: frozenset[str]
    delivered: frozenset[str]
    asked: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    is_report: bool
    is_progress: bool


def action_profile(text: str, item_title: str | None, owner: str | None = None) -> ActionProfile:
    """The profile of an action's text, with the title of the item it came from as its subject.

    The owner's words (``the Chief Internal Auditor``) are left out: they name who acts, not what
    is asked for, and every report by that officer would match them.
    """
    owner_stems = {s for s, _ in _terms(owner or "")}
    words = [(s, w) for s, w in _terms(text) if s not in owner_stems]
    topic_match = _TOPIC_CUE.search(text)
    topic = {s for s, _ in _terms(topic_match.group(1))} if topic_match else set()
    subject = {s: weight(s) for s, _ in _content(_terms(item_title or ""))}
    terms: dict[str, float] = {}
    surface: dict[str, str] = {}
    for s, w in _content(words):
        # the topic is what the action adds to its item's subject: the subject's words count less
        factor = (1.5 if s in topic else 1.0) * (0.6 if s in subject else 1.0)
        terms[s] = max(terms.get(s, 0.0), weight(s) * factor)
        surface.setdefault(s, w)
    lowered = {w for _, w in words}
    for s, w in _content(_terms(item_title or "")):
        surface.setdefault(s, w)
    return ActionProfile(
        weighted=tuple(sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))),
        total=sum(terms.values()) or 1.0,
        subject_total=sum(subject.values()),
        terms=terms,
        surface=surface,
        bigrams={
            k: v for k, v in _bigrams(_content(words)).items() if not (k[0] in subject and k[1] in subject)
        },
        subject=subject,
        asks_report=bool(lowered & _ASKS_REPORT) or topic_match is not None,
        asks_progress=bool(lowered & _ASKS_PROGRESS),
    )


def _split_asking(parts: list[str]) -> tuple[list[str], list[str]]:
    """Move the sentences that ask for something out of ``parts``: ``(the rest, those sentences)``."""
    kept, asking = [], []
    for part in parts:
        if not _ASKING_SENTENCE.search(part):
            kept.append(part)
            continue
        for sentence in _SENTENCE_END.split(part):
            (asking if _ASKING_SENTENCE.search(sentence) else kept).append(sentence)
    return kept, asking


def item_profile(title_text: str | None, text: str, asked_spans: Iterable[tuple[int, int]]) -> ItemProfile:
    """The profile of a minute item; ``asked_spans`` are its own actions' spans (what it asks for)."""
    title_text = title_text or ""
    spans = sorted(asked_spans)
    delivered_parts, asked_parts, at = [], [], 0
    for start, end in spans:
        if start < at:
            start = at
        delivered_parts.append(text[at:start])
        asked_parts.append(text[start:end])
        at = max(at, end)
    delivered_parts.append(text[at:])
    # requests the extractor did not take as actions are still requests, not answers
    delivered_parts, more_asked = _split_asking(delivered_parts)
    asked_parts += more_asked
    title_stems = _stems(title_text)
    delivered_text = " ".join(delivered_parts)
    delivered_stems = _stems(delivered_text)
    title = frozenset(title_stems)
    opening = frozenset(_stems(delivered_text[:OPENING]))
    return ItemProfile(
        title=title,
        front=title | opening,
        opening=opening,
        delivered=frozenset(delivered_stems),
        asked=frozenset(_stems(" ".join(asked_parts))),
        bigrams=frozenset(zip(title_stems, title_stems[1:], strict=False))
        | frozenset(zip(delivered_stems, delivered_stems[1:], strict=False)),
        is_report=bool(_REPORT_ITEM.search(f"{title_text}\n{text[:600]}")),
        is_progress=bool({stem(w) for w in _WORD.findall(title_text)} & _PROGRESS_STEMS),
    )


# ---------------------------------------------------------------------------------------------
# scoring


@dataclasses.dataclass(frozen=True, slots=True)
class Score:
    """A pair's score (0 to 1) and the evidence: which words and phrases matched, and why."""

    value: float
    evidence: dict[str, list[str]]


def score_pair(action: ActionProfile, item: ItemProfile, floor: float = 0.0) -> Score:
    """How well a later item answers an action, from 0 to 1, with the evidence.

    ``0.55 × topic + 0.25 × subject + 0.1 × phrases + 0.1 × kind``, where *topic* is the share of the
    action's weighted words that the item's title or opening holds (words found only further on count
    half, words found only in the item's own requests a quarter: repeating an ask does not answer
    it), *subject* the share of
    the action's item title found in this item's title, *phrases* the action's two-word phrases
    found in the item (two or more count fully), and *kind* whether a report or a progress update was
    asked for and this item is one. Below ``floor`` the evidence is left empty (it is not needed).
    """
    got = 0.0
    front, delivered, asked = item.front, item.delivered, item.asked
    for term, w in action.weighted:
        if term in front:
            got += w
        elif term in delivered:
            got += w / 2
        elif term in asked:
            got += w / 4
    topic_share = got / action.total
    subject_share = (
        sum(w for t, w in action.subject.items() if t in item.title) / action.subject_total
        if action.subject_total
        else 0.0
    )
    phrase_share = min(sum(1 for key in action.bigrams if key in item.bigrams), 2) / 2
    asked_kind = (action.asks_report and item.is_report) or (action.asks_progress and item.is_progress)
    value = 0.55 * topic_share + 0.25 * subject_share + 0.1 * phrase_share + 0.1 * asked_kind
    if not (action.asks_report or action.asks_progress):
        value *= NO_ASK_FACTOR
    if value < floor:
        return Score(round(value, 3), {})
    evidence = {
        "topic": [action.surface.get(t, t) for t, _ in action.weighted if t in front or t in delivered],
        "phrases": [text for key, text in action.bigrams.items() if key in item.bigrams],
        "subject": [action.surface.get(t, t) for t in action.subject if t in item.title],
        "signals": [
            signal
            for signal, present in (
                (
                    "a report was asked for, and this item considers one",
                    action.asks_report and item.is_report,
                ),
                (
                    "a progress update was asked for, and this item is one",
                    action.asks_progress and item.is_progress,
                ),
            )
            if present
        ],
    }
    return Score(round(min(value, 1.0), 3), evidence)


# ---------------------------------------------------------------------------------------------
# caches: profiles are pure functions of text, so a process may keep them


class _Cache(OrderedDict[Any, Any]):
    """A small LRU mapping."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or(self, key: Any, make: Any) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > self.size:
            self.popitem(last=False)
        return value


_ACTION_PROFILES = _Cache(50_000)
_ITEM_PROFILES = _Cache(2_000)


def _action_profile(text: str, title: str | None, owner: str | None) -> ActionProfile:
    return _ACTION_PROFILES.get_or(  # type: ignore[no-any-return]
        (text, title, owner), lambda: action_profile(text, title, owner)
    )


# ---------------------------------------------------------------------------------------------
# linking an imported item


@dataclasses.dataclass(frozen=True, slots=True)
class _Candidate:
    action_id: int
    text: str
    owner: str | None
    title: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class OwnAction:
    """An open action of the item being linked: what :func:`link_item` needs of it."""

    id: int
    text: str
    owner: str | None
    span_start: int
    span_end: int


def link_item(
    session: Session,
    item: MinuteItem,
    *,
    actions: Sequence[OwnAction] | None = None,
    committee: Committee | None = None,
    when: date | None = None,
    load: bool = True,
) -> list[Any]:
    """Suggest links for a newly imported item, both ways; return the new suggestions (written).

    1. The item as the answer: the open actions of its committee's earlier meetings, and open actions
       owned by its committee (by name), are scored against it.
    2. The item's own actions as the question: the items of its committee's later meetings (the
       nearest :data:`MAX_LATER_ITEMS`) are scored against each of its open actions.

    Existing links for a pair, whatever their status, are left as they are. The import passes the
    item's open ``actions``, ``committee`` and meeting date ``when``, which it has in hand; without
    them they are read from ``item``. With ``load`` False the new links' ids are returned instead
    of the rows (one query less).
    """
    if actions is None or committee is None:
        meeting = item.meeting
        when, committee = meeting.date, meeting.committee
        actions = [
            OwnAction(a.id, a.text, a.owner, a.span_start, a.span_end)
            for a in item.actions
            if a.status is not ActionStatus.CLOSED
        ]
    if when is None:
        return []
    found: list[tuple[int, int, Score]] = []

    candidates = _earlier_open_actions(session, committee, when, item.id)
    if candidates:
        profile = _item_profile_of(item, [(a.span_start, a.span_end) for a in actions])
        # values first (no evidence), then the evidence of the best few only
        values = []
        for c in candidates:
            action = _action_profile(c.text, c.title, c.owner)
            value = score_pair(action, profile, _NO_EVIDENCE).value
            if value >= THRESHOLD:
                values.append((value, c.action_id, action))
        values.sort(key=lambda t: (-t[0], t[1]))
        found += [(a, item.id, score_pair(p, profile)) for _, a, p in values[:MAX_PER_ITEM]]

    if actions:
        for later in _later_items(session, committee.id, when):
            # keyed by the whole row (text and spans too): ids are reused by other databases
            profile = _ITEM_PROFILES.get_or(later, lambda it=later: _item_profile_of(it, it.spans))
            for a in actions:
                s = score_pair(_action_profile(a.text, item.title, a.owner), profile, THRESHOLD)
                if s.value >= THRESHOLD:
                    found.append((a.id, later.id, s))
    if not found:
        return []
    pairs = [(a, i) for a, i, _ in found]
    existing = set(
        session.execute(
            select(FollowUpLink.action_id, FollowUpLink.minute_item_id).where(
                tuple_(FollowUpLink.action_id, FollowUpLink.minute_item_id).in_(pairs)
            )
        ).all()
    )
    now = utcnow()
    rows = []
    for action_id, item_id, s in found:
        if (action_id, item_id) in existing:
            continue
        existing.add((action_id, item_id))
        rows.append(
            {
                "action_id": action_id,
                "minute_item_id": item_id,
                "score": s.value,
                "evidence": s.evidence,
                "status": LinkStatus.SUGGESTED,
                "decided_by_id": None,
                "decided_at": None,
                "created_at": now,
            }
        )
    if not rows:
        return []
    # one multi-row INSERT (the ORM would write them one by one); read back only when asked for
    table = FollowUpLink.__table__
    ids = list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))
    if not load:
        return ids
    by_id = {link.id: link for link in session.scalars(select(FollowUpLink).where(FollowUpLink.id.in_(ids)))}
    return [by_id[i] for i in ids]


def _item_profile_of(item: Any, spans: Iterable[tuple[int, int]]) -> ItemProfile:
    return item_profile(item.title, item.source_text, spans)


_EARLIER_BASE = (
    select(Action.id, Action.text, Action.owner, MinuteItem.title)
    .join(MinuteItem, Action.minute_item_id == MinuteItem.id)
    .join(Meeting, MinuteItem.meeting_id == Meeting.id)
    .where(
        Action.status != ActionStatus.CLOSED,
        Meeting.date < bindparam("when"),
        Action.minute_item_id != bindparam("item_id"),
    )
)
#: the committee's own open actions of earlier meetings (built once: only the parameters change)
_EARLIER_OWN = (
    _EARLIER_BASE.where(Meeting.committee_id == bindparam("committee_id"))
    .order_by(Meeting.date.desc(), Action.id.desc())
    .limit(MAX_CANDIDATES)
)
#: open actions of other committees' earlier meetings that name this committee as their owner
_EARLIER_OWNED = (
    _EARLIER_BASE.where(
        Action.owner.in_(bindparam("owners", expanding=True)),
        Meeting.committee_id != bindparam("committee_id"),
    )
    .order_by(Meeting.date.desc(), Action.id.desc())
    .limit(MAX_CANDIDATES)
)


def _earlier_open_actions(
    session: Session, committee: Committee, when: date, item_id: int
) -> list[_Candidate]:
    """Open actions of the committee's earlier meetings, and open earlier actions owned by it.

    Two queries, through indexes: the committee's meetings (``uq_meeting_committee_id``), their
    items, their actions (``uq_action_minute_item_id``); and ``ix_action_owner`` for the owned ones.
    """
    params = {"when": when, "item_id": item_id, "committee_id": committee.id}
    rows = session.execute(_EARLIER_OWN, params).all()
    owners = [committee.name, f"the {committee.name}", f"The {committee.name}"]
    rows += session.execute(_EARLIER_OWNED, {**params, "owners": owners}).all()
    return [_Candidate(*row) for row in rows]


@dataclasses.dataclass(frozen=True, slots=True)
class _Later:
    id: int
    title: str | None
    source_text: str
    spans: tuple[tuple[int, int], ...]


#: the committee's items of later meetings, nearest first (built once: only the parameters change)
_LATER = (
    select(MinuteItem.id, MinuteItem.title, MinuteItem.source_text)
    .join(Meeting, MinuteItem.meeting_id == Meeting.id)
    .where(Meeting.committee_id == bindparam("committee_id"), Meeting.date > bindparam("when"))
    .order_by(Meeting.date, MinuteItem.id)
    .limit(MAX_LATER_ITEMS)
)
_SPANS = select(Action.minute_item_id, Action.span_start, Action.span_end).where(
    Action.minute_item_id.in_(bindparam("ids", expanding=True))
)


def _later_items(session: Session, committee_id: int, when: date) -> list[_Later]:
    """The committee's items from meetings after ``when``, nearest first (at most MAX_LATER_ITEMS).

    Two queries: the items, and their own actions' spans.
    """
    rows = session.execute(_LATER, {"committee_id": committee_id, "when": when}).all()
    if not rows:
        return []
    spans: dict[int, list[tuple[int, int]]] = {row.id: [] for row in rows}
    for item_id, start, end in session.execute(_SPANS, {"ids": list(spans)}):
        spans[item_id].append((start, end))
    return [_Later(r.id, r.title, r.source_text, tuple(spans[r.id])) for r in rows]


# ---------------------------------------------------------------------------------------------
# reading and deciding


def _link_rows() -> Any:
    return select(FollowUpLink).options(
        joinedload(FollowUpLink.action).options(
            joinedload(Action.resolution),
            joinedload(Action.minute_item).options(
                defer(MinuteItem.source_text), defer(MinuteItem.extraction), joinedload(MinuteItem.meeting)
            ),
        ),
        joinedload(FollowUpLink.minute_item).options(
            defer(MinuteItem.source_text),
            defer(MinuteItem.extraction),
            joinedload(MinuteItem.meeting).joinedload(Meeting.committee),
        ),
        joinedload(FollowUpLink.decided_by),
    )


def _statuses(include_suggested: bool) -> tuple[LinkStatus, ...]:
    return (LinkStatus.SUGGESTED, LinkStatus.CONFIRMED) if include_suggested else (LinkStatus.CONFIRMED,)


def links_for_action(
    session: Session, action_id: int, *, include_suggested: bool = True
) -> list[FollowUpLink]:
    """The items that may answer (or, confirmed, answer) an action, best first. One query."""
    return list(
        session.scalars(
            _link_rows()
            .where(FollowUpLink.action_id == action_id, FollowUpLink.status.in_(_statuses(include_suggested)))
            .order_by(FollowUpLink.score.desc(), FollowUpLink.id)
        ).unique()
    )


def links_for_item(session: Session, item_id: int, *, include_suggested: bool = True) -> list[FollowUpLink]:
    """The earlier actions an item may answer (or, confirmed, answers), best first. One query."""
    return list(
        session.scalars(
            _link_rows()
            .where(
                FollowUpLink.minute_item_id == item_id, FollowUpLink.status.in_(_statuses(include_suggested))
            )
            .order_by(FollowUpLink.score.desc(), FollowUpLink.id)
        ).unique()
    )


#: the choices of ``tracker links --status``
LIST_CHOICES = ("suggested", "confirmed", "dismissed", "all")


def list_links(session: Session, *, status: str = "suggested") -> list[FollowUpLink]:
    """Links with the given status (or ``all``), by action then score. One query.

    :raise ValueError: an unknown status.
    """
    if status not in LIST_CHOICES:
        raise ValueError(f"unknown link status {status!r}; expected one of: {', '.join(LIST_CHOICES)}")
    stmt = _link_rows()
    if status != "all":
        stmt = stmt.where(FollowUpLink.status == LinkStatus(status))
    return list(
        session.scalars(
            stmt.order_by(FollowUpLink.action_id, FollowUpLink.score.desc(), FollowUpLink.id)
        ).unique()
    )


def _get_link(session: Session, link_id: int) -> FollowUpLink:
    link = session.scalar(
        select(FollowUpLink)
        .where(FollowUpLink.id == link_id)
        .options(
            joinedload(FollowUpLink.minute_item).options(
                defer(MinuteItem.source_text), defer(MinuteItem.extraction), joinedload(MinuteItem.meeting)
            )
        )
    )
    if link is None:
        raise NotFoundError(f"there is no follow-up link {link_id}")
    return link


def _decide(link: FollowUpLink, status: LinkStatus, author: User) -> None:
    if link.status is not LinkStatus.SUGGESTED:
        raise InvalidTransitionError(
            f"follow-up link {link.id} was already {link.status.value}; reload the page to see it"
        )
    if not isinstance(author, User):
        raise TypeError(f"author must be a User, not {type(author).__name__}")
    link.status, link.decided_by, link.decided_at = status, author, utcnow()


def confirm_link(session: Session, link_id: int, *, author: User) -> ActionUpdate:
    """Confirm that the item answers the action: the link is confirmed, and the action's history
    gets an update with the item as evidence (the action stays as it is: closing is a separate step).

    :raise NotFoundError: no such link.
    :raise InvalidTransitionError: it was confirmed or dismissed already.
    """
    from . import services  # services imports this module for the import hook

    link = _get_link(session, link_id)
    _decide(link, LinkStatus.CONFIRMED, author)
    item = link.minute_item
    when = item.meeting.date.isoformat() if item.meeting.date else "date unknown"
    matched = ", ".join(link.evidence.get("phrases") or link.evidence.get("topic") or []) or "its subject"
    note = (
        f"Follow-up confirmed: minute item {item.id}, “{item.title or 'untitled'}” ({when}), "
        f"answers this action (suggested with score {link.score:.2f}; matched: {matched})."
    )
    return services.add_update(session, link.action_id, author=author, note=note, evidence_item_id=item.id)


def dismiss_link(session: Session, link_id: int, *, author: User) -> FollowUpLink:
    """Dismiss a suggestion: it is kept, as dismissed, so it is never suggested again.

    :raise NotFoundError: no such link.
    :raise InvalidTransitionError: it was confirmed or dismissed already.
    """
    link = _get_link(session, link_id)
    _decide(link, LinkStatus.DISMISSED, author)
    session.flush()
    return link


#: the keys of each link in ``tracker links --format json``, in order
LINK_KEYS = (
    "id",
    "status",
    "score",
    "action_id",
    "action_text",
    "action_status",
    "resolution_label",
    "action_meeting_date",
    "minute_item_id",
    "minute_item_title",
    "meeting_date",
    "committee",
    "evidence",
    "decided_by",
    "decided_at",
)


def link_record(link: FollowUpLink) -> dict[str, Any]:
    """One link as plain data: the keys of :data:`LINK_KEYS`, dates as ISO strings."""
    action, item = link.action, link.minute_item
    record = {
        "id": link.id,
        "status": link.status.value,
        "score": link.score,
        "action_id": action.id,
        "action_text": action.text,
        "action_status": action.status.value,
        "resolution_label": action.resolution.label if action.resolution else None,
        "action_meeting_date": _iso(action.minute_item.meeting.date),
        "minute_item_id": item.id,
        "minute_item_title": item.title,
        "meeting_date": _iso(item.meeting.date),
        "committee": item.meeting.committee.name,
        "evidence": link.evidence,
        "decided_by": link.decided_by.name if link.decided_by else None,
        "decided_at": link.decided_at.isoformat() if link.decided_at else None,
    }
    assert tuple(record) == LINK_KEYS
    return record


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
