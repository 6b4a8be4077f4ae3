"""The action list's (status, id) index also holds the minute item: (status, id, minute_item_id).

Revision ID: 4e8b1c6a9d27
Revises: 3f6b8c2d9e14
Create Date: 2026-11-23 07:50:00

Hand-written. A committee's page of one status reads ``ix_action_status_id`` in id order and keeps
the actions whose minute item is the committee's: about 50 index entries for each one kept (50
committees). With the minute item in the index, each is checked in the index itself instead of
by a look-up of the action's row (SQLite ``COVERING INDEX``, PostgreSQL index-only scan); the
committee page's ids query took half the time on the web benchmark's database
(``docs/WEB_BENCHMARK.md``). The index keeps its name and its leading columns, so every plan that
used it still can.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "4e8b1c6a9d27"
down_revision: str | Sequence[str] | None = "3f6b8c2d9e14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_action_status_id", table_name="action")
    op.create_index("ix_action_status_id", "action", ["status", "id", "minute_item_id"])


def downgrade() -> None:
    op.drop_index("ix_action_status_id", table_name="action")
    op.create_index("ix_action_status_id", "action", ["status", "id"])
