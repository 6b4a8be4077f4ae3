"""Score an extraction against a hand-checked fixture, so extractor changes are measured, not guessed.

A fixture is ``NAME.txt`` (minutes text) plus ``NAME.expected.json`` (the facts a careful reader
finds in it). In the expected file a missing key is not checked, and a list that is present is the
complete list, in document order. :func:`compare` matches expected records to the records in
``Extraction.to_dict()`` and counts, per category:

* ``resolutions``, ``actions``, ``attendees``, ``dates``, ``amounts``, ``references``: true
  positives are matched records, false positives extra actual records, false negatives expected
  records not found. Resolutions match on ``label`` (equal) and ``contains``; actions on
  ``contains`` (and ``origin`` when given); attendees on name (on role for nameless officers);
  dates on text and ISO date; amounts on text and value; references on text.
* ``followup``, ``kinds``, ``owners``, ``dues``: attributes of matched resolutions. A correct value is
  a true positive; a wrong one counts a false positive and a false negative, except that a missing
  value where one was expected is only a false negative and an unexpected value where null was
  expected only a false positive.
* ``action_details`` (owner, due, resolution label of matched actions), ``attendee_details``
  (honorific, role, organisation, capacity of matched attendees) and ``page`` (title, report):
  scored the same way as ``owners``.
* ``warnings``: a subset check; each expected code present is a true positive, each missing one a
  false negative; extra codes are not counted.

Text is compared case-insensitively with white space collapsed and curly quotes and dashes folded,
except owners, which keep their case (``the Chair``, ``Council``; the extractor writes a sentence's
leading ``The`` before a capitalised role as ``the``, so ``The Chair agreed to write`` gives ``the Chair``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATEGORIES = (
    "resolutions",
    "followup",
    "kinds",
    "owners",
    "dues",
    "actions",
    "action_details",
    "attendees",
    "attendee_details",
    "dates",
    "amounts",
    "references",
    "warnings",
    "page",
)

#: the page shapes of FORMATS.md; every one must be covered by some fixture
PAGE_SHAPES = ("agenda-item page", "issue page", "decision page", "whole-meeting page", "update/action page")

#: every other row and bullet of FORMATS.md, as the short names fixtures list under ``formats``
FORMATS = PAGE_SHAPES + (
    "opener: RESOLVED that the Committee:-",
    "opener: RESOLVED:",
    "opener: RESOLVED –",
    "opener: Resolved:-",
    "opener: Resolved – (a) That",
    "opener: RESOLVED UNANIMOUSLY:",
    "opener: RESOLVED, by a majority vote, that –",
    "opener: RESOLVED TO RECOMMEND:",
    "opener: It was RESOLVED that",
    "opener: The Committee resolved:-",
    "opener: AGREED –",
    "opener: Agreed that",
    "opener: Cabinet decided to:",
    "opener: The decision",
    "opener: Decision:",
    "no opener",
    "numbering (1)",
    "numbering 1)",
    "numbering 1.",
    "numbering (a)",
    "numbering a.",
    "numbering A.",
    "numbering (i)",
    "numbering i.",
    "numbering 6 (a)",
    "numbering C.1.a",
    "numbering 2.i",
    "paragraph number",
    "numbering restarts",
    "clauses on one line",
    "unnumbered single",
    "sub-clause intro",
    "wrapper: note that",
    "wrapper: Council be recommended",
    "wrapper: recommendation then Resolved",
    "condition sub-list",
    "past-tense summary",
    "kind: noting",
    "kind: decision",
    "kind: request",
    "kind: recommendation",
    "kind: referral",
    "kind: other",
    "owner: officers",
    "owner: Director",
    "owner: Scrutiny Co-ordinator",
    "owner: Cabinet Member",
    "owner: Council",
    "due: next meeting",
    "due: future meeting",
    "due: in six months",
    "due: by December",
    "due: before final approval",
    "due: within the next fortnight",
    "due: explicit date",
    "due: when available",
    "ACTION line",
    "Action: sentence",
    "narrative: officers undertook",
    "narrative: committee requested",
    "narrative: clerk would circulate",
    "narrative: chair agreed to write",
    "narrative: data requests in issues raised",
    "matters arising",
    "invited attendees",
    "shared roles",
    "representative lists",
    "PRESENT list",
    "IN ATTENDANCE",
    "apologies",
    "declarations of interest",
    "witnesses welcomed",
    "officers by role",
    "mid-sentence breaks",
    "blank lines between lines",
    "bullets •",
    "bullets ·",
    "bullets -",
    "non-breaking spaces",
    "curly quotes",
    "pdf icon noise",
    "capitals headings",
    "cut off",
    "date formats",
    "money formats",
    "no resolution",
    "references",
    "warning: W_ACTION_NO_OWNER",
    "warning: W_DUE_UNREADABLE",
    "warning: W_NUMBERING_GAP",
    "warning: W_TEXT_CUT_OFF",
    "warning: W_DUE_NEEDS_MEETING_DATE",
)


@dataclass(frozen=True)
class Fixture:
    """One minutes text and the facts expected from it."""

    name: str
    path: Path
    text: str
    expected: dict[str, Any]

    @property
    def meeting_date(self) -> str | None:
        return self.expected.get("meeting_date")

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self.expected.get("formats", ()))


def load_fixture(path: str | Path) -> Fixture:
    """Read ``NAME.txt`` and its ``NAME.expected.json`` (either path may be given)."""
    path = Path(path)
    name = path.name.removesuffix(".expected.json").removesuffix(".txt")
    text_path = path.with_name(f"{name}.txt")
    expected_path = path.with_name(f"{name}.expected.json")
    return Fixture(
        name=name,
        path=text_path,
        text=text_path.read_text(encoding="utf-8"),
        expected=json.loads(expected_path.read_text(encoding="utf-8")),
    )


def load_fixtures(directory: str | Path) -> list[Fixture]:
    """Every fixture in ``directory``, by name."""
    return [load_fixture(p) for p in sorted(Path(directory).glob("*.txt"))]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Counts per category and one readable line per disagreement."""

    counts: dict[str, Counts] = field(default_factory=lambda: {c: Counts() for c in CATEGORIES})
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def __add__(self, other: Report) -> Report:
        return Report(
            counts={c: self.counts[c] + other.counts[c] for c in CATEGORIES},
            mismatches=self.mismatches + other.mismatches,
        )

    def total(self) -> Counts:
        out = Counts()
        for c in self.counts.values():
            out = out + c
        return out

    def _hit(self, category: str) -> None:
        self.counts[category].tp += 1

    def _extra(self, category: str, line: str) -> None:
        self.counts[category].fp += 1
        self.mismatches.append(f"{category}: {line}")

    def _missing(self, category: str, line: str) -> None:
        self.counts[category].fn += 1
        self.mismatches.append(f"{category}: {line}")

    def _wrong(self, category: str, line: str) -> None:
        self.counts[category].fp += 1
        self.counts[category].fn += 1
        self.mismatches.append(f"{category}: {line}")


