"""Reading and writing the budget classification tables (functional groups, administrators,
programs, subprograms, specifics) for `python -m dashboard import classification` and the seed."""
from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.schema import administrators, functional_groups, programs, specifics, subprograms
from queries.bulk import log_publication
from queries.reference import upsert

TABLES = {t.name: t for t in (functional_groups, administrators, programs, subprograms, specifics)}


def _key(table, row) -> object:
    keys = [c.name for c in table.primary_key.columns]
    return row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)


def stored_classification(conn: Connection) -> dict[str, dict]:
    """Every classification table as {key: row} (subprograms keyed by (program, code))."""
    out = {}
    for name, table in TABLES.items():
        out[name] = {_key(table, r): dict(r) for r in conn.execute(select(table)).mappings()}
    return out


def apply_classification(conn: Connection, rows: dict[str, list[dict]], source: str) -> dict[str, dict]:
    """Write the rows that are new or differ from what is stored (parents first) and log one
    publication when anything changed (pages show these names: the data version must move).
    Returns inserted / updated / unchanged counts per table."""
    stored = stored_classification(conn)
    counts, changed = {}, 0
    for name, table in TABLES.items():
        new, differ, same = [], [], 0
        for row in rows.get(name, []):
            old = stored[name].get(_key(table, row))
            if old is None:
                new.append(row)
            elif any(old[c] != v for c, v in row.items()):
                differ.append(row)
            else:
                same += 1
        upsert(conn, table, new + differ)
        counts[name] = dict(inserted=len(new), updated=len(differ), unchanged=same)
        changed += len(new) + len(differ)
    if changed:
        log_publication(conn, "import", "classification", f"budget classification: {source}, {changed} codes",
                        0, 0)
    return counts


def insert_missing(conn: Connection, rows: dict[str, tuple[dict, ...]]) -> None:
    """Add the codes that are not stored yet, leaving stored ones as they are (an imported
    official table wins over the shipped set on every later migrate)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for name, table in TABLES.items():
        if rows.get(name):
            keys = [c.name for c in table.primary_key.columns]
            conn.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=keys), list(rows[name]))
