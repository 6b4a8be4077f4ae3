"""The linker's text side kept out of the database: the per-batch store of action profiles (by id
and version) and the item profile a batch worker makes while extracting. Each must give exactly
the links that profiling everything afresh gives. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tracker import batch, links, profiles, services
from tracker.models import Action, ActionOrigin, ActionStatus, FollowUpLink, MinuteItem, User

if TYPE_CHECKING:
    from conftest import Seed


def _links(session: Session) -> set[tuple[int, int, float]]:
    rows = session.execute(select(FollowUpLink.action_id, FollowUpLink.minute_item_id, FollowUpLink.score))
    return {tuple(row) for row in rows}  # type: ignore[misc]


def _six_c(session: Session, item: MinuteItem) -> Action:
    return next(a for a in item.actions if a.resolution is not None and a.resolution.label == "(6)(c)")


def test_a_batchs_store_keeps_its_profiles_out_of_the_process_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A batch's store holds the only copy of its profiles: with the process's cache by text also
    keeping them, the two (each full) would drop different ones and hold ever more between them.
    Actions with the same text, title and owner share one profile while the store holds it."""
    monkeypatch.setattr(profiles, "_ACTION_PROFILES", profiles.Cache(10))
    text, title, owner = "Officers to report on bus routes.", "Bus services", "officers"
    store = profiles.ActionStore(process_cache=False)
    made = store.make(text, title, owner)
    assert made == profiles.action_profile(text, title, owner) and len(profiles._ACTION_PROFILES) == 0
    store.put(1, 1, made)
    assert store.make(text, title, owner) is made  # shared while the store holds it
    assert profiles.ActionStore().make(text, title, owner) == made and len(profiles._ACTION_PROFILES) == 1


def test_import_all_makes_the_sessions_store_a_batchs(session: Session) -> None:
    list(batch.import_all(session, []))
    assert links.action_store(session).process_cache is False


def test_the_store_keeps_one_version_of_each_action() -> None:
    store = profiles.ActionStore(size=2)
    first, second = (
        profiles.action_profile(t, "Title") for t in ("A report on buses.", "A report on trains.")
    )
    store.put(1, 1, first)
    assert store.get(1, 1) is first
    assert store.get(1, 2) is None  # another version: not the profile of that row
    store.put(1, 2, second)
    assert store.get(1, 1) is None and store.get(1, 2) is second
    store.put(2, 1, first)
    store.put(3, 1, first)  # over the size: the oldest goes
    assert store.get(1, 2) is None and len(store) == 2
    store.clear()
    assert store.get(3, 1) is None


def test_the_import_stores_the_profiles_of_the_actions_it_creates(
    session: Session, seed_2017: Seed, seed_2018: Seed
) -> None:
    item = seed_2017.import_into(session).item
    store = links.action_store(session)
    for a in item.actions:
        assert store.get(a.id, a.version) == links.action_profile(a.text, item.title, a.owner)
    statements: list[str] = []
    engine = session.get_bind()
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        later = seed_2018.import_into(session).item
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    # every candidate was in the store: the action texts were not read again
    assert statements
    assert not [s for s in statements if "action.text" in s and "action.id IN" in s]
    assert any(
        link.minute_item_id == later.id for link in links.links_for_action(session, _six_c(session, item).id)
    )


def test_an_edited_action_is_profiled_again(
    session: Session, seed_2017: Seed, seed_2018: Seed, staff: User
) -> None:
    item = seed_2017.import_into(session).item
    six_c = _six_c(session, item)
    services.edit_action(
        session,
        six_c.id,
        author=staff,
        text="The Director of Transport write to the bus operator about the fares on route 4.",
        owner=six_c.owner,
        due_text=six_c.due_text,
        due_date=six_c.due_date,
    )
    session.commit()
    assert links.action_store(session).get(six_c.id, six_c.version) is None  # edited: version 2
    later = seed_2018.import_into(session).item
    session.commit()
    with_store = _links(session)
    assert (six_c.id, later.id) not in {(a, i) for a, i, _ in with_store}  # as the edited text says
    assert links.action_store(session).get(six_c.id, six_c.version) is not None
    # the same links as with nothing kept: drop them and link afresh with an empty store
    session.execute(FollowUpLink.__table__.delete())
    links.action_store(session).clear()
    links.link_item(session, later)
    assert _links(session) == with_store


