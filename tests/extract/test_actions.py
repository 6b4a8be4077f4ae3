"""Unit tests for who an ``Action:`` line names, in the shapes real action logs use."""

from __future__ import annotations

import pytest

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
