"""Unit tests for who an ``Action:`` line names, in the shapes real action logs use."""

from __future__ import annotations

import pytest

from extract import extract_minutes
from extract.actions import action_line_owner


@pytest.mark.parametrize(
    ("body", "owner"),
    [
        ("Officers to review the figures and update members.", "Officers"),
        ("Maeve O’Rourke to circulate the link once the report is published.", "Maeve O’Rourke"),
        ("DLUHC to produce a progress report for the next meeting.", "DLUHC"),
        ("Priya Shah/Tom Bell to map which councils took part.", "Priya Shah/Tom Bell"),
        ("Priya Shah and Tom Bell to draft a note for the Panel.", "Priya Shah and Tom Bell"),
        ("Highways and Transport team to share the traffic counts.", "Highways and Transport team"),
        ("Collect partners' comments and send them to the consultation. [Ada Lowe]", "Ada Lowe"),
        (
            "Confirm the final position on publication (Ruth Ames / Sam Kerr, LG Group)",
            "Ruth Ames / Sam Kerr, LG Group",
        ),
        ("To confirm the funding arrangements for the scheme.", None),
        ("Comments to be sent to the clerk by Friday.", None),
        ("Request for the minutes to be published. [DN: chased 3 May]", None),
    ],
)
def test_action_line_owner(body: str, owner: str | None) -> None:
    assert action_line_owner(body) == owner


def _narrative(text: str) -> list[tuple[str, str | None]]:
    actions = extract_minutes(text).to_dict()["actions"]
    return [(a["text"], a["owner"]) for a in actions if a["origin"] == "narrative"]


def test_narrative_promises_and_requests_naming_their_doer() -> None:
    text = (
        "Issues raised by members included:\n\n"
        "- access late in the evening: members asked for a map of pharmacies open after 9 pm, "
        "which Dr Sorensen agreed to provide;\n"
        "- the Pharmacy First service, which had delivered 4,318 consultations.\n\n"
        "The Board requested that Mr Whitlow share the results of the workforce survey with members.\n\n"
        "The Assistant Chief Constable agreed to share the risk register with the Chair.\n"
    )
    assert _narrative(text) == [
        ("asked for a map of pharmacies open after 9 pm, which Dr Sorensen agreed to provide", "Dr Sorensen"),
        (
            "The Board requested that Mr Whitlow share the results of the workforce survey with members.",
            "Mr Whitlow",
        ),
        (
            "The Assistant Chief Constable agreed to share the risk register with the Chair.",
            "the Assistant Chief Constable",
        ),
    ]


def test_a_narrative_request_repeating_a_resolution_is_not_an_action_of_its_own() -> None:
    text = (
        "The Committee discussed the plan at length.\n\n"
        "The Committee requested that officers circulate the revised timetable to all members.\n\n"
        "The Committee requested that the Chair write to the Minister about bus services.\n\n"
        "RESOLVED that officers circulate the revised timetable to all members of the Committee.\n"
    )
    actions = [(a["origin"], a["owner"]) for a in extract_minutes(text).to_dict()["actions"]]
    assert actions == [("narrative", "the Chair"), ("resolution", "officers")]
