"""Cheaper import writes: the rollups' institution references checked per statement, no history id,
the history's update trigger planned per call

Two per-row costs of writing a million new lines on PostgreSQL (issue 13), measured on the 1 M
benchmark (bench/import_lines.py):

- The rollups per institution (rollup_institution_year, _month, _specific_year) declared a
  foreign key to institutions, which PostgreSQL checks with one `SELECT … FOR KEY SHARE` per
  written row: of 0.64 s to insert the ~42,000 rows per institution, year and specific of a
  million new lines, 0.44 s. As for budget_lines in 0008, triggers now enforce the same
  reference once per statement, with transition tables: after an INSERT or UPDATE of a rollup,
  its distinct institution ids are locked FOR KEY SHARE and must exist; after a DELETE, UPDATE or
  TRUNCATE of institutions, no rollup row may point at an id that is gone (SQLSTATE 23503 either
  way; removing an institution outside READ COMMITTED is refused with 40001, see 0008). SQLite
  keeps its declared keys (cheap there) and dashboard.schema keeps declaring them.
- budget_line_versions.id, a serial key nothing reads (the history is read by publication and by
  institution), cost a sequence step and a unique-index entry per history row: ~0.8 s of a
  million new lines. Dropped on both databases (on SQLite the table is rebuilt; the history
  triggers that write it are dropped and created again around that).
- budget_lines_history_update (PostgreSQL) joins the statement's old and new rows. PL/pgSQL plans
  a statement without parameters once per session and keeps the plan; made when an UPDATE
  changed nothing (an unchanged re-import runs such UPDATEs), it joined them in a nested loop, so
  the next import's update of 2,000 lines a chunk cost 0.6 s (200,000 would cost hours). The
  function now runs its INSERT through EXECUTE: planned on every call, with the transition
  tables' real sizes.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

ROLLUPS = ("rollup_institution_year", "rollup_institution_month", "rollup_institution_specific_year")


def _fk(table: str) -> str:
    return f"fk_{table}_institution_id_institutions"


_CHILD = """
CREATE FUNCTION rollups_check_institutions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing text;
BEGIN
    PERFORM 1 FROM institutions p WHERE p.id IN (SELECT DISTINCT institution_id FROM new_rows) FOR KEY SHARE OF p;
    SELECT k.institution_id::text INTO missing FROM (SELECT DISTINCT institution_id FROM new_rows) k
        WHERE NOT EXISTS (SELECT 1 FROM institutions p WHERE p.id = k.institution_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key: institution % does not exist',
            TG_TABLE_NAME, missing USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$"""


def _referenced(alias: str) -> str:
    """SQL: some rollup row points at institution `alias`.id."""
    return " OR ".join(f"EXISTS (SELECT 1 FROM {t} r WHERE r.institution_id = {alias}.id)" for t in ROLLUPS)


_PARENT = f"""
CREATE FUNCTION institutions_keep_rollup_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing text;
BEGIN
    -- As in 0008: the check must see rows committed after this transaction began, which only
    -- READ COMMITTED gives a trigger.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        IF TG_OP = 'TRUNCATE' THEN
            missing := 'all';
        ELSE
            SELECT o.id::text INTO missing FROM old_rows o
                WHERE NOT EXISTS (SELECT 1 FROM institutions p WHERE p.id = o.id) LIMIT 1;
        END IF;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'removing rows of "institutions" (%) needs READ COMMITTED isolation: the rollups refer to it',
                missing USING ERRCODE = 'serialization_failure', TABLE = 'institutions';
        END IF;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        IF {" OR ".join(f"EXISTS (SELECT 1 FROM {t})" for t in ROLLUPS)} THEN
            RAISE EXCEPTION 'cannot truncate table "institutions": the rollups refer to it'
                USING ERRCODE = 'foreign_key_violation', TABLE = 'institutions';
        END IF;
        RETURN NULL;
    END IF;
    SELECT o.id::text INTO missing FROM old_rows o
        WHERE NOT EXISTS (SELECT 1 FROM institutions p WHERE p.id = o.id) AND ({_referenced('o')}) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'update or delete on table "institutions" violates foreign key on the rollups: institution % is still referenced',
            missing USING ERRCODE = 'foreign_key_violation', TABLE = 'institutions';
    END IF;
    RETURN NULL;
END $$"""


def _history_0019():
    """Migration 0019's module: its SQLite history triggers are dropped and made again here."""
    path = Path(__file__).with_name("0019_budget_line_versions.py")
    spec = importlib.util.spec_from_file_location("migration_0019", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite_history_triggers() -> list[tuple[str, str]]:
    """(name, CREATE statement) of 0019's SQLite triggers that write budget_line_versions."""
    statements = _history_0019()._sqlite()
    return [(s.split()[2], s) for s in statements if "budget_line_versions" in s]


def _history_update(planned_per_call: bool) -> str:
    """0019's budget_lines_history_update, as `CREATE OR REPLACE`; its INSERT through EXECUTE
    when `planned_per_call`."""
    create = next(s for s in _history_0019()._postgresql() if "FUNCTION budget_lines_history_update()" in s)
    create = create.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    if not planned_per_call:
        return create
    head, rest = create.split("BEGIN\n", 1)
    insert, tail = rest.split(";\n    RETURN NULL;", 1)
    assert "$q$" not in insert
    return f"{head}BEGIN\n    EXECUTE $q${insert.strip()}$q$;\n    RETURN NULL;{tail}"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_history_update(planned_per_call=True))
        for table in ROLLUPS:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_fk(table)}")
        op.execute(_CHILD)
        for table in ROLLUPS:
            for event in ("INSERT", "UPDATE"):
                op.execute(f"CREATE TRIGGER {table}_institution_{event.lower()} AFTER {event} ON {table} "
                           "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                           "EXECUTE FUNCTION rollups_check_institutions()")
        op.execute(_PARENT)
        for event in ("DELETE", "UPDATE"):
            op.execute(f"CREATE TRIGGER institutions_rollup_references_{event.lower()} AFTER {event} ON institutions "
                       "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
                       "EXECUTE FUNCTION institutions_keep_rollup_references()")
        op.execute("CREATE TRIGGER institutions_rollup_references_truncate AFTER TRUNCATE ON institutions "
                   "FOR EACH STATEMENT EXECUTE FUNCTION institutions_keep_rollup_references()")
        op.execute("ALTER TABLE budget_line_versions DROP COLUMN id")
        return
    triggers = _sqlite_history_triggers()
    for name, _ in triggers:
        op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("budget_line_versions", recreate="always") as batch:
        batch.drop_column("id")
    for _, create in triggers:
        op.execute(create)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_history_update(planned_per_call=False))
        # A new serial key, numbered in the table's physical order.
        op.execute("ALTER TABLE budget_line_versions ADD COLUMN id SERIAL")
        op.execute("ALTER TABLE budget_line_versions ADD CONSTRAINT pk_budget_line_versions PRIMARY KEY (id)")
        for event in ("delete", "update", "truncate"):
            op.execute(f"DROP TRIGGER institutions_rollup_references_{event} ON institutions")
        op.execute("DROP FUNCTION institutions_keep_rollup_references()")
        for table in ROLLUPS:
            for event in ("insert", "update"):
                op.execute(f"DROP TRIGGER {table}_institution_{event} ON {table}")
        op.execute("DROP FUNCTION rollups_check_institutions()")
        for table in ROLLUPS:
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_fk(table)} FOREIGN KEY (institution_id) "
                       "REFERENCES institutions (id)")
        return
    triggers = _sqlite_history_triggers()
    for name, _ in triggers:
        op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table("budget_line_versions", recreate="always") as batch:
        batch.add_column(sa.Column("id", sa.Integer(), nullable=True))
    # SQLite cannot add a primary key to a table: rebuild it with one, the rows keeping their order.
    op.execute("UPDATE budget_line_versions SET id = rowid")
    with op.batch_alter_table("budget_line_versions", recreate="always") as batch:
        batch.alter_column("id", existing_type=sa.Integer(), nullable=False)
        batch.create_primary_key("pk_budget_line_versions", ["id"])
    for _, create in triggers:
        op.execute(create)
