"""rollup_institution_month: per-institution monthly sums, so the explorer's top institutions
follow the month range

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rollup_institution_month',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('plan', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('plan_adjusted', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('obligations', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_rollup_institution_month_institution_id_institutions')),
    sa.PrimaryKeyConstraint('institution_id', 'year', 'month', name=op.f('pk_rollup_institution_month'))
    )
    with op.batch_alter_table('rollup_institution_month', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_im_year_month', ['year', 'month'], unique=False)
    # Existing data: fill from budget_lines once (later writes keep it in step, see queries/rollups.py).
    op.execute("INSERT INTO rollup_institution_month (institution_id, year, month, plan, plan_adjusted, "
               "obligations, paid) SELECT institution_id, year, month, sum(plan), sum(plan_adjusted), "
               "sum(obligations), sum(paid) FROM budget_lines GROUP BY institution_id, year, month")


def downgrade() -> None:
    with op.batch_alter_table('rollup_institution_month', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_im_year_month')
    op.drop_table('rollup_institution_month')
