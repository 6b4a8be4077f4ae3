"""Unit tests for resolution blocks and clause splitting, each on a small invented page."""

from __future__ import annotations

from extract import extract_minutes


def _res(text: str) -> list[tuple[str | None, str]]:
    return [(r["label"], r["text"]) for r in extract_minutes(text).to_dict()["resolutions"]]


def test_status_column_is_not_part_of_a_clause() -> None:
    text = "The decision\n\na. To approve the fees.\nImplemented\n\nb. To retain free parking.\nImplemented\n"
    assert _res(text) == [("a", "To approve the fees."), ("b", "To retain free parking.")]


def test_several_clauses_on_one_line() -> None:
    text = (
        "Resolved – (a) That the report be noted, (b) that officers report back, "
        "and (c) that the plan be approved.\n"
    )
    assert [label for label, _ in _res(text)] == ["(a)", "(b)", "(c)"]


def test_a_cross_reference_is_not_a_clause() -> None:
    text = "RESOLVED – That options (a) and (b) of the report be approved.\n"
    assert _res(text) == [(None, "That options (a) and (b) of the report be approved.")]


def test_introducing_clause_leads_each_sub_clause() -> None:
    text = (
        "RESOLVED:\n\n(1) That the report be noted.\n\n(2) Recommends that the Leader:-\n\n"
        "(a) writes to the Minister\n\n(b) meets the Trust\n"
    )
    assert _res(text) == [
        ("(1)", "That the report be noted."),
        ("(2)(a)", "Recommends that the Leader: writes to the Minister"),
        ("(2)(b)", "Recommends that the Leader: meets the Trust"),
    ]


def test_condition_list_belongs_to_its_resolution() -> None:
    text = (
        "RESOLVED – That planning permission be granted subject to the following conditions:\n"
        "1. The development shall begin within three years.\n"
        "2. Materials shall match the existing building.\n"
    )
    res = _res(text)
    assert len(res) == 1 and res[0][0] is None and "Materials shall match" in res[0][1]


def test_decision_and_minutes_repeating_the_same_clauses_count_once() -> None:
    block = "RESOLVED – (1) That the report be noted. (2) That officers be requested to report back.\n"
    text = f"Decision:\n\n{block}\nMinutes:\n\nThe Panel discussed the report.\n\n{block}"
    assert [label for label, _ in _res(text)] == ["(1)", "(2)"]


def test_a_page_with_no_resolution_has_none() -> None:
    assert _res("Agenda item\n\nWithdrawn\n\nThis item was withdrawn from the agenda.\n") == []
