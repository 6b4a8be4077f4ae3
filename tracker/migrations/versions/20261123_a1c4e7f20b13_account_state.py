"""Account state: users can be disabled, sessions end when the password changes, changes are recorded.

Revision ID: a1c4e7f20b13
Revises: 7c3e9a1d5b20
Create Date: 2026-11-23 08:00:00

Written by hand, in the initial migration's style. Existing accounts stay active with session
version 1 (the server defaults), so nobody is signed out by the upgrade itself.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1c4e7f20b13"
down_revision: str | Sequence[str] | None = "7c3e9a1d5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "account_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("note <> ''", name=op.f("ck_account_change_note_given")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_account_change_author_id_user")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_account_change_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_change")),
    )
    op.create_index(op.f("ix_account_change_user_id"), "account_change", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_account_change_user_id"), table_name="account_change")
    op.drop_table("account_change")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("session_version")
        batch.drop_column("active")
