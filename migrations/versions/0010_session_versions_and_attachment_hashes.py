"""session versions (server-side revocation of staff sessions) and attachment SHA-256

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('appeal_attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('appeal_attachments', schema=None) as batch_op:
        batch_op.drop_column('sha256')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
