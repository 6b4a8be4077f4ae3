"""What a clause asks for: its kind, whether it needs a follow-up, and who owns it.

The cue tables live in ``extract/patterns/kinds.jsonl``, ``followup.jsonl`` and ``owners.jsonl``;
this module only decides between the cues they find.
"""

from __future__ import annotations

import re

from . import rules
from .frozen import frozen

FOLLOWUP_KINDS = frozenset({"request", "recommendation", "referral"})
#: the tables one clause is searched with, whose keywords are found in one pass
_CLAUSE_TABLES = ("kinds.jsonl", "owners.jsonl", "followup.jsonl")
_SUBJECT = re.compile(r"^\W*(?:That\s+|that\s+)?" + rules.macro("OWNER") + r"\s+[a-z]")
_AND_DECISION = re.compile(
    r"\band\s+(?:approv(?:e|es|ed)|endors(?:e|es|ed)|support(?:s|ed)?|agree(?:s|d)?|adopt(?:s|ed)?|accept(?:s|ed)?|"
    r"confirm(?:s|ed)?|ratif(?:y|ies|ied))\b",
    re.I,
)
_COORDINATOR = re.compile(r"\band\b|;|\balso\b|\bfurther\b", re.I)
_PARTICIPLE_TAIL = re.compile(r"\s+(?:by|in|above|below|earlier)\b", re.I)
_NOTE_THAT = re.compile(r"\bnot(?:e|es|ed)\s+that\b", re.I)
_OWNER_TAIL = re.compile(r"(?:\s+(?:and|of|for|the|to|&|in|on|de))+$|[\s,;:.–-]+$")
#: the last characters of _OWNER_TAIL's words and punctuation (besides white space)
_OWNER_TAIL_ENDS = frozenset("dfreo&n,;:.–-")
#: an owner is a role, a body or a named person: "the Strategy" is none of them
_DOER = re.compile(
    r"\b(?:[Oo]fficers?|Director|Member|Members|members|Cabinet|Council|Committee|Board|Panel|Chair|Chairman|Chairperson|"
    r"Vice-Chair|Clerk|clerk|chair|Leader|Mayor|Executive|Manager|Head|Co-ordinator|Coordinator|Scrutiny|Secretariat|"
    r"secretariat|Partnership|Authority|Group|Team|Forum|Commissioner|Service|Services|Lead|Government|Minister|"
    r"Secretary|Agency|Trust|Police|NHS|Auditor|Solicitor|Inspector|Chief|Assembly|Parliament|MP|Commission|"
    r"Department|Portfolio|Holder|Coordinator|Adviser|Advisor|Engineer|Planner|Accountant|Treasurer|Governors?|"
    r"Councillors?|Cllr|Dr|Mr|Mrs|Ms|Miss|Professor|committee|board|panel|council|cabinet|director|leader|mayor|"
    r"executive|co-ordinator|coordinator)\b"
)
_OWNER_HEAD = re.compile(r"^(?:That|that)\s+")
#: words that look like an owner to the patterns but never are one
_NOT_OWNERS = re.compile(
    r"^(?:the\s+)?(?:report|update|committee'?s?\s+offer|matter|item|issue|it|this|that|these|they|which|minutes?|"
    r"recommendations?|proposals?|following|information|decision|work\s+programme|RESOLVED|Resolved|Requests?|"
    r"Recommends?|Notes?|Agrees?|A|An|The|In|On|At|If|As|It|This)$",
)


@frozen
class Classification:
    kind: str
    needs_followup: bool
    owner: str | None
    rule: str | None  # id of the cue rule that decided the kind


