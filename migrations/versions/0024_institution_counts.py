"""institution_counts: how many institutions each region, district, sector and type holds together

The open-data listing `/api/v1/institutions` without a year or a text counted every institution
for its `total` (17,000 → 50,000 institutions: the endpoint 1.3–1.6×, target ≤ 1.5×, issue 11).
Now it sums the rows of this table that its filters select: a few thousand at most, however many
institutions there are. Kept by triggers on institutions in the same transaction (PostgreSQL: one
per statement, over its transition tables, so a multi-row insert updates each row once; SQLite:
one per row).

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

# The change a statement made: +1 per row it wrote, -1 per row it removed, netted per combination
# (an update that keeps region, district, sector and type changes nothing). Sorted, so two
# transactions touching the same rows lock them in the same order.
def _delta(*parts: tuple[str, int]) -> str:
    rows = " UNION ALL ".join(f"SELECT {KEY}, {sign} AS n FROM {name}" for name, sign in parts)
    return (f"SELECT {KEY}, CAST(sum(n) AS integer) AS institutions FROM ({rows}) AS y GROUP BY {KEY} "
            f"HAVING sum(n) <> 0 ORDER BY {KEY}")


def _apply(delta: str) -> str:
    return (f"WITH applied AS (INSERT INTO institution_counts ({KEY}, institutions) {delta} "
            f"ON CONFLICT ({KEY}) DO UPDATE SET institutions = institution_counts.institutions + excluded.institutions "
            "RETURNING institutions) SELECT count(*) INTO emptied FROM applied WHERE institutions <= 0;")


_PG_FUNCTION = f"""
CREATE FUNCTION institution_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    emptied integer;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE institution_counts;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        {_apply(_delta(("new_institutions", 1)))}
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(_delta(("old_institutions", -1)))}
    ELSE
        {_apply(_delta(("new_institutions", 1), ("old_institutions", -1)))}
    END IF;
    IF emptied > 0 THEN  -- rare: a combination's last institution went or moved
        DELETE FROM institution_counts WHERE institutions <= 0;
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
    op.execute(f"INSERT INTO institution_counts ({KEY}, institutions) {_delta(('institutions', 1))}")


def downgrade() -> None:
    for trigger in ("ai", "ad", "au", "at"):
        op.execute(f"DROP TRIGGER IF EXISTS institution_counts_{trigger}"
                   + (" ON institutions" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS institution_counts_keep()")
    op.drop_table("institution_counts")
