"""Golden tests: every fact of both seed minutes, checked by hand in ``expected/*.json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract import extract_minutes

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
EXPECTED = Path(__file__).parent / "expected"


def _load(seed: Path) -> tuple[str, dict, dict]:
    text = seed.read_text(encoding="utf-8")
    expected = json.loads((EXPECTED / f"{seed.stem}.json").read_text(encoding="utf-8"))
    actual = extract_minutes(text, source_name=seed.name).to_dict()
    return text, expected, actual


@pytest.fixture(params=SEEDS, ids=[s.stem for s in SEEDS])
def golden(request: pytest.FixtureRequest) -> tuple[str, dict, dict]:
    return _load(request.param)


def test_there_are_two_seeds() -> None:
    assert len(SEEDS) == 2
    assert all((EXPECTED / f"{s.stem}.json").exists() for s in SEEDS)


def test_title_and_report(golden: tuple[str, dict, dict]) -> None:
    _, expected, actual = golden
    assert actual["title"] == expected["title"]
    assert {k: actual["report"][k] for k in ("kind", "author")} == expected["report"]


def test_attendees(golden: tuple[str, dict, dict]) -> None:
    text, expected, actual = golden
    got = [
        {k: a[k] for k in ("name", "honorific", "role", "organisation", "capacity")}
        for a in actual["attendees"]
    ]
    assert got == expected["attendees"]
    for a in actual["attendees"]:
        s, e = a["span"]
        assert a["name"] in text[s:e]


def test_resolutions(golden: tuple[str, dict, dict]) -> None:
    text, expected, actual = golden
    got = [
        {k: r[k] for k in ("label", "text", "kind", "needs_followup", "owner", "due")}
        for r in actual["resolutions"]
    ]
    assert got == expected["resolutions"]
    for r in actual["resolutions"]:
        s, e = r["span"]
        marker, _, clause = " ".join(text[s:e].split()).partition(" ")
        # the span starts at the clause's own printed marker ("(a)" of "(6)(a)") and holds its words
        assert r["label"].endswith(marker), (r["label"], marker)
        assert r["text"].endswith(clause), r["label"]


def test_actions(golden: tuple[str, dict, dict]) -> None:
    text, expected, actual = golden
    assert len(actual["actions"]) == len(expected["actions"])
    for want, got in zip(expected["actions"], actual["actions"], strict=True):
        assert want["contains"] in got["text"], (want["contains"], got["text"])
        for key in ("owner", "origin", "resolution", "due"):
            assert got[key] == want[key], (key, got)
        s, e = got["span"]
        assert " ".join(text[s:e].split()).endswith(" ".join(got["text"].split()[-4:]))


def test_dates_amounts_references(golden: tuple[str, dict, dict]) -> None:
    text, expected, actual = golden
    assert [{"text": d["text"], "date": d["date"]} for d in actual["dates"]] == expected["dates"]
    assert [{"text": a["text"], "value": a["value"]} for a in actual["amounts"]] == expected["amounts"]
    assert [{"text": r["text"]} for r in actual["references"]] == expected["references"]
    for group in ("dates", "amounts", "references"):
        for rec in actual[group]:
            s, e = rec["span"]
            assert text[s:e] == rec["text"]


def test_warnings(golden: tuple[str, dict, dict]) -> None:
    _, expected, actual = golden
    codes = {w["code"] for w in actual["warnings"]}
    assert set(expected["warnings"]) <= codes
    assert not codes & set(expected["no_warnings"])


def test_both_seeds_give_eleven_of_each() -> None:
    """The founding facts: 11 attendees, 11 leaf resolutions and 11 actions across the two seeds."""
    totals = {"attendees": 0, "resolutions": 0, "actions": 0}
    for seed in SEEDS:
        _, _, actual = _load(seed)
        for key in totals:
            totals[key] += len(actual[key])
    assert totals == {"attendees": 11, "resolutions": 11, "actions": 11}
