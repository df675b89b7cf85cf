"""search documents carry type, district and region names (rebuilt)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from queries.search import refresh_search_index
    refresh_search_index(op.get_bind())


def downgrade() -> None:
    pass  # the older documents were a subset: the richer ones serve the older code as well
