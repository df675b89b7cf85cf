"""Whole tables for the bulk downloads that the data package describes (dashboard/web/api/datapackage.py)."""
from __future__ import annotations

from sqlalchemy import Connection, select

from dashboard.schema import (
    districts, functional_groups, institution_types, institutions as inst, programs, regions, sectors, specifics,
    subprograms,
)
from queries.catalog import INSTITUTION_FIELDS

# The reference tables offered whole, by the name used in their URL.
REFERENCE_TABLES = {t.name: t for t in (regions, districts, sectors, functional_groups, programs, subprograms,
                                        specifics, institution_types)}


def reference_rows(conn: Connection, name: str) -> list[dict]:
    """Every row of one reference table (REFERENCE_TABLES), in primary-key order."""
    table = REFERENCE_TABLES[name]
    return [dict(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()]


def stream_institutions(conn: Connection, batch: int = 5000):
    """Every institution (INSTITUTION_FIELDS) by BIN, fetched in batches (server-side cursor on
    PostgreSQL)."""
    q = select(*[inst.c[f] for f in INSTITUTION_FIELDS]).order_by(inst.c.bin)
    yield from conn.execution_options(yield_per=batch).execute(q).mappings()
