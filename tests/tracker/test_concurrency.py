"""Two people saving the same action at the same moment, in real concurrent database sessions.

Each worker thread has its own Session on its own connection to a committed database (not the
tests' rolled-back transaction), as the app gives a request that writes (:func:`tracker.db.writing_session`).
Both read the action at version 1 and save at the same instant. On PostgreSQL both read version 1
and the version check in the UPDATE itself (``WHERE version = 1``) makes the second match no row
once the first commits; on SQLite the second writer's transaction waits for the first (``BEGIN
IMMEDIATE``), then reads version 2. Either way exactly one save wins, the other gets
:class:`~tracker.errors.ConcurrentEditError` (a 409 conflict page on the web), and nothing is
half-written or lost. Then the same race through the web app, with two signed-in staff.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from tracker import services
from tracker.db import get_db, writing_session
from tracker.errors import ConcurrentEditError
from tracker.models import Action, ActionStatus, ActionUpdate, User

ROUNDS = 5


@pytest.fixture
def world(empty_app: Flask, seeds: dict) -> Iterator[tuple[Flask, list[int], list[int]]]:
    """A migrated database with both seeds imported and two staff accounts, all committed."""
    assert empty_app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with get_db(empty_app).sessions() as session:
        for seed in seeds.values():
            seed.import_into(session)
        people = [
            services.create_user(
                session, email=f"s{i}@example.org", name=f"Staff {i}", role="staff", password="x" * 8
            )
            for i in range(2)
        ]
        session.commit()
        actions = list(session.scalars(select(Action.id).order_by(Action.id)))
        yield empty_app, actions, [u.id for u in people]


def _race(app: Flask, work: Callable[..., object], authors: list[int]) -> list[object]:
    """Run ``work(session, author)`` in two threads that start their transactions at the same instant."""
    barrier = threading.Barrier(len(authors), timeout=30)
    outcomes: list[object] = [None] * len(authors)

    def run(index: int) -> None:
        barrier.wait()  # then both open their transaction at once
        with app.app_context(), writing_session(app) as session:
            author = session.get(User, authors[index])
            try:
                work(session, author)
                session.commit()
                outcomes[index] = "saved"
            except ConcurrentEditError as err:
                session.rollback()
                outcomes[index] = err
            except Exception as err:  # noqa: BLE001 - reported by the test, not swallowed
                session.rollback()
                outcomes[index] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(authors))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_stale_status_changes_one_wins_the_other_conflicts(
    world: tuple[Flask, list[int], list[int]],
) -> None:
    app, actions, authors = world
    for action_id in actions[:ROUNDS]:

        def close_it(session, author, action_id=action_id):  # type: ignore[no-untyped-def]
            services.close_action(
                session,
                action_id,
                "completed",
                author=author,
                note=f"closed by {author.name}",
                expected_version=1,
            )
            session.flush()

        outcomes = _race(app, close_it, authors)
        assert sorted(map(str, outcomes)).count("saved") == 1, outcomes
        loser = next(o for o in outcomes if o != "saved")
        assert isinstance(loser, ConcurrentEditError), loser
        with get_db(app).sessions() as session:
            action = session.get(Action, action_id)
            assert action.status is ActionStatus.CLOSED and action.version == 2
            notes = session.scalars(
                select(ActionUpdate.note).where(ActionUpdate.action_id == action_id)
            ).all()
            assert len(notes) == 1


def test_two_notes_at_once_are_both_kept(world: tuple[Flask, list[int], list[int]]) -> None:
    app, actions, authors = world
    action_id = actions[-1]

    def note(session, author):  # type: ignore[no-untyped-def]
        services.add_update(session, action_id, note=f"progress from {author.name}", author=author)
        session.flush()

    assert _race(app, note, authors) == ["saved", "saved"]
    with get_db(app).sessions() as session:
        count = session.scalar(
            select(func.count()).select_from(ActionUpdate).where(ActionUpdate.action_id == action_id)
        )
        assert count == 2
        assert session.get(Action, action_id).version == 1


def test_two_staff_closing_the_same_action_on_the_web_one_gets_the_conflict_page(
    world: tuple[Flask, list[int], list[int]],
) -> None:
    app, actions, _ = world
    action_id = actions[ROUNDS]
    clients = [app.test_client() for _ in range(2)]
    for i, client in enumerate(clients):
        assert (
            client.post("/login", data={"email": f"s{i}@example.org", "password": "x" * 8}).status_code == 302
        )
    barrier = threading.Barrier(2, timeout=30)
    answers: list[tuple[int, str]] = [(0, "")] * 2

    def close(i: int) -> None:
        barrier.wait()
        response = clients[i].post(
            f"/actions/{action_id}/close",
            data={"note": f"closing, says staff {i}", "close_reason": "completed", "version": "1"},
        )
        answers[i] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=close, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    codes = sorted(code for code, _ in answers)
    assert codes == [302, 409], codes
    page = next(body for code, body in answers if code == 409)
    assert "What you tried to save" in page and "The action now" in page
    with get_db(app).sessions() as session:
        assert session.get(Action, action_id).version == 2
        notes = session.scalars(select(ActionUpdate.note).where(ActionUpdate.action_id == action_id)).all()
        assert len(notes) == 1 and notes[0] in page  # the winner's note, shown to the loser
