"""rollup_peer_groups: each peer group's quartiles and median per unit, per specific and year

The institution page compares an institution with the institutions of its type in its region. It
read the whole group's per-specific sums into Python on every view: at 50,000 institutions the
largest group (the schools of one region) is 25,578 rows, 50–90 ms of a page (issue 11). The
group's quantiles now are a rollup like the others, kept by queries/peer_groups.py whenever the
per-specific rollup or an institution's capacity changes; a page reads its own rows, their groups,
and counts its lower peers per specific inside ix_rollup_isy_peers, which gains the specific and
the amount for that. Filled here from the rollup with a plain exact computation (the application
computes the same in numpy).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""
from collections import defaultdict
from fractions import Fraction

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

QUARTILES = (("q1", 1), ("median", 2), ("q3", 3))


def upgrade() -> None:
    table = op.create_table(
        "rollup_peer_groups",
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("type_code", sa.String(length=24), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("specific_code", sa.SmallInteger(), nullable=False),
        sa.Column("peers", sa.Integer(), nullable=False),
        *[sa.Column(f"{q}_{end}", sa.BigInteger(), nullable=False) for q, _k in QUARTILES for end in ("low", "high")],
        sa.Column("unit_peers", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unit_low_amount", sa.BigInteger()),
        sa.Column("unit_low_capacity", sa.BigInteger()),
        sa.Column("unit_high_amount", sa.BigInteger()),
        sa.Column("unit_high_capacity", sa.BigInteger()),
        sa.PrimaryKeyConstraint("year", "type_code", "region_code", "specific_code", name="pk_rollup_peer_groups"),
    )
    op.drop_index("ix_rollup_isy_peers", table_name="rollup_institution_specific_year")
    op.create_index("ix_rollup_isy_peers", "rollup_institution_specific_year",
                    ["year", "type_code", "region_code", "specific_code", "plan_adjusted"])
    rows = _groups(op.get_bind())
    for start in range(0, len(rows), 20_000):
        op.bulk_insert(table, rows[start:start + 20_000])


def _groups(conn) -> list[dict]:
    members = defaultdict(list)
    for year, type_code, region, specific, amount, capacity in conn.execute(sa.text(
            "SELECT r.year, r.type_code, r.region_code, r.specific_code, r.plan_adjusted, i.capacity "
            "FROM rollup_institution_specific_year r JOIN institutions i ON i.id = r.institution_id")):
        members[(year, type_code, region, specific)].append((int(amount), capacity))
    rows = []
    for (year, type_code, region, specific), group in members.items():
        values = sorted(a for a, _c in group)
        n = len(values)
        row = {"year": year, "type_code": type_code, "region_code": region, "specific_code": specific, "peers": n}
        for name, quarters in QUARTILES:
            low = (n - 1) * quarters // 4
            row[f"{name}_low"], row[f"{name}_high"] = values[low], values[min(low + 1, n - 1)]
        ratios = sorted(Fraction(a, c) for a, c in group if c)
        m = row["unit_peers"] = len(ratios)
        for end, at in (("low", (m - 1) // 2), ("high", m // 2)):
            row[f"unit_{end}_amount"] = ratios[at].numerator if m else None
            row[f"unit_{end}_capacity"] = ratios[at].denominator if m else None
        rows.append(row)
    return rows


def downgrade() -> None:
    op.drop_index("ix_rollup_isy_peers", table_name="rollup_institution_specific_year")
    op.create_index("ix_rollup_isy_peers", "rollup_institution_specific_year", ["year", "type_code", "region_code"])
    op.drop_table("rollup_peer_groups")
