"""dashboard read models of scoring: points and rank per organisation once published

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luoshi_kit.db

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_standing",
        sa.Column("org_code", sa.String(length=15), nullable=False),
        sa.Column("ranking_id", sa.String(length=36), nullable=False),
        sa.Column("scope_org", sa.String(length=15), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=6), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("published_at", luoshi_kit.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("org_code", name=op.f("pk_published_standing")),
    )


def downgrade() -> None:
    op.drop_table("published_standing")
