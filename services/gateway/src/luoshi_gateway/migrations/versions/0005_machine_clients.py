"""machine clients (OAuth2 client credentials) of other platforms

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luoshi_kit.db

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "machine_client",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("org_code", sa.String(length=15), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=True),
        sa.Column("previous_secret_hash", sa.String(length=200), nullable=True),
        sa.Column("previous_secret_until", luoshi_kit.db.UtcDateTime(), nullable=True),
        sa.Column("public_key_pem", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", luoshi_kit.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_machine_client")),
    )
    op.create_index(op.f("ix_machine_client_org_code"), "machine_client", ["org_code"], unique=False)
    op.create_table(
        "machine_client_assertion",
        sa.Column("jti", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=32), nullable=False),
        sa.Column("expires_at", luoshi_kit.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_machine_client_assertion")),
    )
    op.create_index(
        op.f("ix_machine_client_assertion_expires_at"), "machine_client_assertion", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_machine_client_assertion_expires_at"), table_name="machine_client_assertion")
    op.drop_table("machine_client_assertion")
    op.drop_index(op.f("ix_machine_client_org_code"), table_name="machine_client")
    op.drop_table("machine_client")
