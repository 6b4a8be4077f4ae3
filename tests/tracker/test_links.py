"""Follow-up linking: the seeds in either order, the rules (same item, later meetings, unknown dates,
no duplicates, dismissed stays dismissed), referrals by owner, confirming and dismissing, and the
linker's query count staying flat as other committees grow. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tracker import links, services
from tracker.errors import InvalidTransitionError, NotFoundError
from tracker.models import Action, ActionStatus, FollowUpLink, LinkStatus, MinuteItem, User

if TYPE_CHECKING:
    from conftest import Seed

SEED_2018 = "000_380f5c1928f18705.txt"
SEED_2017 = "001_5d45f58f76307487.txt"


def _label(link: FollowUpLink) -> str | None:
    return link.action.resolution.label if link.action.resolution else None


def _all_links(session: Session) -> list[FollowUpLink]:
    return links.list_links(session, status="all")


@pytest.mark.parametrize(
    "order", [(SEED_2017, SEED_2018), (SEED_2018, SEED_2017)], ids=["2017-first", "2018-first"]
)
def test_the_2018_item_is_suggested_for_the_2017_clause_6c_in_either_order(
    session: Session, seeds: dict[str, Seed], order: tuple[str, str]
) -> None:
    items = {name: seeds[name].import_into(session).item for name in order}
    session.commit()
    found = _all_links(session)
    later = items[SEED_2018]
    assert "(6)(c)" in {_label(link) for link in found if link.minute_item_id == later.id}
    six_c = next(link for link in found if _label(link) == "(6)(c)")
    assert six_c.status is LinkStatus.SUGGESTED and six_c.score >= links.THRESHOLD
    assert "awarding" in six_c.evidence["topic"]
    assert {"domestic", "abuse"} <= set(six_c.evidence["subject"])
    for link in found:
        assert link.action.minute_item_id != link.minute_item_id, "an action of the same item"
        assert link.action.minute_item.meeting.date < link.minute_item.meeting.date, (
            "a later meeting's action"
        )
    # the 2018 item's own request for a report on waiting times stays unanswered
    assert not [link for link in found if link.action.minute_item_id == later.id]


def test_the_same_scores_whichever_item_came_first(session: Session, seeds: dict[str, Seed]) -> None:
    seeds[SEED_2018].import_into(session)
    seeds[SEED_2017].import_into(session)
    backwards = {(_label(link), link.score) for link in _all_links(session)}
    session.rollback()
    seeds[SEED_2017].import_into(session)
    seeds[SEED_2018].import_into(session)
    assert {(_label(link), link.score) for link in _all_links(session)} == backwards


def test_unknown_dates_and_the_same_meeting_get_no_suggestion(
    session: Session, seeds: dict[str, Seed]
) -> None:
    seeds[SEED_2017].import_into(session, meeting_date=None)
    seeds[SEED_2018].import_into(session)
    assert _all_links(session) == []
    session.rollback()
    same_day = seeds[SEED_2018].meeting_date
    seeds[SEED_2017].import_into(session, meeting_date=same_day)
    seeds[SEED_2018].import_into(session)
    assert _all_links(session) == []


def test_closed_actions_and_other_committees_are_not_candidates(
    session: Session, seeds: dict[str, Seed], staff: User
) -> None:
    first = seeds[SEED_2017].import_into(session).item
    for action in first.actions:
        services.close_action(session, action.id, "withdrawn", author=staff, note="Not needed.")
    seeds[SEED_2018].import_into(session)
    assert _all_links(session) == []
    session.rollback()
    seeds[SEED_2017].import_into(session, committee="Audit Committee")
    seeds[SEED_2018].import_into(session)
    assert _all_links(session) == []


def test_an_action_owned_by_the_committee_is_a_candidate(session: Session, seeds: dict[str, Seed]) -> None:
    """Cabinet asks the Scrutiny committee for something: that committee's later item may answer it."""
    earlier = seeds[SEED_2017].import_into(session, committee="Cabinet").item
    six_c = next(a for a in earlier.actions if a.resolution and a.resolution.label == "(6)(c)")
    six_c.owner = seeds[SEED_2018].committee
    session.flush()
    later = seeds[SEED_2018].import_into(session).item
    assert [(link.action_id, link.minute_item_id) for link in _all_links(session)] == [(six_c.id, later.id)]


def test_no_duplicates_and_a_dismissed_suggestion_stays_dismissed(
    session: Session, seeds: dict[str, Seed], staff: User
) -> None:
    seeds[SEED_2017].import_into(session)
    later = seeds[SEED_2018].import_into(session).item
    found = _all_links(session)
    assert found
    for link in found:
        links.dismiss_link(session, link.id, author=staff)
    session.commit()
    assert links.link_item(session, later) == []  # linking again adds nothing
    again = seeds[SEED_2018].import_into(session)  # importing again changes nothing
    assert not again.created
    assert {(link.id, link.status) for link in _all_links(session)} == {
        (link.id, LinkStatus.DISMISSED) for link in found
    }
    assert links.list_links(session, status="suggested") == []
    assert links.links_for_item(session, later.id) == []


