"""budget_line_versions: the lines' history, so any view can be computed as of a publication

Every change to budget_lines (an import that changes, adds or deletes lines) keeps, per line,
the values it replaced: the old amounts (NULL when the line did not exist before), the amounts
written (`new_*`, NULL when the line was deleted) and the publication that wrote them
(`valid_until`). The changes of one line chain (each one's new amounts are the next one's old),
so the sum of new − old over the changes after a publication is what changed since, per line or
summed over any area: an asof view needs one filtered sum, not a line-by-line lookup. Database
triggers write it, so every writer is covered and an unchanged re-import (which touches no line)
writes nothing:

- PostgreSQL: statement-level triggers with transition tables on INSERT, UPDATE and DELETE (one
  set-based INSERT per statement; COPY fires them too);
- SQLite: row triggers (an UPDATE that leaves the amounts as they were writes nothing).

The rows are stamped as they are written: an import reserves the id of the publication it will
log and keeps it in `line_history_publication` (one row, inside its own transaction, deleted
before it commits; queries/bulk.py `reserved_publication`), and the triggers read it. A writer
that reserved nothing leaves `valid_until` NULL, and the `publications` row its transaction logs
stamps them (a trigger on publications). Stamping on write matters: updating a million history
rows after a million-line import doubled its time. No index on the lines' keys either: nothing
looks a line's history up by key while writing; reads go by publication (valid_until) or by
institution and publication. The same trigger on publications sums the publication's history
rows per institution, year and month into `line_history_sums`, with the institution's region,
district and sector, and those per region, district, sector and month into `line_history_area`
(a trigger on institutions moves both when one moves), so a view of an area as of a publication
sums a few rows per area and month changed since, not every changed line. A demo load drops the
line triggers while it fills the table (and `--replace` empties the history with the lines): a
replaced demo starts a new history.

Also `publications.published_by`: who published (the signed-in account of a web upload; NULL
for the command line and the demo).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

KEYS = ("institution_id", "year", "month", "program_code", "subprogram_code", "specific_code")
MONEY = ("plan", "plan_adjusted", "obligations", "paid")
TRIGGERS = ("budget_lines_history_insert", "budget_lines_history_update", "budget_lines_history_delete")
SUM_KEYS = ("institution_id", "year", "month")
PLACE = ("region_code", "district_code", "sector_code")

NEW = tuple(f"new_{m}" for m in MONEY)
_COLUMNS = ", ".join((*KEYS, *MONEY, "valid_until", *NEW))
# The publication the writing transaction reserved (NULL when none: stamped by its publications row).
STAMP = "(SELECT publication_id FROM line_history_publication)"


def _sum_publication(publication: str) -> str:
    """Sum the history rows of `publication` (an SQL expression) into line_history_sums, each with
    its institution's place and sector (joined after summing: grouping by the integer keys alone
    is several times cheaper than by the text codes too)."""
    keys = ", ".join(SUM_KEYS)
    money = ", ".join(f"SUM(COALESCE({m}, 0) - COALESCE(new_{m}, 0)) AS delta_{m}" for m in MONEY)
    lines = ("SUM(CASE WHEN plan IS NOT NULL THEN 1 ELSE 0 END"
             " - CASE WHEN new_plan IS NOT NULL THEN 1 ELSE 0 END) AS delta_lines")
    sums = ", ".join((*(f"delta_{m}" for m in MONEY), "delta_lines", "changes"))
    columns = ", ".join(("valid_until", *SUM_KEYS, *PLACE, sums))
    return (f"INSERT INTO line_history_sums ({columns}) "
            f"SELECT {publication}, {', '.join(f's.{k}' for k in SUM_KEYS)}, {', '.join(f'i.{p}' for p in PLACE)}, "
            f"{', '.join(f's.{c}' for c in sums.split(', '))} "
            f"FROM (SELECT {keys}, {money}, {lines}, COUNT(*) AS changes FROM budget_line_versions "
            f"WHERE valid_until = {publication} GROUP BY {keys}) s JOIN institutions i ON i.id = s.institution_id")


AREA_KEYS = ("valid_until", "year", "month", *PLACE)
_DELTAS = ", ".join(f"delta_{m}" for m in MONEY)


def _sum_area(publication: str) -> str:
    """Sum `publication`'s institution sums (just written) into line_history_area by place and month."""
    keys = ", ".join(AREA_KEYS)
    money = ", ".join(f"SUM(delta_{m})" for m in MONEY)
    return (f"INSERT INTO line_history_area ({keys}, {_DELTAS}) SELECT {keys}, {money} FROM line_history_sums "
            f"WHERE valid_until = {publication} GROUP BY {keys}")


