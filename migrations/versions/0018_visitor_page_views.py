"""page views per visitor cookie and page (issue 14): page_view_totals, recent_page_views

A view now counts once per visitor, page and half hour, the visitor being a random first-party
cookie instead of a keyed hash of the client address (one carrier NAT hid many people behind one
address). The institution counts of page_views move to page_view_totals under their page path;
recent_views (address hashes) is dropped, not migrated.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('page_view_totals',
    sa.Column('page', sa.String(length=80), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('shard', sa.SmallInteger(), nullable=False),
    sa.Column('views', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('page', 'year', 'shard', name=op.f('pk_page_view_totals'))
    )
    op.create_table('recent_page_views',
    sa.Column('visitor', sa.String(length=32), nullable=False),
    sa.Column('page', sa.String(length=80), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('visitor', 'page', name=op.f('pk_recent_page_views'))
    )
    op.create_index('ix_recent_page_views_seen_at', 'recent_page_views', ['seen_at'], unique=False)
    op.execute("INSERT INTO page_view_totals (page, year, shard, views) "
               "SELECT '/institution/' || i.bin, v.year, 0, v.views "
               "FROM page_views v JOIN institutions i ON i.id = v.institution_id")
    op.drop_table('recent_views')
    op.drop_table('page_views')


def downgrade() -> None:
    op.create_table('page_views',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('views', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_page_views_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', 'year', name=op.f('pk_page_views'))
    )
    op.create_table('recent_views',
    sa.Column('viewer', sa.String(length=64), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_recent_views_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('viewer', 'institution_id', name=op.f('pk_recent_views'))
    )
    op.create_index('ix_recent_views_institution_seen', 'recent_views', ['institution_id', 'seen_at'], unique=False)
    op.execute("INSERT INTO page_views (institution_id, year, views) "
               "SELECT i.id, t.year, SUM(t.views) FROM page_view_totals t "
               "JOIN institutions i ON t.page = '/institution/' || i.bin GROUP BY i.id, t.year")
    op.drop_index('ix_recent_page_views_seen_at', table_name='recent_page_views')
    op.drop_table('recent_page_views')
    op.drop_table('page_view_totals')
