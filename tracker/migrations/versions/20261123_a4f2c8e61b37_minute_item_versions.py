"""Minute item versions: an item key, a version number, the newer version, item number, source URL.

Revision ID: a4f2c8e61b37
Revises: 4f1a8c2e9d73
Create Date: 2026-11-23 12:00:00

A batch import recognises a changed file as a new version of the same agenda item by ``item_key``
(see docs/IMPORT.md). Existing items keep no key (they were imported one at a time) and are
version 1, which the server default fills in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a4f2c8e61b37"
down_revision: str | Sequence[str] | None = "4f1a8c2e9d73"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("minute_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("item_key", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("item_version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("item_number", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("source_url", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_minute_item_superseded_by_id_minute_item"),
            "minute_item",
            ["superseded_by_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_minute_item_item_key"), ["item_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_minute_item_superseded_by_id"), ["superseded_by_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("minute_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minute_item_superseded_by_id"))
        batch_op.drop_index(batch_op.f("ix_minute_item_item_key"))
        batch_op.drop_constraint(
            batch_op.f("fk_minute_item_superseded_by_id_minute_item"), type_="foreignkey"
        )
        batch_op.drop_column("source_url")
        batch_op.drop_column("item_number")
        batch_op.drop_column("superseded_by_id")
        batch_op.drop_column("item_version")
        batch_op.drop_column("item_key")