def _move_area(place: str, sign: str) -> str:
    """Add (`sign` '+') or take away ('-') the moved institution's sums at `place` ('NEW' or 'OLD')."""
    keys = ", ".join(AREA_KEYS)
    values = ", ".join(("s.valid_until", "s.year", "s.month", *(f"{place}.{p}" for p in PLACE),
                        *(f"{sign}s.delta_{m}" for m in MONEY)))
    add = ", ".join(f"delta_{m} = line_history_area.delta_{m} + excluded.delta_{m}" for m in MONEY)
    return (f"INSERT INTO line_history_area ({keys}, {_DELTAS}) SELECT {values} FROM line_history_sums s "
            f"WHERE s.institution_id = NEW.id ON CONFLICT ({keys}) DO UPDATE SET {add}")


# An institution moved (or changed sector): its history sums follow it, and the areas' sums with them.
_FOLLOW = "; ".join((
    "UPDATE line_history_sums SET " + ", ".join(f"{p} = NEW.{p}" for p in PLACE) + " WHERE institution_id = NEW.id",
    _move_area("OLD", "-"), _move_area("NEW", ""),
    # What the old place keeps of it is nothing: no empty rows left behind.
    "DELETE FROM line_history_area WHERE " + " AND ".join(
        (*(f"{p} = OLD.{p}" for p in PLACE), *(f"delta_{m} = 0" for m in MONEY)))))


def _same_key(a: str, b: str) -> str:
    return " AND ".join(f"{a}.{k} = {b}.{k}" for k in KEYS)


def _postgresql() -> list[str]:
    nulls = ", ".join(["NULL"] * len(MONEY))
    gone = nulls
    old_keys = ", ".join(f"o.{k}" for k in KEYS)
    new_keys = ", ".join(f"n.{k}" for k in KEYS)
    old_money = ", ".join(f"o.{m}" for m in MONEY)
    new_money = ", ".join(f"n.{m}" for m in MONEY)
    return [
        f"""CREATE FUNCTION budget_lines_history_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO budget_line_versions ({_COLUMNS}) SELECT {new_keys}, {nulls}, {STAMP}, {new_money} FROM new_rows n;
    RETURN NULL;
END $$""",
        f"""CREATE FUNCTION budget_lines_history_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO budget_line_versions ({_COLUMNS})
    SELECT {old_keys}, {old_money}, {STAMP}, {new_money}
    FROM old_rows o LEFT JOIN new_rows n ON {_same_key('n', 'o')}
    WHERE n.institution_id IS NULL OR ({old_money}) IS DISTINCT FROM ({new_money})
    UNION ALL
    SELECT {new_keys}, {nulls}, {STAMP}, {new_money}
    FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE {_same_key('o', 'n')});
    RETURN NULL;
END $$""",
        f"""CREATE FUNCTION budget_lines_history_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO budget_line_versions ({_COLUMNS})
    SELECT {old_keys}, {old_money}, {STAMP}, {gone} FROM old_rows o;
    RETURN NULL;
END $$""",
        "CREATE TRIGGER budget_lines_history_insert AFTER INSERT ON budget_lines "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION budget_lines_history_insert()",
        "CREATE TRIGGER budget_lines_history_update AFTER UPDATE ON budget_lines "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION budget_lines_history_update()",
        "CREATE TRIGGER budget_lines_history_delete AFTER DELETE ON budget_lines "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION budget_lines_history_delete()",
        f"""CREATE FUNCTION publications_close_line_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE budget_line_versions SET valid_until = NEW.id WHERE valid_until IS NULL;
    {_sum_publication('NEW.id')};
    {_sum_area('NEW.id')};
    RETURN NULL;
END $$""",
        "CREATE TRIGGER publications_close_line_versions AFTER INSERT ON publications "
        "FOR EACH ROW EXECUTE FUNCTION publications_close_line_versions()",
        f"""CREATE FUNCTION institutions_move_line_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_FOLLOW};
    RETURN NULL;
END $$""",
        "CREATE TRIGGER institutions_move_line_history AFTER UPDATE OF region_code, district_code, sector_code "
        "ON institutions FOR EACH ROW WHEN (" + " OR ".join(f"OLD.{p} IS DISTINCT FROM NEW.{p}" for p in PLACE)
        + ") EXECUTE FUNCTION institutions_move_line_history()",
    ]


