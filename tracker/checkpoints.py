"""SQLite: a batch writer's log copied back into the database file by a thread beside the writer.

Why: in WAL mode every commit appends its pages to the log, and a checkpoint copies them back into
the database file and syncs it. SQLite runs the checkpoint inside the commit that crosses
``wal_autocheckpoint`` pages, so the writer stood still for it: a batch of 1,000 files spent
0.78 ms a file committing, of which 0.50 ms was the 2 % of commits that checkpointed
(``docs/IMPORT.md``). SQLite's documentation suggests the remedy: checkpoint from another thread
or process. Here a thread with its own connection runs ``PRAGMA wal_checkpoint(PASSIVE)`` every
:data:`INTERVAL` seconds while the batch writes. A passive checkpoint takes no lock a writer
needs, so the writer goes on committing meanwhile, and ``sqlite3`` releases the GIL while SQLite
works, so the copying and the syncs run on the other core.

The writer keeps its own automatic checkpoint (``tracker.db.BATCH_PRAGMAS``) as the bound on the
log: the log is rewound from its start only by a commit that finds every page in it copied back,
and a thread that is always a little behind might never see that moment; the writer's own
checkpoint then has only the last few files' pages left to copy. Durability is unchanged: a
checkpoint copies committed pages only, and an interrupted one is finished by the next.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from . import db

log = logging.getLogger(__name__)
#: seconds between two checkpoints of the thread: about 60 files' pages (a batch writes some
#: 12,000 log pages a second; ``wal_autocheckpoint`` is 10,000)
INTERVAL = 0.3


class Checkpointer:
    """The thread and its connection; :meth:`stop` ends both (waiting for a checkpoint under way)."""

    def __init__(self, engine: Engine, interval: float | None = None) -> None:
        self.interval = INTERVAL if interval is None else interval
        self.runs = 0
        self._connection = engine.raw_connection()  # the pool's connect hooks: WAL, busy timeout
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        cursor = self._connection.cursor()
        try:
            while not self._stopping.wait(self.interval):
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.runs += 1
        except Exception as err:  # noqa: BLE001 - the writer's own checkpoints carry on without it
            log.warning("checkpoints beside the batch writer stopped: %s", err)
        finally:
            cursor.close()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        self._connection.close()


def _engine_of(session: Session) -> Engine | None:
    bind: Any = session.get_bind()
    return bind if isinstance(bind, Engine) else None


@contextlib.contextmanager
def beside(session: Session) -> Iterator[Checkpointer | None]:
    """Checkpoint from a thread while ``session`` writes a batch: a SQLite file opened by a batch
    writer (:func:`tracker.db.batch_writer`) only; nothing happens otherwise (PostgreSQL, an
    in-memory database, a Session bound to one connection, a web request's Session)."""
    engine = _engine_of(session)
    if (
        engine is None
        or engine.dialect.name != "sqlite"
        or make_url(engine.url).database in (None, "", ":memory:")
        or not engine.get_execution_options().get(db.BATCH_SYNC, False)
    ):
        yield None
        return
    checkpointer = Checkpointer(engine)
    try:
        yield checkpointer
    finally:
        checkpointer.stop()
