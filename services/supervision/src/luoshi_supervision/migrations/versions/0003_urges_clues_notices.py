"""urges and supervision orders (催办/督办), public clues (线索), notices (曝光/宣传典型)

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import luoshi_kit.db

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('clue',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('receipt_no', sa.String(length=24), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('received_org', sa.String(length=15), nullable=False),
    sa.Column('org_code', sa.String(length=15), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('reporter_name', sa.String(length=50), nullable=True),
    sa.Column('reporter_contact', sa.String(length=100), nullable=True),
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('target_ref', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('triaged_by', sa.String(length=64), nullable=True),
    sa.Column('triaged_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('received_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clue')),
    sa.UniqueConstraint('receipt_no', name=op.f('uq_clue_receipt_no'))
    )
    with op.batch_alter_table('clue', schema=None) as batch_op:
        batch_op.create_index('ix_clue_address_received', ['address_key', 'received_at'], unique=False)
        batch_op.create_index('ix_clue_org_code', ['org_code'], unique=False)

    op.create_table('idempotency_key',
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response_body', sa.Text(), nullable=False),
    sa.Column('created_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_idempotency_key'))
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_key_created_at', ['created_at'], unique=False)

    op.create_table('notice',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=14), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('issuing_org', sa.String(length=15), nullable=False),
    sa.Column('corrects', sa.String(length=36), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('drafted_by', sa.String(length=64), nullable=False),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('published_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_corrects', ['corrects'], unique=False)
        batch_op.create_index('ix_notice_issuing_org', ['issuing_org'], unique=False)
        batch_op.create_index('ix_notice_state_published', ['state', 'published_at'], unique=False)

    op.create_table('urge',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('task_title', sa.String(length=200), nullable=True),
    sa.Column('occurrence', sa.String(length=60), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('issuing_org', sa.String(length=15), nullable=False),
    sa.Column('org_code', sa.String(length=15), nullable=False),
    sa.Column('recipient_role', sa.String(length=12), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('answer_due_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=True),
    sa.Column('issued_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('escalated_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('answer_reason', sa.Text(), nullable=True),
    sa.Column('answer_plan', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=64), nullable=True),
    sa.Column('answered_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_urge')),
    sa.UniqueConstraint('task_id', 'kind', 'occurrence', name='uq_urge_task_kind_occurrence')
    )
    with op.batch_alter_table('urge', schema=None) as batch_op:
        batch_op.create_index('ix_urge_due', ['state', 'answer_due_at'], unique=False)
        batch_op.create_index('ix_urge_issuing_org', ['issuing_org'], unique=False)
        batch_op.create_index('ix_urge_org_code', ['org_code'], unique=False)

    op.create_table('urge_step',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('urge_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('recipient_role', sa.String(length=12), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('actor_org', sa.String(length=15), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', luoshi_kit.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_urge_step')),
    sa.UniqueConstraint('urge_id', 'action', 'level', name='uq_urge_step_action_level')
    )
    with op.batch_alter_table('urge_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_urge_step_urge_id'), ['urge_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('urge_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_urge_step_urge_id'))

    op.drop_table('urge_step')
    with op.batch_alter_table('urge', schema=None) as batch_op:
        batch_op.drop_index('ix_urge_org_code')
        batch_op.drop_index('ix_urge_issuing_org')
        batch_op.drop_index('ix_urge_due')

    op.drop_table('urge')
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_state_published')
        batch_op.drop_index('ix_notice_issuing_org')
        batch_op.drop_index('ix_notice_corrects')

    op.drop_table('notice')
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_key_created_at')

    op.drop_table('idempotency_key')
    with op.batch_alter_table('clue', schema=None) as batch_op:
        batch_op.drop_index('ix_clue_org_code')
        batch_op.drop_index('ix_clue_address_received')

    op.drop_table('clue')
