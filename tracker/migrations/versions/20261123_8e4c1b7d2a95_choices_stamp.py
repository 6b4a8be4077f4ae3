"""The choices stamp: a table the database rewrites, by triggers, when committees or owners change.

Revision ID: 8e4c1b7d2a95
Revises: 5d2a9f3c7e18
Create Date: 2026-11-23 13:40:00

Hand-written. A web process keeps the action list's filter choices (committees and owners) while
this stamp is unchanged, instead of reading them on every page view; see
:mod:`tracker.choices_stamp`, whose :func:`~tracker.choices_stamp.install` makes the triggers and
rows here as ``create_all()`` does for the tests. If those triggers ever change, a new migration
must run ``uninstall`` and ``install`` again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tracker import choices_stamp

revision: str = "8e4c1b7d2a95"
down_revision: str | Sequence[str] | None = "5d2a9f3c7e18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        choices_stamp.TABLE,
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stamp", sa.Text(), nullable=False),
        sa.CheckConstraint(
            f"id BETWEEN 1 AND {choices_stamp.SLOTS}", name=op.f("ck_choices_stamp_one_of_the_slots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_choices_stamp")),
    )
    choices_stamp.install(op.get_bind())


def downgrade() -> None:
    choices_stamp.uninstall(op.get_bind())
    op.drop_table(choices_stamp.TABLE)
