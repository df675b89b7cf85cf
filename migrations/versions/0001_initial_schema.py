"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('publications',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('institutions', sa.Integer(), server_default='0', nullable=False),
    sa.Column('lines', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications'))
    )
    op.create_table('regions',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name_kk', sa.Text(), nullable=False),
    sa.Column('name_ru', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('center_name_kk', sa.Text(), nullable=False),
    sa.Column('center_name_ru', sa.Text(), nullable=False),
    sa.Column('center_name_en', sa.Text(), nullable=False),
    sa.Column('center_lat', sa.Float(), nullable=False),
    sa.Column('center_lon', sa.Float(), nullable=False),
    sa.Column('sort_order', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    op.create_table('sectors',
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name_kk', sa.Text(), nullable=False),
    sa.Column('name_ru', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=False),
    sa.Column('icon', sa.String(length=48), nullable=False),
    sa.Column('sort_order', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_sectors'))
    )
    op.create_table('specifics',
    sa.Column('code', sa.SmallInteger(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('name_kk', sa.Text(), nullable=False),
    sa.Column('name_ru', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_specifics'))
    )
    op.create_table('districts',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('region_code', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name_kk', sa.Text(), nullable=False),
    sa.Column('name_ru', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('center_name_kk', sa.Text(), nullable=False),
    sa.Column('center_name_ru', sa.Text(), nullable=False),
    sa.Column('center_lat', sa.Float(), nullable=False),
    sa.Column('center_lon', sa.Float(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_districts_region_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_districts'))
    )
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_districts_region_code'), ['region_code'], unique=False)

    op.create_table('functional_groups',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name_kk', sa.Text(), nullable=False),
    sa.Column('name_ru', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('sector_code', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['sector_code'], ['sectors.code'], name=op.f('fk_functional_groups_sector_code_sectors')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_functional_groups'))
    )
    op.create_table('institution_types',
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('name_kk', sa.Text(), nullable=False),
    sa.Column('name_ru', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('sector_code', sa.String(length=24), nullable=False),
    sa.Column('unit_kind', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['sector_code'], ['sectors.code'], name=op.f('fk_institution_types_sector_code_sectors')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_institution_types'))
    )
    op.create_table('region_population',
    sa.Column('region_code', sa.String(length=8), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.CheckConstraint('population >= 0', name=op.f('ck_region_population_population_nonnegative')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_region_population_region_code_regions')),
    sa.PrimaryKeyConstraint('region_code', 'year', name=op.f('pk_region_population'))
    )
    op.create_table('rollup_region_sector_month',
    sa.Column('region_code', sa.String(length=8), nullable=False),
    sa.Column('sector_code', sa.String(length=24), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('plan', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('plan_adjusted', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('obligations', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('institutions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_rollup_region_sector_month_region_code_regions')),
    sa.ForeignKeyConstraint(['sector_code'], ['sectors.code'], name=op.f('fk_rollup_region_sector_month_sector_code_sectors')),
    sa.PrimaryKeyConstraint('region_code', 'sector_code', 'year', 'month', name=op.f('pk_rollup_region_sector_month'))
    )
    with op.batch_alter_table('rollup_region_sector_month', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_rsm_year', ['year', 'month'], unique=False)

    op.create_table('institutions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('bin', sa.String(length=12), nullable=False),
    sa.Column('name_kk', sa.Text(), nullable=False),
    sa.Column('name_ru', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('type_code', sa.String(length=24), nullable=False),
    sa.Column('sector_code', sa.String(length=24), nullable=False),
    sa.Column('region_code', sa.String(length=8), nullable=False),
    sa.Column('district_code', sa.String(length=16), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('budget_level', sa.String(length=12), nullable=False),
    sa.Column('capacity_unit', sa.String(length=16), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("budget_level IN ('republican', 'regional', 'district')", name=op.f('ck_institutions_budget_level')),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_institutions_capacity_positive')),
    sa.CheckConstraint('lat BETWEEN 40 AND 56 AND lon BETWEEN 46 AND 88', name=op.f('ck_institutions_inside_kz_bbox')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_institutions_district_code_districts')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_institutions_region_code_regions')),
    sa.ForeignKeyConstraint(['sector_code'], ['sectors.code'], name=op.f('fk_institutions_sector_code_sectors')),
    sa.ForeignKeyConstraint(['type_code'], ['institution_types.code'], name=op.f('fk_institutions_type_code_institution_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institutions')),
    sa.UniqueConstraint('bin', name=op.f('uq_institutions_bin'))
    )
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.create_index('ix_institutions_district_sector', ['district_code', 'sector_code'], unique=False)
        batch_op.create_index('ix_institutions_region_sector', ['region_code', 'sector_code'], unique=False)

    op.create_table('programs',
    sa.Column('code', sa.String(length=7), nullable=False),
    sa.Column('functional_group', sa.String(length=2), nullable=False),
    sa.Column('administrator', sa.String(length=3), nullable=False),
    sa.Column('name_kk', sa.Text(), nullable=False),
    sa.Column('name_ru', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['functional_group'], ['functional_groups.code'], name=op.f('fk_programs_functional_group_functional_groups')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_programs'))
    )
    op.create_table('rollup_district_sector_month',
    sa.Column('district_code', sa.String(length=16), nullable=False),
    sa.Column('sector_code', sa.String(length=24), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('region_code', sa.String(length=8), nullable=False),
    sa.Column('plan', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('plan_adjusted', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('obligations', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('institutions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_rollup_district_sector_month_district_code_districts')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_rollup_district_sector_month_region_code_regions')),
    sa.ForeignKeyConstraint(['sector_code'], ['sectors.code'], name=op.f('fk_rollup_district_sector_month_sector_code_sectors')),
    sa.PrimaryKeyConstraint('district_code', 'sector_code', 'year', 'month', name=op.f('pk_rollup_district_sector_month'))
    )
    with op.batch_alter_table('rollup_district_sector_month', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_dsm_region_year', ['region_code', 'year'], unique=False)

    op.create_table('demo_anomalies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=True),
    sa.Column('specific_code', sa.SmallInteger(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_demo_anomalies_institution_id_institutions')),
    sa.ForeignKeyConstraint(['specific_code'], ['specifics.code'], name=op.f('fk_demo_anomalies_specific_code_specifics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_anomalies'))
    )
    with op.batch_alter_table('demo_anomalies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demo_anomalies_institution_id'), ['institution_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('file_ref', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_documents_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_institution_year', ['institution_id', 'year'], unique=False)

    op.create_table('rollup_institution_year',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('plan', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('plan_adjusted', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('obligations', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_rollup_institution_year_institution_id_institutions')),
    sa.PrimaryKeyConstraint('institution_id', 'year', name=op.f('pk_rollup_institution_year'))
    )
    with op.batch_alter_table('rollup_institution_year', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_iy_year_plan', ['year', 'plan_adjusted'], unique=False)

    op.create_table('subprograms',
    sa.Column('program_code', sa.String(length=7), nullable=False),
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name_kk', sa.Text(), nullable=False),
    sa.Column('name_ru', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['program_code'], ['programs.code'], name=op.f('fk_subprograms_program_code_programs')),
    sa.PrimaryKeyConstraint('program_code', 'code', name=op.f('pk_subprograms'))
    )
    op.create_table('budget_lines',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.SmallInteger(), nullable=False),
    sa.Column('program_code', sa.String(length=7), nullable=False),
    sa.Column('subprogram_code', sa.String(length=3), nullable=False),
    sa.Column('specific_code', sa.SmallInteger(), nullable=False),
    sa.Column('plan', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('plan_adjusted', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('obligations', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('paid', sa.BigInteger(), server_default='0', nullable=False),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_budget_lines_month_range')),
    sa.CheckConstraint('plan >= 0 AND plan_adjusted >= 0 AND obligations >= 0 AND paid >= 0', name=op.f('ck_budget_lines_money_nonnegative')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_budget_lines_institution_id_institutions')),
    sa.ForeignKeyConstraint(['program_code', 'subprogram_code'], ['subprograms.program_code', 'subprograms.code'], name='fk_budget_lines_subprogram'),
    sa.ForeignKeyConstraint(['specific_code'], ['specifics.code'], name=op.f('fk_budget_lines_specific_code_specifics')),
    sa.PrimaryKeyConstraint('institution_id', 'year', 'month', 'program_code', 'subprogram_code', 'specific_code', name=op.f('pk_budget_lines'))
    )


def downgrade() -> None:
    op.drop_table('budget_lines')
    op.drop_table('subprograms')
    with op.batch_alter_table('rollup_institution_year', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_iy_year_plan')

    op.drop_table('rollup_institution_year')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_institution_year')

    op.drop_table('documents')
    with op.batch_alter_table('demo_anomalies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demo_anomalies_institution_id'))

    op.drop_table('demo_anomalies')
    with op.batch_alter_table('rollup_district_sector_month', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_dsm_region_year')

    op.drop_table('rollup_district_sector_month')
    op.drop_table('programs')
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.drop_index('ix_institutions_region_sector')
        batch_op.drop_index('ix_institutions_district_sector')

    op.drop_table('institutions')
    with op.batch_alter_table('rollup_region_sector_month', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_rsm_year')

    op.drop_table('rollup_region_sector_month')
    op.drop_table('region_population')
    op.drop_table('institution_types')
    op.drop_table('functional_groups')
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_districts_region_code'))

    op.drop_table('districts')
    op.drop_table('specifics')
    op.drop_table('sectors')
    op.drop_table('regions')
    op.drop_table('publications')
