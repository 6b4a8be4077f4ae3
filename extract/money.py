"""Sums of money in committee minutes: ``£1,347,955``, ``£2.8m``, ``£450k``, ``€3m``, ``GBP 5,000``.

Each amount becomes an :class:`~extract.records.Amount` whose ``value`` is in the currency's unit,
computed with :class:`~decimal.Decimal` so that ``£4.63m`` is exactly ``4630000`` (an ``int`` when
whole, else a ``float`` rounded to pennies), and whose span covers exactly the amount as printed
(no ``per annum``, no trailing full stop).

Why it is written this way: every amount starts with a currency marker, and each marker gets its
own regex that opens with that literal, so CPython's engine jumps between markers with its fast
literal search instead of trying a pattern at every character; a plain ``in`` test skips currency
signs the text never uses. A 6 KB page costs well under ten microseconds.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from .records import Amount

__all__ = ["find_amounts"]

_PENNY = Decimal("0.01")

#: multiplier words as printed (lower case) -> factor; "£3.2 m" and "£3.2m" alike
_SCALE: dict[str, int] = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}

# At most 15 integer digits and 4 decimals: longer runs are not sums of money, and the bound keeps
# every value within Decimal's default 28-digit precision, so arithmetic stays exact.
_NUMBER = r"(?P<num>\d{1,3}(?:,\d{3}){1,4}(?![\d,]\d)|\d{1,15}(?![\d,]\d))(?P<dec>\.\d{1,4}(?!\d))?"
# "b" only when attached ("£1.2b"): "£5 b" is more often a list label than a billion
_SUFFIX = r"(?:\s?(?P<scale>(?i:billion|million|thousand|bn|mn|m|k))|(?P<b>b))\b"
_AMOUNT = _NUMBER + f"(?:{_SUFFIX})?"
#: the second half of a range without its own marker: "£5-10m", "£5 to 10 million"
_RANGE_TAIL = re.compile(r"\s?(?P<sep>-|–|to)\s?" + _AMOUNT)

#: (marker, currency, regex opening with the marker); codes must not be part of a longer word
_MARKERS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (marker, currency, re.compile(re.escape(marker) + guard + r"\s?" + _AMOUNT))
    for marker, currency, guard in (
        ("£", "GBP", ""),
        ("€", "EUR", ""),
        ("$", "USD", r"(?:(?<![A-Za-z]\$)|(?<=US\$))"),  # not A$ or C$
        ("GBP", "GBP", r"(?<![A-Za-z]GBP)"),
        ("EUR", "EUR", r"(?<![A-Za-z]EUR)"),
        ("USD", "USD", r"(?<![A-Za-z]USD)"),
    )
)


def _scale(m: re.Match[str]) -> int:
    if m["b"]:
        return _SCALE["b"]
    return _SCALE[m["scale"].lower()] if m["scale"] else 1


def _value(m: re.Match[str], scale: int) -> int | float:
    number = Decimal(m["num"].replace(",", "") + (m["dec"] or "")) * scale
    if number == number.to_integral_value():
        return int(number)
    return float(number.quantize(_PENNY, rounding=ROUND_HALF_UP))


def find_amounts(text: str) -> list[Amount]:
    """Every sum of money in ``text``, in order, with ``text[start:end] == amount.text``.

    ``£5k-£10k`` is two amounts; so is ``£5-10m``, whose first half borrows the second's
    multiplier (5000000). A currency sign with no number after it is no amount.

    :param text: usually ``fold(text)``; offsets are offsets in it.
    """
    out: list[Amount] = []
    for marker, currency, pattern in _MARKERS:
        if len(marker) == 1 and marker not in text:  # memchr speed; "GBP" in text is slower than the regex
            continue
        for m in pattern.finditer(text):
            scale = _scale(m)
            tail = _RANGE_TAIL.match(text, m.end())
            if tail is not None:
                tail_scale = _scale(tail)
                if tail_scale == 1 and tail["sep"] == "to":  # "£5 to 10 people": no range
                    tail = None
                elif scale == 1:  # "£5-10m": both ends are millions
                    scale = tail_scale
            out.append(Amount(m[0], _value(m, scale), currency, m.span()))
            if tail is not None:
                s, e = tail.start("num"), tail.end()
                out.append(Amount(text[s:e], _value(tail, tail_scale), currency, (s, e)))
    if len(out) > 1:
        out.sort(key=lambda a: a.span)
    return out
