"""rollup_range_leaders: per year, month range, region and sector, the largest institutions and their count

The explorer's top five institutions over a month range summed the monthly rollup of every
institution of the country (or of a region or sector) on every view, and its institution count
read the yearly rollup of every institution: at 50,000 institutions a country-wide range took
459 ms and the count 83 ms, three times their 17,000 figures (issue 11). The five leaders of every
range (78 of them, January alone to the whole year) per region and sector, with the count of
institutions that had lines in it, are now a rollup kept by queries/range_leaders.py wherever the
monthly rollup changes; the explorer merges a few hundred rows. Filled here from the monthly rollup
with a plain exact computation (the application computes the same in numpy).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""
import heapq
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

LEADERS = 5


def upgrade() -> None:
    table = op.create_table(
        "rollup_range_leaders",
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("first_month", sa.SmallInteger(), nullable=False),
        sa.Column("last_month", sa.SmallInteger(), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("sector_code", sa.String(length=24), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("plan_adjusted", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("institutions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "first_month", "last_month", "region_code", "sector_code", "rank",
                                name="pk_rollup_range_leaders"),
    )
    conn = op.get_bind()
    for year in [r[0] for r in conn.execute(sa.text("SELECT DISTINCT year FROM rollup_institution_month"))]:
        rows = _leaders(conn, year)
        for start in range(0, len(rows), 20_000):
            op.bulk_insert(table, rows[start:start + 20_000])


def _leaders(conn, year: int) -> list[dict]:
    months = defaultdict(dict)  # (region, sector) -> institution -> month -> (plan, paid)
    for institution, region, sector, month, plan, paid in conn.execute(sa.text(
            "SELECT m.institution_id, i.region_code, i.sector_code, m.month, m.plan_adjusted, m.paid "
            "FROM rollup_institution_month m JOIN institutions i ON i.id = m.institution_id "
            "WHERE m.year = :y"), {"y": year}):
        months[(region, sector)].setdefault(institution, {})[month] = (int(plan), int(paid))
    rows = []
    for (region, sector), members in months.items():
        prefix = {}  # institution -> (plan, paid, months with lines) from January to each month
        for institution, sums in members.items():
            plan, paid, lines = [0], [0], [0]
            for m in range(1, 13):
                p, q = sums.get(m, (0, 0))
                plan.append(plan[-1] + p)
                paid.append(paid[-1] + q)
                lines.append(lines[-1] + (m in sums))
            prefix[institution] = (plan, paid, lines)
        for first in range(1, 13):
            for last in range(first, 13):
                ranked = [(plan[first - 1] - plan[last], institution, paid[last] - paid[first - 1])
                          for institution, (plan, paid, lines) in prefix.items() if lines[last] > lines[first - 1]]
                for rank, (minus_plan, institution, paid_sum) in enumerate(heapq.nsmallest(LEADERS, ranked), 1):
                    rows.append({"year": year, "first_month": first, "last_month": last, "region_code": region,
                                 "sector_code": sector, "rank": rank, "institution_id": institution,
                                 "plan_adjusted": -minus_plan, "paid": paid_sum, "institutions": len(ranked)})
    return rows


def downgrade() -> None:
    op.drop_table("rollup_range_leaders")
