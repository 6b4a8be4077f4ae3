"""Committee calendar: due dates that follow meetings, and a record of calendar changes.

Revision ID: 3f6b8c2d9e14
Revises: 7c3e9a1d5b20
Create Date: 2026-11-23 07:10:00

``action.due_rule`` (and ``due_rule_month``) say that an action's due date is "the next meeting" or
"the March meeting" of its committee, so it moves when the calendar changes. ``calendar_change``
records who added, moved or removed a meeting date. ``action_update.author_id`` becomes nullable:
a due date moved because minutes imported on the command line made a meeting known has no person
behind it. Written by hand, in the initial migration's style.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f6b8c2d9e14"
down_revision: str | Sequence[str] | None = "7c3e9a1d5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEETING_RULES = ("next_meeting", "meeting_in_month")
CHANGE_KINDS = ("added", "moved", "removed")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "calendar_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("old_date", sa.Date(), nullable=True),
        sa.Column("new_date", sa.Date(), nullable=True),
        sa.Column("actions_moved", sa.Integer(), nullable=False),
        sa.CheckConstraint(_one_of("kind", CHANGE_KINDS), name=op.f("ck_calendar_change_kind")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_calendar_change_author_id_user")),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committee.id"], name=op.f("fk_calendar_change_committee_id_committee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_change")),
    )
    with op.batch_alter_table("calendar_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_change_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calendar_change_committee_id"), ["committee_id"], unique=False)

    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_rule", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("due_rule_month", sa.Date(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_action_due_rule"), _one_of("due_rule", MEETING_RULES))

    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.alter_column("author_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.alter_column("author_id", existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_action_due_rule"), type_="check")
        batch_op.drop_column("due_rule_month")
        batch_op.drop_column("due_rule")

    with op.batch_alter_table("calendar_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_change_committee_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_change_author_id"))
    op.drop_table("calendar_change")
