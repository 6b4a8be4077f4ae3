"""Committee calendar: due dates that follow meetings, and a record of calendar changes.

Revision ID: 3f6b8c2d9e14
Revises: a4f2c8e61b37
Create Date: 2026-11-23 07:10:00

``action.due_rule`` (and ``due_rule_month``) say that an action's due date is "the next meeting" or
"the March meeting" of its committee, so it moves when the calendar changes. ``calendar_change``
records who added, moved or removed a meeting date. ``action_update.author_id`` becomes nullable:
a due date moved because minutes imported on the command line made a meeting known has no person
behind it. Written by hand, in the initial migration's style.

Backfill: open actions already imported with a meeting due and no date get their rule, and a date
when a later meeting is known, noted in their history (no author: the upgrade did it). The phrase
and date rules are :func:`tracker.calendar.meeting_rule` and :func:`~tracker.calendar.resolve`,
plain functions of text and dates (no ORM), so the backfill reads and writes with Core only.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "3f6b8c2d9e14"
down_revision: str | Sequence[str] | None = "a4f2c8e61b37"
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

    _backfill_meeting_dues()


def _backfill_meeting_dues() -> None:
    from tracker.calendar import meeting_rule, resolve

    committee = sa.table("committee", sa.column("id", sa.Integer), sa.column("name", sa.String))
    meeting = sa.table(
        "meeting",
        sa.column("id", sa.Integer),
        sa.column("committee_id", sa.Integer),
        sa.column("date", sa.Date),
    )
    item = sa.table("minute_item", sa.column("id", sa.Integer), sa.column("meeting_id", sa.Integer))
    action = sa.table(
        "action",
        sa.column("id", sa.Integer),
        sa.column("minute_item_id", sa.Integer),
        sa.column("due_text", sa.Text),
        sa.column("due_date", sa.Date),
        sa.column("due_rule", sa.String),
        sa.column("due_rule_month", sa.Date),
        sa.column("status", sa.String),
        sa.column("version", sa.Integer),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    update = sa.table(
        "action_update",
        sa.column("action_id", sa.Integer),
        sa.column("author_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("note", sa.Text),
    )
    bind = op.get_bind()
    dates: dict[int, list] = {}
    for committee_id, day in bind.execute(
        sa.select(meeting.c.committee_id, meeting.c.date)
        .where(meeting.c.date.is_not(None))
        .order_by(meeting.c.date)
    ):
        dates.setdefault(committee_id, []).append(day)
    rows = bind.execute(
        sa.select(action.c.id, action.c.due_text, meeting.c.date, meeting.c.committee_id, committee.c.name)
        .select_from(
            action.join(item, action.c.minute_item_id == item.c.id)
            .join(meeting, item.c.meeting_id == meeting.c.id)
            .join(committee, meeting.c.committee_id == committee.c.id)
        )
        .where(action.c.due_date.is_(None), action.c.due_text.is_not(None), action.c.status != "closed")
        .order_by(action.c.id)
    ).all()
    now = datetime.now(UTC)
    for action_id, due_text, set_at, committee_id, name in rows:
        rule = meeting_rule(due_text, meeting_date=set_at, committee=name)
        if rule is None:
            continue
        due = resolve(rule, after=set_at, dates=dates.get(committee_id, []))
        values = {"due_rule": rule.rule.value, "due_rule_month": rule.month}
        if due is not None:
            values |= {"due_date": due, "version": action.c.version + 1, "updated_at": now}
            note = (
                f"Due date set to {due.day} {due:%B %Y} from the committee calendar, which “{due_text}” "
                "now follows (the database was upgraded)."
            )
            bind.execute(
                sa.insert(update).values(action_id=action_id, author_id=None, created_at=now, note=note)
            )
        bind.execute(sa.update(action).where(action.c.id == action_id).values(**values))


def downgrade() -> None:
    unsigned = op.get_bind().scalar(sa.text("SELECT count(*) FROM action_update WHERE author_id IS NULL"))
    if unsigned:
        raise RuntimeError(
            f"cannot downgrade: {unsigned} action history entries have no author (due dates the calendar "
            "moved), and the older schema requires one; history is never deleted"
        )
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
