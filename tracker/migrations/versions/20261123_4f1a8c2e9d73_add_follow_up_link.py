"""Add follow_up_link: a later minute item that may answer an earlier action (score, evidence, decision).

Revision ID: 4f1a8c2e9d73
Revises: b7e2d9c4f615
Create Date: 2026-11-23 12:00:00

Written by hand, in the initial migration's style: constraint names spelled out, timestamps plain
DateTime(timezone=True) (the models' UTCDateTime), the status a VARCHAR with a named CHECK.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4f1a8c2e9d73"
down_revision: str | Sequence[str] | None = "b7e2d9c4f615"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_up_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("minute_item_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "suggested",
                "confirmed",
                "dismissed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'suggested' AND decided_at IS NULL AND decided_by_id IS NULL)"
            " OR (status <> 'suggested' AND decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name=op.f("ck_follow_up_link_decided_has_who_and_when"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_follow_up_link_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["minute_item_id"], ["minute_item.id"], name=op.f("fk_follow_up_link_minute_item_id_minute_item")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_follow_up_link_decided_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_link")),
        sa.UniqueConstraint(
            "action_id", "minute_item_id", name=op.f("uq_follow_up_link_action_id_minute_item_id")
        ),
    )
    with op.batch_alter_table("follow_up_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_link_decided_by_id"), ["decided_by_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_follow_up_link_minute_item_id"), ["minute_item_id"], unique=False
        )
        batch_op.create_index("ix_follow_up_link_status_id", ["status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("follow_up_link", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_link_status_id")
        batch_op.drop_index(batch_op.f("ix_follow_up_link_minute_item_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_link_decided_by_id"))
    op.drop_table("follow_up_link")
