"""The scoring rules of extract.evaluate, pinned down so the quality numbers mean what they say."""

from __future__ import annotations

from extract.evaluate import compare


def _res(label: str | None, text: str, **kw: object) -> dict:
    base = {
        "label": label,
        "text": text,
        "kind": "noting",
        "needs_followup": False,
        "owner": None,
        "due": None,
    }
    return base | kw


def test_matched_unmatched_and_extra_resolutions() -> None:
    expected = {
        "resolutions": [{"label": "(1)", "contains": "be noted"}, {"label": "(2)", "contains": "circulated"}]
    }
    actual = {"resolutions": [_res("(1)", "That the report be NOTED."), _res("(3)", "Something else")]}
    c = compare(expected, actual).counts["resolutions"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)


def test_attribute_rules() -> None:
    expected = {
        "resolutions": [
            {"label": "(1)", "contains": "a", "kind": "request", "owner": "officers", "due": None},
            {
                "label": "(2)",
                "contains": "b",
                "kind": "noting",
                "owner": None,
                "due": {"text": "next meeting", "date": None},
            },
        ]
    }
    actual = {
        "resolutions": [
            _res("(1)", "a", kind="decision", owner=None, due={"text": "the next meeting", "date": None}),
            _res(
                "(2)", "b", kind="noting", owner="Council", due={"text": "by the next meeting", "date": None}
            ),
        ]
    }
    report = compare(expected, actual)
    kinds, owners, dues = (report.counts[k] for k in ("kinds", "owners", "dues"))
    assert (kinds.tp, kinds.fp, kinds.fn) == (1, 1, 1)  # a wrong kind is both
    assert (owners.tp, owners.fp, owners.fn) == (0, 1, 1)  # missed owner: fn only; invented owner: fp only
    assert (dues.tp, dues.fp, dues.fn) == (1, 1, 0)  # due text matches by containment either way
    assert len(report.mismatches) == 4


def test_dates_match_text_and_value() -> None:
    expected = {
        "dates": [{"text": "3 May 2016", "date": "2016-05-03"}, {"text": "1 June 2016", "date": "2016-06-01"}]
    }
    actual = {
        "dates": [
            {"text": "Tuesday 3 May 2016", "date": "2016-05-03"},
            {"text": "1 June 2016", "date": "2016-01-06"},
        ]
    }
    c = compare(expected, actual).counts["dates"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)


def test_nameless_attendees_match_by_role_and_warnings_are_a_subset() -> None:
    expected = {
        "attendees": [{"name": None, "role": "Service Manager", "capacity": "officer"}],
        "warnings": ["W_TEXT_CUT_OFF"],
    }
    actual = {
        "attendees": [{"name": None, "role": "Service  Manager", "capacity": "officer"}],
        "warnings": [{"code": "W_TEXT_CUT_OFF"}, {"code": "W_ACTION_NO_OWNER"}],
    }
    report = compare(expected, actual)
    assert report.ok
    assert report.counts["warnings"].tp == 1
