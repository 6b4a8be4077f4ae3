"""Add correction: who corrected what the extractor read in a minute item, and when (old → new).

Revision ID: 7c3e9a1d5b20
Revises: 7b3d2e91a4c6
Create Date: 2026-11-23 10:00:00

Written by hand, in the initial migration's style: constraint names spelled out, timestamps plain
DateTime(timezone=True) (the models' UTCDateTime).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c3e9a1d5b20"
down_revision: str | Sequence[str] | None = "7b3d2e91a4c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minute_item_id", sa.Integer(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("note <> ''", name=op.f("ck_correction_note_given")),
        sa.ForeignKeyConstraint(
            ["minute_item_id"], ["minute_item.id"], name=op.f("fk_correction_minute_item_id_minute_item")
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"], ["resolution.id"], name=op.f("fk_correction_resolution_id_resolution")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_correction_author_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction")),
    )
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_correction_minute_item_id"), ["minute_item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_correction_resolution_id"), ["resolution_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("correction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_correction_resolution_id"))
        batch_op.drop_index(batch_op.f("ix_correction_minute_item_id"))
        batch_op.drop_index(batch_op.f("ix_correction_author_id"))
    op.drop_table("correction")
