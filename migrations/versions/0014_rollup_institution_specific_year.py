"""rollup_institution_specific_year: per-institution sums by economic specific and year, with the
institution's type and region, so the institution page (breakdown, year over year, peers) does
not aggregate budget_lines and a peer group is one index range

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rollup_institution_specific_year',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('specific_code', sa.SmallInteger(), nullable=False),
    sa.Column('type_code', sa.String(length=24), nullable=False),
    sa.Column('region_code', sa.String(length=8), nullable=False),
    sa.Column('plan', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('plan_adjusted', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('obligations', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_rollup_institution_specific_year_institution_id_institutions')),
    sa.PrimaryKeyConstraint('institution_id', 'year', 'specific_code', name=op.f('pk_rollup_institution_specific_year'))
    )
    # Existing data: fill from budget_lines once (later writes keep it in step, see queries/rollups.py),
    # in peer-group order, so a group's rows (and an institution-year's) share pages.
    op.execute("INSERT INTO rollup_institution_specific_year (institution_id, year, specific_code, type_code, "
               "region_code, plan, plan_adjusted, obligations, paid) "
               "SELECT b.institution_id, b.year, b.specific_code, i.type_code, i.region_code, sum(b.plan), "
               "sum(b.plan_adjusted), sum(b.obligations), sum(b.paid) "
               "FROM budget_lines b JOIN institutions i ON i.id = b.institution_id "
               "GROUP BY b.institution_id, b.year, b.specific_code, i.type_code, i.region_code "
               "ORDER BY b.year, i.type_code, i.region_code, b.institution_id, b.specific_code")
    with op.batch_alter_table('rollup_institution_specific_year', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_isy_peers', ['year', 'type_code', 'region_code'], unique=False)
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.create_index('ix_institutions_type_region', ['type_code', 'region_code', 'id', 'capacity'],
                              unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE rollup_institution_specific_year")


def downgrade() -> None:
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.drop_index('ix_institutions_type_region')
    with op.batch_alter_table('rollup_institution_specific_year', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_isy_peers')
    op.drop_table('rollup_institution_specific_year')
