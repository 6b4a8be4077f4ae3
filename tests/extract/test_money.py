"""Sums of money: every printed format, exact values, spans that cover the amount and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.money import find_amounts
from extract.text import fold

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))

AMOUNTS = [
    # (text, [(amount text, value, currency)])
    ("would be £1,347,955.", [("£1,347,955", 1347955, "GBP")]),
    ("a budget of £2.8m for", [("£2.8m", 2800000, "GBP")]),
    ("savings of £450k.", [("£450k", 450000, "GBP")]),
    ("savings of £450K.", [("£450K", 450000, "GBP")]),
    ("£12.5 million over", [("£12.5 million", 12500000, "GBP")]),
    ("£12.5 Million", [("£12.5 Million", 12500000, "GBP")]),
    ("a £1.2bn programme", [("£1.2bn", 1200000000, "GBP")]),
    ("a £1.2 billion programme", [("£1.2 billion", 1200000000, "GBP")]),
    ("a £1.2b programme", [("£1.2b", 1200000000, "GBP")]),
    ("£4.63m", [("£4.63m", 4630000, "GBP")]),
    ("£0.5m", [("£0.5m", 500000, "GBP")]),
    ("£0.125m", [("£0.125m", 125000, "GBP")]),
    ("£ 100", [("£ 100", 100, "GBP")]),
    ("£\u00a0100", [("£\u00a0100", 100, "GBP")]),
    ("£100.50 each", [("£100.50", 100.5, "GBP")]),
    ("£99.99.", [("£99.99", 99.99, "GBP")]),
    ("£1.005", [("£1.005", 1.01, "GBP")]),  # rounded half up to pennies
    ("GBP 5,000", [("GBP 5,000", 5000, "GBP")]),
    ("GBP5,000", [("GBP5,000", 5000, "GBP")]),
    ("€3m", [("€3m", 3000000, "EUR")]),
    ("EUR 3,500", [("EUR 3,500", 3500, "EUR")]),
    ("$2m", [("$2m", 2000000, "USD")]),
    ("USD 20", [("USD 20", 20, "USD")]),
    ("US$5m", [("$5m", 5000000, "USD")]),
    ("£3.2 m", [("£3.2 m", 3200000, "GBP")]),
    ("£20 k", [("£20 k", 20000, "GBP")]),
    ("£5mn", [("£5mn", 5000000, "GBP")]),
    ("£5 thousand", [("£5 thousand", 5000, "GBP")]),
    ("£1,187,700 per annum.", [("£1,187,700", 1187700, "GBP")]),
    ("£2.8m per annum", [("£2.8m", 2800000, "GBP")]),
    ("costs (£450k), then", [("£450k", 450000, "GBP")]),
    ("£5,000,000.", [("£5,000,000", 5000000, "GBP")]),
    ("£2,500, which", [("£2,500", 2500, "GBP")]),
    ("£5 more than", [("£5", 5, "GBP")]),
    # ranges
    ("£5k-£10k", [("£5k", 5000, "GBP"), ("£10k", 10000, "GBP")]),
    ("£5k–£10k", [("£5k", 5000, "GBP"), ("£10k", 10000, "GBP")]),
    ("£5k - £10k", [("£5k", 5000, "GBP"), ("£10k", 10000, "GBP")]),
    ("£5 to £10", [("£5", 5, "GBP"), ("£10", 10, "GBP")]),
    ("between £5-10m.", [("£5", 5000000, "GBP"), ("10m", 10000000, "GBP")]),
    ("£5 to 10 million", [("£5", 5000000, "GBP"), ("10 million", 10000000, "GBP")]),
    ("£5k-10k", [("£5k", 5000, "GBP"), ("10k", 10000, "GBP")]),
    ("£5-10", [("£5", 5, "GBP"), ("10", 10, "GBP")]),
    ("£5 to 10 people", [("£5", 5, "GBP")]),
    ("£5-year plan", [("£5", 5, "GBP")]),
    # several currencies, in text order
    ("€3m and £2m and GBP 1", [("€3m", 3000000, "EUR"), ("£2m", 2000000, "GBP"), ("GBP 1", 1, "GBP")]),
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_find_amounts(text: str, expected: list[tuple[str, int | float, str]]) -> None:
    found = find_amounts(text)
    assert [(a.text, a.value, a.currency) for a in found] == expected
    for a in found:
        assert text[a.span[0] : a.span[1]] == a.text
        assert a.text == a.text.strip() and not a.text.endswith((".", ","))


@pytest.mark.parametrize(
    ("text", "value"),
    [("£4.63m", 4630000), ("£0.29m", 290000), ("£1.1bn", 1100000000), ("£2.675k", 2675), ("£0.7m", 700000)],
)
def test_values_are_exact_integers(text: str, value: int) -> None:
    (amount,) = find_amounts(text)
    assert amount.value == value and type(amount.value) is int  # 4.63 * 1e6 in floats is 4629999.999...


def test_fractional_values_are_pennies() -> None:
    (amount,) = find_amounts("£12.345")
    assert amount.value == 12.35 and type(amount.value) is float


NOT_AMOUNTS = [
    "£",
    "£.",
    "£ and",
    "a £ sign",
    "1,347,955 people",
    "2.8m residents",
    "XGBP 5",
    "EUROS 5",
    "A$5m",
    "£1,34",
    "£1234567890123456789",
    "GBP",
    "",
]


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_find_amounts_ignores(text: str) -> None:
    assert find_amounts(text) == []


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_find_amounts_on_seeds(path: Path) -> None:
    text = fold(path.read_text(encoding="utf-8"))
    found = find_amounts(text)
    assert found
    for a in found:
        assert text[a.span[0] : a.span[1]] == a.text and a.currency == "GBP"


def test_seed_amounts() -> None:
    by_name = {p.name[:3]: fold(p.read_text(encoding="utf-8")) for p in SEEDS}
    assert ("£1,347,955", 1347955) in [(a.text, a.value) for a in find_amounts(by_name["000"])]
    assert ("£1,187,700", 1187700) in [(a.text, a.value) for a in find_amounts(by_name["001"])]


_PIECES = st.sampled_from(
    [
        "£",
        "€",
        "$",
        "GBP",
        "EUR",
        "USD",
        "US",
        "A",
        " ",
        "\u00a0",
        "-",
        "–",
        "to",
        ",",
        ".",
        "0",
        "1",
        "5",
        "99",
        "1,347,955",
        "4.63",
        "m",
        "k",
        "bn",
        "b",
        "million",
        "billion",
        "thousand",
        "per annum",
        "\n",
        "2.",
        ",000",
    ]
)
_TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=40).map("".join),
    st.lists(_PIECES, max_size=40).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_find_amounts_never_raises(text: str) -> None:
    found = find_amounts(text)
    assert [a.span for a in found] == sorted(a.span for a in found)
    for a in found:
        s, e = a.span
        assert 0 <= s < e <= len(text)
        assert text[s:e] == a.text
        assert a.currency in ("GBP", "EUR", "USD")
        assert isinstance(a.value, int | float) and a.value >= 0