_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-", "‑": "-"})
_WS = re.compile(r"\s+")


def norm(text: str | None, *, keep_case: bool = False) -> str:
    """Fold look-alike characters and white space; lower-case unless ``keep_case``."""
    if text is None:
        return ""
    text = _WS.sub(" ", unicodedata.normalize("NFKC", text).translate(_FOLD)).strip()
    return text if keep_case else text.casefold()


def _short(text: str | None, width: int = 70) -> str:
    text = norm(text, keep_case=True)
    return text if len(text) <= width else text[: width - 1] + "…"


def _pair(
    expected: list[dict], actual: list[dict], same: Callable[[dict, dict], bool]
) -> tuple[list[tuple[dict, dict | None]], list[dict]]:
    """Pair each expected record with an unused actual one, preferring document order."""
    used: set[int] = set()
    pairs: list[tuple[dict, dict | None]] = []
    last = -1
    for exp in expected:
        found = [i for i, act in enumerate(actual) if i not in used and same(exp, act)]
        after = [i for i in found if i > last]
        pick = after[0] if after else (found[0] if found else None)
        if pick is None:
            pairs.append((exp, None))
            continue
        used.add(pick)
        last = pick
        pairs.append((exp, actual[pick]))
    return pairs, [act for i, act in enumerate(actual) if i not in used]


