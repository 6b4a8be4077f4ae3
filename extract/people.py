"""Who attended, in what role or for which organisation, and in what capacity.

Sources, in the shapes councils print them: meeting lists (``PRESENT:``, ``IN ATTENDANCE:``,
apologies), invited-attendee sentences (``Councillor F Abbott, Cabinet Member for …, attended``),
shared-role sentences (``Councillors A Khan and P Akhtar, Cabinet Member and Deputy Cabinet
Member for …``), representative lists (``Inspector Jane Doe, Example Police``), witnesses
welcomed by name, and officers named only by their role. People merely mentioned are ignored.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from operator import itemgetter

from .cues import Cues
from .frozen import frozen
from .text import Line, finditer_near, rx, search_from_word

_LINE_START = itemgetter(0)  # a Line's start offset


def _word_alternation(body: str) -> str:
    r"""``\b(?:body)\b`` written so the engine can skip on each alternative's first letter.

    Every alternative of ``body`` starts with a plain letter ``c``, and ``c(?<!\wc)`` is ``\b``
    before that letter: the matches are the same. A leading ``\b`` makes the engine try the whole
    alternation at every word start; a leading letter lets it skip the positions no alternative
    starts with (as ``_INLINE`` in :mod:`extract.resolutions` does). ``body`` holds no group.
    ``tests/extract/test_fast_paths.py`` checks both forms agree.
    """
    alts = body.split("|")
    for alt in alts:
        if not (alt[:1].isalpha() and alt[:1].isascii()) or alt[1:2] in ("?", "*", "+", "{"):
            raise ValueError(f"alternative {alt!r} must start with a plain letter")
    return "(?:" + "|".join(f"{a[0]}(?<!\\w{a[0]}){a[1:]}" for a in alts) + r")\b"


HONORIFICS = {
    "councillor": "Councillor",
    "councillors": "Councillor",
    "cllr": "Councillor",
    "cllrs": "Councillor",
    "inspector": "Inspector",
    "chief inspector": "Chief Inspector",
    "detective inspector": "Detective Inspector",
    "superintendent": "Superintendent",
    "chief superintendent": "Chief Superintendent",
    "sergeant": "Sergeant",
    "pc": "PC",
    "detective sergeant": "Detective Sergeant",
    "detective constable": "Detective Constable",
    "detective chief inspector": "Detective Chief Inspector",
    "detective superintendent": "Detective Superintendent",
    "dr": "Dr",
    "doctor": "Dr",
    "professor": "Professor",
    "prof": "Professor",
    "mr": "Mr",
    "mrs": "Mrs",
    "ms": "Ms",
    "miss": "Miss",
    "mx": "Mx",
    "sir": "Sir",
    "dame": "Dame",
    "lord": "Lord",
    "lady": "Lady",
    "baroness": "Baroness",
    "reverend": "Reverend",
    "rev": "Reverend",
    "canon": "Canon",
    "alderman": "Alderman",
    "father": "Father",
    "chief constable": "Chief Constable",
    "deputy chief constable": "Deputy Chief Constable",
    "assistant chief constable": "Assistant Chief Constable",
    "commander": "Commander",
}
_HON = (
    r"(?:Chief\s+Inspector|Detective\s+(?:Chief\s+)?(?:Inspector|Sergeant|Constable|Superintendent)|Chief\s+Superintendent|Deputy\s+Chief\s+Constable|"
    r"Assistant\s+Chief\s+Constable|Chief\s+Constable|Councillors|Councillor|Cllrs?\.?|Inspector|Superintendent|"
    r"Sergeant|PC|Dr\.?|Doctor|Professor|Prof\.?|Mrs\.?|Mr\.?|Ms\.?|Miss|Mx|Sir|Dame|Lord|Lady|Baroness|Reverend|"
    r"Rev\.?|Canon|Alderman|Father|Commander)"
)
#: letters of a name: accented ones too ("Siân", "Llŷr", "Zoë"); a capital starts each part
_CAP = r"[A-ZÀ-ÖØ-ÞĀ-Ž]"
_LOW = r"[^\W\d_A-Z]"
_SUR = rf"(?:(?:Mc|Mac|O'|O’|D'|D’)?{_CAP}(?:{_LOW}|['’])+(?:-{_CAP}(?:{_LOW}|['’])+)?)"
_NAME = rf"(?:(?:Mrs|Mr|Ms|Miss|Dr)\.?\s+)?(?:{_CAP}\.?\s*){{0,3}}(?:{_SUR}\s+){{0,3}}{_SUR}"
NAME_RE = re.compile(_NAME)
_HON_AT = re.compile(rf"(?P<hon>{_HON})\s+")
_HON_ANYWHERE = re.compile(rf"\b{_HON}\s")
_HON_NAME = re.compile(rf"(?:(?P<hon>{_HON})\s+)?(?P<name>{_NAME})")
_PERSON_PART = re.compile(rf"(?:(?P<hon>{_HON})\s+)?(?P<name>{_NAME})(?=\s*(?:$|\(|[–-]\s|in\s+the\s+chair))")
_NAME_DESC = re.compile(
    rf"(?:(?P<hon>{_HON})\s+)?(?P<name>{_NAME})\s*(?:\((?P<paren>[^)]*)\))?\s*(?:,|\s[–-])\s*(?P<desc>.+?)\s*\.?$"
)
_PERSON_START = re.compile(rf"(?:(?P<hon>{_HON})\s+)(?P<name>{_NAME})|(?P<bare>{_NAME})")
_ROLE_WORDS_BODY = (
    r"Member|Chair|Chairman|Chairperson|Vice-Chair|Vice\s+Chair|Convener|Vice-Convener|Provost|Leader|Mayor|"
    r"Director|Manager|Officer|Head|Lead|"
    r"Chief|Executive|Co-ordinator|Coordinator|Commissioner|Nurse|Consultant|Adviser|Advisor|Solicitor|Clerk|"
    r"Secretary|Accountant|Engineer|Planner|Analyst|Inspector|Superintendent|Constable|Sergeant|Governor|"
    r"Representative|Treasurer|Auditor|Partner|Specialist|Assistant|Deputy|President|Principal|Strategic|"
    r"Cabinet|Portfolio|Champion|Monitoring|Surveyor|Architect|Therapist|Practitioner|Registrar|Warden|"
    r"Apprentice|Trainee|Scrutiny|Democratic|Legal|Finance|Service|Services|Team|Ambassador|Group\s+Leader"
)
_ROLE_WORDS = re.compile(_word_alternation(_ROLE_WORDS_BODY))
_ORG_WORDS_BODY = (
    r"Police|Trust|Partnership|Council|Association|Housing|Service|Services|NHS|Group|Ltd|Limited|plc|CIC|"
    r"Foundation|Society|Centre|Center|Agency|Authority|Board|Commission|College|University|School|Hospital|"
    r"Fire|Rescue|Charity|Network|Alliance|Forum|Healthwatch|Company|Department|Office|Ministry|Union|Church|"
    r"Barnardos|Barnardo's|Refuge|Action|Aid|Care|Support|Project|CCG|Clinical\s+Commissioning|Infirmary|Hospitals?|"
    r"Clinic|Practice|Surgery|Library|Museum|Academy|Institute|Bank|Constabulary|Federation|Council|Chamber|"
    r"Cooperative|Co-operative|Campaign|Coalition|Consortium|Services|Healthcare|Health|Railways?|Buses|Airport|"
    r"Water|Energy|Homes|Estates|Cathedral|Diocese|Parish|Engineering|Consulting|Consultancy|Construction|"
    r"Developments|Properties|Solicitors|Associates|Partners|Enterprises|Industries|Holdings|Media|Bus|Buses|"
    r"Transport|Travel|Chambers?|LLP|LLC|Inc"
)
_ORG_WORDS = re.compile(_word_alternation(_ORG_WORDS_BODY))
_ROLE_HEAD = re.compile(
    r"^(?:(?:Deputy|Assistant|Acting|Interim|Senior|Principal|Chief|Lead|Joint|Strategic|Executive|Shadow)\s+)*"
    r"(?:Cabinet\s+Member|Portfolio\s+Holder|Chair|Vice-Chair|Chairman|Leader|Mayor|Director|Manager|Officer|Head|"
    r"Executive|Co-ordinator|Coordinator|Commissioner|Nurse|Member)\b"
)

#: cue words (whole tokens) near which the sentence rules below can match
APOLOGY_CUES = ("apologies", "apology")
ATTEND_CUES = (
    "attended",
    "attending",
    "invited",
    "were present",
    "was present",
    "attendance",
    "presented",
    "gave a presentation",
    "introduced the",
)
WELCOME_CUES = ("welcomed", "introduced")
ROLE_ONLY_CUES = (
    "attended",
    "attendance",
    "presented",
    "introduced the report",
    "gave a presentation",
    "explained",
    "outlined",
    "summarised",
    "summarized",
)
CUE_WORDS = APOLOGY_CUES + ATTEND_CUES + WELCOME_CUES + ROLE_ONLY_CUES

_LIST_HEAD = re.compile(
    r"^(?P<head>PRESENT|Present|Sederunt|SEDERUNT|Members\s+[Pp]resent|MEMBERS\s+PRESENT|Attendees|ATTENDEES|Attendance|"
    r"Panel|Councillors|COUNCILLORS|Apology|APOLOGY|"
    r"Panel\s+[Mm]embers|Board\s+[Mm]embers|Members|MEMBERS|Councillors\s+[Pp]resent|Voting\s+[Mm]embers|"
    r"In\s+the\s+[Cc]hair|IN\s+THE\s+CHAIR|Attending(?:\s+for\s+(?:this|the)\s+item)?|ATTENDING|"
    r"IN\s+ATTENDANCE|In\s+[Aa]ttendance|Also\s+[Pp]resent|ALSO\s+PRESENT|Also\s+in\s+attendance|Officers(?:\s+[Pp]resent)?|"
    r"OFFICERS(?:\s+PRESENT|\s+IN\s+ATTENDANCE)?|Officers\s+in\s+attendance|Sub-Committee|Committee|"
    r"Committee\s+[Mm]embers|Members\s+of\s+the\s+(?:Committee|Panel|Board|Sub-Committee)|"
    r"Parties(?:\s+in\s+attendance|\s+present)?|PARTIES(?:\s+IN\s+ATTENDANCE|\s+PRESENT)?|Interested\s+[Pp]arties|"
    r"(?:Public\s+)?[Ss]peakers|Objectors|Supporters|Other\s+[Aa]ttendees|Others\s+[Pp]resent|Secretariat|SECRETARIAT|"
    r"Observers?|Guests?|Invited|Witnesses|Co-opted\s+[Mm]embers?|CO-OPTED\s+MEMBERS?|"
    r"APOLOGIES(?:\s+FOR\s+ABSENCE)?|Apologies(?:\s+for\s+[Aa]bsence)?)"
    r"\s*(?::-|:|–|-(?=\s))\s*(?P<rest>.*)$"
)
_APOLOGIES_SENTENCE = re.compile(
    r"\bApologies(?:\s+for\s+absence)?\s+(?:were|was|had\s+been)\s+(?:received|submitted|tendered|given)"
    r"(?:\s+and\s+(?:accepted|noted))?\s+(?:from|by|on\s+behalf\s+of)\s+"
    r"(?P<list>[^.]+?)\s*(?:\.(?=\s|$)|$)"
)
_ATTEND_VERB = re.compile(
    r"\b(?:presented|gave\s+a\s+presentation|introduced\s+the\s+(?:report|item)|attended|(?:have|has|had)\s+(?:also\s+)?been\s+invited|(?:were|was)\s+(?:also\s+)?invited|"
    r"(?:were|was)\s+(?:also\s+)?(?:present|in\s+attendance)|(?:is|are)\s+(?:also\s+)?in\s+attendance)\b"
)
_WELCOMED = re.compile(
    r"\b(?:welcomed|introduced)\s+(?P<list>.+?)(?=\s+(?:to\s+the\s+meeting|who\s|for\s+(?:attending|the)|and\s+invited|"
    r"to\s+(?:present|give|address|speak|answer|update))|\.(?:\s|$)|\n|$)"
)
_ROLE_ONLY_WITH = (
    r"\s+(?:with|alongside)\s+the\s+(?P<role2>(?:[A-Z][\w'-]*\s+){0,5}?(?:Manager|Officer|"
    r"Director|Head|Lead|Co-ordinator|Coordinator|Executive)(?:\s+(?:of|for)\s+(?:[A-Z][\w'&-]*(?:\s+|$)|and\s+)+)?)"
)
#: ``_ROLE_ONLY``'s first half: "The Finance Manager attended", at a sentence's start
_ROLE_ONLY_FIRST_BODY = (
    r"(?:^|(?<=[.!?]\s)|(?<=\n))\s*The\s+(?P<role>(?:[A-Z][\w'-]*\s+){0,5}?(?:Manager|Officer|Director|Head|Lead|"
    r"Co-ordinator|Coordinator|Executive|Adviser|Advisor|Solicitor|Clerk|Accountant|Engineer|Planner|Commissioner|"
    r"Nurse|Consultant|Analyst|Leader|Auditor|Specialist|Secretary)(?:\s+(?:of|for)\s+(?:[A-Z][\w'&-]*(?:\s+|$)|and\s+|&\s+)+)?)"
    r"\s*(?:\([^)]{1,40}\)\s*)?(?:attended|was\s+in\s+attendance|presented|introduced\s+the\s+report|gave\s+a\s+presentation|"
    r"explained|outlined|summarised|summarized)"
)
_ROLE_ONLY = re.compile(_ROLE_ONLY_FIRST_BODY + r"|\b(?:attended|presented)" + _ROLE_ONLY_WITH)
_ROLE_ONLY_FIRST = re.compile(_ROLE_ONLY_FIRST_BODY)
#: ``_ROLE_ONLY``'s second half alone, each verb's ``\b`` written after its first letter (as
#: ``_word_alternation`` does) so the engine skips to an "a" or a "p"
_ROLE_ONLY_SECOND = re.compile(r"(?:a(?<!\wa)ttended|p(?<!\wp)resented)" + _ROLE_ONLY_WITH)


def _role_only_matches(f: str, windows: list[tuple[int, int]]) -> list[re.Match[str]]:
    """What ``finditer_near(_ROLE_ONLY, f, windows)`` finds for merged (disjoint, sorted) ``windows``:
    matches of ``_ROLE_ONLY_FIRST`` (group ``role``) or of ``_ROLE_ONLY_SECOND`` (``role2``).

    A window without "The" is searched with the second half alone. In the others, the two halves
    are searched apart and the leftmost match kept (the first half's at an equal start, as the
    alternation has it, though the two cannot start at one place), the search going on from its end.
    """
    out: list[re.Match[str]] = []
    for s, e in windows:
        if f.find("The", s, e) == -1:
            out.extend(_ROLE_ONLY_SECOND.finditer(f, s, e))
            continue
        pos = s
        while True:
            # the first half opens with look-behinds, then white space and "The"
            first = search_from_word(_ROLE_ONLY_FIRST, f, "The", pos, e, str.isspace)
            second = _ROLE_ONLY_SECOND.search(f, pos, e)
            m = first if first is not None and (second is None or first.start() <= second.start()) else second
            if m is None:
                break
            out.append(m)
            pos = m.end()
    return out


_ROLE_THEN_NAME = re.compile(
    rf"^(?P<role>.+?)\s*\((?P<name>(?:{_CAP}\.?\s*){{1,2}}{_SUR}|(?:{_CAP}\.?\s*){{0,2}}{_SUR}(?:\s+{_SUR}){{1,2}})\)$"
)
#: words that make a bracket after a role a qualifier ("Service Manager (Early Years)"), not a name
_QUALIFIER_BODY = (
    r"Area|Areas|Years|Services?|Care|North|South|East|West|Central|Team|Division|Planning|Housing|Finance|"
    r"Education|Health|Policy|Operations|Development|Enforcement|Licensing|Transport|Highways|Environment|Strategy|"
    r"Legal|Governance|Democratic|Safeguarding|Children|Adults|Community|Communities|Interim|Acting|Locum|Deputy|"
    r"Resources|Property|Assets|Regeneration|Revenues|Benefits|Waste|Parks|Leisure|Culture|Libraries|Schools"
)
_QUALIFIER = re.compile(_word_alternation(_QUALIFIER_BODY))
_PAREN = re.compile(r"\(([^)]{2,80})\)")
_BEHALF = re.compile(r"\s*\((?:on\s+behalf\s+of|representing|for)\b[^)]*\)")
_ROLE_SUBJECT = re.compile(
    r"^The\s+(?:[A-Z][\w'-]*\s+){0,4}(?:Head|Director|Manager|Officer|Lead|Co-ordinator|Coordinator)\b"
)
#: "The Director of Public Health, Professor Lydia Marsh, introduced …": a role, then its holder
_ROLE_COMMA_NAME = re.compile(
    rf"^The\s+(?P<role>[^,]{{3,80}}?),\s+(?:(?P<hon>{_HON})\s+)?(?P<name>{_NAME}),?$"
)
#: the rest of a welcomed list after a line break (blank lines between) and what ends it
_WELCOMED_MORE = re.compile(
    r"\s*\n\s*(?P<list>[^\n]+?)(?=\s+(?:to\s+the\s+meeting|who\s|for\s+(?:attending|the)|and\s+invited|"
    r"to\s+(?:present|give|address|speak|answer|update))|\.(?:\s|$)|$)",
    re.M,
)
#: "… attended for this item, together with Naomi Fell, Principal, Westmoor College."
_TOGETHER_WITH = re.compile(r"(?:together|along)\s+with\s+(?P<list>[^.\n:]+)(?=\.(?:\s|$)|\n|$)")
#: a paragraph number before a sentence ("41.2 Councillor Dawn Ashworth … attended")
_PARA_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,3})*\.?\s+")
_TRAILING_ADVERB = re.compile(r"(?:,?\s+(?:also|both|all|each|too))+\s*$")
#: the words ``_TRAILING_ADVERB`` can end with: a text not ending with one of them has no match
_ADVERBS = ("also", "both", "all", "each", "too")


def _drop_trailing_adverbs(text: str) -> str:
    """``_TRAILING_ADVERB.sub("", text)``, tried only when the text ends with one of the adverbs
    (the substitution alone tries its alternation at every space of a long subject)."""
    return _TRAILING_ADVERB.sub("", text) if text.rstrip().endswith(_ADVERBS) else text


_LIST_HEAD_BARE = re.compile(
    r"^(?:\d{1,3}[.)]?\s+)?(?P<head>Apologies(?:\s+for\s+[Aa]bsence)?|APOLOGIES(?:\s+FOR\s+ABSENCE)?|Present|PRESENT|"
    r"In\s+[Aa]ttendance|IN\s+ATTENDANCE)\.?(?P<rest>)$"
)
#: how a bare list heading ends ("Apologies for Absence", "PRESENT", "In attendance")
_BARE_HEAD_ENDS = (
    "Present", "PRESENT", "ttendance", "TTENDANCE", "bsence", "BSENCE", "Apologies", "APOLOGIES",
)  # fmt: skip


#: the letters a line ``_list_head`` matches can start with: the first letters of ``_LIST_HEAD``'s
#: heads and of ``_LIST_HEAD_BARE``'s, which may also open with a number (``\d``: any decimal
#: digit, as ``str.isdecimal``); ``tests/extract/test_fast_paths.py`` reads them off both patterns
_LIST_HEAD_FIRST = frozenset("ABCGIMOPSVWs")


def _list_head(text: str) -> re.Match[str] | None:
    """``_LIST_HEAD`` or ``_LIST_HEAD_BARE`` matched at the start of a line's text.

    Every line of a page is tried, so the literal each pattern needs is looked for first: a
    separator (``:``, ``–``, ``-``) after the head, or the bare head word at the very end.
    """
    if ("-" in text or ":" in text or "–" in text) and (m := _LIST_HEAD.match(text)):
        return m
    core = text[:-1] if text.endswith(".") else text
    return _LIST_HEAD_BARE.match(text) if core.endswith(_BARE_HEAD_ENDS) else None


_LIST_SUBJECT = re.compile(r"\b(?:following|representatives?|witnesses|guests|officers)\b", re.I)
_REPS_INTRO = re.compile(
    r"(?:representatives?|the\s+following|following\s+(?:people|guests|witnesses|officers))\s*:\s*-?\s*$",
    re.I,
)
_CHAIR_INLINE = re.compile(r"\s+in\s+the\s+chair\b|\s*\((?P<role>[^)]{2,60})\)")
_SPLIT_AND = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|;\s*)")
_SENTENCE_VERB = re.compile(r"\b(?:were|was|has|have|had|is|are|received|declared|reported|considered)\b")


@frozen
class Person:
    name: str | None
    honorific: str | None
    role: str | None
    organisation: str | None
    capacity: str
    start: int
    end: int


def _outside(honorific: str | None, role: str | None, org: str | None) -> bool:
    """In an "in attendance" list, is this a councillor or an outside person rather than an officer?"""
    if honorific == "Councillor":
        return True
    if role:
        return not _OFFICER_ROLE.search(role)
    return org is not None


def _role_in(role: str, other: str) -> bool:
    """Is ``role`` the whole of ``other`` or one of its parts ("clerk" in "clerk and rfo")?"""
    if role == other or (" " not in role and (other.endswith(" " + role) or other.startswith(role + " "))):
        return True  # "Commissioner" in "Police and Crime Commissioner" (one word: not "Licensing Officer")
    return role in [p.strip() for p in rx.split(r"\band\b|,|/|&", other)]


def _list_capacity(head: str) -> str:
    """The capacity a meeting-list heading gives the people under it (``head`` lower-cased)."""
    if head.startswith("apolog"):
        return "apology"
    if any(w in head for w in ("witness", "part", "speaker", "objector", "supporter")):
        return "witness"
    if any(w in head for w in ("attendance", "attending", "officer", "secretariat", "also")):
        return "officer"
    if any(w in head for w in ("invited", "guest", "observer", "other")):
        return "invited"
    return "present"


def _honorific(raw: str | None) -> str | None:
    if not raw:
        return None
    key = " ".join(raw.lower().replace(".", "").split())
    return HONORIFICS.get(key, raw)


def _tidy(s: str | None) -> str | None:
    if s is None:
        return None
    s = " ".join(s.split()).strip(" ,;:.–-")
    if s.startswith(("and", "the")):  # the pattern's anchored first words
        s = rx.sub(r"^(?:and|the\s+following)\s+", "", s)
    return s or None


_ROLE_NOUN = (
    r"(?:Officer|Manager|Director|Chair|Chairman|Chairperson|Vice-Chair|Member|Co-ordinator|Coordinator|Nurse|"
    r"Lead|Executive|Clerk|Adviser|Advisor|Head|Leader|Mayor|Commissioner|Consultant|Solicitor|Secretary|"
    r"Accountant|Engineer|Planner|Analyst|Auditor|Specialist|Assistant|Inspector|Superintendent|Constable|"
    r"Governor|Treasurer|Surveyor|Practitioner|Worker|Holder|Representative|Champion|Editor|President|Principal|"
    r"Applicant|Objector|Agent|Licensee|Petitioner|Appellant|Complainant|Ecologist|Barrister|Counsel|Convener|"
    r"Vice-Convener|Provost|Depute|Chairman|Vice-Chairman|Ambassador|representative|member)s?"
)
_ROLE_ONLY_PART = re.compile(
    rf"^(?:[Tt]he\s+)?(?:[A-Z][\w'’-]*\s+){{0,4}}{_ROLE_NOUN}(?:\s+(?:of|for|to)\s+(?:the\s+)?[A-Z][\w'’&-]*"
    rf"(?:\s+(?:and\s+|&\s+)?[A-Z][\w'’&-]*)*)?(?:\s*\([^)]{{1,40}}\))?$"
)
_DASH_DESC = re.compile(r"\s*(?:\([^)]*\)\s*)?[–-]\s+(?P<d>[^()]+?)(?:\s*\([^)]*\))?\s*$")
_OFFICER_ROLE_BODY = (
    r"Officer|Manager|Co-ordinator|Coordinator|Director|Head\s+of|Clerk|Lead|Executive|Treasurer|Solicitor|"
    r"Auditor|Adviser|Advisor|Engineer|Planner|Accountant|Secretary|Analyst|Surveyor|Lawyer|Monitoring"
)
_OFFICER_ROLE = re.compile(_word_alternation(_OFFICER_ROLE_BODY))
_ROLE_SHAPE = re.compile(rf"(?:\b{_ROLE_NOUN}$|^(?:[\w'-]+\s+){{0,3}}{_ROLE_NOUN}\s+(?:of|for|to)\b)")
#: ``_ROLE_SHAPE``'s two halves: a role noun ending the text, and one after at most three words
#: at its start. A search of the whole tried the first half at every position of the text.
_ROLE_SHAPE_END = re.compile(rf"\b{_ROLE_NOUN}$")
_ROLE_SHAPE_START = re.compile(rf"(?:[\w'-]+\s+){{0,3}}{_ROLE_NOUN}\s+(?:of|for|to)\b")
#: a match of ``_ROLE_SHAPE_END`` is a role noun, an "s" and, before ``$``, at most a newline
_ROLE_SHAPE_REACH = max(len(w) for w in _ROLE_NOUN.removeprefix("(?:").removesuffix(")s?").split("|")) + 2


def _role_shape(p: str) -> bool:
    """``_ROLE_SHAPE.search(p) is not None``, the end-anchored half searched only where it can
    start (``\\b`` still sees the character before the search's start)."""
    return (
        _ROLE_SHAPE_END.search(p, max(0, len(p) - _ROLE_SHAPE_REACH)) is not None
        or _ROLE_SHAPE_START.match(p) is not None
    )


def _role_or_org(desc: str) -> tuple[str | None, str | None]:
    """``Chief Nurse, Example Trust`` → (role, organisation); each part decides by its shape."""
    if "(" in desc:  # the pattern's one literal: the substitution tried it at every space
        desc = _BEHALF.sub("", desc)
    if "," in desc:
        parts = [p.strip() for p in rx.split(r",\s*", desc) if p.strip()]
    else:  # what the split gives with no comma to split at
        parts = [desc.strip()] if desc.strip() else []
    role = org = None
    for n, p in enumerate(parts):
        if _role_shape(p) or _ROLE_HEAD.match(p):
            is_role = True
        elif _ORG_WORDS.search(p):
            is_role = False
        else:
            # "Ecologist, Northvale Wildlife Trust": a plain word before an organisation is a role
            is_role = bool(_ROLE_WORDS.search(p)) or (
                n + 1 < len(parts) and bool(_ORG_WORDS.search(parts[n + 1]))
            )
        if is_role and role is None:
            role = p
        elif org is None:
            org = p
        else:
            org = f"{org}, {p}"
    return _tidy(role), _tidy(org)


def _in_the_chair(text: str) -> bool:
    """Does ``text`` say "in the chair"? (The regex runs only where the word "chair" occurs.)"""
    return "chair" in text and rx.search(r"\bin\s+the\s+chair\b", text) is not None


def _is_name(s: str) -> bool:
    s = s.strip()
    if s.endswith((")", "chair")):  # each alternative ends the (stripped) text with one of these
        s = rx.sub(r"\s*\([^)]*\)$|\s+in\s+the\s+chair$", "", s)
    return bool(NAME_RE.fullmatch(s)) and not _ROLE_HEAD.match(s)


class PeopleReader:
    """Collects attendees from one text; ``folded`` and ``lines`` come from :mod:`extract.text`."""

    def __init__(
        self,
        folded: str,
        lines: list[Line],
        skip: list[tuple[int, int]],
        cues: Cues,
        nonblank: list[int] | None = None,
    ) -> None:
        self.f = folded
        self.lines = lines
        #: indices of the lines with text (``Layout.nonblank``)
        self.nonblank = nonblank if nonblank is not None else [i for i, ln in enumerate(lines) if ln.text]
        self.skip = skip
        self.people: list[Person] = []
        self.seen: set[tuple[str | None, str | None]] = set()
        self.cues = cues

    def near(
        self, pattern: re.Pattern[str], keywords: tuple[str, ...], before: int = 0, after: int = 400
    ) -> list[re.Match[str]]:
        """Matches of ``pattern`` around the keywords it needs (see :func:`extract.text.windows`)."""
        return finditer_near(pattern, self.f, self.cues.windows(keywords, before, after))

    def add(self, p: Person) -> None:
        key = ((p.name or "").lower(), None if p.name else (p.role or "").lower())
        if key in self.seen:
            return
        if p.name and len(p.name.split()) == 1:
            # "Dr Firth presented …" after "Dr Helen Firth" was welcomed: the same person
            surname = p.name.lower()
            if any(q.name and q.name.lower().split()[-1] == surname for q in self.people):
                return
        self.seen.add(key)
        self.people.append(p)

    def read(self) -> list[Person]:
        self._lists()
        self._apologies()
        self._sentences()
        self._role_only()
        # "Dr Firth presented …" and "Dr Helen Firth" welcomed: one person, the fuller name
        full = {p.name.lower().split()[-1] for p in self.people if p.name and len(p.name.split()) > 1}
        people = [
            p for p in self.people if not (p.name and len(p.name.split()) == 1 and p.name.lower() in full)
        ]
        # "The Clerk presented …" when "Karen Marsh (Clerk and RFO)" is listed: the same person
        named_roles = [p.role.lower() for p in people if p.name and p.role]
        people = [
            p
            for p in people
            if p.name or not p.role or not any(_role_in(p.role.lower(), r) for r in named_roles)
        ]
        people.sort(key=lambda p: p.start)
        return people

    def _skipped(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.skip)

    # PRESENT: / IN ATTENDANCE: / Apologies: lists -----------------------------------------
    def _lists(self) -> None:
        lines = self.lines
        after = 0  # lines before this one were read as a list's entries
        for idx in self.nonblank:
            if idx < after:
                continue
            ln = lines[idx]
            text = ln.text
            # most lines start with no head's first letter: no call, no scan for a separator
            m = _list_head(text) if text[0] in _LIST_HEAD_FIRST or text[0].isdecimal() else None
            if not m or self._skipped(ln.start):
                continue
            head = m.group("head").lower()
            capacity = _list_capacity(head)
            entries: list[tuple[int, int]] = []
            rest_start = ln.start + m.start("rest")
            if m.group("rest").strip():
                entries.append((rest_start, ln.end))
            j = idx + 1
            blank = 0
            while j < len(lines):
                nxt = lines[j]
                if not nxt.text:
                    blank += 1
                    if blank >= 2 and entries:
                        break
                    j += 1
                    continue
                if nxt.text.endswith(":") or len(nxt.text) > 160 or _LIST_HEAD.match(nxt.text):
                    break
                person = _PERSON_START.match(nxt.text.lstrip("•·-* ")) is not None  # once, not twice
                if blank and entries and not person:
                    break
                if not person and not nxt.text[:1].islower():
                    break
                if _SENTENCE_VERB.search(nxt.text):
                    break
                entries.append((nxt.start, nxt.end))
                blank = 0
                j += 1
            one_per_line = len(entries) > 1
            before = len(self.people)
            for s, e in entries:
                self._entries(s, e, capacity, one_per_line)
            if head.startswith("in the chair"):  # "In the Chair: Alderman P McCausland"
                for k in range(before, len(self.people)):
                    p = self.people[k]
                    if p.role is None:
                        self.people[k] = Person(
                            p.name, p.honorific, "Chair", p.organisation, p.capacity, p.start, p.end
                        )
            after = j

    def _entries(self, s: int, e: int, capacity: str, one_per_line: bool) -> None:
        """Split one list line into people (``Cllr Mrs Smith in the chair. Councillors Brown, Green``)."""
        text = self.f[s:e]
        # sentences inside one list paragraph ("… in the chair. Councillors …")
        for sm in rx.finditer(r"[^.;]+(?:\.|;|$)", text):
            chunk_s = s + sm.start()
            chunk = sm.group(0)
            several = len(_HON_ANYWHERE.findall(chunk)) > 1
            if (
                (one_per_line or " – " in chunk)
                and ("," in chunk or " – " in chunk)
                and not several
                and not rx.search(r"\b(?:Councillors|Cllrs)\b", chunk)
            ):
                self._name_desc(chunk_s, chunk, capacity)
            else:
                self._name_list(chunk_s, chunk, capacity)

    def _name_desc(self, s: int, chunk: str, capacity: str) -> None:
        """``Inspector Jane Doe, Example Police`` → one person with a role or organisation."""
        lead = len(chunk) - len(chunk.lstrip("•·-* "))
        body = chunk[lead:]
        m = _NAME_DESC.match(body)
        if not m:
            self._name_list(s, chunk, capacity)
            return
        role, org = _role_or_org(m.group("desc"))
        if m.group("paren"):
            r2, o2 = _role_or_org(m.group("paren"))
            role, org = role or r2, org or o2
        cap = "witness" if capacity == "welcomed" else capacity
        if capacity == "officer" and _outside(_honorific(m.group("hon")), role, org):
            cap = "invited"
        self.add(
            Person(
                m.group("name"),
                _honorific(m.group("hon")),
                role,
                org,
                cap,
                s + lead,
                s + len(chunk.rstrip(" .;")),
            )
        )

    def _name_list(self, s: int, chunk: str, capacity: str) -> None:
        """A list paragraph: ``Councillors Brown (Vice-Chair), Green and White`` → three people."""
        self._subject_list(s, chunk, capacity)

    def _apologies(self) -> None:
        for m in self.near(_APOLOGIES_SENTENCE, APOLOGY_CUES):
            if self._skipped(m.start()):
                continue
            self._name_list(m.start("list"), m.group("list"), "apology")

    # invited / attended / welcomed sentences -------------------------------------------------
    def _sentences(self) -> None:
        f = self.f
        for vm in self.near(
            _ATTEND_VERB,
            ATTEND_CUES,
            40,
            40,
        ):
            if self._skipped(vm.start()):
                continue
            start = _sentence_start(f, vm.start())
            if f[start : start + 1].isdecimal() and (pm := _PARA_NUMBER.match(f, start, vm.start())):
                start = pm.end()
            subject = _drop_trailing_adverbs(f[start : vm.start()])
            if _ROLE_SUBJECT.match(subject.strip()):
                named = _ROLE_COMMA_NAME.match(subject.strip())
                if named:
                    at = start + (len(subject) - len(subject.lstrip())) + named.start("name")
                    hon = named.group("hon")
                    self.add(
                        Person(
                            named.group("name"),
                            _honorific(hon),
                            named.group("role"),
                            None,
                            "officer",
                            at - (len(hon) + 1 if hon else 0),
                            at + len(named.group("name")),
                        )
                    )
                continue  # "The Head of Fostering and Adoption attended …": an officer by role, read below
            if not _PERSON_START.match(subject.lstrip()) or (
                ("welcomed" in subject or "introduced" in subject)
                and rx.search(r"\b(?:welcomed|introduced)\b", subject)
            ):
                continue
            verb = vm.group(0)
            after = f[vm.end() : vm.end() + 60]
            capacity = "invited"
            if rx.match(r"(?:presented|gave|introduced)", verb):
                capacity = "officer"
            elif (
                ("present" in verb or "attendance" in verb)
                and rx.search(r"\b(?:present|in\s+attendance)\b", verb)
                and "invited" not in verb
            ):
                capacity = "officer"
            elif rx.match(
                r"\s+(?:the\s+meeting\s+)?(?:to\s+(?:present|give|answer|speak|address|update))", after
            ):
                capacity = "witness"
            self._subject_list(start + (len(subject) - len(subject.lstrip())), subject.strip(), capacity)
            tw = self._together_with(vm.end())
            if tw is not None:
                if _PERSON_START.match(tw.group("list")):
                    self._subject_list(tw.start("list"), tw.group("list").rstrip(), capacity)
            # "… along with the following representatives:" then one per line
            tail_end = f.find("\n", vm.end())
            tail = f[vm.end() : tail_end if tail_end != -1 else len(f)].rstrip()
            # "… along with the following representatives:" / "The following representatives attended:"
            # both need the line to end with a colon (_REPS_INTRO: then perhaps a dash): most lines do not
            colon = tail.endswith(":") or (tail.endswith("-") and tail[:-1].rstrip().endswith(":"))
            if colon and (_REPS_INTRO.search(tail) or (tail.endswith(":") and _LIST_SUBJECT.search(subject))):
                self._rep_lines(tail_end + 1 if tail_end != -1 else len(f), capacity)
        for wm in self.near(_WELCOMED, WELCOME_CUES, 0, 600):
            if self._skipped(wm.start()):
                continue
            end = wm.end("list")
            if wm.group("list").endswith((",", " and")) and f.startswith("\n", end):
                # "welcomed Leanne Fisher, …, and" broken at the line's end: the list goes on
                more = _WELCOMED_MORE.match(f, end)
                if more and _PERSON_START.match(more.group("list")):
                    end = more.end("list")
            self._subject_list(wm.start("list"), f[wm.start("list") : end], "welcomed")

    def _together_with(self, pos: int) -> re.Match[str] | None:
        """ "… attended, together with X, Y and Z." in the sentence from ``pos``: its list, or None."""
        f = self.f
        end = min(len(f), pos + 200)
        for word in ("together with", "along with"):
            at = f.find(word, pos, end)
            if at != -1 and f.find(".", pos, at) == -1 and f.find("\n", pos, at) == -1:
                return _TOGETHER_WITH.match(f, at)
        return None

    def _rep_lines(self, pos: int, capacity: str) -> None:
        idx = bisect_left(self.lines, pos, key=_LINE_START)  # the first line starting at or after pos
        blank = 0
        while idx < len(self.lines):
            ln = self.lines[idx]
            idx += 1
            if not ln.text:
                blank += 1
                if blank > 3:
                    break
                continue
            blank = 0
            body = ln.text.lstrip("•·-* ")
            if "," not in body or len(body) > 140 or body.endswith(".") or not _PERSON_START.match(body):
                break
            self._name_desc(ln.start, ln.text, capacity)

    def _subject_list(self, s: int, subject: str, capacity: str) -> None:
        """Split ``Councillor F Abbott, Cabinet Member for …, Councillor P Akhtar, … and …`` into people.

        Parts separated by commas and ``and`` are either a person (an honorific and a name, or a
        full name) or a description of the person before (role, organisation), kept verbatim. A
        plural honorific (``Councillors A Khan and P Akhtar``) carries over the names after it.
        """
        parts = split_list(subject)
        texts = [subject[a:b] for a, b in parts]
        starts: list[int] = []
        role_only: list[int] = []
        shared_until: dict[int, int] = {}
        has_honorific = _HON_ANYWHERE.search(subject) is not None
        shaped: list[bool | None] = [None] * len(parts)  # _role_shaped of each part, once
        i = 0
        while i < len(parts):
            # the cheap test first: most parts are neither an officer list's first part nor "the …"
            if (
                (capacity == "officer" and not starts) or texts[i][:4].lower() == "the "
            ) and _ROLE_ONLY_PART.match(texts[i]):
                # "the Director of Adult Social Care attended", "Officers: Area Planning Manager, …"
                ps, pe = parts[i]
                role = _tidy(rx.sub(r"^[Tt]he\s+", "", texts[i]))
                at = s + ps + (4 if texts[i][:4].lower() == "the " else 0)
                named = _ROLE_THEN_NAME.match(role or "")
                if named and not _QUALIFIER.search(named.group("name")):
                    # "Licensing Officer (Nicola Sharpe)": the person in brackets holds the role
                    name = named.group("name")
                    where = subject.find(name, ps, pe)
                    self.add(
                        Person(
                            name, None, named.group("role"), None, "officer", s + where, s + where + len(name)
                        )
                    )
                else:
                    self.add(Person(None, None, role, None, "officer", at, at + len(role or "")))
                role_only.append(i)
                i += 1
                continue
            if not _person_part(texts[i]) or _org_after_role(texts, i, shaped):
                i += 1
                continue
            if (
                i
                and has_honorific
                and not _HON_AT.match(texts[i])
                and "," not in subject[parts[i - 1][1] : parts[i][0]]
            ):
                i += 1  # "… for Children and Young People": a bare name joined by "and" ends a description
                continue
            starts.append(i)
            hm = _HON_AT.match(texts[i])
            j = i + 1
            if hm and hm.group("hon").lower().rstrip(".") in ("councillors", "cllrs"):
                while j < len(parts) and _is_name(texts[j]):
                    j += 1
                shared_until[i] = j
            i = j
        in_chair = _in_the_chair(subject)
        before = len(self.people)
        bounds = sorted(starts + role_only)
        paired: set[int] = set()
        for i in starts:
            if i in paired:
                continue
            ps, pe = parts[i]
            nxt = next((b for b in bounds if b > i), len(parts))
            if nxt == i + 1 and nxt in starts and self._pair(subject, parts, i, bounds):
                # "Councillor A Ward and Councillor B Shah, Leader and Deputy Leader": one role each
                after = next((b for b in bounds if b > nxt), len(parts))
                self._shared_list(s, subject, [parts[i], parts[nxt]], parts[nxt + 1 : after], capacity)
                paired.add(nxt)
                continue
            if i in shared_until:
                self._shared_list(
                    s, subject, parts[i : shared_until[i]], parts[shared_until[i] : nxt], capacity
                )
                continue
            m = _HON_NAME.match(texts[i])
            if m is None:
                continue
            self._one(s, subject, ps, pe, m, parts[i + 1 : nxt], capacity, in_chair)
        # "Chief Inspector Dawn Mercer and Sergeant Luke Pattinson, Northvale Police": one organisation
        added = self.people[before:]
        for k in range(len(added) - 2, -1, -1):
            p, q = added[k], added[k + 1]
            if p.role is None and p.organisation is None and q.organisation and q.role is None:
                gap = subject[p.end - s : q.start - s] if s <= p.end <= q.start else ""
                if gap.strip() in ("and", "&"):
                    added[k] = Person(p.name, p.honorific, None, q.organisation, p.capacity, p.start, p.end)
                    self.people[before + k] = added[k]
        # "Graham Ashdown, Chief Executive, and Priya Nandra, Volunteer Co-ordinator, of the X Trust"
        if (
            len(added) > 1
            and added[-1].organisation
            and rx.match(r"of\s", subject[parts[-1][0] : parts[-1][1]])
        ):
            org = rx.sub(r"^of\s+(?:the\s+)?", "", added[-1].organisation)
            for k, p in enumerate(added):
                if p.organisation is None or p is added[-1]:
                    self.people[before + k] = Person(
                        p.name, p.honorific, p.role, org, p.capacity, p.start, p.end
                    )

    @staticmethod
    def _pair(subject: str, parts: list[tuple[int, int]], i: int, bounds: list[int]) -> bool:
        """Are parts ``i`` and ``i + 1`` two people with one honorific, joined by "and" and sharing
        the description after them (``…, Portfolio Lead and Deputy Portfolio Lead for Skills``)?"""
        if subject[parts[i][1] : parts[i + 1][0]].strip() != "and" or i + 2 >= len(parts) or i + 2 in bounds:
            return False
        first, second = (_HON_AT.match(subject[a:b]) for a, b in parts[i : i + 2])
        if not (first and second) or first.group("hon") != second.group("hon"):
            return False
        return subject[parts[i + 1][1] : parts[i + 2][0]].strip() == ","

    def _one(
        self,
        s: int,
        subject: str,
        ps: int,
        pe: int,
        m: re.Match[str],
        desc_parts: list[tuple[int, int]],
        capacity: str,
        in_chair: bool,
    ) -> None:
        """One person of a list with whatever describes them (after it, in brackets or after a dash)."""
        tail = subject[ps + m.end() : pe]
        # "three members of the public" describes nobody; "of the X Trust" does, and so does
        # "the ward member for Lowerby" ("Councillor Neil Batty, the ward member …"), without "the"
        kept: list[tuple[int, int]] = []
        for a, b in desc_parts:
            if subject.startswith("the ", a) and _role_shape(subject[a + 4 : b]):
                kept.append((a + 4, b))
            elif not subject[a : a + 1].islower() or subject.startswith("of ", a):
                kept.append((a, b))
        desc_parts = kept
        desc = subject[desc_parts[0][0] : desc_parts[-1][1]] if desc_parts else ""
        dash = _DASH_DESC.match(tail)
        if dash:
            # "Councillor J Osborne (Eastmoor Borough Council) – Chair", "Raj Sethi – Finance Manager, X"
            desc = f"{dash.group('d').strip()}, {desc}" if desc else dash.group("d")
        desc = desc.strip()
        # the pattern needs "who" somewhere or "and"/"&" at the (stripped) end: test those first
        if "who" in desc or desc.endswith(("and", "&")):
            desc = rx.sub(r"(?:,?\s*\bwho\b.*|,?\s*(?:and|&)\s*)$", "", desc)
        role, org = _role_or_org(desc) if desc else (None, None)
        for paren in _PAREN.finditer(tail):
            if role and org:
                break
            note = paren.group(1)
            # "(work commitments)" after an apology is a reason, not a role
            reason = capacity == "apology" and note[:1].islower()
            if not reason and not rx.match(r"(?i)for\s|item|minute", note):
                r2, o2 = _role_or_org(note)
                role, org = role or r2, org or o2
        if role is None and in_chair and _in_the_chair(tail):
            role = "Chair"
        hon = _honorific(m.group("hon"))
        cap = "witness" if capacity == "welcomed" else capacity
        if capacity == "officer" and _outside(hon, role, org):
            cap = "invited"  # a councillor or an outside person listed as "also present"
        elif (
            capacity in ("invited", "witness")
            and hon != "Councillor"
            and org is None
            and role
            and _OFFICER_ROLE.search(role)
        ):
            cap = "officer"  # "Lucy Abara, Healthy Lifestyles Co-ordinator, attended …": council staff
        elif capacity == "witness" and hon == "Councillor":
            cap = "invited"
        start = s + ps + m.start("name") if not m.group("hon") else s + ps
        self.add(Person(m.group("name"), hon, role, org, cap, start, s + ps + m.end("name")))

    def _shared_list(
        self,
        s: int,
        subject: str,
        names: list[tuple[int, int]],
        desc_parts: list[tuple[int, int]],
        capacity: str,
    ) -> None:
        """``Councillors A Khan and P Akhtar, Cabinet Member and Deputy Cabinet Member for X``."""
        first = subject[names[0][0] : names[0][1]]
        hm = _HON_AT.match(first)
        hon = _honorific(hm.group("hon")) if hm else None
        spans = [(names[0][0] + (hm.end() if hm else 0), names[0][1])]
        for a, b in names[1:]:  # "Councillor A Ward and Councillor B Shah": each name without it
            hn = _HON_AT.match(subject, a, b)
            spans.append((hn.end() if hn else a, b))
        desc = subject[desc_parts[0][0] : desc_parts[-1][1]] if desc_parts else ""
        roles: list[str | None] = [None] * len(spans)
        if desc:
            fm = rx.search(r"\s+(?:for|of)\s+.+$", desc)
            suffix = fm.group(0) if fm else ""
            heads = desc[: fm.start()] if fm else desc
            heads_parts = [h for h in rx.split(r"\s*(?:,|\band\b|&)\s*", heads) if h]
            if len(heads_parts) == len(spans):
                roles = [_tidy(h + suffix) for h in heads_parts]
            else:
                roles = [_tidy(desc)] * len(spans)
        in_chair = _in_the_chair(subject)
        for (a, b), role in zip(spans, roles, strict=True):
            nm = rx.match(_NAME, subject[a:b])
            if nm is None:
                continue
            tail = subject[a + nm.end() : b]
            r, o = _role_or_org(role) if role else (None, None)
            paren = rx.search(r"\(([^)]{2,80})\)", tail)
            if (
                paren
                and not (r or o)
                and not (capacity == "apology" and not _ROLE_WORDS.search(paren.group(1)))
            ):
                r, o = _role_or_org(paren.group(1))
            if r is None and in_chair and _in_the_chair(tail):
                r = "Chair"
            cap = "invited" if capacity in ("officer", "witness", "welcomed") else capacity
            self.add(Person(nm.group(0), hon, r, o, cap, s + a, s + a + nm.end()))

    def _role_only(self) -> None:
        for m in _role_only_matches(self.f, self.cues.windows(ROLE_ONLY_CUES, 200, 120)):
            if self._skipped(m.start()):
                continue
            group = "role" if m.re is _ROLE_ONLY_FIRST else "role2"
            role = _tidy(m.group(group))
            s, e = m.start(group), m.start(group) + len(role or "")
            self.add(Person(None, None, role, None, "officer", s, e))


_LIST_SEP = re.compile(r"[(),;&]| and ")


#: words a list part may start with that are not part of it, dropped in this order
_PART_LEAD_WORDS = ("and ", "from ", "also ", "and also ")


def split_list(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each part of a list split on commas, semicolons, ``and`` and ``&``
    outside brackets; parts are trimmed."""
    out: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for m in _LIST_SEP.finditer(text):
        ch = m.group()
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append((start, m.start()))
            start = m.end()
    out.append((start, len(text)))
    trimmed = []
    for a, b in out:
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip(" \n.:-"))
        seg2 = seg.strip(" \n.:-")
        if seg2.startswith("and\n"):  # "…, and" at a line's end (a welcomed list going on)
            rest = seg2[3:].lstrip()
            lead += len(seg2) - len(rest)
            seg2 = rest
        if seg2.startswith(_PART_LEAD_WORDS):  # one C test first: most parts start with none
            for word in _PART_LEAD_WORDS:
                if seg2.startswith(word):
                    lead += len(word)
                    seg2 = seg2[len(word) :]
        if seg2:
            trimmed.append((a + lead, a + lead + len(seg2)))
    return trimmed


def _org_after_role(texts: list[str], i: int, shaped: list[bool | None] | None = None) -> bool:
    """``Janet Corrigan, Registered Manager, Bluebell Homecare, and …``: a bare two-word part right
    after a role, and not itself followed by a role, is the organisation, not another person.

    ``shaped`` keeps each part's :func:`_role_shaped` for the other parts of the same list.
    """
    if i == 0 or _HON_AT.match(texts[i]):
        return False
    if shaped is None:
        shaped = [None] * len(texts)
    if not _role_shaped(texts, i - 1, shaped):
        return False
    return not (i + 1 < len(texts) and _role_shaped(texts, i + 1, shaped))


def _role_shaped(texts: list[str], i: int, shaped: list[bool | None]) -> bool:
    """Does part ``i`` read as a role (``Cabinet Member for …``, ``Director``)? Kept in ``shaped``."""
    found = shaped[i]
    if found is None:
        found = shaped[i] = bool(_role_shape(texts[i]) or _ROLE_HEAD.match(texts[i]))
    return found


_LOWER_WORD = re.compile(r"\s[a-z]")


def _person_part_match(text: str) -> re.Match[str] | None:
    """``_PERSON_PART.match(text)`` for a stripped ``text``, answered None at once where it cannot match.

    Every word of a match's honorific and name starts with a capital (or a letter of ``_CAP``),
    never with ``a``–``z``; and what the look-ahead accepts after the name (``(``, a dash, ``in the
    chair``, or the end) must come before the first word starting with ``a``–``z`` (or be that
    word's "in", or end the word before it, as in "Smithin the chair"). A part such as "Cabinet
    Member for Policy" has none of them, and the pattern's backtracking through its capitalised
    words cost 5–13 µs.
    """
    if "a" <= text[:1] <= "z":
        return None
    low = _LOWER_WORD.search(text)
    if low is not None:
        k = low.start() + 1
        head = text[:k]
        if not (
            "(" in head
            or "-" in head
            or "–" in head
            or text.startswith("in", k)
            or head.rstrip().endswith("in")
        ):
            return None
    return _PERSON_PART.match(text)


def _person_part(part: str) -> bool:
    """Does this list part name a person (not a role or an organisation)?"""
    m = _person_part_match(part.strip())
    if not m:
        return False
    name = m.group("name")
    if _ROLE_HEAD.match(name) or _ORG_WORDS.search(name) or _ROLE_WORDS.search(name):
        return bool(m.group("hon")) and not _ROLE_HEAD.match(name)
    return bool(m.group("hon")) or len(name.split()) >= 2


def _sentence_start(f: str, pos: int) -> int:
    """Start of the sentence holding ``pos``: after the last full stop and space, or blank line."""
    lo = max(0, pos - 600)
    best = lo
    for mark in (". ", "? ", "! ", ".\n", ":\n", "\n\n", "\n \n"):
        at = f.rfind(mark, lo, pos)
        if at != -1 and at + len(mark) > best:
            best = at + len(mark)
    while best < pos and f[best].isspace():
        best += 1
    return best


def find_people(
    folded: str,
    lines: list[Line],
    skip: list[tuple[int, int]],
    cues: Cues,
    nonblank: list[int] | None = None,
) -> list[Person]:
    """Attendees in text order; ``skip`` holds spans (resolution blocks) that name no attendees."""
    return PeopleReader(folded, lines, skip, cues, nonblank).read()
