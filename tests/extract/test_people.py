"""Unit tests for attendee shapes, each on a small invented text."""

from __future__ import annotations

import pytest

from extract import extract_minutes


def _people(text: str) -> list[tuple]:
    return [
        (a["name"], a["honorific"], a["role"], a["organisation"], a["capacity"])
        for a in extract_minutes(text).to_dict()["attendees"]
    ]


def test_shared_roles_give_each_person_their_own() -> None:
    text = (
        "Councillors R Lomax and T Varga, Cabinet Member and Deputy Cabinet Member for Housing and Homes, "
        "attended the meeting for this item.\n"
    )
    assert _people(text) == [
        ("R Lomax", "Councillor", "Cabinet Member for Housing and Homes", None, "invited"),
        ("T Varga", "Councillor", "Deputy Cabinet Member for Housing and Homes", None, "invited"),
    ]


def test_present_paragraph_with_chair_and_plural_honorific() -> None:
    text = "PRESENT:- Councillor Mrs Dunne in the chair.\n\nCouncillors Pike (Vice-Chair), Rowe and Sato.\n"
    assert _people(text) == [
        ("Mrs Dunne", "Councillor", "Chair", None, "present"),
        ("Pike", "Councillor", "Vice-Chair", None, "present"),
        ("Rowe", "Councillor", None, None, "present"),
        ("Sato", "Councillor", None, None, "present"),
    ]


def test_apology_reasons_are_not_roles() -> None:
    text = "Apologies for absence were received from Cllr B Quinn (holiday) and Mr J Ellis (Parish Forum).\n"
    assert _people(text) == [
        ("B Quinn", "Councillor", None, None, "apology"),
        ("J Ellis", "Mr", None, "Parish Forum", "apology"),
    ]


def test_representative_lines_and_witnesses() -> None:
    text = (
        "The following representatives attended the meeting:\n\n"
        "Sergeant Ola Brandt, Westdale Police\n\nNia Forde, Westdale Housing Trust\n\n"
        "The Chair welcomed Dr Ivo Marsh, Consultant Geriatrician, Westdale Hospitals Trust, "
        "who gave evidence.\n"
    )
    people = _people(text)
    assert ("Ola Brandt", "Sergeant", None, "Westdale Police", "invited") in people
    assert ("Nia Forde", None, None, "Westdale Housing Trust", "invited") in people
    assert ("Ivo Marsh", "Dr", "Consultant Geriatrician", "Westdale Hospitals Trust", "witness") in people


@pytest.mark.parametrize(
    "text",
    [
        "Councillor Greaves asked about the waiting list and the officer replied.\n",
        "The report was written by Dr Ann Lowe and considered by Cabinet.\n",
    ],
)
def test_people_merely_mentioned_are_not_attendees(text: str) -> None:
    assert _people(text) == []


def test_officer_named_only_by_role() -> None:
    text = "The Service Manager attended to present the report.\n"
    assert _people(text) == [(None, None, "Service Manager", None, "officer")]


def test_in_the_chair_heading_and_irish_initials() -> None:
    text = (
        "In the Chair:  Alderman P McCausland\n\n"
        "Members Present: Alderman R Gilmore; Councillors N Devlin, C Ó Maoláin, "
        "T Quinn (Deputy Chair) and J Wylie\n"
    )
    assert _people(text) == [
        ("P McCausland", "Alderman", "Chair", None, "present"),
        ("R Gilmore", "Alderman", None, None, "present"),
        ("N Devlin", "Councillor", None, None, "present"),
        ("C Ó Maoláin", "Councillor", None, None, "present"),
        ("T Quinn", "Councillor", "Deputy Chair", None, "present"),
        ("J Wylie", "Councillor", None, None, "present"),
    ]


def test_officers_by_role_with_initial_and_surname_in_brackets() -> None:
    text = "In Attendance: Director of Environmental Services (M Kerr)\nHead of Waste Management (D Hamill)\n"
    assert _people(text) == [
        ("M Kerr", None, "Director of Environmental Services", None, "officer"),
        ("D Hamill", None, "Head of Waste Management", None, "officer"),
    ]


def test_attending_for_this_item_list() -> None:
    text = (
        "Attending for this item: Fiona Galbraith, Head of Strategic Planning; Dr Euan Lockhart, "
        "Consultant Geriatrician, Strathlowrie Royal Infirmary\n"
    )
    assert _people(text) == [
        ("Fiona Galbraith", None, "Head of Strategic Planning", None, "officer"),
        ("Euan Lockhart", "Dr", "Consultant Geriatrician", "Strathlowrie Royal Infirmary", "invited"),
    ]


def test_role_then_holder_before_the_verb() -> None:
    text = "The Director of Public Health, Professor Lydia Marsh, introduced the report.\n"
    assert _people(text) == [("Lydia Marsh", "Professor", "Director of Public Health", None, "officer")]


def test_together_with_after_attended_and_a_paragraph_number() -> None:
    text = (
        "41.2 Councillor Dawn Ashworth and Councillor Imran Sadiq, Portfolio Lead and Deputy Portfolio Lead "
        "for Skills, attended for this item, together with Naomi Fell, Principal, Westmoor College.\n"
    )
    assert _people(text) == [
        ("Dawn Ashworth", "Councillor", "Portfolio Lead for Skills", None, "invited"),
        ("Imran Sadiq", "Councillor", "Deputy Portfolio Lead for Skills", None, "invited"),
        ("Naomi Fell", None, "Principal", "Westmoor College", "invited"),
    ]


def test_lower_case_roles_and_a_welcomed_list_broken_over_lines() -> None:
    listed = "Co-opted Members: Mrs Janet Ellery (Church of England Diocese representative)\n"
    assert _people(listed) == [
        ("Janet Ellery", "Mrs", "Church of England Diocese representative", None, "present")
    ]
    text = (
        "Councillor Neil Batty, the ward member for Lowerby, attended and spoke against the proposal.\n\n"
        "The Chair welcomed Leanne Fisher, Operations Manager, Hatherley Youth Hub, and\n\n"
        "Jamal Burke, Youth Ambassador, Hatherley Youth Panel, who\n\n"
        "described the panel's work.\n"
    )
    assert _people(text) == [
        ("Neil Batty", "Councillor", "ward member for Lowerby", None, "invited"),
        ("Leanne Fisher", None, "Operations Manager", "Hatherley Youth Hub", "witness"),
        ("Jamal Burke", None, "Youth Ambassador", "Hatherley Youth Panel", "witness"),
    ]
