"""Unit tests for reading clause markers and nesting them."""

from __future__ import annotations

import pytest

from extract.numbering import Numbering, read_marker, roman_value


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("(6) Recommends", "(6)"),
        ("b) that", "b)"),
        ("1. That", "1"),
        ("a. That", "a"),
        ("A. That", "A"),
        ("ii. That", "ii"),
        ("(iv) That", "(iv)"),
        ("C.1.a That", "C.1.a"),
        ("2.i That", "2.i"),
    ],
)
def test_read_marker_labels(text: str, label: str) -> None:
    m = read_marker(text, 0)
    assert m is not None and m.label == label


@pytest.mark.parametrize("text", ["2018 was", "1.5m pounds", "a.m. start", "(ab) x", "Apple", "£4.63m"])
def test_read_marker_rejects_ordinary_text(text: str) -> None:
    assert read_marker(text, 0) is None


def test_roman_values() -> None:
    assert [roman_value(s) for s in ("i", "iv", "ix", "xii", "xl")] == [1, 4, 9, 12, 40]
    assert roman_value("iiii") is None and roman_value("abc") is None


def _path(numbering: Numbering, texts: list[str], strict: bool = False) -> list[str]:
    out = []
    for t in texts:
        m = read_marker(t, 0)
        assert m is not None
        placed = numbering.place(m, strict=strict)
        out.append("".join(numbering.path()) if placed is not None else "-")
    return out


def test_nesting_parent_first() -> None:
    n = Numbering()
    assert _path(n, ["(5) x", "(6) x", "(a) x", "(b) x", "(c) x", "(7) x"])[1:] == [
        "(6)",
        "(6)(a)",
        "(6)(b)",
        "(6)(c)",
        "(7)",
    ]


def test_h_then_i_is_a_letter_and_i_first_is_roman() -> None:
    n = Numbering()
    letters = _path(n, [f"({c}) x" for c in "abcdefghi"])
    assert letters[-1] == "(i)" and n.levels[-1].style == "lower"
    n = Numbering()
    assert _path(n, ["(1) x", "(i) x", "(ii) x", "(2) x"]) == ["(1)", "(1)(i)", "(1)(ii)", "(2)"]


def test_strict_mode_only_accepts_the_next_number() -> None:
    n = Numbering()
    assert _path(n, ["(a) x", "(c) x"], strict=True) == ["(a)", "-"]


def test_gap_is_accepted_but_reported_when_not_strict() -> None:
    n = Numbering()
    n.place(read_marker("(1) x", 0), strict=False)
    n.place(read_marker("(2) x", 0), strict=False)
    assert n.place(read_marker("(4) x", 0), strict=False) == (0, True)
