"""Services: importing minutes (idempotent, all or nothing), action life cycle, lists and users."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from extract.sources import SourceText
from tracker import services
from tracker.db import get_db
from tracker.errors import (
    ConcurrentEditError,
    DuplicateMinutesError,
    InvalidTransitionError,
    MinutesRejectedError,
    NotFoundError,
    ValidationError,
)
from tracker.models import (
    Action,
    ActionStatus,
    CloseReason,
    Committee,
    Meeting,
    MinuteItem,
    Person,
    ReviewState,
    User,
    UserRole,
)

if TYPE_CHECKING:
    from conftest import Seed

Counts = Callable[[Session], dict[str, int]]

#: the clause each seed's actions come from, in order (hand-checked, as tests/extract/expected)
EXPECTED_CLAUSES = {
    "000_380f5c1928f18705.txt": [None, "(1)", "(2)", "(3)"],
    "001_5d45f58f76307487.txt": [None, "(3)", "(4)", "(5)", "(6)(a)", "(6)(b)", "(6)(c)"],
}


def _words(text: str) -> str:
    return " ".join(text.split())


# --- importing ----------------------------------------------------------------------------------


def test_both_seeds_give_exactly_eleven_open_actions_each_linked_to_clause_and_text(
    session: Session, imported: dict[str, MinuteItem], seeds: dict[str, Seed]
) -> None:
    actions = services.list_actions(session, status="open")
    assert len(actions) == 11
    assert all(a.status is ActionStatus.OPEN and a.version == 1 for a in actions)
    for name, item in imported.items():
        mine = sorted((a for a in actions if a.minute_item_id == item.id), key=lambda a: a.position)
        assert [a.resolution.label if a.resolution else None for a in mine] == EXPECTED_CLAUSES[name]
        assert item.source_text == seeds[name].source.text
        assert item.meeting.committee.name == "Scrutiny Co-ordination Committee"
        assert item.meeting.date == seeds[name].meeting_date
        for action in mine:
            excerpt = action.source_excerpt
            assert excerpt == item.source_text[action.span_start : action.span_end]
            # The action's own words end where its evidence in the source text ends.
            assert _words(action.text)[-30:] in _words(excerpt)
            if action.resolution is not None:
                clause = action.resolution
                assert clause.minute_item_id == item.id
                assert clause.span_start <= action.span_start < action.span_end <= clause.span_end
                assert clause.source_excerpt.startswith(clause.label[-3:])
            else:
                assert action.origin.value == "narrative"


def test_import_stores_the_extraction_people_and_resolutions(
    session: Session, imported: dict[str, MinuteItem], seeds: dict[str, Seed], row_counts: Counts
) -> None:
    counts = row_counts(session)
    assert counts["committee"] == 1
    assert counts["meeting"] == 2
    assert counts["minute_item"] == 2
    assert counts["resolution"] == 3 + 8
    assert counts["action"] == 4 + 7
    assert counts["attendance"] == 3 + 8
    # Councillor P Akhtar attended both items: one person.
    assert counts["person"] == 3 + 8 - 1
    assert counts["action_update"] == 0
    akhtar = session.scalars(select(Person).where(Person.name == "P Akhtar")).one()
    assert akhtar.honorific == "Councillor"
    assert len(akhtar.attendances) == 2
    for name, item in imported.items():
        assert item.extraction == seeds[name].extraction.to_dict()
        assert item.extraction["schema"] == "minutes-extract/1"
        assert item.text_sha256 == seeds[name].extraction.sha256
        assert item.review_state is ReviewState.PENDING
        assert item.title == seeds[name].extraction.title
        assert item.imported_at.tzinfo is not None


def test_the_same_text_imported_again_is_recognised_and_not_duplicated(
    session: Session, seed_2018: Seed, row_counts: Counts
) -> None:
    first = seed_2018.import_into(session)
    assert first.created
    before = row_counts(session)
    # Same committee, whatever the case and spacing: the stored item, unchanged.
    again = seed_2018.import_into(session, committee="  scrutiny CO-ORDINATION   committee ")
    assert (again.item.id, again.created) == (first.item.id, False)
    assert row_counts(session) == before


@pytest.mark.parametrize(
    "changes",
    [{"committee": "Audit Committee"}, {"meeting_date": date(2018, 10, 2)}, {"meeting_date": None}],
    ids=["other committee", "other date", "date unknown"],
)
def test_the_same_text_for_another_meeting_is_refused(
    session: Session, seed_2018: Seed, row_counts: Counts, changes: dict
) -> None:
    first = seed_2018.import_into(session)
    before = row_counts(session)
    with pytest.raises(DuplicateMinutesError, match="already imported as minute item") as caught:
        seed_2018.import_into(session, **changes)
    assert caught.value.minute_item_id == first.item.id
    assert caught.value.status == 409
    assert row_counts(session) == before


def test_meetings_are_shared_by_date_and_unknown_dates_never_merge(
    session: Session, seed_2017: Seed, seed_2018: Seed
) -> None:
    a = seed_2017.import_into(session, meeting_date=date(2017, 4, 12)).item
    b = seed_2018.import_into(session, meeting_date=date(2017, 4, 12)).item
    assert a.meeting is b.meeting
    other = dataclasses.replace(seed_2017.source, text=seed_2017.source.text + "\n")
    c = services.import_minutes(
        session,
        committee=seed_2017.committee,
        meeting_date=None,
        extraction=services.extract_source(other),
        source_text=other.text,
        source_name="copy.txt",
    ).item
    twin = dataclasses.replace(seed_2017.source, text=seed_2017.source.text + "\n\n")
    d = services.import_minutes(
        session,
        committee=seed_2017.committee,
        meeting_date=None,
        extraction=services.extract_source(twin),
        source_text=twin.text,
        source_name="copy2.txt",
    ).item
    assert c.meeting.date is None and d.meeting.date is None
    assert c.meeting is not d.meeting
    assert len(session.scalars(select(Committee)).all()) == 1


def test_a_failed_import_leaves_the_database_exactly_as_it_was(
    session: Session, seed_2017: Seed, seed_2018: Seed, row_counts: Counts
) -> None:
    seed_2017.import_into(session)
    session.commit()
    before = row_counts(session)
    # The last action cannot be stored (no text): the failure comes after the committee, meeting,
    # minute item, people, attendance, resolutions and the other actions were written.
    actions = seed_2018.extraction.actions
    broken = dataclasses.replace(
        seed_2018.extraction, actions=(*actions[:-1], dataclasses.replace(actions[-1], text=None))
    )
    with pytest.raises(IntegrityError):
        seed_2018.import_into(session, committee="A New Committee", extraction=broken)
    session.rollback()
    assert row_counts(session) == before
    assert session.scalar(select(Committee).where(Committee.name == "A New Committee")) is None


def test_the_extraction_must_come_from_the_text(session: Session, seed_2017: Seed, seed_2018: Seed) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        seed_2017.import_into(session, source_text=seed_2018.source.text)


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_committee_name_is_checked(session: Session, seed_2017: Seed, name: str) -> None:
    with pytest.raises(ValidationError, match="committee name"):
        seed_2017.import_into(session, committee=name)


def test_read_minutes_refuses_bad_files_with_the_extractor_code(tmp_path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(MinutesRejectedError) as caught:
        services.read_minutes(empty)
    assert caught.value.code == "E_EMPTY"
    assert caught.value.status == 400
    assert str(caught.value).startswith(f"{empty}: ")
    with pytest.raises(MinutesRejectedError) as caught:
        services.read_minutes(tmp_path / "missing.txt")
    assert caught.value.code == "E_NOT_FOUND"


def test_extract_source_keeps_html_text_and_reader_warnings(tmp_path) -> None:
    page = tmp_path / "item.html"
    page.write_bytes(
        b"<html><body><main><h1>Housing Update</h1><p>RESOLVED that officers report back "
        b"by the next meeting.</p><p>Caf\xe9</p></main></body></html>"
    )
    source = services.read_minutes(page)
    assert [w.code for w in source.warnings] == ["W_ENCODING_CP1252"]
    extraction = services.extract_source(source, meeting_date=date(2019, 3, 14))
    assert extraction.derived_text
    assert "text" in extraction.to_dict()
    assert [w.code for w in source.warnings] == [w.code for w in extraction.warnings[: len(source.warnings)]]
    with pytest.raises(MinutesRejectedError) as caught:
        services.extract_source(SourceText(name="blank.txt", text=" \n "))
    assert caught.value.code == "E_EMPTY"


# --- the action life cycle ---------------------------------------------------------------------


def _first_action(session: Session, item: MinuteItem) -> Action:
    return session.scalars(
        select(Action).where(Action.minute_item_id == item.id).order_by(Action.position)
    ).first()


def _reach(session: Session, action: Action, status: ActionStatus, user: User) -> None:
    """Move an open action to ``status`` along allowed transitions."""
    if status is ActionStatus.CLOSED:
        services.close_action(session, action.id, CloseReason.COMPLETED, author=user, note="done")
    elif status is not ActionStatus.OPEN:
        services.change_status(session, action.id, status, author=user, note="moving on")


def test_an_action_walks_its_life_cycle_and_every_change_is_an_update(
    session: Session, imported: dict[str, MinuteItem], staff: User
) -> None:
    action = _first_action(session, imported["001_5d45f58f76307487.txt"])
    steps = [
        (ActionStatus.IN_PROGRESS, None),
        (ActionStatus.AWAITING_COMMITTEE, None),
        (ActionStatus.IN_PROGRESS, None),
        (ActionStatus.CLOSED, CloseReason.SUPERSEDED),
        (ActionStatus.OPEN, None),
        (ActionStatus.CLOSED, CloseReason.WITHDRAWN),
    ]
    for n, (status, reason) in enumerate(steps, start=2):
        before = action.status
        update = services.change_status(
            session, action.id, status.value, author=staff, note=f"step **{n}**", close_reason=reason
        )
        session.commit()
        assert (update.from_status, update.to_status, update.close_reason) == (before, status, reason)
        assert update.author is staff and update.note == f"step **{n}**"
        assert update.created_at.tzinfo is not None
        assert action.status is status and action.version == n
        assert action.updated_at == update.created_at
        if status is ActionStatus.CLOSED:
            assert action.close_reason is reason and action.closed_at == update.created_at
        else:
            assert action.close_reason is None and action.closed_at is None
    session.expire_all()
    stored = session.get(Action, action.id)
    assert [u.to_status for u in stored.updates] == [s for s, _ in steps]
    assert stored.version == len(steps) + 1


def test_close_and_reopen(session: Session, imported: dict[str, MinuteItem], staff: User) -> None:
    action = _first_action(session, imported["000_380f5c1928f18705.txt"])
    services.close_action(session, action.id, "completed", author=staff, note="Report circulated.")
    assert (action.status, action.close_reason) == (ActionStatus.CLOSED, CloseReason.COMPLETED)
    with pytest.raises(InvalidTransitionError, match="already"):
        services.close_action(session, action.id, "withdrawn", author=staff, note="again")
    services.reopen_action(session, action.id, author=staff, note="Closed by mistake.")
    assert action.status is ActionStatus.OPEN and action.closed_at is None
    with pytest.raises(InvalidTransitionError, match="only a closed action can be reopened"):
        services.reopen_action(session, action.id, author=staff, note="again")
    assert [u.to_status for u in action.updates] == [ActionStatus.CLOSED, ActionStatus.OPEN]


INVALID = [
    (start, target)
    for start in ActionStatus
    for target in ActionStatus
    if target not in services.TRANSITIONS[start]
]


@pytest.mark.parametrize(("start", "target"), INVALID, ids=[f"{a.value}->{b.value}" for a, b in INVALID])
def test_invalid_transitions_are_refused_and_change_nothing(
    session: Session, imported: dict[str, MinuteItem], staff: User, start: ActionStatus, target: ActionStatus
) -> None:
    action = _first_action(session, imported["000_380f5c1928f18705.txt"])
    _reach(session, action, start, staff)
    version, updates = action.version, len(action.updates)
    reason = CloseReason.COMPLETED if target is ActionStatus.CLOSED else None
    with pytest.raises(InvalidTransitionError) as caught:
        services.change_status(session, action.id, target, author=staff, note="try", close_reason=reason)
    assert caught.value.status == 409
    assert (action.status, action.version, len(action.updates)) == (start, version, updates)


def test_the_transition_table_is_the_documented_life_cycle() -> None:
    s = ActionStatus
    assert services.TRANSITIONS == {
        s.OPEN: {s.IN_PROGRESS, s.AWAITING_COMMITTEE, s.CLOSED},
        s.IN_PROGRESS: {s.AWAITING_COMMITTEE, s.CLOSED},
        s.AWAITING_COMMITTEE: {s.IN_PROGRESS, s.CLOSED},
        s.CLOSED: {s.OPEN},
    }


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (ActionStatus.CLOSED, None, "needs a reason"),
        (ActionStatus.IN_PROGRESS, CloseReason.COMPLETED, "only given when closing"),
        ("finished", None, "unknown status 'finished'"),
        (ActionStatus.CLOSED, "done", "unknown close reason 'done'"),
    ],
)
def test_status_changes_are_validated(
    session: Session, imported: dict[str, MinuteItem], staff: User, status, reason, message: str
) -> None:
    action = _first_action(session, imported["000_380f5c1928f18705.txt"])
    with pytest.raises(ValidationError, match=message):
        services.change_status(session, action.id, status, author=staff, note="x", close_reason=reason)
    assert action.status is ActionStatus.OPEN and action.version == 1 and not action.updates


def test_a_note_is_appended_without_changing_the_action(
    session: Session, imported: dict[str, MinuteItem], staff: User
) -> None:
    action = _first_action(session, imported["000_380f5c1928f18705.txt"])
    update = services.add_update(
        session,
        action.id,
        author=staff,
        note="  Chased the *Safeguarding Board*.\n",
        evidence_url="https://example.org/minutes/2018-10",
    )
    session.commit()
    assert update.note == "Chased the *Safeguarding Board*."
    assert not update.changes_status and update.from_status is None
    assert update.evidence_url == "https://example.org/minutes/2018-10"
    assert action.status is ActionStatus.OPEN and action.version == 1
    assert action.updates == [update]


@pytest.mark.parametrize("note", ["", "  \n\t"])
def test_a_note_is_required(
    session: Session, imported: dict[str, MinuteItem], staff: User, note: str
) -> None:
    action = _first_action(session, imported["000_380f5c1928f18705.txt"])
    with pytest.raises(ValidationError, match="note is required"):
        services.add_update(session, action.id, author=staff, note=note)
    with pytest.raises(ValidationError, match="note is required"):
        services.close_action(session, action.id, "completed", author=staff, note=note)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "https://", "example.org"])
def test_evidence_links_must_be_web_addresses(
    session: Session, imported: dict[str, MinuteItem], staff: User, url: str
) -> None:
    action = _first_action(session, imported["000_380f5c1928f18705.txt"])
    with pytest.raises(ValidationError, match="evidence link"):
        services.add_update(session, action.id, author=staff, note="see link", evidence_url=url)


def test_a_later_minute_item_is_evidence(
    session: Session, imported: dict[str, MinuteItem], staff: User
) -> None:
    """The 2018 contract report answers the 2017 request (6)(c) to see it before approval."""
    item_2017, item_2018 = imported["001_5d45f58f76307487.txt"], imported["000_380f5c1928f18705.txt"]
    c6 = next(a for a in item_2017.actions if a.resolution and a.resolution.label == "(6)(c)")
    update = services.close_action(
        session,
        c6.id,
        CloseReason.COMPLETED,
        author=staff,
        note="The contract report came to Scrutiny before Cabinet.",
        evidence_item_id=item_2018.id,
    )
    session.commit()
    assert update.evidence_item is item_2018
    later = _first_action(session, item_2018)
    with pytest.raises(ValidationError, match="before the action's meeting"):
        services.add_update(session, later.id, author=staff, note="x", evidence_item_id=item_2017.id)
    with pytest.raises(ValidationError, match="not the one the action came from"):
        services.add_update(session, later.id, author=staff, note="x", evidence_item_id=item_2018.id)
    with pytest.raises(NotFoundError, match="no minute item 999999999"):
        services.add_update(session, later.id, author=staff, note="x", evidence_item_id=999_999_999)


def test_unknown_action(session: Session, staff: User) -> None:
    with pytest.raises(NotFoundError, match="no action 999999999") as caught:
        services.add_update(session, 999_999_999, author=staff, note="x")
    assert caught.value.status == 404


def test_a_stale_version_is_a_concurrent_edit(
    session: Session, imported: dict[str, MinuteItem], staff: User
) -> None:
    action = _first_action(session, imported["000_380f5c1928f18705.txt"])
    services.change_status(
        session, action.id, "in_progress", author=staff, note="started", expected_version=1
    )
    session.commit()
    assert action.version == 2
    with pytest.raises(ConcurrentEditError, match="version 2, you saw 1"):
        services.change_status(
            session, action.id, "awaiting_committee", author=staff, note="late", expected_version=1
        )
    assert action.status is ActionStatus.IN_PROGRESS


def test_a_change_made_meanwhile_in_another_session_is_detected(
    app, session: Session, imported: dict[str, MinuteItem], staff: User
) -> None:
    action = _first_action(session, imported["000_380f5c1928f18705.txt"])
    assert action.version == 1
    # End this session's transaction (the test's sessions share one connection, so another
    # session's savepoint must not nest inside ours); expire_on_commit=False keeps version 1.
    session.commit()
    with get_db(app).sessions() as other:
        services.change_status(other, action.id, "in_progress", author=other.get(User, staff.id), note="mine")
        other.commit()
    with pytest.raises(ConcurrentEditError, match="while saving"):
        services.change_status(
            session, action.id, "closed", author=staff, note="also mine", close_reason="completed"
        )
    session.rollback()
    assert session.get(Action, action.id).status is ActionStatus.IN_PROGRESS


# --- lists ----------------------------------------------------------------------------------------


def test_list_actions_filters_and_order(
    session: Session, imported: dict[str, MinuteItem], staff: User
) -> None:
    item_2017, item_2018 = imported["001_5d45f58f76307487.txt"], imported["000_380f5c1928f18705.txt"]
    first, second = item_2018.actions[0], item_2018.actions[1]
    first.due_date = date(2018, 12, 1)
    second.due_date = date(2019, 6, 1)
    session.commit()
    today = date(2019, 1, 1)

    everything = services.list_actions(session, status="all", today=today)
    assert len(everything) == 11
    # Due dates first (earliest first), then the rest by meeting date: 2017 before 2018.
    assert everything[:2] == [first, second]
    assert {a.minute_item_id for a in everything[2:9]} == {item_2017.id}
    assert services.list_actions(session, status="overdue", today=today) == [first]
    assert services.list_actions(session, status="overdue", today=date(2018, 12, 1)) == []

    services.close_action(session, first.id, "completed", author=staff, note="done")
    services.change_status(session, second.id, "awaiting_committee", author=staff, note="with members")
    session.commit()
    assert services.list_actions(session, status="closed", today=today) == [first]
    assert len(services.list_actions(session, status="open", today=today)) == 10
    assert services.list_actions(session, status="overdue", today=date(2020, 1, 1)) == [second]
    assert first.is_overdue(date(2020, 1, 1)) is False and second.is_overdue(date(2020, 1, 1)) is True


def test_list_actions_by_committee(session: Session, seed_2017: Seed, seed_2018: Seed) -> None:
    seed_2017.import_into(session)
    seed_2018.import_into(session, committee="Cabinet")
    assert len(services.list_actions(session, committee="scrutiny co-ordination  committee")) == 7
    assert len(services.list_actions(session, committee="CABINET")) == 4
    with pytest.raises(NotFoundError, match=r"no committee named 'Audit' \(committees: Cabinet; Scrutiny"):
        services.list_actions(session, committee="Audit")
    with pytest.raises(ValidationError, match="unknown action filter 'late'"):
        services.list_actions(session, status="late")


# --- users ----------------------------------------------------------------------------------------


def test_create_user_stores_a_hash_and_a_lower_case_address(session: Session) -> None:
    user = services.create_user(
        session, email=" Ann.Admin@Example.ORG ", name="Ann  Admin", role="admin", password="s3cret-enough"
    )
    assert (user.email, user.name, user.role) == ("ann.admin@example.org", "Ann Admin", UserRole.ADMIN)
    assert user.password_hash != "s3cret-enough" and "s3cret-enough" not in user.password_hash
    assert user.check_password("s3cret-enough") and not user.check_password("s3cret-enougH")
    with pytest.raises(ValidationError, match="already a user"):
        services.create_user(
            session, email="ANN.ADMIN@example.org", name="Ann", role="staff", password="x" * 8
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-address"}, "not an e-mail address"),
        ({"email": "a b@example.org"}, "not an e-mail address"),
        ({"name": "  "}, "a name is required"),
        ({"role": "chair"}, "unknown role 'chair'"),
        ({"password": "short"}, "at least 8 characters"),
    ],
)
def test_create_user_validates(session: Session, changes: dict, message: str) -> None:
    arguments = {
        "email": "m@example.org",
        "name": "M",
        "role": "member",
        "password": "long enough",
        **changes,
    }
    with pytest.raises(ValidationError, match=message):
        services.create_user(session, **arguments)
    assert session.scalars(select(User)).all() == []


def test_find_committee_ignores_case_and_spacing(session: Session, seed_2017: Seed) -> None:
    seed_2017.import_into(session)
    found = services.find_committee(session, " SCRUTINY co-ordination\tcommittee")
    assert found.name == "Scrutiny Co-ordination Committee"
    assert session.scalars(select(Meeting)).one().committee is found
