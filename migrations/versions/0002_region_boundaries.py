"""region boundaries stored in the database

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('region_boundaries',
    sa.Column('region_code', sa.String(length=8), nullable=False),
    sa.Column('geometry', sa.Text(), nullable=False),
    sa.Column('vertices', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_region_boundaries_region_code_regions')),
    sa.PrimaryKeyConstraint('region_code', name=op.f('pk_region_boundaries'))
    )


def downgrade() -> None:
    op.drop_table('region_boundaries')
