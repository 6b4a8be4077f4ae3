"""A batch keeping its committees' candidates in memory suggests exactly what asking the database does.

Two databases (SQLite files, or PostgreSQL schemas when the test database is PostgreSQL) get the
same batch, one with :mod:`tracker.candidates` keeping candidates and one asking the database for
them on every file. Between the two halves of the batch another connection closes every open action
of one committee (as a web request would), and one file fails after its links were scored (so its
transaction, and the actions it added to the kept candidates, roll back). The links written must be
the same, row for row. On PostgreSQL, other transactions finishing between two files drop what is
kept (:func:`tracker.candidates._only_ours`), checked on synthetic snapshots and on the server.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.conftest import is_postgres, postgres_schema
from tracker import batch, candidates, db, links
from tracker.models import Action, ActionStatus, Committee, FollowUpLink, Meeting, MinuteItem

COMMITTEES = ("Audit Committee", "Children's Scrutiny Committee", "Cabinet")
FILES = 36
FAILING = 27  # the file whose transaction fails after its links were scored


def _write_files(folder: Path, seed_texts: dict[str, str]) -> None:
    texts = [seed_texts[name] for name in sorted(seed_texts)]
    start = date(2017, 1, 10)
    for i in range(FILES):
        text = f"{texts[i % len(texts)].rstrip()}\n\nThis is test item {i} of the candidates batch.\n"
        # two items a meeting now and then: a meeting's own items are no candidates for each other
        meeting = start + timedelta(days=14 * (i // (2 * len(COMMITTEES))))
        meta = {
            "committee": COMMITTEES[i % len(COMMITTEES)],
            "meeting_date": meeting.isoformat(),
            "item": str(i),
        }
        (folder / f"item{i:03d}.txt").write_text(text, encoding="utf-8")
        (folder / f"item{i:03d}.meta.json").write_text(json.dumps(meta), encoding="utf-8")


@pytest.fixture
def prepared(tmp_path: Path, seed_texts: dict[str, str]) -> list[Any]:
    folder = tmp_path / "files"
    folder.mkdir()
    _write_files(folder, seed_texts)
    return list(batch.prepared_in_order(batch.expand_paths([str(folder)]), batch.Given()))


@pytest.fixture
def engines(tmp_path: Path, database_url: str) -> Iterator[dict[str, Engine]]:
    """Two empty databases of the test database's kind, with the schema in place."""
    made = {}
    with ExitStack() as stack:
        for name in ("kept", "asked"):
            if is_postgres(database_url):
                url = stack.enter_context(postgres_schema(database_url))
            else:
                url = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
            made[name] = engine = db.make_engine(url)
            stack.callback(engine.dispose)
            db.upgrade_database(engine)
        yield made


def _close_committee_actions(engine: Engine, committee: str) -> int:
    """Close every open action of ``committee`` from a connection of its own, as a web request would."""
    with engine.begin() as connection:
        meeting_ids = select(Meeting.id).where(Meeting.committee.has(name=committee))
        item_ids = select(MinuteItem.id).where(MinuteItem.meeting_id.in_(meeting_ids))
        closed = connection.execute(
            update(Action)
            .where(Action.minute_item_id.in_(item_ids), Action.status != ActionStatus.CLOSED)
            .values(status=ActionStatus.CLOSED, close_reason="withdrawn", closed_at=Action.created_at)
        )
        return closed.rowcount


def _run(
    engine: Engine, prepared: list[Any], *, keep: bool, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, int, int]:
    """Import the batch in two halves around an outside change.

    :return: the links written, how many times the committee's candidates were asked for, and the
        last item imported before the change.
    """
    with monkeypatch.context() as patch:
        if not keep:
            patch.setattr(candidates, "keep", lambda session: None)
        real_link_item = links.link_item
        calls = {"n": 0}

        def link_then_fail(session: Session, item: MinuteItem, **kw: Any) -> Any:
            found = real_link_item(session, item, **kw)
            calls["n"] += 1
            if calls["n"] == FAILING:
                raise OperationalError("INSERT", {}, Exception("disk I/O error (made by the test)"))
            return found

        patch.setattr(links, "link_item", link_then_fail)
        asked: list[str] = []

        def listen(*args: Any) -> None:
            if "LIMIT" in args[2] and "meeting.date <" in args[2]:
                asked.append(args[2])

        event.listen(engine, "before_cursor_execute", listen)
        try:
            with Session(db.batch_bind(engine), expire_on_commit=False) as session:
                half = len(prepared) // 2
                first = list(batch.import_all(session, prepared[:half]))
                boundary = max(r.minute_item_id or 0 for r in first)
                assert _close_committee_actions(engine, COMMITTEES[0]) > 0
                second = list(batch.import_all(session, prepared[half:]))
        finally:
            event.remove(engine, "before_cursor_execute", listen)
    statuses = [r.status for r in first + second]
    assert statuses.count(batch.FAILED) == 1 and statuses.count(batch.IMPORTED) == FILES - 1
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                FollowUpLink.action_id, FollowUpLink.minute_item_id, FollowUpLink.score, FollowUpLink.evidence
            ).order_by(FollowUpLink.id)
        ).all()
    committees_query = re.compile(r"committee_id = [?%]")  # the linker's own query, not the owners'
    return rows, sum(bool(committees_query.search(sql)) and "owner IN" not in sql for sql in asked), boundary