def test_an_action_the_batch_did_not_create_is_read_and_profiled(
    session: Session, seed_2017: Seed, seed_2018: Seed
) -> None:
    item = seed_2017.import_into(session).item
    session.commit()
    six_c = _six_c(session, item)
    # a new action on the earlier item, added behind the import's back (as another process would)
    copy = Action(
        minute_item_id=item.id,
        position=99,
        text=six_c.text,
        owner=six_c.owner,
        origin=ActionOrigin(six_c.origin.value),
        span_start=six_c.span_start,
        span_end=six_c.span_end,
        status=ActionStatus.OPEN,
    )
    session.add(copy)
    session.commit()
    assert links.action_store(session).get(copy.id, copy.version) is None
    later = seed_2018.import_into(session).item
    session.commit()
    made = {(a, i) for a, i, _ in _links(session)}
    assert {(six_c.id, later.id), (copy.id, later.id)} <= made
    assert links.action_store(session).get(copy.id, copy.version) is not None


def test_a_rollback_empties_the_store(session: Session, seed_2017: Seed) -> None:
    seed_2017.import_into(session)
    assert len(links.action_store(session)) > 0
    session.rollback()
    assert len(links.action_store(session)) == 0


def test_the_worker_makes_the_profile_the_writer_would(tmp_path: Path, seed_2018: Seed) -> None:
    path = tmp_path / "a.txt"
    path.write_text(seed_2018.source.text, encoding="utf-8")
    (tmp_path / "a.meta.json").write_text(json.dumps({"committee": "Cabinet"}), encoding="utf-8")
    (ready,) = batch.prepared_in_order(batch.expand_paths([str(path)]), batch.Given(), jobs=1)
    assert isinstance(ready, batch.Ready) and ready.profile is not None
    spans = [tuple(a.span) for a in ready.extraction.actions]
    assert ready.profile == links.item_profile(ready.extraction.title, ready.source.text, spans)
    assert ready.profile.spans == tuple(sorted(spans))


def test_a_new_version_keeping_actions_profiles_its_text_afresh(
    session: Session, tmp_path: Path, seed_2017: Seed, seed_2018: Seed
) -> None:
    """The worker's profile counts every extracted action as asked; a new version that keeps some
    on the earlier version creates fewer, so the writer profiles the item with those it created."""
    folder = tmp_path / "in"
    folder.mkdir()
    meta = {"committee": "Cabinet", "meeting_date": "2018-09-26", "item": "4"}
    (folder / "a.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    seed_2017.import_into(session, committee="Cabinet")
    session.commit()
    path = folder / "a.txt"
    path.write_text(seed_2018.source.text, encoding="utf-8")
    list(batch.import_all(session, batch.prepared_in_order(batch.expand_paths([str(folder)]), batch.Given())))
    path.write_text(seed_2018.source.text + "\nA further note on the contract award.\n", encoding="utf-8")
    (second,) = batch.prepared_in_order(batch.expand_paths([str(folder)]), batch.Given())
    assert isinstance(second, batch.Ready)
    (result,) = batch.import_all(session, [second])
    assert result.status == batch.NEW_VERSION and result.actions_kept > 0
    with_worker = _links(session)
    item = session.get(MinuteItem, result.minute_item_id)
    assert item is not None
    session.execute(FollowUpLink.__table__.delete().where(FollowUpLink.minute_item_id == item.id))
    links.link_item(session, item)
    assert _links(session) == with_worker


def test_an_item_profile_survives_the_trip_from_a_worker(seed_2018: Seed) -> None:
    """A worker pickles the profile with every file; the writer must get every field back, the
    derived ones (``words``, ``share``, ``title_share``: left out of equality) included."""
    source = seed_2018.source.text
    made = links.item_profile("Counselling services contract", source, [(10, 40), (100, 180)])
    back = pickle.loads(pickle.dumps(made))
    assert back == made
    assert (back.words, back.share, back.title_share) == (made.words, made.share, made.title_share)
    assert made.share and made.title_share
