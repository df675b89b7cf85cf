"""administrators: names of the administrators of budget programs (issue 13)

The whole budget classification is loaded with `python -m dashboard import classification`;
administrators (АБП, the 3-digit code before a program) had no names anywhere before.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'administrators',
        sa.Column('code', sa.String(length=3), nullable=False),
        sa.Column('name_kk', sa.Text(), nullable=False),
        sa.Column('name_ru', sa.Text(), nullable=False),
        sa.Column('name_en', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_administrators')),
    )


def downgrade() -> None:
    op.drop_table('administrators')