def test_confirming_records_an_update_with_the_item_as_evidence(
    session: Session, seeds: dict[str, Seed], staff: User
) -> None:
    seeds[SEED_2017].import_into(session)
    later = seeds[SEED_2018].import_into(session).item
    six_c = next(link for link in _all_links(session) if _label(link) == "(6)(c)")
    update = links.confirm_link(session, six_c.id, author=staff)
    session.commit()
    assert update.evidence_item_id == later.id and update.author_id == staff.id
    assert "Follow-up confirmed" in update.note and later.title in update.note
    assert update.to_status is None  # closing is the person's next step, not automatic
    link = session.get(FollowUpLink, six_c.id)
    assert link.status is LinkStatus.CONFIRMED and link.decided_by_id == staff.id and link.decided_at
    action = session.get(Action, link.action_id)
    assert action.status is ActionStatus.OPEN and action.updates[-1].id == update.id
    with pytest.raises(InvalidTransitionError):
        links.confirm_link(session, six_c.id, author=staff)
    with pytest.raises(InvalidTransitionError):
        links.dismiss_link(session, six_c.id, author=staff)
    with pytest.raises(NotFoundError):
        links.confirm_link(session, 999_999, author=staff)
    assert [link.id for link in links.links_for_action(session, action.id, include_suggested=False)] == [
        six_c.id
    ]


def test_a_link_record_has_the_documented_keys(session: Session, seeds: dict[str, Seed]) -> None:
    seeds[SEED_2017].import_into(session)
    seeds[SEED_2018].import_into(session)
    record = links.link_record(next(link for link in _all_links(session) if _label(link) == "(6)(c)"))
    assert tuple(record) == links.LINK_KEYS
    assert record["resolution_label"] == "(6)(c)" and record["meeting_date"] == "2018-09-26"
    assert record["action_meeting_date"] == "2017-04-12" and record["status"] == "suggested"
    assert record["minute_item_title"].startswith("Modernising Domestic Abuse")
    with pytest.raises(ValueError, match="unknown link status"):
        links.list_links(session, status="maybe")


@contextmanager
def _counting(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_linker_reads_only_its_committee_and_a_fixed_number_of_queries(
    session: Session, seeds: dict[str, Seed], make_actions: Callable[..., list[int]]
) -> None:
    """Other committees' open actions are never read: the work does not grow with the database."""
    seeds[SEED_2017].import_into(session)
    later = seeds[SEED_2018].import_into(session).item
    session.execute(FollowUpLink.__table__.delete())
    _ = later.actions  # the import writes them with Core statements: read here, as below
    with _counting(session) as few:
        links.link_item(session, later)
    for n in range(3):
        make_actions(40, committee=f"Unrelated Committee {n}")
    session.execute(FollowUpLink.__table__.delete())
    session.expire_all()
    later = session.get(MinuteItem, later.id)
    _ = later.meeting.committee, later.actions, later.source_text
    with _counting(session) as many:
        made = links.link_item(session, later)
    assert len(many) == len(few) <= 8
    assert "(6)(c)" in {link.action.resolution.label for link in made if link.action.resolution}
    assert session.scalar(select(func.count()).select_from(Action)) > 120


def test_score_pair_says_what_matched() -> None:
    asked = links.action_profile(
        "A report on waiting times for counselling be submitted to a future meeting.", "Counselling Services"
    )
    answer = links.item_profile(
        "Counselling Waiting Times", "The Panel considered a report on waiting times for counselling.", []
    )
    other = links.item_profile("Clinic Relocation", "The Panel considered moving the clinic to the hub.", [])
    repeat = "The Panel asked for a report on waiting times for counselling."
    asks_again = links.item_profile("Clinic Relocation", repeat, [(0, len(repeat))])
    good, bad, again = (links.score_pair(asked, p, links.THRESHOLD) for p in (answer, other, asks_again))
    assert good.value >= links.THRESHOLD > bad.value
    assert again.value < good.value  # asking again is not answering
    assert {"waiting", "times"} <= set(good.evidence["topic"]) and "waiting times" in good.evidence["phrases"]
    assert bad.evidence == {}


def test_stems_match_plurals_and_verb_forms() -> None:
    assert links.stem("contracts") == links.stem("contract")
    assert links.stem("waiting") == links.stem("wait")
    assert links.stem("approved") == links.stem("approve")
    assert links.weight(links.stem("committee")) == 0 and links.weight(links.stem("services")) < 1


def test_a_link_is_never_duplicated_by_the_database(session: Session, seeds: dict[str, Seed]) -> None:
    seeds[SEED_2017].import_into(session)
    seeds[SEED_2018].import_into(session)
    session.commit()
    link = _all_links(session)[0]
    from sqlalchemy.exc import IntegrityError

    session.add(
        FollowUpLink(action_id=link.action_id, minute_item_id=link.minute_item_id, score=0.5, evidence={})
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_meeting_dates_are_ordered_as_dates() -> None:
    assert date(2017, 4, 12) < date(2018, 9, 26)
