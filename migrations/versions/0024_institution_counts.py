"""institution_counts: how many institutions each region, district, sector and type holds together

The open-data listing `/api/v1/institutions` without a year or a text counted every institution
for its `total` (17,000 → 50,000 institutions: the endpoint 1.3–1.6×, target ≤ 1.5×, issue 11).
Now it sums the rows of this table that its filters select: a few thousand at most, however many
institutions there are. Kept by triggers on institutions in the same transaction (PostgreSQL: one
per statement, over its transition tables, so a bulk insert updates each row once; SQLite: one
per row).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

KEY = "region_code, district_code, sector_code, type_code"

# Sorted, so two transactions touching the same rows lock them in the same order.
_GROUPS = f"SELECT {KEY}, count(*) AS institutions FROM {{rows}} GROUP BY {KEY} ORDER BY {KEY}"

_PG_FUNCTION = f"""
CREATE FUNCTION institution_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE institution_counts;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE institution_counts AS c SET institutions = c.institutions - o.institutions
          FROM ({_GROUPS.format(rows="old_institutions")}) AS o
         WHERE (c.region_code, c.district_code, c.sector_code, c.type_code)
             = (o.region_code, o.district_code, o.sector_code, o.type_code);
        DELETE FROM institution_counts WHERE institutions <= 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO institution_counts ({KEY}, institutions) {_GROUPS.format(rows="new_institutions")}
        ON CONFLICT ({KEY}) DO UPDATE SET institutions = institution_counts.institutions + excluded.institutions;
    END IF;
    RETURN NULL;
END $$
"""

_PG_TRIGGERS = [
    "CREATE TRIGGER institution_counts_ai AFTER INSERT ON institutions REFERENCING NEW TABLE AS new_institutions "
    "FOR EACH STATEMENT EXECUTE FUNCTION institution_counts_keep()",
    "CREATE TRIGGER institution_counts_ad AFTER DELETE ON institutions REFERENCING OLD TABLE AS old_institutions "
    "FOR EACH STATEMENT EXECUTE FUNCTION institution_counts_keep()",
    "CREATE TRIGGER institution_counts_au AFTER UPDATE ON institutions "
    "REFERENCING OLD TABLE AS old_institutions NEW TABLE AS new_institutions "
    "FOR EACH STATEMENT EXECUTE FUNCTION institution_counts_keep()",
    "CREATE TRIGGER institution_counts_at AFTER TRUNCATE ON institutions "
    "FOR EACH STATEMENT EXECUTE FUNCTION institution_counts_keep()",
]


def _sqlite_add(row: str) -> str:
    return (f"INSERT INTO institution_counts ({KEY}, institutions) VALUES ({row}.region_code, "
            f"{row}.district_code, {row}.sector_code, {row}.type_code, 1) ON CONFLICT ({KEY}) "
            "DO UPDATE SET institutions = institutions + 1;")


def _sqlite_remove(row: str) -> str:
    match = " AND ".join(f"{c} = {row}.{c}" for c in KEY.split(", "))
    return (f"UPDATE institution_counts SET institutions = institutions - 1 WHERE {match}; "
            f"DELETE FROM institution_counts WHERE {match} AND institutions <= 0;")


_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER institution_counts_ai AFTER INSERT ON institutions BEGIN {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER institution_counts_ad AFTER DELETE ON institutions BEGIN {_sqlite_remove('OLD')} END",
    f"CREATE TRIGGER institution_counts_au AFTER UPDATE OF {KEY} ON institutions "
    f"BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END",
]


def upgrade() -> None:
    op.create_table(
        "institution_counts",
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("district_code", sa.String(length=16), nullable=False),
        sa.Column("sector_code", sa.String(length=24), nullable=False),
        sa.Column("type_code", sa.String(length=24), nullable=False),
        sa.Column("institutions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "district_code", "sector_code", "type_code",
                                name="pk_institution_counts"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in ([_PG_FUNCTION, *_PG_TRIGGERS] if postgres else _SQLITE_TRIGGERS):
        op.execute(statement)
    op.execute(f"INSERT INTO institution_counts ({KEY}, institutions) {_GROUPS.format(rows='institutions')}")


def downgrade() -> None:
    for trigger in ("ai", "ad", "au", "at"):
        op.execute(f"DROP TRIGGER IF EXISTS institution_counts_{trigger}"
                   + (" ON institutions" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS institution_counts_keep()")
    op.drop_table("institution_counts")
