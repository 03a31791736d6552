"""sign-in throttle per (account, address) and per address, with back-off

Revision ID: 0002
Revises: 0001

The table holds only short-lived counters: it is recreated rather than converted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luoshi_kit.db

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("sign_in_throttle")
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", luoshi_kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("locked_until", luoshi_kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttle")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
    op.create_table(
        "sign_in_throttle",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", luoshi_kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("locked_until", luoshi_kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_sign_in_throttle")),
    )
