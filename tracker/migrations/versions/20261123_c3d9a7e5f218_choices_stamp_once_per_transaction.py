"""The choices stamp is written once per PostgreSQL transaction, not once per statement.

Revision ID: c3d9a7e5f218
Revises: 8e4c1b7d2a95
Create Date: 2026-11-23 17:10:00

Hand-written. Replaces the PostgreSQL trigger function of :mod:`tracker.choices_stamp`: a bulk insert
of many rows, one statement each, rewrote the stamp row once per statement, and the row's versions
(which no one can remove before the transaction ends) made each rewrite slower than the last.
``install`` is idempotent (``CREATE OR REPLACE``, triggers dropped and made again); SQLite's triggers
are unchanged. The downgrade keeps the new function: the old one differs only in writing more often.
"""

from collections.abc import Sequence

from alembic import op

from tracker import choices_stamp

revision: str = "c3d9a7e5f218"
down_revision: str | Sequence[str] | None = "8e4c1b7d2a95"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        choices_stamp.install(op.get_bind())


def downgrade() -> None:
    pass