ROOM = candidates.MAX_KEPT


@pytest.mark.parametrize("room", [ROOM, 60], ids=["room for all", "room for some"])
def test_kept_candidates_give_the_same_links_as_the_database(
    prepared: list[Any], engines: dict[str, Engine], monkeypatch: pytest.MonkeyPatch, room: int
) -> None:
    monkeypatch.setattr(candidates, "MAX_KEPT", room)
    kept, kept_queries, boundary = _run(engines["kept"], prepared, keep=True, monkeypatch=monkeypatch)
    asked, asked_queries, _ = _run(engines["asked"], prepared, keep=False, monkeypatch=monkeypatch)
    assert kept == asked
    assert len(kept) > 10  # the batch links later items to earlier actions
    # the database was asked on every file without keeping; kept, it was not asked at all, or,
    # with room for some committees only, for the others
    assert asked_queries >= FILES - len(COMMITTEES)
    if room == ROOM:
        assert kept_queries == 0
    else:
        assert 0 < kept_queries < asked_queries
    with engines["kept"].connect() as connection:
        closed = set(connection.scalars(select(Action.id).where(Action.status == ActionStatus.CLOSED)))
    # closed actions were linked only by items imported before they were closed
    answering = [item_id for action_id, item_id, _, _ in kept if action_id in closed]
    assert closed and answering and max(answering) <= boundary


def _began(snapshot: str, xid: int) -> candidates._Began:
    return candidates._Began(snapshot, str(xid))


@pytest.mark.parametrize(
    ("sealed", "now", "kept"),
    [
        # nothing else happened: only our 10 finished, ids 10 given and not in progress
        (_began("8:10:8,9", 10), _began("8:11:8,9", 10), True),
        # another transaction got an id after our begin and is still in progress: still kept
        (_began("8:10:8,9", 10), _began("8:12:8,9,11", 10), True),
        # ... and finished before the next begin (11 given, not in progress)
        (_began("8:10:8,9", 10), _began("8:12:8,9", 10), False),
        # one that was in progress at our begin finished during our file
        (_began("8:10:8,9", 10), _began("9:11:9", 10), False),
        # ids went back: another server
        (_began("8:10:", 10), _began("3:5:", 10), False),
        # a busy server: many ids given out in between, all finished
        (_began("8:10:", 10), _began("9000:9000:", 10), False),
    ],
)
def test_postgresql_kept_only_while_no_other_transaction_finished(
    sealed: candidates._Began, now: candidates._Began, kept: bool
) -> None:
    assert candidates._only_ours(sealed, now) is kept


def test_postgresql_drops_what_is_kept_when_another_transaction_commits(database_url: str) -> None:
    """On the server: what was kept stays from one file to the next when nobody else writes; a
    commit between two files, and a transaction that was in progress at a file's begin and
    committed during it, each drop it at the next begin."""
    if not is_postgres(database_url):
        pytest.skip("needs TRACKER_TEST_DATABASE_URL=postgresql+psycopg://...")
    with postgres_schema(database_url) as url:
        engine = db.make_engine(url)
        try:
            db.upgrade_database(engine)
            with Session(engine, expire_on_commit=False) as setup:
                setup.add(Committee(name="Audit Committee"))
                setup.commit()

            def outside_write(connection: Any) -> None:  # as a web request would
                connection.execute(update(Committee).values(name="Audit Committee"))

            with Session(db.batch_bind(engine)) as session:
                candidates.keep(session)
                kept = session.info[candidates._KEY]

                def file(during: Any = None) -> None:
                    candidates.begin(session)
                    kept.by_committee.setdefault(1, [])  # as if the file read committee 1's candidates
                    if during is not None:
                        during()
                    candidates.seal(session)
                    session.commit()

                # nothing else wrote between two files: what was kept stays (another writer on the
                # server, autovacuum, may drop it now and then: one of five tries is enough)
                stayed = []
                for _ in range(5):
                    file()
                    candidates.begin(session)
                    stayed.append(kept.by_committee == {1: []})
                    session.rollback()
                assert any(stayed), "what was kept was dropped although nobody else wrote"

                file()
                with engine.begin() as other:
                    outside_write(other)
                candidates.begin(session)
                assert kept.by_committee == {}  # the commit between the files dropped it
                session.rollback()

                file()
                other = engine.connect()
                other.begin()
                outside_write(other)  # in progress at the next file's begin
                file(during=other.commit)  # ... and committed during that file
                other.close()
                candidates.begin(session)
                assert kept.by_committee == {}
                assert kept.checked and isinstance(kept.began, candidates._Began)
                session.rollback()
                assert kept.began is None and not kept.checked  # a rollback drops everything
        finally:
            engine.dispose()


