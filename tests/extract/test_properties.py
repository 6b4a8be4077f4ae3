"""Property tests: extraction never raises on arbitrary text, and every span is evidence."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract import extract_minutes
from extract.errors import EmptyMinutesError

# pieces of real minutes' vocabulary, so generated texts reach deep into the rules
_PIECES = st.sampled_from(
    [
        "RESOLVED that the Committee:-",
        "RESOLVED –",
        "Resolved:-",
        "AGREED –",
        "Decision:",
        "Minutes:",
        "(1)",
        "(2)",
        "(a)",
        "(b)",
        "(i)",
        "1.",
        "2.",
        "a)",
        "C.1.a",
        "6 (a)",
        "That",
        "the report be noted.",
        "Requests officers to",
        "Recommends that the Cabinet Member:-",
        "Cabinet be informed that",
        "be submitted to a future meeting",
        "by December",
        "within two weeks",
        "£4.63m",
        "£1,347,955",
        "2nd October, 2018",
        "14/03/2019",
        "Councillor F Abbott, Cabinet Member for Adult Services,",
        "Councillors A Khan and P Akhtar, Cabinet Member and Deputy Cabinet Member for Policing,",
        "attended the meeting.",
        "PRESENT:-",
        "Apologies for absence were received from",
        "ACTION:",
        "Action: Officers to review",
        "Officers undertook to check",
        "The Committee requested that",
        "Supporting documents:",
        "\n",
        "\n\n",
        "  ",
        "•",
        "·",
        "–",
        "(",
        ")",
        ":",
        ",",
        ".",
        "Minute 18 below refers",
        "112 DECLARATIONS OF INTEREST",
        "Inspector Jane Doe, Example Police",
        "pdf icon PDF 120 KB",
    ]
)
_TEXTS = st.one_of(
    st.text(min_size=1, max_size=400),
    st.lists(st.one_of(_PIECES, st.text(max_size=12)), min_size=1, max_size=60).map(" ".join),
    st.lists(_PIECES, min_size=1, max_size=80).map("".join),
)


def _check_spans(text: str, data: dict) -> None:
    n = len(text)
    for group in ("attendees", "resolutions", "actions", "dates", "amounts", "references"):
        for rec in data[group]:
            s, e = rec["span"]
            assert 0 <= s <= e <= n, (group, rec)
            evidence = text[s:e]
            if group in ("dates", "amounts", "references"):
                assert evidence == rec["text"], (group, rec)
            elif group == "attendees" and rec["name"]:
                assert rec["name"] in evidence, rec
            elif group in ("resolutions", "actions"):
                # the record's own words (after any introducing clause) are in the evidence
                tail = rec["text"].split()[-1:]
                assert all(w in " ".join(evidence.split()) for w in tail), (group, rec, evidence)
    for w in data["warnings"]:
        if w["span"] is not None:
            s, e = w["span"]
            assert 0 <= s <= e <= n


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_extraction_never_raises_and_spans_are_evidence(text: str) -> None:
    try:
        data = extract_minutes(text).to_dict()
    except EmptyMinutesError:
        assert not text.strip()
        return
    _check_spans(text, data)


@settings(max_examples=100, deadline=None)
@given(_TEXTS, st.dates())
def test_meeting_date_never_breaks_extraction(text: str, when) -> None:
    if not text.strip():
        return
    data = extract_minutes(text, meeting_date=when).to_dict()
    for r in data["resolutions"]:
        if r["due"] and r["due"]["date"]:
            assert len(r["due"]["date"]) == 10