def _sqlite() -> list[str]:
    new_keys = ", ".join(f"NEW.{k}" for k in KEYS)
    old_keys = ", ".join(f"OLD.{k}" for k in KEYS)
    old_money = ", ".join(f"OLD.{m}" for m in MONEY)
    new_money = ", ".join(f"NEW.{m}" for m in MONEY)
    nulls = ", ".join(["NULL"] * len(MONEY))
    gone = nulls
    key_kept = " AND ".join(f"OLD.{k} IS NEW.{k}" for k in KEYS)
    differs = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in (*KEYS, *MONEY))
    return [
        f"""CREATE TRIGGER budget_lines_history_insert AFTER INSERT ON budget_lines BEGIN
    INSERT INTO budget_line_versions ({_COLUMNS}) VALUES ({new_keys}, {nulls}, {STAMP}, {new_money});
END""",
        # A changed key is the old line deleted and a new one inserted (two rows).
        f"""CREATE TRIGGER budget_lines_history_update AFTER UPDATE ON budget_lines WHEN {differs} BEGIN
    INSERT INTO budget_line_versions ({_COLUMNS})
    SELECT {old_keys}, {old_money}, {STAMP}, {new_money} WHERE {key_kept};
    INSERT INTO budget_line_versions ({_COLUMNS})
    SELECT {old_keys}, {old_money}, {STAMP}, {gone} WHERE NOT ({key_kept});
    INSERT INTO budget_line_versions ({_COLUMNS}) SELECT {new_keys}, {nulls}, {STAMP}, {new_money} WHERE NOT ({key_kept});
END""",
        f"""CREATE TRIGGER budget_lines_history_delete AFTER DELETE ON budget_lines BEGIN
    INSERT INTO budget_line_versions ({_COLUMNS}) VALUES ({old_keys}, {old_money}, {STAMP}, {gone});
END""",
        f"""CREATE TRIGGER publications_close_line_versions AFTER INSERT ON publications BEGIN
    UPDATE budget_line_versions SET valid_until = NEW.id WHERE valid_until IS NULL;
    {_sum_publication('NEW.id')};
    {_sum_area('NEW.id')};
END""",
        "CREATE TRIGGER institutions_move_line_history AFTER UPDATE OF region_code, district_code, sector_code "
        "ON institutions WHEN " + " OR ".join(f"OLD.{p} IS NOT NEW.{p}" for p in PLACE) + f" BEGIN {_FOLLOW}; END",
    ]


def upgrade() -> None:
    op.create_table(
        "budget_line_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("month", sa.SmallInteger(), nullable=False),
        sa.Column("program_code", sa.String(length=7), nullable=False),
        sa.Column("subprogram_code", sa.String(length=3), nullable=False),
        sa.Column("specific_code", sa.SmallInteger(), nullable=False),
        *[sa.Column(m, sa.BigInteger(), nullable=True) for m in MONEY],
        sa.Column("valid_until", sa.Integer(), nullable=True),
        *[sa.Column(m, sa.BigInteger(), nullable=True) for m in NEW],
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line_versions")),
    )
    op.create_index("ix_budget_line_versions_institution", "budget_line_versions", ["institution_id", "valid_until"])
    op.create_index("ix_budget_line_versions_valid_until", "budget_line_versions", ["valid_until"])
    op.create_table(
        "line_history_publication",
        sa.Column("publication_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("publication_id", name=op.f("pk_line_history_publication")),
    )
    op.create_table(
        "line_history_sums",
        *[sa.Column(k, sa.Integer() if k == "institution_id" else sa.SmallInteger(), autoincrement=False,
                    nullable=False) for k in SUM_KEYS],
        sa.Column("valid_until", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("district_code", sa.String(length=16), nullable=False),
        sa.Column("sector_code", sa.String(length=24), nullable=False),
        *[sa.Column(f"delta_{m}", sa.BigInteger(), nullable=False) for m in MONEY],
        sa.Column("delta_lines", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*SUM_KEYS, "valid_until", name=op.f("pk_line_history_sums")),
    )
    op.create_index("ix_line_history_sums_year", "line_history_sums", ["year", "valid_until"])
    op.create_index("ix_line_history_sums_moved", "line_history_sums", ["valid_until"],
                    postgresql_where=sa.text("delta_lines <> 0"), sqlite_where=sa.text("delta_lines <> 0"))
    op.create_table(
        "line_history_area",
        sa.Column("year", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("valid_until", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("district_code", sa.String(length=16), nullable=False),
        sa.Column("sector_code", sa.String(length=24), nullable=False),
        sa.Column("month", sa.SmallInteger(), autoincrement=False, nullable=False),
        *[sa.Column(f"delta_{m}", sa.BigInteger(), nullable=False) for m in MONEY],
        sa.PrimaryKeyConstraint("year", "valid_until", *PLACE, "month", name=op.f("pk_line_history_area")),
    )
    op.add_column("publications", sa.Column("published_by", sa.Text(), nullable=True))
    bind = op.get_bind()
    for statement in (_postgresql() if bind.dialect.name == "postgresql" else _sqlite()):
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER publications_close_line_versions ON publications")
        op.execute("DROP FUNCTION publications_close_line_versions()")
        op.execute("DROP TRIGGER institutions_move_line_history ON institutions")
        op.execute("DROP FUNCTION institutions_move_line_history()")
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON budget_lines")
            op.execute(f"DROP FUNCTION {name}()")
    else:
        op.execute("DROP TRIGGER publications_close_line_versions")
        op.execute("DROP TRIGGER institutions_move_line_history")
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("published_by")
    op.drop_table("line_history_area")
    op.drop_index("ix_line_history_sums_moved", table_name="line_history_sums")
    op.drop_index("ix_line_history_sums_year", table_name="line_history_sums")
    op.drop_table("line_history_sums")
    op.drop_index("ix_budget_line_versions_valid_until", table_name="budget_line_versions")
    op.drop_table("line_history_publication")
    op.drop_index("ix_budget_line_versions_institution", table_name="budget_line_versions")
    op.drop_table("budget_line_versions")
