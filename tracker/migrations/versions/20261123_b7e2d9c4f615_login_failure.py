"""Login throttling: failed sign-ins counted per e-mail address and per network address.

Revision ID: b7e2d9c4f615
Revises: a1c4e7f20b13
Create Date: 2026-11-23 08:30:00

Written by hand, in the initial migration's style.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7e2d9c4f615"
down_revision: str | Sequence[str] | None = "a1c4e7f20b13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_login_failure_failures_counted")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failure")),
    )


def downgrade() -> None:
    op.drop_table("login_failure")
