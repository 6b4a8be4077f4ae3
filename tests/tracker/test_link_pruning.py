"""The linker's shortcuts change no score: the topic sum and the pruning of pairs sharing no word.

Property-style: random actions and items built from minutes vocabulary (boilerplate, common and
topic words, words of one concept, cue phrases, requests), scored by :func:`profiles.score_pair`
and by the plain loop it replaced, written out again here.
"""

from __future__ import annotations

import random

import pytest

from tracker import links, profiles

_WORDS = (
    "the a of to be and committee report officers resolved noted future meeting requested update "
    "progress review service services support data performance new time information "
    "contract contracts award awarding tender procurement commission waiting wait delay backlog "
    "counselling therapy consultation survey budget funding finance housing homelessness school "
    "pupils roads potholes children young domestic abuse violence buses fares parking licensing "
    "taxi grants ward beds placements clinic hub libraries recycling planning enforcement"
).split()
_CUES = ("a report on", "an update on", "information regarding", "an analysis of", "be submitted", "")
_TITLES = ("Domestic Abuse Services", "Taxi Licensing Policy", "Ward Budgets Progress Update", "", None)


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n))


def _action(rng: random.Random) -> profiles.ActionProfile:
    text = f"{_sentence(rng, rng.randint(1, 6))} {rng.choice(_CUES)} {_sentence(rng, rng.randint(1, 8))}."
    owner = rng.choice((None, "the Director of Finance", "Audit Committee", _sentence(rng, 2)))
    return profiles.action_profile(text, rng.choice(_TITLES), owner)


def _item(rng: random.Random) -> profiles.ItemProfile:
    parts = [_sentence(rng, rng.randint(0, 30)) + "." for _ in range(rng.randint(1, 6))]
    if rng.random() < 0.3:
        parts.insert(
            rng.randint(0, len(parts)), "The Committee requested a report on " + _sentence(rng, 4) + "."
        )
    if rng.random() < 0.3:
        parts.insert(0, "Report of the Director of Finance.")
    text = " ".join(parts)
    spans = []
    for _ in range(rng.randint(0, 3)):
        start = rng.randint(0, len(text))
        spans.append((start, min(len(text), start + rng.randint(0, 80))))
    return profiles.item_profile(rng.choice(_TITLES), text, spans)


def _plain_value(action: profiles.ActionProfile, item: profiles.ItemProfile) -> float:
    """The score as :func:`profiles.score_pair` computed it before the shortcuts (a plain loop)."""
    got = 0.0
    for term, w in action.weighted:
        if term in item.front:
            got += w
        elif term in item.delivered:
            got += w / 2
        elif term in item.asked:
            got += w / 4
    topic_share = got / action.total
    subject_share = (
        sum(w for t, w in action.subject.items() if t in item.title) / action.subject_total
        if action.subject_total
        else 0.0
    )
    phrase_share = min(sum(1 for key in action.bigrams if key in item.bigrams), 2) / 2
    asked_kind = (action.asks_report and item.is_report) or (action.asks_progress and item.is_progress)
    value = 0.55 * topic_share + 0.25 * subject_share + 0.1 * phrase_share + 0.1 * asked_kind
    if not (action.asks_report or action.asks_progress):
        value *= profiles.NO_ASK_FACTOR
    return round(min(value, 1.0), 3)


@pytest.mark.parametrize("seed", range(4))
def test_scores_are_those_of_the_plain_loop_and_pruned_pairs_never_reach_the_threshold(seed: int) -> None:
    rng = random.Random(seed)
    actions = [_action(rng) for _ in range(60)]
    items = [_item(rng) for _ in range(40)]
    pruned = kept = 0
    for item in items:
        for action in actions:
            value = profiles.score_pair(action, item).value
            assert value == _plain_value(action, item)
            assert profiles.score_pair(action, item, profiles.NO_EVIDENCE).value <= value
            for threshold in (0.36, 0.4, links.THRESHOLD, 0.5):
                if profiles.cannot_reach(action, item, threshold):
                    pruned += 1
                    assert value < threshold
                else:
                    kept += 1
            assert not profiles.cannot_reach(action, item, 0.0)  # a threshold of 0 keeps every pair
    assert pruned > 100 and kept > 100  # both sides of the shortcut were exercised


def test_a_pair_sharing_no_word_scores_at_most_the_subject_and_kind() -> None:
    action = profiles.action_profile("A report on bus fares be submitted.", "Transport Services Report")
    item = profiles.item_profile("Transport Services Report", "Report of the Director. Libraries.", [])
    assert item.words.isdisjoint(action.words)
    value = profiles.score_pair(action, item).value
    assert value > 0.3 and value <= profiles.MAX_WITHOUT_SHARED_WORD < links.THRESHOLD
    assert profiles.cannot_reach(action, item, links.THRESHOLD)


def test_profiles_of_one_shape_score_the_same_against_any_item() -> None:
    """The linker scores one candidate per shape and item: that must be exactly every candidate's."""
    same = [
        profiles.action_profile("A report on bus fares be submitted by 12 May.", "Bus Services"),
        profiles.action_profile("A report on the bus fare be submitted by 30 May.", "Bus services"),
    ]
    assert same[0].shape == same[1].shape and same[0].surface != same[1].surface
    other = profiles.action_profile("A report on rail fares be submitted.", "Bus Services")
    assert other.shape != same[0].shape
    rng = random.Random(7)
    actions = [_action(rng) for _ in range(150)] + same + [other]
    by_shape: dict[int, list[profiles.ActionProfile]] = {}
    for action in actions:
        by_shape.setdefault(action.shape, []).append(action)
    assert any(len(group) > 1 for group in by_shape.values())
    for item in [_item(rng) for _ in range(30)]:
        for group in by_shape.values():
            assert len({profiles.score_pair(a, item, profiles.NO_EVIDENCE).value for a in group}) == 1
