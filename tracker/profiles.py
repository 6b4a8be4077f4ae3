"""The text side of follow-up linking: word profiles of actions and items, and a pair's score.

Why a module of its own: it needs no database, so a batch import's worker processes (which import
``extract`` and the standard library only, see :mod:`tracker.reading`) compute each item's profile
while they extract it, and the main process, the bottleneck, only scores. :mod:`tracker.links`
finds the pairs to score and stores the suggestions; the scoring design and its measured precision
and recall are in ``docs/LINKING.md``. Everything here is a pure function of text, so a process
may cache it.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import reduce
from itertools import repeat
from operator import add, mul
from typing import Any

from extract.records import record

#: this many characters at the start of an item say what it is about (title, report, first paragraph)
OPENING = 900
#: a floor no score reaches: :func:`score_pair` then skips gathering evidence
NO_EVIDENCE = 2.0

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


@dataclasses.dataclass(frozen=True, slots=True, weakref_slot=True)  # shared by ActionStore.make
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
    #: derived from the fields above, for :func:`score_pair` and its pruning: the weighted terms
    #: and the subject as parallel tuples, the phrases' keys, every word, and :attr:`shape`
    order: tuple[str, ...] = dataclasses.field(init=False, repr=False, compare=False)
    weights: tuple[float, ...] = dataclasses.field(init=False, repr=False, compare=False)
    subject_order: tuple[str, ...] = dataclasses.field(init=False, repr=False, compare=False)
    subject_weights: tuple[float, ...] = dataclasses.field(init=False, repr=False, compare=False)
    bigram_keys: frozenset[tuple[str, str]] = dataclasses.field(init=False, repr=False, compare=False)
    words: frozenset[str] = dataclasses.field(init=False, repr=False, compare=False)
    #: the same number for every profile with the same fields that the score reads (all but the
    #: words as written, which only the evidence shows): such profiles score the same against an item
    shape: int = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "order", tuple(t for t, _ in self.weighted))
        setattr_(self, "weights", tuple(w for _, w in self.weighted))
        setattr_(self, "subject_order", tuple(self.subject))
        setattr_(self, "subject_weights", tuple(self.subject.values()))
        setattr_(self, "bigram_keys", frozenset(self.bigrams))
        setattr_(self, "words", frozenset(self.terms))
        key = (
            self.weighted,
            self.total,
            tuple(self.subject.items()),
            self.subject_total,
            self.bigram_keys,
            self.asks_report,
            self.asks_progress,
        )
        shape = _SHAPES.get(key)
        if shape is None:
            if len(_SHAPES) >= _SHAPES_KEPT:
                _SHAPES.clear()  # numbers are never given out again, so a forgotten shape is only new
            shape = _SHAPES[key] = next(_SHAPE_NUMBERS)
        setattr_(self, "shape", shape)


#: the numbers of the action profiles' shapes seen by this process (see ``ActionProfile.shape``)
_SHAPES: dict[tuple[Any, ...], int] = {}
_SHAPES_KEPT = 100_000
_SHAPE_NUMBERS = itertools.count()


@record  # pickled as its fields, the derived ones made again on loading (a worker sends one a file)
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
    #: the spans of the item's own actions it was made with, sorted: a profile made in a worker
    #: from the extraction is used only when the actions stored have the same spans
    spans: tuple[tuple[int, int], ...] = ()
    #: derived: every word of the item, and what a topic word found there counts (1 in the title or
    #: opening, 1/2 further on, 1/4 only in what the item asks for), for :func:`score_pair`
    words: frozenset[str] = dataclasses.field(init=False, repr=False, compare=False)
    share: dict[str, float] = dataclasses.field(init=False, repr=False, compare=False)
    #: 1.0 for each title word: the subject's sum, as the topic's
    title_share: dict[str, float] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        share = dict.fromkeys(self.asked, 0.25)
        share.update(dict.fromkeys(self.delivered, 0.5))
        share.update(dict.fromkeys(self.front, 1.0))
        object.__setattr__(self, "share", share)
        object.__setattr__(self, "words", frozenset(share))
        object.__setattr__(self, "title_share", dict.fromkeys(self.title, 1.0))


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
    spans = sorted((int(start), int(end)) for start, end in asked_spans)
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
        spans=tuple(spans),
    )


# ---------------------------------------------------------------------------------------------
# scoring


@dataclasses.dataclass(frozen=True, slots=True)
class Score:
    """A pair's score (0 to 1) and the evidence: which words and phrases matched, and why."""

    value: float
    evidence: dict[str, list[str]]


#: the most a pair sharing no word can score: 0.25 for the subject and 0.1 for the kind (topic and
#: phrases both need a word of the action in the item: its phrases are pairs of its words)
MAX_WITHOUT_SHARED_WORD = 0.25 + 0.1


