"""budget_lines' references checked once per statement on PostgreSQL, not once per row

PostgreSQL checks a declared foreign key with one `SELECT … FOR KEY SHARE` per inserted row
and key: three per budget line, which made a 1-million-line import spend 12 of its 15 s of
INSERT there. These triggers enforce the same three references (institutions, specifics,
subprograms) set-based, with transition tables:

- after every INSERT or UPDATE of budget_lines, the distinct keys of the new rows are locked
  FOR KEY SHARE (as a foreign key does, so a concurrent delete waits) and must all exist;
- after every DELETE or UPDATE of a referenced table, and after TRUNCATE, no budget line may
  point at a key that is gone.

A violation raises SQLSTATE 23503 (foreign_key_violation), like the constraint did. The
parent-side check needs a fresh snapshot, so removing a referenced table's key is refused
(SQLSTATE 40001) outside READ COMMITTED, the isolation the application uses. SQLite
keeps its declared foreign keys (cheap there). dashboard.schema keeps declaring them too;
`dashboard.schema.include_object` tells Alembic's comparison that PostgreSQL holds them as
these triggers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# (constraint, referenced table, [(line column, referenced column)], what the message calls it)
REFERENCES = [
    ("fk_budget_lines_institution_id_institutions", "institutions", [("institution_id", "id")], "institution"),
    ("fk_budget_lines_specific_code_specifics", "specifics", [("specific_code", "code")], "specific"),
    ("fk_budget_lines_subprogram", "subprograms",
     [("program_code", "program_code"), ("subprogram_code", "code")], "subprogram"),
]


def _line_check() -> str:
    """The budget_lines trigger function: lock, then prove, every distinct referenced key."""
    blocks = []
    for _name, parent, pairs, label in REFERENCES:
        line_cols = ", ".join(c for c, _ in pairs)
        match = " AND ".join(f"p.{pc} = k.{c}" for c, pc in pairs)
        shown = " || '/' || ".join(f"k.{c}::text" for c, _ in pairs)
        blocks.append(f"""
    PERFORM 1 FROM {parent} p WHERE ({", ".join(f"p.{pc}" for _, pc in pairs)}) IN
        (SELECT DISTINCT {line_cols} FROM new_rows) FOR KEY SHARE OF p;
    SELECT {shown} INTO missing FROM (SELECT DISTINCT {line_cols} FROM new_rows) k
        WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match}) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "budget_lines" violates foreign key: {label} % does not exist', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = 'budget_lines';
    END IF;""")
    return f"""
CREATE FUNCTION budget_lines_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing text;
BEGIN{"".join(blocks)}
    RETURN NULL;
END $$"""


def _parent_check(parent: str, pairs: list[tuple[str, str]], label: str) -> str:
    """A referenced table's trigger function: a key that is gone must have no budget lines."""
    match = " AND ".join(f"b.{c} = o.{pc}" for c, pc in pairs)
    still = " AND ".join(f"p.{pc} = o.{pc}" for _, pc in pairs)
    shown = " || '/' || ".join(f"o.{pc}::text" for _, pc in pairs)
    return f"""
CREATE FUNCTION {parent}_keep_line_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing text;
BEGIN
    -- The check below must see lines committed after this transaction began (a foreign key
    -- uses a crosscheck snapshot for that); under REPEATABLE READ or SERIALIZABLE it cannot, so
    -- removing a key is refused there.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        -- (two IFs: a TRUNCATE trigger has no old_rows to plan a query on)
        IF TG_OP = 'TRUNCATE' THEN
            missing := 'all';
        ELSE
            SELECT {shown} INTO missing FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE {still}) LIMIT 1;
        END IF;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'removing rows of "{parent}" (%) needs READ COMMITTED isolation: budget_lines refers to it', missing
                USING ERRCODE = 'serialization_failure', TABLE = '{parent}';
        END IF;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM budget_lines) THEN
            RAISE EXCEPTION 'cannot truncate table "{parent}": budget_lines refers to it'
                USING ERRCODE = 'foreign_key_violation', TABLE = '{parent}';
        END IF;
        RETURN NULL;
    END IF;
    SELECT {shown} INTO missing FROM old_rows o
        WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE {still})
          AND EXISTS (SELECT 1 FROM budget_lines b WHERE {match}) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'update or delete on table "{parent}" violates foreign key on table "budget_lines": {label} % is still referenced', missing
            USING ERRCODE = 'foreign_key_violation', TABLE = '{parent}';
    END IF;
    RETURN NULL;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE budget_lines " + ", ".join(f"DROP CONSTRAINT {name}" for name, *_ in REFERENCES))
    op.execute(_line_check())
    for event in ("INSERT", "UPDATE"):
        op.execute(f"CREATE TRIGGER budget_lines_references_{event.lower()} AFTER {event} ON budget_lines "
                   "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                   "EXECUTE FUNCTION budget_lines_check_references()")
    for _name, parent, pairs, label in REFERENCES:
        op.execute(_parent_check(parent, pairs, label))
        for event in ("DELETE", "UPDATE"):
            op.execute(f"CREATE TRIGGER {parent}_line_references_{event.lower()} AFTER {event} ON {parent} "
                       "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION {parent}_keep_line_references()")
        op.execute(f"CREATE TRIGGER {parent}_line_references_truncate AFTER TRUNCATE ON {parent} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {parent}_keep_line_references()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for _name, parent, *_ in REFERENCES:
        for event in ("delete", "update", "truncate"):
            op.execute(f"DROP TRIGGER {parent}_line_references_{event} ON {parent}")
        op.execute(f"DROP FUNCTION {parent}_keep_line_references()")
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER budget_lines_references_{event} ON budget_lines")
    op.execute("DROP FUNCTION budget_lines_check_references()")
    for name, parent, pairs, _label in REFERENCES:
        op.execute(f"ALTER TABLE budget_lines ADD CONSTRAINT {name} FOREIGN KEY "
                   f"({', '.join(c for c, _ in pairs)}) REFERENCES {parent} ({', '.join(p for _, p in pairs)})")
