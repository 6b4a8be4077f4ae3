"""Dates and deadlines: every printed date format, every row of dues.jsonl, and the doubts they raise."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract import dates
from extract.dates import DueMatch, due_rules, find_dates, parse_due, read_date
from extract.text import fold

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
MEETING = date(2016, 6, 1)  # a Wednesday


# --- find_dates -------------------------------------------------------------------------------

FOUND = [
    # (text, meeting date, [(mention text, iso date)])
    ("due on 2nd October, 2018.", None, [("2nd October, 2018", "2018-10-02")]),
    ("commenced on 29 September, 2014 and", None, [("29 September, 2014", "2014-09-29")]),
    ("contracts commencing 1 July, 2019.", None, [("1 July, 2019", "2019-07-01")]),
    ("by 21st November 2016", None, [("21st November 2016", "2016-11-21")]),
    ("the 3rd of May 2016 meeting", None, [("3rd of May 2016", "2016-05-03")]),
    ("on May 3, 2016 the", None, [("May 3, 2016", "2016-05-03")]),
    ("on November 21st, 2016", None, [("November 21st, 2016", "2016-11-21")]),
    ("Adults Panel – Tuesday 3 May 2016", None, [("3 May 2016", "2016-05-03")]),
    ("Meeting: 14/03/2019 - Audit Committee (Item 12)", None, [("14/03/2019", "2019-03-14")]),
    ("on 14/3/19.", None, [("14/3/19", "2019-03-14")]),
    ("on 1/2/99", None, [("1/2/99", "1999-02-01")]),
    ("dated 14.03.2019.", None, [("14.03.2019", "2019-03-14")]),
    ("dated 14-03-2019", None, [("14-03-2019", "2019-03-14")]),
    ("ISO 2016-05-03 here", None, [("2016-05-03", "2016-05-03")]),
    ("on 3 Sept 2016", None, [("3 Sept 2016", "2016-09-03")]),
    ("on 3 Sep. 2016", None, [("3 Sep. 2016", "2016-09-03")]),
    ("on 3 Dec 2016", None, [("3 Dec 2016", "2016-12-03")]),
    ("ADULTS PANEL – 3 MAY 2016", None, [("3 MAY 2016", "2016-05-03")]),
    ("on 21ST NOVEMBER 2016", None, [("21ST NOVEMBER 2016", "2016-11-21")]),
    ("by 21st November.", MEETING, [("21st November", "2016-11-21")]),
    ("by 21st November.", None, [("21st November", None)]),
    ("on 3 Sep.", MEETING, [("3 Sep", "2016-09-03")]),
    ("on 29 February", None, [("29 February", None)]),  # possible in a leap year
    ("by 31st Febuary 2020.", None, [("31st Febuary 2020", None)]),  # a date, but not a readable one
    ("on 3rd of Septmber 2019", MEETING, [("3rd of Septmber 2019", None)]),
    ("on 29 February", date(2016, 1, 5), [("29 February", "2016-02-29")]),
    ("2nd October,\n2018", None, [("2nd October,\n2018", "2018-10-02")]),
    ("(3 May 2016)", None, [("3 May 2016", "2016-05-03")]),
    ("'3 May 2016'", None, [("3 May 2016", "2016-05-03")]),
    ("1–3 May 2016", None, [("3 May 2016", "2016-05-03")]),
    ("3\u00a0May\u00a02016", None, [("3\u00a0May\u00a02016", "2016-05-03")]),
    ("3 May 2016 and 14/03/2019", None, [("3 May 2016", "2016-05-03"), ("14/03/2019", "2019-03-14")]),
    (
        "14/03/2019\n21st November 2016",
        None,
        [("14/03/2019", "2019-03-14"), ("21st November 2016", "2016-11-21")],
    ),
]


@pytest.mark.parametrize(("text", "meeting", "expected"), FOUND)
def test_find_dates(text: str, meeting: date | None, expected: list[tuple[str, str | None]]) -> None:
    found = find_dates(text, meeting)
    assert [(d.text, d.date) for d in found] == expected
    for d in found:
        assert text[d.span[0] : d.span[1]] == d.text


NOT_DATES = [
    "December 2018",  # month only
    "in 2019 and 2020",  # bare years
    "funding for 2017/18 is",
    "Domestic Abuse Strategy 2018 – 2023",
    "Strategy 2018-2023",
    "version 1.2.3 and v2.10.2019",
    "at 10.30 am and 14:30",
    "paragraph 8.4 and clause C.1.a and 2.1.10",
    "£1,347,955 and £2.8m",
    "31/02/2019",  # impossible
    "30 February 2019",
    "31st Febuary",  # misspelt and no year: too little to call a date
    "32 May 2016",
    "14/13/2019",
    "3 May 2316",  # not a plausible year
    "option 2 may be preferred",  # a verb, not a month
    "Item 3 Mayor's report",
    "Section 3, 2016 accounts",
    "24 month extensions",
    "12/2019",
    "1/2/3",
    "a14/03/2019",
    "£3 May 2016",
    "14/03/20191",
    "ref 12/03/2019/4",
    "(2) May 2016",
    "",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_find_dates_ignores(text: str) -> None:
    assert find_dates(text, MEETING) == []


def test_find_dates_on_folded_text_keeps_offsets() -> None:
    raw = "The \u201cplan\u201d of 3\u00a0May\u00a02016 \u2013 approved on 14/03/2019."
    folded = fold(raw)
    found = find_dates(folded, None)
    assert [(d.text, d.date) for d in found] == [("3 May 2016", "2016-05-03"), ("14/03/2019", "2019-03-14")]
    assert [raw[d.span[0] : d.span[1]] for d in found] == ["3\u00a0May\u00a02016", "14/03/2019"]


def test_find_dates_accepts_a_datetime_meeting() -> None:
    assert find_dates("by 21st November", datetime(2016, 6, 1, 10, 30))[0].date == "2016-11-21"


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_find_dates_on_seeds(path: Path) -> None:
    text = fold(path.read_text(encoding="utf-8"))
    found = find_dates(text, None)
    assert found, "each seed names at least one date"
    for d in found:
        assert text[d.span[0] : d.span[1]] == d.text
        assert d.date is not None and date.fromisoformat(d.date)
    texts = {d.text for d in found}
    assert not any("2023" in t or "/18" in t for t in texts)


def test_seed_dates() -> None:
    by_name = {p.name[:3]: fold(p.read_text(encoding="utf-8")) for p in SEEDS}
    assert [d.text for d in find_dates(by_name["000"], None)] == ["2nd October, 2018", "1 July, 2019"]
    assert [d.date for d in find_dates(by_name["001"], None)] == ["2014-09-29", "2014-09-29"]


# --- read_date --------------------------------------------------------------------------------

READ = [
    ("3rd of May 2016", None, (date(2016, 5, 3), True)),
    ("14/3/19", None, (date(2019, 3, 14), True)),
    ("May 3, 2016", None, (date(2016, 5, 3), True)),
    ("3 may 2016", None, (date(2016, 5, 3), True)),
    (" 2016-05-03 ", None, (date(2016, 5, 3), True)),
    ("21st November", None, (None, True)),
    ("21st November", MEETING, (date(2016, 11, 21), True)),
    ("31/02/2019", None, (None, False)),
    ("31st Febuary 2019", None, (None, False)),
    ("Febuary 3, 2019", None, (None, False)),
    ("31 April", None, (None, False)),
    ("next Tuesday", None, (None, False)),
]


@pytest.mark.parametrize(("phrase", "meeting", "expected"), READ)
def test_read_date(phrase: str, meeting: date | None, expected: tuple[date | None, bool]) -> None:
    assert read_date(phrase, meeting) == expected


# --- parse_due --------------------------------------------------------------------------------

DUES = [
    # (clause, meeting date, due text, iso date, warning codes, rule id)
    (
        "A report back on progress be submitted to a future meeting of the Committee.",
        MEETING,
        "a future meeting of the Committee",
        None,
        [],
        "meeting-future",
    ),
    ("That officers report to the next meeting.", MEETING, "the next meeting", None, [], "meeting-next"),
    (
        "That the Head of Service attends the next meeting",
        MEETING,
        "the next meeting",
        None,
        [],
        "meeting-next",
    ),
    ("be invited to attend a future meeting", MEETING, "a future meeting", None, [], "meeting-future"),
    (
        "report to the meeting on\n21 March 2018.",
        MEETING,
        "the meeting on\n21 March 2018",
        "2018-03-21",
        [],
        "meeting-on-date",
    ),
    (
        "a map, before the Cabinet meeting on 8 March 2018.",
        MEETING,
        "the Cabinet meeting on 8 March 2018",
        "2018-03-08",
        [],
        "meeting-on-date",
    ),
    (
        "a draft for the meeting on 10 March",
        MEETING,
        "the meeting on 10 March",
        "2017-03-10",
        [],
        "meeting-on-date",
    ),
    (
        "to the next meeting on 3 July",
        MEETING,
        "the next meeting on 3 July",
        "2016-07-03",
        [],
        "meeting-on-date",
    ),
    (
        "to the meeting on 31st Febuary 2020",
        MEETING,
        "the meeting on 31st Febuary 2020",
        None,
        ["W_DUE_UNREADABLE"],
        "meeting-on-date",
    ),
    (
        "be considered at the next meeting of the Committee",
        None,
        "the next meeting of the Committee",
        None,
        [],
        "meeting-next",
    ),
    (
        "be brought back to the next available meeting",
        MEETING,
        "the next available meeting",
        None,
        [],
        "meeting-next",
    ),
    ("a paper for its next meeting", MEETING, "its next meeting", None, [], "meeting-next"),
    ("be reported to the March meeting", MEETING, "the March meeting", None, [], "meeting-named"),
    ("be reported to the autumn meeting", MEETING, "the autumn meeting", None, [], "meeting-named"),
    ("be reported to the meeting in March", MEETING, "the meeting in March", None, [], "meeting-in-month"),
    ("be circulated within two weeks", MEETING, "within two weeks", "2016-06-15", [], "within-n"),
    ("be circulated within 14 days.", MEETING, "within 14 days", "2016-06-15", [], "within-n"),
    ("be circulated within a month", MEETING, "within a month", "2016-07-01", [], "within-n"),
    (
        "reply within the next fortnight",
        MEETING,
        "within the next fortnight",
        "2016-06-15",
        [],
        "within-unit",
    ),
    ("reply within a couple of weeks", MEETING, "within a couple of weeks", "2016-06-15", [], "within-n"),
    ("reply within 10 working days", MEETING, "within 10 working days", "2016-06-15", [], "within-n"),
    ("reply within 3 working days", date(2016, 6, 3), "within 3 working days", "2016-06-08", [], "within-n"),
    (
        "award within three months of the tender closing",
        MEETING,
        "within three months",
        "2016-09-01",
        [],
        "within-n",
    ),
    ("Within two weeks, officers will write", MEETING, "Within two weeks", "2016-06-15", [], "within-n"),
    ("a further report in six months' time", MEETING, "in six months' time", "2016-12-01", [], "in-n"),
    ("a further report in six month's time", MEETING, "in six month's time", "2016-12-01", [], "in-n"),
    ("a further report in six months", MEETING, "in six months", "2016-12-01", [], "in-n"),
    ("a further report in 6 months.", MEETING, "in 6 months", "2016-12-01", [], "in-n"),
    ("a review in twelve months", MEETING, "in twelve months", "2017-06-01", [], "in-n"),
    ("a review in one year", date(2016, 2, 29), "in one year", "2017-02-28", [], "in-n"),
    ("an update in a quarter", MEETING, "in a quarter", "2016-09-01", [], "in-n"),
    ("by December", MEETING, "by December", "2016-12-31", [], "by-month"),
    ("by March", MEETING, "by March", "2017-03-31", [], "by-month"),
    ("by June", MEETING, "by June", "2016-06-30", [], "by-month"),
    ("by December 2019", MEETING, "by December 2019", "2019-12-31", [], "by-month"),
    ("by February, 2020", MEETING, "by February, 2020", "2020-02-29", [], "by-month"),
    ("BY DECEMBER", MEETING, "BY DECEMBER", "2016-12-31", [], "by-month"),
    ("by the end of March 2019", MEETING, "by the end of March 2019", "2019-03-31", [], "end-of-month"),
    ("by end of April", MEETING, "by end of April", "2017-04-30", [], "end-of-month"),
    ("by the end of the month", MEETING, "by the end of the month", "2016-06-30", [], "end-of-this-month"),
    ("by the end of the year", MEETING, "by the end of the year", "2016-12-31", [], "end-of-year"),
    ("by the end of 2018", MEETING, "by the end of 2018", "2018-12-31", [], "end-of-year-n"),
    (
        "by the end of the financial year",
        MEETING,
        "by the end of the financial year",
        "2017-03-31",
        [],
        "end-of-financial-year",
    ),
    (
        "by the end of the financial year",
        date(2017, 2, 1),
        "by the end of the financial year",
        "2017-03-31",
        [],
        "end-of-financial-year",
    ),
    ("by 21st November 2016", MEETING, "by 21st November 2016", "2016-11-21", [], "explicit"),
    ("no later than 14/03/2019", MEETING, "no later than 14/03/2019", "2019-03-14", [], "explicit"),
    ("not later than 14.03.2019", MEETING, "not later than 14.03.2019", "2019-03-14", [], "explicit"),
    ("before 1 July, 2019", MEETING, "before 1 July, 2019", "2019-07-01", [], "explicit"),
    ("on or before 3 Sept 2016", MEETING, "on or before 3 Sept 2016", "2016-09-03", [], "explicit"),
    ("until 2016-09-30", MEETING, "until 2016-09-30", "2016-09-30", [], "explicit"),
    ("by December 21, 2019", MEETING, "by December 21, 2019", "2019-12-21", [], "explicit"),
    ("by 21st November", MEETING, "by 21st November", "2016-11-21", [], "explicit"),
    ("by 3 May", MEETING, "by 3 May", "2017-05-03", [], "explicit"),  # the next 3 May, not the past one
    ("by no later than 1 July", MEETING, "by no later than 1 July", "2016-07-01", [], "explicit"),
    ("before final approval", MEETING, "before final approval", None, [], "before-approval"),
    ("prior to the award", MEETING, "prior to the award", None, [], "before-approval"),
    ("before the contract is awarded", MEETING, "before the contract is awarded", None, [], "before-event"),
    (
        "prior to the new policy being adopted",
        MEETING,
        "prior to the new policy being adopted",
        None,
        [],
        "before-event",
    ),
    ("the figures be circulated when available", MEETING, "when available", None, [], "when-available"),
    ("when they become available", MEETING, "when they become available", None, [], "when-available"),
    ("as soon as possible", MEETING, "as soon as possible", None, [], "asap"),
    ("as soon as practicable", MEETING, "as soon as practicable", None, [], "asap"),
    ("in due course", MEETING, "in due course", None, [], "due-course"),
    ("a workshop in the new year", MEETING, "in the new year", None, [], "new-year"),
    ("a workshop in the autumn", MEETING, "in the autumn", None, [], "season"),
    ("a workshop by spring 2017", MEETING, "by spring 2017", None, [], "season"),
    ("to be considered at a future date", MEETING, "at a future date", None, [], "future-date"),
    ("be reviewed annually", MEETING, "annually", None, [], "recurring-annual"),
    ("be reviewed on an annual basis", MEETING, "on an annual basis", None, [], "recurring-annual"),
    ("be reported every six months", MEETING, "every six months", None, [], "recurring-every"),
    ("be reported quarterly", MEETING, "quarterly", None, [], "recurring-period"),
    ("be reported on a six-monthly basis", MEETING, "on a six-monthly basis", None, [], "recurring-period"),
    # doubt: readable phrase, unreadable date
    ("by 31st Febuary 2019", MEETING, "by 31st Febuary 2019", None, ["W_DUE_UNREADABLE"], "explicit"),
    ("by 31/02/2019", MEETING, "by 31/02/2019", None, ["W_DUE_UNREADABLE"], "explicit"),
    ("by 31 April", MEETING, "by 31 April", None, ["W_DUE_UNREADABLE"], "explicit"),
    ("by Febuary 2019", MEETING, "by Febuary 2019", None, ["W_DUE_UNREADABLE"], "by-month-unreadable"),
    ("by 3 May 2316", MEETING, "by 3 May 2316", None, ["W_DUE_UNREADABLE"], "explicit"),
    ("within 500 years", MEETING, "within 500 years", None, ["W_DUE_UNREADABLE"], "within-n"),
    # doubt: relative phrase, no meeting date
    ("within two weeks", None, "within two weeks", None, ["W_DUE_NEEDS_MEETING_DATE"], "within-n"),
    ("in six months", None, "in six months", None, ["W_DUE_NEEDS_MEETING_DATE"], "in-n"),
    ("by December", None, "by December", None, ["W_DUE_NEEDS_MEETING_DATE"], "by-month"),
    (
        "by the end of the year",
        None,
        "by the end of the year",
        None,
        ["W_DUE_NEEDS_MEETING_DATE"],
        "end-of-year",
    ),
    (
        "by the end of the month",
        None,
        "by the end of the month",
        None,
        ["W_DUE_NEEDS_MEETING_DATE"],
        "end-of-this-month",
    ),
    (
        "by the end of the financial year",
        None,
        "by the end of the financial year",
        None,
        ["W_DUE_NEEDS_MEETING_DATE"],
        "end-of-financial-year",
    ),
    ("by 21st November", None, "by 21st November", None, ["W_DUE_NEEDS_MEETING_DATE"], "explicit"),
    # no meeting date needed
    ("by December 2019", None, "by December 2019", "2019-12-31", [], "by-month"),
    ("by 21st November 2016", None, "by 21st November 2016", "2016-11-21", [], "explicit"),
    ("to the next meeting", None, "the next meeting", None, [], "meeting-next"),
    (
        "provide a written update before the Board's next meeting.",
        MEETING,
        "the Board's next meeting",
        None,
        [],
        "meeting-next",
    ),
    ("a breakdown in advance of the March meeting.", MEETING, "the March meeting", None, [], "meeting-named"),
    (
        "bring a further report to the Committee when the pilot concludes.",
        MEETING,
        "when the pilot concludes",
        None,
        [],
        "when-event-over",
    ),
    (
        "circulate the letter as soon as it arrived.",
        MEETING,
        "as soon as it arrived",
        None,
        [],
        "asap-arrival",
    ),
]


@pytest.mark.parametrize(("clause", "meeting", "text", "iso", "codes", "rule"), DUES)
def test_parse_due(
    clause: str, meeting: date | None, text: str, iso: str | None, codes: list[str], rule: str
) -> None:
    match, notes = parse_due(clause, meeting)
    assert match is not None
    assert (match.text, match.date, match.rule) == (text, iso, rule)
    assert clause[match.start : match.end] == match.text
    assert [code for code, _ in notes] == codes
    assert all(message for _, message in notes)


def test_every_due_rule_is_exercised() -> None:
    assert {rule for *_, rule in DUES} == {r.id for r in due_rules()}


NO_DUES = [
    "the report of 3 May 2016 be noted",
    "That the report be noted.",
    "the meeting on 2nd October, 2018 noted the report",
    "considered by Cabinet at their meeting",
    "contracts commencing 1 July, 2019",
    "the next meeting will be held on 3 May",
    "the March meeting was inquorate",
    "the contract would run for five years with two 24 month extensions",
    "approved by Mayor Smith",
    "funding for 2017/18",
    "in 2019 the service grew",
    "a report by 2 members",
    "bye-laws be amended",
    "",
]


@pytest.mark.parametrize("clause", NO_DUES)
def test_parse_due_finds_nothing(clause: str) -> None:
    assert parse_due(clause, MEETING) == (None, [])


def test_parse_due_returns_the_first_phrase() -> None:
    clause = "officers to circulate the figures within two weeks and report to the next meeting"
    match, _ = parse_due(clause, MEETING)
    assert match == DueMatch("within two weeks", "2016-06-15", 34, 50)
    clause = "report to the next meeting, and circulate the figures within two weeks"
    assert parse_due(clause, MEETING)[0] == DueMatch("the next meeting", None, 10, 26)


def test_parse_due_at_the_start_and_across_line_breaks() -> None:
    match, _ = parse_due("by the end\nof   March 2019", MEETING)
    assert match is not None and match.date == "2019-03-31" and match.start == 0
    match, _ = parse_due("(to a future\nmeeting)", None)
    assert match is not None and match.text == "a future\nmeeting"


def test_due_match_equality_ignores_the_rule() -> None:
    assert DueMatch("the next meeting", None, 3, 19, "meeting-next") == DueMatch(
        "the next meeting", None, 3, 19
    )


def test_parse_due_accepts_a_datetime_meeting() -> None:
    match, _ = parse_due("within two weeks", datetime(2016, 6, 1, 18, 0))
    assert match is not None and match.date == "2016-06-15"


def test_parse_due_on_folded_text() -> None:
    raw = "That a report be submitted \u201cwithin\u00a0two weeks\u201d \u2013 by 3\u00a0May\u00a02017."
    match, _ = parse_due(fold(raw), MEETING)
    assert match is not None
    assert raw[match.start : match.end] == "within\u00a0two weeks"


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_parse_due_on_seeds(path: Path) -> None:
    text = fold(path.read_text(encoding="utf-8"))
    match, notes = parse_due(text, MEETING)
    assert match is not None and text[match.start : match.end] == match.text
    assert notes == []


def test_seed_resolution_due() -> None:
    clause = (
        "A report back on progress including details of waiting times for counselling be submitted to a "
        "future meeting of the Committee."
    )
    match, _ = parse_due(clause, None)
    assert match is not None and match.text == "a future meeting of the Committee" and match.date is None


# --- the rule table ---------------------------------------------------------------------------


def test_rule_table_rows() -> None:
    rules = due_rules()
    assert len({r.id for r in rules}) == len(rules)
    for r in rules:
        assert r.resolve in ("none", "offset", "month_end", "year_end", "financial_year_end", "explicit")
        assert r.kind in ("meeting", "relative", "month", "explicit", "open", "recurring")


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"id": "x", "regex": "by {NOPE}", "resolve": "none"}, "unknown macro"),
        ({"id": "x", "regex": "by (", "resolve": "none"}, "x"),
        ({"id": "x", "regex": "by now", "resolve": "later"}, "resolve must be"),
        ({"id": "x", "regex": "by (?P<when>now)", "resolve": "none"}, "unknown groups"),
        ({"id": "x", "regex": "by[ ,]now", "resolve": "none"}, "character class"),
    ],
)
def test_rule_table_errors(monkeypatch: pytest.MonkeyPatch, row: dict, error: str) -> None:
    monkeypatch.setattr(dates, "_read_rows", lambda: [row])
    with pytest.raises(ValueError, match=error):
        due_rules.__wrapped__()


def test_rule_without_lead_words_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = dates.DueRule("x", "open", r"\d+ days", "none")
    monkeypatch.setattr(dates, "due_rules", lambda: (rule,))
    with pytest.raises(ValueError, match="lead words"):
        dates._due_scanner.__wrapped__()


# --- never raises, spans are evidence ---------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "2nd October, 2018",
        "29 September, 2014",
        "14/03/2019",
        "14/3/19",
        "14.03.2019",
        "2016-05-03",
        "May 3, 2016",
        "3 Sept",
        "Sep.",
        "21st",
        "of",
        "May",
        "March",
        "December",
        "2019",
        "2017/18",
        "31/02/2019",
        "£",
        "£4.63m",
        "1,347,955",
        "by",
        "within",
        "the next meeting",
        "to",
        "a future meeting",
        "in",
        "six",
        "months'",
        "time",
        "by the end of",
        "financial year",
        "before",
        "no later than",
        "on or before",
        "until",
        "31st Febuary",
        "working days",
        "a couple of",
        "annually",
        "every",
        "when available",
        "\n",
        "  ",
        "(",
        ")",
        "–",
        "\u00a0",
        "\u2019",
        ",",
        ".",
        "0",
        "9",
        "99",
        "999",
        "12",
        "31",
        "13",
        "Febuary",
        "MAY",
        "v1.2.3",
    ]
)
_TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=40).map(" ".join),
    st.lists(_PIECES, max_size=40).map("".join),
)
_MEETINGS = st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))


@settings(max_examples=300, deadline=None)
@given(_TEXTS, _MEETINGS)
def test_find_dates_never_raises(text: str, meeting: date | None) -> None:
    for d in find_dates(text, meeting):
        s, e = d.span
        assert 0 <= s < e <= len(text)
        assert text[s:e] == d.text
        if d.date is not None:
            date.fromisoformat(d.date)


@settings(max_examples=300, deadline=None)
@given(_TEXTS, _MEETINGS)
def test_parse_due_never_raises(clause: str, meeting: date | None) -> None:
    match, notes = parse_due(clause, meeting)
    if match is None:
        assert notes == []
        return
    assert 0 <= match.start < match.end <= len(clause)
    assert clause[match.start : match.end] == match.text
    assert all(code in ("W_DUE_UNREADABLE", "W_DUE_NEEDS_MEETING_DATE") for code, _ in notes)
    if match.date is not None:
        date.fromisoformat(match.date)
        assert notes == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_read_date_never_raises(phrase: str) -> None:
    found, readable = read_date(phrase, MEETING)
    assert found is None or readable
