"""recent page views (one counted view per viewer, institution and window)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recent_views',
    sa.Column('viewer', sa.String(length=64), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_recent_views_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('viewer', 'institution_id', name=op.f('pk_recent_views'))
    )
    with op.batch_alter_table('recent_views', schema=None) as batch_op:
        batch_op.create_index('ix_recent_views_institution_seen', ['institution_id', 'seen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('recent_views', schema=None) as batch_op:
        batch_op.drop_index('ix_recent_views_institution_seen')
    op.drop_table('recent_views')