def classify(
    text: str,
    *,
    lead: str = "",
    hint: str | None = None,
    lead_kinds: dict[str, tuple[str, str | None]] | None = None,
) -> Classification:
    """Classify one clause; ``lead`` holds the words of the clauses that introduce it.

    An introduction that asks for something (``Recommends that the Cabinet Member:-``) decides
    the kind of every clause under it; one that does not (``Cabinet decided to:``) leaves it to
    the clause's own words. ``lead_kinds`` keeps the kind of each lead across the clauses of one
    page, since every sub-clause of an introduction repeats it.
    """
    lower = text.lower()
    owners_live = followup_live = None
    if not lead:  # the owner and follow-up tables read this same text: one keyword pass for all three
        kinds_live, owners_live, followup_live = rules.live_in_tables(_CLAUSE_TABLES, lower)
        kind, rule = _kind(text, lower, kinds_live)
    else:
        kind, rule = _kind(text, lower)
        found = lead_kinds.get(lead) if lead_kinds is not None else None
        if found is None:
            found = _kind(lead)
            if lead_kinds is not None:
                lead_kinds[lead] = found
        lead_kind, lead_rule = found
        if lead_kind in FOLLOWUP_KINDS or rule is None:
            kind, rule = lead_kind, lead_rule
        text = f"{lead} {text}"
        lower = text.lower()
    if hint == "recommendation" and kind not in ("other",):
        kind, rule = "recommendation", rule or "opener-recommend"
    owner_matches: list[tuple[int, int, rules.Rule, re.Match[str]]] | None = None
    if rule is None:
        # no cue word, but somebody is told to do something: "the Partnership Manager prepare a draft …"
        owner_matches = rules.first_matches("owners.jsonl", text, lower, 0, owners_live)
        doer = _best_owner(owner_matches)
        if doer is not None:
            kind, rule = "request", "subject-verb"
        else:
            # no cue at all ("the consultation run from …", "door supervisors be employed"): what a
            # resolution settles without asking anyone for anything is a decision
            kind, rule = "decision", "no-cue"
    needs = kind in FOLLOWUP_KINDS
    if kind == "decision":
        needs = rules.any_match("followup.jsonl", text, lower, re.I, followup_live)
    owner = None
    if needs:
        # only a follow-up has an owner: "Cabinet adopts the plan" leaves nobody anything to do
        if owner_matches is None:
            owner_matches = rules.first_matches("owners.jsonl", text, lower, 0, owners_live)
        owner = _best_owner(
            owner_matches, referral=kind in ("referral", "recommendation"), decision=kind == "decision"
        )
        if owner is None and kind == "recommendation":
            # "RESOLVED TO RECOMMEND: That Council approves …": the body recommended to is the subject
            m = _SUBJECT.match(text)
            owner = clean_owner(m.group("owner")) if m else None
    return Classification(kind, needs, owner, rule)


def _kind(text: str, lower: str | None = None, live: list[int] | None = None) -> tuple[str, str | None]:
    if lower is None:
        lower = text.lower()
    found = rules.first_matches("kinds.jsonl", text, lower, re.I, live)
    if not found:
        return "other", None
    pos, _, rule, m = found[0]
    if rule.label in FOLLOWUP_KINDS or rule.data.get("final"):
        return rule.label, rule.id
    if not (rule.label == "noting" and _NOTE_THAT.match(text, m.start())):
        # "the report be noted and officers be requested to …": a follow-up in a coordinated clause
        for p, _, r, fm in found[1:]:
            if r.label in FOLLOWUP_KINDS and p > pos and _coordinated(text, m.end(), fm):
                return r.label, r.id
    if rule.label == "noting" and not _NOTE_THAT.match(text, m.start()):
        # "noted the update and supported the proposed route": the decision is the stronger act
        if _AND_DECISION.search(text, m.end()) is not None:
            return "decision", "noting-and-decision"
    return rule.label, rule.id


def _coordinated(text: str, after: int, cue: re.Match[str]) -> bool:
    """Is a later cue the verb of a clause of its own (``and officers be requested to``), not a
    participle inside the first one (``as requested``, ``to be submitted``, ``referred to in``)?"""
    before = text[max(0, cue.start() - 4) : cue.start()].lower()
    if before.endswith(("to ", "as ")) or _PARTICIPLE_TAIL.match(text, cue.end()):
        return False
    # "the Committee's support for X be referred to Y": the subjunctive "be …" is the main verb
    return bool(_COORDINATOR.search(text[after : cue.start()])) or cue.group(0).lower().startswith("be ")


