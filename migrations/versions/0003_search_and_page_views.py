"""institution search index and page view counter

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# SQLite: an FTS5 index over institution_search (external content, trigram tokenizer so that
# partial words match), kept in step with it by triggers.
_SQLITE_UP = [
    "CREATE VIRTUAL TABLE institution_fts USING fts5(document, content='institution_search', "
    "content_rowid='institution_id', tokenize='trigram')",
    "CREATE TRIGGER institution_fts_ai AFTER INSERT ON institution_search BEGIN "
    "INSERT INTO institution_fts(rowid, document) VALUES (new.institution_id, new.document); END",
    "CREATE TRIGGER institution_fts_ad AFTER DELETE ON institution_search BEGIN "
    "INSERT INTO institution_fts(institution_fts, rowid, document) "
    "VALUES ('delete', old.institution_id, old.document); END",
    "CREATE TRIGGER institution_fts_au AFTER UPDATE ON institution_search BEGIN "
    "INSERT INTO institution_fts(institution_fts, rowid, document) "
    "VALUES ('delete', old.institution_id, old.document); "
    "INSERT INTO institution_fts(rowid, document) VALUES (new.institution_id, new.document); END",
]
_SQLITE_DOWN = ["DROP TRIGGER IF EXISTS institution_fts_au", "DROP TRIGGER IF EXISTS institution_fts_ad",
                "DROP TRIGGER IF EXISTS institution_fts_ai", "DROP TABLE IF EXISTS institution_fts"]
# PostgreSQL: trigram GIN index; `document COLLATE "C" LIKE '%part%'` uses it. The C collation
# makes LIKE compare bytes: 4x faster than under C.UTF-8 when thousands of rows are rechecked.
_PG_UP = ["CREATE EXTENSION IF NOT EXISTS pg_trgm",
          'CREATE INDEX institution_fts_trgm ON institution_search USING gin ((document COLLATE "C") gin_trgm_ops)']
_PG_DOWN = ["DROP INDEX IF EXISTS institution_fts_trgm"]


def upgrade() -> None:
    op.create_table('institution_search',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_institution_search_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', name=op.f('pk_institution_search'))
    )
    op.create_table('page_views',
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('views', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_page_views_institution_id_institutions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('institution_id', 'year', name=op.f('pk_page_views'))
    )
    for statement in _PG_UP if op.get_bind().dialect.name == "postgresql" else _SQLITE_UP:
        op.execute(statement)
    # Institutions already in the database get their search documents now.
    from queries.search import refresh_search_index
    refresh_search_index(op.get_bind())


def downgrade() -> None:
    for statement in _PG_DOWN if op.get_bind().dialect.name == "postgresql" else _SQLITE_DOWN:
        op.execute(statement)
    op.drop_table('page_views')
    op.drop_table('institution_search')
