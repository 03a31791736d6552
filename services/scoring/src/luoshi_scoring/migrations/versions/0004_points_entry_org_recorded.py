"""points_entry (org_code, recorded_at): a unit's year view reads its newest entries in order

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 16:20:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index('ix_points_entry_org_recorded', 'points_entry', ['org_code', 'recorded_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_points_entry_org_recorded', table_name='points_entry')