def test_kept_candidates_are_the_latest_before_the_date_not_of_the_item_at_most_the_limit() -> None:
    """What the linker's query returns (latest meeting first, then by id descending), drawn from
    what is kept, also when the item's own actions sit among them and the limit cuts the list."""
    rng = random.Random(4)
    engine = db.make_engine("sqlite://")
    try:
        with Session(engine) as session:
            candidates.keep(session)
            candidates.begin(session)
            kept = session.info[candidates._KEY]
            for _ in range(500):
                entries = sorted(
                    (
                        date(2020, 1, 1) + timedelta(days=rng.randint(0, 20)),
                        i,
                        rng.randint(1, 3),
                        rng.randint(1, 5),
                    )
                    for i in range(rng.randint(0, 60))
                )
                kept.by_committee[7] = entries
                when = date(2020, 1, 1) + timedelta(days=rng.randint(0, 22))
                item_id, limit = rng.randint(1, 5), rng.randint(1, 12)
                expected = [
                    (action_id, version)
                    for day, action_id, version, of_item in sorted(
                        entries, key=lambda e: (e[0], e[1]), reverse=True
                    )
                    if day < when and of_item != item_id
                ][:limit]
                assert candidates.candidates(session, 7, when, item_id, limit) == expected
    finally:
        engine.dispose()


def test_raised_versions_are_found_by_their_meetings_date() -> None:
    engine = db.make_engine("sqlite://")
    try:
        with Session(engine) as session:
            candidates.keep(session)
            candidates.begin(session)
            day = date(2020, 1, 1)
            entries = [(day + timedelta(days=i // 3), i, 1, 100 + i // 3) for i in range(30)]
            session.info[candidates._KEY].by_committee[7] = list(entries)
            # 4 by its own date; 17 given a wrong date (found by id all the same); 99 is not kept
            candidates.versions_raised(session, 7, [(day + timedelta(days=1), 4), (day, 17), (day, 99)])
            kept = session.info[candidates._KEY].by_committee[7]
            assert [e for e in kept if e[2] == 2] == [
                (day + timedelta(days=1), 4, 2, 101),
                (day + timedelta(days=5), 17, 2, 105),
            ]
            assert [e[:2] for e in kept] == [e[:2] for e in entries]
    finally:
        engine.dispose()


def test_committees_named_as_owners_are_known_until_the_batch_names_them() -> None:
    """``may_be_owned`` asks once per committee, and turns True as soon as the batch creates an
    open action naming the committee (as written, or after "the" or "The"); a rollback forgets."""
    engine = db.make_engine("sqlite://")
    db.upgrade_database(engine)

    try:
        with Session(engine) as session:
            candidates.keep(session)
            candidates.begin(session)
            kept = session.info[candidates._KEY]
            assert not candidates.may_be_owned(session, "Cabinet")
            assert not candidates.may_be_owned(session, "The Board")
            assert kept.owned == {"Cabinet": False, "The Board": False}
            candidates.owners_added(session, [None, "officers", "Cabinet Member", "the Audit Committee"])
            assert kept.owned == {"Cabinet": False, "The Board": False}
            candidates.owners_added(session, ["the Cabinet", "The Board"])
            assert kept.owned == {"Cabinet": True, "The Board": True}
            session.rollback()
            assert kept.owned == {} and candidates.may_be_owned(session, "Cabinet")
    finally:
        engine.dispose()


def test_a_dry_run_keeps_nothing(prepared: list[Any], engines: dict[str, Engine]) -> None:
    """A dry run rolls every file back, which would drop what was kept after each file: reading a
    committee's whole list for one file costs more than the linker's own query."""
    with Session(db.batch_bind(engines["kept"]), expire_on_commit=False) as session:
        results = list(batch.import_all(session, prepared[:6], dry_run=True))
        assert [r.status for r in results] == [batch.IMPORTED] * 6
        assert candidates._KEY not in session.info