def find_owner(text: str, *, referral: bool = False, decision: bool = False) -> str | None:
    """The doer named in a clause, as written (``officers``, ``the Cabinet Member``), or None.

    Doers (``Requests officers to``, ``Council be recommended to``) come first; for a referral
    with no doer named, its recipient (``be referred to the Planning Committee``) owns it. In a
    decision, whoever is delegated authority owns it rather than whoever delegated.
    """
    found = rules.first_matches("owners.jsonl", text, text.lower())
    return _best_owner(found, referral=referral, decision=decision)


def _best_owner(
    found: list[tuple[int, int, rules.Rule, re.Match[str]]], *, referral: bool = False, decision: bool = False
) -> str | None:
    """The owner :func:`find_owner` picks from the owner rules' first matches."""
    best: tuple[int, str] | None = None
    for _start, _i, rule, m in found:
        if rule.label == "RECIPIENT" and not referral:
            continue
        owner = clean_owner(m.group("owner"))
        if owner is None:
            continue
        # a delegate outranks whoever delegated; a doer outranks a recipient
        tier = 0 if decision and rule.data.get("delegate") else 2 if rule.label == "RECIPIENT" else 1
        rank = tier * 100_000 + m.start("owner")
        if best is None or rank < best[0]:
            best = (rank, owner)
    return best[1] if best else None


_PERSON_NAME = re.compile(
    r"^(?:(?:[A-Z]\.?\s*){1,2}[A-Z][a-z'’-]+|[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2}|"
    r"[A-Z]{2,4}(?:\s*[/,&]\s*[A-Z]{2,4})*)$"
)
#: the only lower-case words an owner may hold: "the relevant officers", "Director of Public Health"
_OWNER_LOWER_WORDS = frozenset(
    "the of for and & to in on at officers officer members member clerk chair chairman chairperson "
    "vice-chair "
    "secretariat committee board panel council cabinet executive leader mayor director relevant appropriate "
    "responsible lead senior scrutiny democratic services service policy team teams staff all co-ordinator "
    "coordinator partners colleagues officials group de la".split()
)


def _trim_owner(raw: str) -> str:
    """``raw`` with white space squashed, a leading "That" and trailing connectives and
    punctuation removed (``_OWNER_TAIL`` substituted until nothing changes)."""
    owner = _OWNER_HEAD.sub("", " ".join(raw.split()))
    # a match of _OWNER_TAIL ends with one of _OWNER_TAIL_ENDS or white space: an owner ending
    # otherwise is kept without the substitution (which tried the pattern at every space)
    while owner and (owner[-1] in _OWNER_TAIL_ENDS or owner[-1].isspace()):
        trimmed = _OWNER_TAIL.sub("", owner)
        if trimmed == owner:
            break
        owner = trimmed
    return owner


def clean_owner(raw: str, *, person_ok: bool = False) -> str | None:
    """Trim connectives and punctuation from a matched owner; None if it is not a doer.

    ``person_ok`` accepts a bare personal name (``Ruth Kimani``), as action lines name people.
    """
    owner = _trim_owner(raw)
    if not owner or _NOT_OWNERS.match(owner) or owner.endswith(("'s", "’s", "s'", "s’")):
        return None  # a possessive ("the Committee's comments") names no doer
    if any(w[:1].islower() and w.lower() not in _OWNER_LOWER_WORDS for w in owner.split()):
        return None  # "the Panel also discussed plans": a sentence, not a doer
    if owner.startswith("The ") and owner[4:5].isupper():
        owner = "the" + owner[3:]  # a role reads the same at the start of a sentence and inside one
    if not _DOER.search(owner) and not (person_ok and _PERSON_NAME.match(owner)):
        return None
    return owner
