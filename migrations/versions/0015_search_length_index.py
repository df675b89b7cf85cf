"""institution_search: indexes on the document's length and start (PostgreSQL), for search at scale

Named institution_fts_* like the other dialect-specific search index objects (schema comparisons
skip them: dashboard.schema.SEARCH_INDEX_PREFIX).

Search ranks matches by tier, then by the shortest document. For a common word ("школа" matches
a third of the country) the candidates of each tier are now read shortest first from the length
index (the "starts with" tier from the prefix index) and stop at a bound, instead of ranking every match (issue 11: 17k → 50k institutions cost 2–4×).
SQLite searches through FTS5 and needs nothing.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

PREFIX_CHARS = 64  # queries.search.PREFIX_CHARS: the same expression, or the index is not used


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX IF NOT EXISTS institution_fts_length "
                   "ON institution_search (octet_length(document))")
        # Documents starting with the first word (the name typed from its start): a range of
        # this index. A prefix, not the document: a B-tree entry must stay under ~2.7 kB.
        op.execute("CREATE INDEX IF NOT EXISTS institution_fts_prefix "
                   f"ON institution_search ((left(document, {PREFIX_CHARS}) COLLATE \"C\"))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS institution_fts_length")
        op.execute("DROP INDEX IF EXISTS institution_fts_prefix")
