"""Indexes for the action list: (status, id) for one status in id order, and owner.

Revision ID: 7b3d2e91a4c6
Revises: 125e1f40c9e8
Create Date: 2026-11-23 06:40:00

Hand-written. ``ix_action_status_id`` lets a list filtered on one status read its page in id order
and stop after 51 rows (keyset paging) instead of sorting every action of that status;
``ix_action_owner`` serves the owner filter and the list of distinct owners, read by skipping
through the index (``services.list_owners``) rather than scanning every action.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7b3d2e91a4c6"
down_revision: str | Sequence[str] | None = "125e1f40c9e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_action_status_id", "action", ["status", "id"])
    op.create_index("ix_action_owner", "action", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_action_owner", table_name="action")
    op.drop_index("ix_action_status_id", table_name="action")
