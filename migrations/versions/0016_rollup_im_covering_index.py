"""rollup_institution_month: the year/month index covers the ranking (PostgreSQL)

The explorer's top institutions over a month range sum every institution's months of the year.
With the institution id and the two summed columns in the index (INCLUDE), PostgreSQL reads the
index alone instead of visiting the table row by row (issue 11: a one-month ranking at 17,000
institutions 150 → 55 ms). SQLite keeps the plain (year, month) index.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_rollup_im_year_month", table_name="rollup_institution_month")
        op.create_index("ix_rollup_im_year_month", "rollup_institution_month", ["year", "month"],
                        postgresql_include=["institution_id", "plan_adjusted", "paid"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_rollup_im_year_month", table_name="rollup_institution_month")
        op.create_index("ix_rollup_im_year_month", "rollup_institution_month", ["year", "month"])