def _field(
    report: Report,
    category: str,
    where: str,
    name: str,
    exp: Any,
    act: Any,
    equal: Callable[[Any, Any], bool],
) -> None:
    """Score one attribute: equal is a hit; null-vs-value counts one side only."""
    if exp is None and act is None or exp is not None and act is not None and equal(exp, act):
        report._hit(category)
    elif act is None:
        report._missing(category, f"{where}: {name} expected {exp!r}, got none")
    elif exp is None:
        report._extra(category, f"{where}: {name} expected none, got {act!r}")
    else:
        report._wrong(category, f"{where}: {name} expected {exp!r}, got {act!r}")


def _same_text(a: str, b: str) -> bool:
    return norm(a) == norm(b)


def _same_owner(a: str, b: str) -> bool:
    return norm(a, keep_case=True) == norm(b, keep_case=True)


def _same_due(exp: dict, act: dict) -> bool:
    e, a = norm(exp.get("text")), norm(act.get("text"))
    return bool(e and a) and (e in a or a in e) and exp.get("date") == act.get("date")


def _contains(exp: dict, text: str | None) -> bool:
    if "contains" not in exp:
        return True  # no distinctive words given: the record matches on its other keys
    return norm(exp["contains"]) in norm(text)


def _compare_resolutions(report: Report, expected: list[dict], actual: list[dict]) -> None:
    def same(exp: dict, act: dict) -> bool:
        return ("label" not in exp or exp["label"] == act.get("label")) and _contains(exp, act.get("text"))

    pairs, extra = _pair(expected, actual, same)
    for exp, act in pairs:
        where = f"{exp.get('label')} {exp.get('contains')!r}"
        if act is None:
            report._missing("resolutions", f"missing {where}")
            continue
        report._hit("resolutions")
        if "needs_followup" in exp:
            if exp["needs_followup"] == act.get("needs_followup"):
                report._hit("followup")
            else:
                report._wrong(
                    "followup", f"{where}: expected {exp['needs_followup']}, got {act.get('needs_followup')}"
                )
        if "kind" in exp:
            if exp["kind"] == act.get("kind"):
                report._hit("kinds")
            else:
                report._wrong("kinds", f"{where}: expected {exp['kind']}, got {act.get('kind')}")
        if "owner" in exp:
            _field(report, "owners", where, "owner", exp["owner"], act.get("owner"), _same_owner)
        if "due" in exp:
            _field(report, "dues", where, "due", exp["due"], act.get("due"), _same_due)
    for act in extra:
        report._extra("resolutions", f"unexpected {act.get('label')} {_short(act.get('text'))!r}")


def _compare_actions(report: Report, expected: list[dict], actual: list[dict]) -> None:
    def same(exp: dict, act: dict) -> bool:
        return _contains(exp, act.get("text")) and ("origin" not in exp or exp["origin"] == act.get("origin"))

    pairs, extra = _pair(expected, actual, same)
    for exp, act in pairs:
        where = f"{exp.get('origin', '')} {exp.get('contains')!r}"
        if act is None:
            report._missing("actions", f"missing {where}")
            continue
        report._hit("actions")
        if "owner" in exp:
            _field(report, "action_details", where, "owner", exp["owner"], act.get("owner"), _same_owner)
        if "due" in exp:
            _field(report, "action_details", where, "due", exp["due"], act.get("due"), _same_due)
        if "resolution" in exp:
            _field(
                report,
                "action_details",
                where,
                "resolution",
                exp["resolution"],
                act.get("resolution"),
                str.__eq__,
            )
    for act in extra:
        report._extra("actions", f"unexpected {act.get('origin')} {_short(act.get('text'))!r}")


