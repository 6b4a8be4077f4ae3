"""Unit tests for kind, follow-up flag and owner of a clause."""

from __future__ import annotations

import pytest

from extract.classify import classify, find_owner


@pytest.mark.parametrize(
    ("text", "kind", "followup", "owner"),
    [
        ("Notes and welcomes the progress of the services", "noting", False, None),
        ("That the report be received for information.", "noting", False, None),
        ("Requests officers to work with partner agencies", "request", True, "officers"),
        (
            "Requests that officers, working with partner agencies, raise the issue",
            "request",
            True,
            "officers",
        ),
        ("Cabinet be informed that the Committee supports the proposal", "referral", True, "Cabinet"),
        ("That the matter be referred to the Planning Committee", "referral", True, "the Planning Committee"),
        ("That Council be recommended to approve the budget", "recommendation", True, "Council"),
        (
            "Recommends that the Cabinet Member: Refers the report to Scrutiny",
            "recommendation",
            True,
            "the Cabinet Member",
        ),
        ("That the report be noted and officers be requested to report back", "request", True, "officers"),
        ("That the minutes of the meeting be confirmed as a correct record", "decision", False, None),
        ("That the plan be approved.", "decision", False, None),
        (
            "That authority be delegated to the Director of Finance to agree the terms",
            "decision",
            True,
            "the Director of Finance",
        ),
        ("That the work programme be updated.", "decision", True, None),
        (
            "ask the Corporate Director – Communities to report to Cabinet on the operation of the transfer",
            "request",
            True,
            "the Corporate Director – Communities",
        ),
        (
            "authorise the Corporate Director – Communities, in consultation with the Cabinet Member, "
            "to agree the final heads of terms",
            "decision",
            True,
            "the Corporate Director – Communities",
        ),
        (
            "That, once the consultation has closed, the Director of Public Health present the final "
            "Assessment to the Board",
            "request",
            True,
            "the Director of Public Health",
        ),
        (
            "That the Director of Children's Services provide the Commission with a breakdown of costs",
            "request",
            True,
            "the Director of Children's Services",
        ),
        ("That the Commission's thanks to the Youth Panel be recorded.", "other", False, None),
        ("That the witnesses be thanked for attending", "other", False, None),
        ("That the Chief Executive write to the Secretary of State", "request", True, "the Chief Executive"),
        ("A report back on progress be submitted to a future meeting", "request", True, None),
    ],
)
def test_classify(text: str, kind: str, followup: bool, owner: str | None) -> None:
    c = classify(text)
    assert (c.kind, c.needs_followup, c.owner) == (kind, followup, owner)


def test_opener_hint_makes_a_recommendation() -> None:
    assert classify("That the budget be approved.", hint="recommendation").kind == "recommendation"


def test_owner_is_never_a_thing() -> None:
    assert find_owner("That the report be submitted to a future meeting") is None
