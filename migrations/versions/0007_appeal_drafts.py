"""appeal drafts: what a citizen typed, kept a few minutes to refill the form after an error

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appeal_drafts',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_appeal_drafts'))
    )
    with op.batch_alter_table('appeal_drafts', schema=None) as batch_op:
        batch_op.create_index('ix_appeal_drafts_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('appeal_drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_appeal_drafts_created_at')
    op.drop_table('appeal_drafts')
