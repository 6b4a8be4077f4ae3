"""What a batch import sends for a brand-new file: one look-up for its key and text, no look-up
of existing links (nothing can link an item and actions made in this transaction), link rows
written without asking for their ids, and one statement per table. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tracker import batch
from tracker.models import Action, FollowUpLink, MinuteItem

if TYPE_CHECKING:
    from conftest import Seed


def test_a_new_file_is_written_with_few_statements(
    session: Session, tmp_path: Path, seed_2017: Seed, seed_2018: Seed
) -> None:
    for name, seed, when in (("a", seed_2017, "2017-04-12"), ("b", seed_2018, "2018-09-26")):
        (tmp_path / f"{name}.txt").write_text(seed.source.text, encoding="utf-8")
        meta = {"committee": "Cabinet", "meeting_date": when, "item": "4"}
        (tmp_path / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    first, second = batch.prepared_in_order(batch.expand_paths([str(tmp_path)]), batch.Given())
    list(batch.import_all(session, [first]))
    statements: list[str] = []
    engine = session.get_bind()
    listen = lambda *args: statements.append(" ".join(args[2].split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        (result,) = batch.import_all(session, [second])
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert result.status == batch.IMPORTED
    made = session.scalar(select(func.count()).select_from(FollowUpLink))
    assert made and made > 0  # the 2018 item answers the 2017 clause (6)(c)
    assert not [s for s in statements if s.startswith("SELECT") and "FROM follow_up_link" in s]
    (link_insert,) = [s for s in statements if s.startswith("INSERT INTO follow_up_link")]
    if engine.dialect.name == "sqlite":  # SQLAlchemy's batched form on PostgreSQL returns ids itself
        assert "RETURNING" not in link_insert
    for table in ("resolution", "action"):  # one statement each, on SQLite too
        assert len([s for s in statements if s.startswith(f"INSERT INTO {table} ")]) == 1
    item = session.get(MinuteItem, result.minute_item_id)
    assert item is not None
    positions = session.execute(
        select(Action.position, Action.span_start).where(Action.minute_item_id == item.id).order_by(Action.id)
    ).all()
    assert [p for p, _ in positions] == list(range(len(positions)))  # ids in the rows' order
    assert [s for _, s in positions] == [a.span[0] for a in second.extraction.actions]  # type: ignore[union-attr]