def cannot_reach(action: ActionProfile, item: ItemProfile, threshold: float) -> bool:
    """True when the pair's score is certainly below ``threshold``, so it need not be scored.

    Exact, not a guess: only when the item holds none of the action's words, and the threshold is
    above what such a pair can score (with a margin for the score's rounding to 3 places). One set
    operation in C, against the Python loop of :func:`score_pair`.
    """
    return threshold > MAX_WITHOUT_SHARED_WORD + 0.005 and item.words.isdisjoint(action.words)


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
    # Σ w × share, added in ``weighted`` order as a plain loop would (w × 1/2 is exactly w / 2, and
    # adding 0.0 for a word not found changes nothing), so the score is the same to the last bit;
    # the subject likewise, in its own order
    got = reduce(add, map(mul, action.weights, map(item.share.get, action.order, repeat(0.0))), 0.0)
    topic_share = got / action.total
    subject_share = (
        reduce(
            add,
            map(mul, action.subject_weights, map(item.title_share.get, action.subject_order, repeat(0.0))),
            0.0,
        )
        / action.subject_total
        if action.subject_total
        else 0.0
    )
    phrase_share = min(len(action.bigram_keys & item.bigrams), 2) / 2
    asked_kind = (action.asks_report and item.is_report) or (action.asks_progress and item.is_progress)
    value = 0.55 * topic_share + 0.25 * subject_share + 0.1 * phrase_share + 0.1 * asked_kind
    if not (action.asks_report or action.asks_progress):
        value *= NO_ASK_FACTOR
    if value < floor:
        return Score(round(value, 3), {})
    front, delivered = item.front, item.delivered
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


class Cache(OrderedDict[Any, Any]):
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


_ACTION_PROFILES = Cache(50_000)


def cached_action_profile(text: str, title: str | None, owner: str | None) -> ActionProfile:
    """:func:`action_profile`, kept per process by text, item title and owner."""
    return _ACTION_PROFILES.get_or(  # type: ignore[no-any-return]
        (text, title, owner), lambda: action_profile(text, title, owner)
    )


class ActionStore:
    """Profiles of actions by id, each kept with the action's version (a batch import's store).

    An action's profile depends on its text and owner, which change only with its version (every
    change of the row raises it), and on its item's title, which never changes. So a profile found
    under the same id and version is the one its row would give, and the linker needs to read only
    ids and versions of the actions it has profiled. An edited action (another version) is read and
    profiled again. Ids are only unique in one database, and SQLite hands a rolled-back row's id out
    again: whoever keeps a store empties it when its transaction rolls back (see
    :func:`tracker.links.action_store`). At most ``size`` actions are kept, the oldest dropped first.

    A store made for a whole batch (``process_cache=False``) makes its profiles without the
    process's cache by text (:func:`cached_action_profile`): the two would otherwise each keep
    50,000 profiles, drop different ones once full, and together hold more and more of them (about
    2.4 kB each) for as long as the batch runs. Actions with the same text, item title and owner
    still share one profile while the store holds any of them (a weak mapping by text).
    """

    __slots__ = ("_by_id", "size", "_alive")

    def __init__(self, size: int = 50_000, *, process_cache: bool = True) -> None:
        self._by_id: dict[int, tuple[int, ActionProfile]] = {}
        self.size = size
        #: the profiles this store holds, by text, item title and owner (a batch's store only)
        self._alive: weakref.WeakValueDictionary[tuple[str, str | None, str | None], ActionProfile] | None = (
            None if process_cache else weakref.WeakValueDictionary()
        )

    @property
    def process_cache(self) -> bool:
        """Does this store make its profiles through the process's cache (not a batch's store)?"""
        return self._alive is None

    def make(self, text: str, title: str | None, owner: str | None) -> ActionProfile:
        """An action's profile: through the process's cache, or for a batch's store, the one it
        already holds for the same text, item title and owner, if any."""
        if self._alive is None:
            return cached_action_profile(text, title, owner)
        key = (text, title, owner)
        found = self._alive.get(key)
        if found is None:
            found = self._alive[key] = action_profile(text, title, owner)
        return found

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, action_id: int, version: int) -> ActionProfile | None:
        """The profile kept for this version of the action, or None (unknown, or another version)."""
        found = self._by_id.get(action_id)
        return found[1] if found is not None and found[0] == version else None

    def lookup(self, rows: Iterable[tuple[int, int]]) -> list[tuple[int, ActionProfile | None]]:
        """``(id, profile or None)`` for each ``(id, version)``: :meth:`get` over a linker's candidates."""
        by_id = self._by_id
        found: list[tuple[int, ActionProfile | None]] = []
        for action_id, version in rows:
            kept = by_id.get(action_id)
            found.append((action_id, kept[1] if kept is not None and kept[0] == version else None))
        return found

    def put(self, action_id: int, version: int, profile: ActionProfile) -> None:
        """Keep ``profile`` for this version of the action (replacing any other version's)."""
        self._by_id.pop(action_id, None)
        self._by_id[action_id] = (version, profile)
        if len(self._by_id) > self.size:
            del self._by_id[next(iter(self._by_id))]

    def clear(self) -> None:
        self._by_id.clear()
