"""Initial schema: committees, meetings, minute items, people, attendance, resolutions, actions,
action updates and users.

Revision ID: 125e1f40c9e8
Revises:
Create Date: 2026-11-23 05:35:13.997649

Written from `alembic revision --autogenerate` and edited: the models' UTCDateTime is plain
DateTime(timezone=True) here, and each enum column is a VARCHAR(32) with a named CHECK constraint
(the models use non-native enums), spelled out so the names never depend on the naming convention
being configured.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "125e1f40c9e8"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTION_STATUSES = ("open", "in_progress", "awaiting_committee", "closed")
CLOSE_REASONS = ("completed", "superseded", "withdrawn")


def _one_of(table: str, column: str, values: Sequence[str]) -> sa.CheckConstraint:
    """The CHECK constraint a non-native SQLAlchemy Enum makes: ``column IN (...)``."""
    allowed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_{table}_{column}"))


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _choice(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=32), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "committee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee")),
        sa.UniqueConstraint("name", name=op.f("uq_committee_name")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("honorific", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("name", name=op.f("uq_person_name")),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        _choice("role"),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        _timestamp("created_at"),
        _one_of("user", "role", ("admin", "staff", "member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committee.id"], name=op.f("fk_meeting_committee_id_committee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint("committee_id", "date", name=op.f("uq_meeting_committee_id_date")),
    )
    op.create_table(
        "minute_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("source_name", sa.Text(), nullable=True),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("extraction", sa.JSON(), nullable=False),
        _choice("review_state"),
        _timestamp("imported_at"),
        _one_of("minute_item", "review_state", ("pending", "reviewed")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_minute_item_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minute_item")),
        sa.UniqueConstraint("text_sha256", name=op.f("uq_minute_item_text_sha256")),
    )
    op.create_index(op.f("ix_minute_item_meeting_id"), "minute_item", ["meeting_id"])
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minute_item_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("organisation", sa.Text(), nullable=True),
        _choice("capacity"),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        _one_of("attendance", "capacity", ("present", "invited", "witness", "officer", "apology")),
        sa.ForeignKeyConstraint(
            ["minute_item_id"], ["minute_item.id"], name=op.f("fk_attendance_minute_item_id_minute_item")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_attendance_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
    )
    op.create_index(op.f("ix_attendance_minute_item_id"), "attendance", ["minute_item_id"])
    op.create_index(op.f("ix_attendance_person_id"), "attendance", ["person_id"])
    op.create_table(
        "resolution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minute_item_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        _choice("kind"),
        sa.Column("needs_followup", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("due_text", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        _one_of(
            "resolution", "kind", ("noting", "decision", "request", "recommendation", "referral", "other")
        ),
        sa.ForeignKeyConstraint(
            ["minute_item_id"], ["minute_item.id"], name=op.f("fk_resolution_minute_item_id_minute_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution")),
        sa.UniqueConstraint("minute_item_id", "position", name=op.f("uq_resolution_minute_item_id_position")),
    )
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minute_item_id", sa.Integer(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("due_text", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        _choice("origin"),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        _choice("status"),
        _choice("close_reason", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("closed_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _one_of("action", "origin", ("resolution", "narrative", "action_line")),
        _one_of("action", "status", ACTION_STATUSES),
        _one_of("action", "close_reason", CLOSE_REASONS),
        sa.CheckConstraint(
            "(status = 'closed' AND close_reason IS NOT NULL AND closed_at IS NOT NULL)"
            " OR (status <> 'closed' AND close_reason IS NULL AND closed_at IS NULL)",
            name=op.f("ck_action_closed_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["minute_item_id"], ["minute_item.id"], name=op.f("fk_action_minute_item_id_minute_item")
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"], ["resolution.id"], name=op.f("fk_action_resolution_id_resolution")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
        sa.UniqueConstraint("minute_item_id", "position", name=op.f("uq_action_minute_item_id_position")),
    )
    op.create_index(op.f("ix_action_resolution_id"), "action", ["resolution_id"])
    op.create_index("ix_action_status_due_date", "action", ["status", "due_date"])
    op.create_table(
        "action_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        sa.Column("note", sa.Text(), nullable=False),
        _choice("from_status", nullable=True),
        _choice("to_status", nullable=True),
        _choice("close_reason", nullable=True),
        sa.Column("evidence_url", sa.Text(), nullable=True),
        sa.Column("evidence_item_id", sa.Integer(), nullable=True),
        _one_of("action_update", "from_status", ACTION_STATUSES),
        _one_of("action_update", "to_status", ACTION_STATUSES),
        _one_of("action_update", "close_reason", CLOSE_REASONS),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], name=op.f("fk_action_update_action_id_action")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_action_update_author_id_user")),
        sa.ForeignKeyConstraint(
            ["evidence_item_id"],
            ["minute_item.id"],
            name=op.f("fk_action_update_evidence_item_id_minute_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_update")),
    )
    op.create_index(op.f("ix_action_update_action_id"), "action_update", ["action_id"])
    op.create_index(op.f("ix_action_update_author_id"), "action_update", ["author_id"])
    op.create_index(op.f("ix_action_update_evidence_item_id"), "action_update", ["evidence_item_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_action_update_evidence_item_id"), table_name="action_update")
    op.drop_index(op.f("ix_action_update_author_id"), table_name="action_update")
    op.drop_index(op.f("ix_action_update_action_id"), table_name="action_update")
    op.drop_table("action_update")
    op.drop_index("ix_action_status_due_date", table_name="action")
    op.drop_index(op.f("ix_action_resolution_id"), table_name="action")
    op.drop_table("action")
    op.drop_table("resolution")
    op.drop_index(op.f("ix_attendance_person_id"), table_name="attendance")
    op.drop_index(op.f("ix_attendance_minute_item_id"), table_name="attendance")
    op.drop_table("attendance")
    op.drop_index(op.f("ix_minute_item_meeting_id"), table_name="minute_item")
    op.drop_table("minute_item")
    op.drop_table("meeting")
    op.drop_table("user")
    op.drop_table("person")
    op.drop_table("committee")