def _compare_attendees(report: Report, expected: list[dict], actual: list[dict]) -> None:
    def same(exp: dict, act: dict) -> bool:
        if exp.get("name") is not None:
            return _same_text(exp["name"], act.get("name") or "")
        return act.get("name") is None and _same_text(exp.get("role") or "", act.get("role") or "")

    pairs, extra = _pair(expected, actual, same)
    for exp, act in pairs:
        where = repr(exp.get("name") or exp.get("role"))
        if act is None:
            report._missing("attendees", f"missing {where} ({exp.get('capacity')})")
            continue
        report._hit("attendees")
        for key in ("honorific", "role", "organisation", "capacity"):
            if key in exp:
                _field(report, "attendee_details", where, key, exp[key], act.get(key), _same_text)
    for act in extra:
        report._extra(
            "attendees", f"unexpected {act.get('name') or act.get('role')!r} ({act.get('capacity')})"
        )


def _compare_mentions(
    report: Report, category: str, expected: list[dict], actual: list[dict], value_key: str | None
) -> None:
    """Dates and amounts: exact text first, then text containment either way; values must agree."""

    def agree(exp: dict, act: dict) -> bool:
        if value_key is None:
            return True
        e, a = exp.get(value_key), act.get(value_key)
        if isinstance(e, int | float) and isinstance(a, int | float):
            return abs(e - a) < 0.005
        return e == a

    def exact(exp: dict, act: dict) -> bool:
        return _same_text(exp["text"], act.get("text") or "") and agree(exp, act)

    def loose(exp: dict, act: dict) -> bool:
        e, a = norm(exp["text"]), norm(act.get("text"))
        return bool(a) and (e in a or a in e) and agree(exp, act)

    pairs, extra = _pair(expected, actual, exact)
    missing = [exp for exp, act in pairs if act is None]
    report.counts[category].tp += len(pairs) - len(missing)
    pairs, extra = _pair(missing, extra, loose)
    for exp, act in pairs:
        if act is None:
            value = f" ({exp.get(value_key)})" if value_key else ""
            report._missing(category, f"missing {exp['text']!r}{value}")
        else:
            report._hit(category)
    for act in extra:
        value = f" ({act.get(value_key)})" if value_key else ""
        report._extra(category, f"unexpected {act.get('text')!r}{value}")


def _compare_page(report: Report, expected: dict, actual: dict) -> None:
    if "title" in expected:
        _field(report, "page", "page", "title", expected["title"], actual.get("title"), _same_text)
    if "report" in expected:

        def same_report(e: dict, a: dict) -> bool:
            return _same_text(e.get("kind") or "", a.get("kind") or "") and _same_text(
                e.get("author") or "", a.get("author") or ""
            )

        exp, act = expected["report"], actual.get("report")
        if act is not None:
            act = {"kind": act.get("kind"), "author": act.get("author")}
        _field(report, "page", "page", "report", exp, act, same_report)


def _compare_warnings(report: Report, expected: Iterable[str], actual: list[dict]) -> None:
    codes = {w.get("code") for w in actual}
    for code in expected:
        if code in codes:
            report._hit("warnings")
        else:
            report._missing("warnings", f"missing {code}")


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> Report:
    """Score ``actual`` (``Extraction.to_dict()``) against an expected-facts mapping."""
    report = Report()
    _compare_page(report, expected, actual)
    if "resolutions" in expected:
        _compare_resolutions(report, expected["resolutions"], actual.get("resolutions", []))
    if "actions" in expected:
        _compare_actions(report, expected["actions"], actual.get("actions", []))
    if "attendees" in expected:
        _compare_attendees(report, expected["attendees"], actual.get("attendees", []))
    if "dates" in expected:
        _compare_mentions(report, "dates", expected["dates"], actual.get("dates", []), "date")
    if "amounts" in expected:
        _compare_mentions(report, "amounts", expected["amounts"], actual.get("amounts", []), "value")
    if "references" in expected:
        _compare_mentions(report, "references", expected["references"], actual.get("references", []), None)
    if "warnings" in expected:
        _compare_warnings(report, expected["warnings"], actual.get("warnings", []))
    return report
