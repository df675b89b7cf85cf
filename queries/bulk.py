"""Bulk writes: institutions and budget lines, COPY on PostgreSQL, executemany on SQLite."""
from __future__ import annotations

import struct

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select, text

from dashboard.schema import (
    ROLLUP_TABLES, anomaly_flags, budget_lines, demo_anomalies, documents, institution_search, institutions, page_views,
    publications, recent_views,
)

LINE_COLUMNS = ("institution_id", "year", "month", "program_code", "subprogram_code", "specific_code",
                "plan", "plan_adjusted", "obligations", "paid")
INSTITUTION_COLUMNS = ("id", "bin", "name_kk", "name_ru", "name_en", "type_code", "sector_code",
                       "region_code", "district_code", "address", "address_kk", "lat", "lon", "budget_level",
                       "capacity_unit", "capacity")
# PostgreSQL binary COPY: every field is (int32 length, big-endian value).
_PG_FIELDS = [("institution_id", ">i4", 4), ("year", ">i2", 2), ("month", ">i2", 2),
              ("program_code", "S7", 7), ("subprogram_code", "S3", 3), ("specific_code", ">i2", 2),
              ("plan", ">i8", 8), ("plan_adjusted", ">i8", 8), ("obligations", ">i8", 8), ("paid", ">i8", 8)]
_PG_DTYPE = np.dtype([("nfields", ">i2")] + [
    item for name, fmt, size in _PG_FIELDS for item in ((f"{name}_len", ">i4"), (name, fmt))])
_PG_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_PG_TRAILER = struct.pack(">h", -1)
# Dropped during a bulk load into an empty table and rebuilt after it (PostgreSQL). The
# references are statement-level triggers there (migration 0008): they stay on and check
# each COPY's rows in one pass.
_PG_LINE_CONSTRAINTS = [
    ("pk_budget_lines", "PRIMARY KEY (institution_id, year, month, program_code, subprogram_code, specific_code)"),
]


def count_institutions(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(institutions)).scalar_one()


def rows_depending_on_institutions(conn: Connection) -> dict[str, int]:
    """Citizens' appeals, official accounts and analysts' cases and flag reviews that point at
    institutions (never deleted by the demo)."""
    from dashboard.schema import appeals, cases, flag_reviews, user_institutions

    def count(table) -> int:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()

    return {"appeals": count(appeals), "officials": count(user_institutions),
            "analyst_records": count(cases) + count(flag_reviews)}


def clear_budget_data(conn: Connection) -> None:
    """Delete every institution and what hangs off it (reference tables stay)."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(t.name for t in (*ROLLUP_TABLES, demo_anomalies, anomaly_flags, documents, budget_lines,
                                           institution_search, recent_views, page_views, publications))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
        # DELETE, not TRUNCATE: appeals and accounts reference institutions (and are empty here,
        # see rows_depending_on_institutions); their audit log refuses TRUNCATE by design.
        conn.execute(delete(institutions))
        conn.execute(text("SELECT setval(pg_get_serial_sequence('institutions', 'id'), 1, false)"))
        return
    for table in (*ROLLUP_TABLES, demo_anomalies, anomaly_flags, documents, budget_lines, institution_search, recent_views,
                  page_views, institutions, publications):
        conn.execute(delete(table))


def insert_institutions(conn: Connection, frame: pd.DataFrame) -> None:
    rows = frame.loc[:, list(INSTITUTION_COLUMNS)].astype(object).where(frame.notna(), None).to_dict("records")
    for start in range(0, len(rows), 5000):
        conn.execute(insert(institutions), rows[start:start + 5000])
    if conn.dialect.name == "postgresql":  # ids were given: move the sequence past them for later inserts
        conn.execute(text("SELECT setval(pg_get_serial_sequence('institutions', 'id'), "
                          "(SELECT max(id) FROM institutions))"))


def insert_rows(conn: Connection, table, rows: list[dict]) -> None:
    if rows:
        conn.execute(insert(table), rows)


def begin_fast_line_load(conn: Connection) -> None:
    """On PostgreSQL, drop budget_lines' primary key for a bulk load into an empty table."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text("SET LOCAL synchronous_commit = off"))
    conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
    conn.execute(text("SET LOCAL work_mem = '256MB'"))  # each COPY's rows, kept for the reference checks
    for name, _definition in reversed(_PG_LINE_CONSTRAINTS):
        conn.execute(text(f"ALTER TABLE budget_lines DROP CONSTRAINT {name}"))


def end_fast_line_load(conn: Connection) -> None:
    """Rebuild what begin_fast_line_load dropped (validates every row)."""
    if conn.dialect.name != "postgresql":
        return
    for name, definition in _PG_LINE_CONSTRAINTS:
        conn.execute(text(f"ALTER TABLE budget_lines ADD CONSTRAINT {name} {definition}"))


def write_lines(conn: Connection, chunk: dict[str, np.ndarray], table: str = "budget_lines") -> int:
    """Append a chunk of budget lines (column arrays, money in tiyn) to `table` (budget_lines
    or a staging table with the same columns); returns the row count."""
    n = len(chunk["institution_id"])
    if n == 0:
        return 0
    if conn.dialect.name == "postgresql":
        rec = np.empty(n, dtype=_PG_DTYPE)
        rec["nfields"] = len(_PG_FIELDS)
        for name, _fmt, size in _PG_FIELDS:
            rec[f"{name}_len"] = size
            rec[name] = chunk[name]
        cols = ", ".join(LINE_COLUMNS)
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(_PG_HEADER)
                view = rec.view(np.uint8)
                step = 8 << 20
                for start in range(0, view.size, step):
                    copy.write(view[start:start + step].tobytes())
                copy.write(_PG_TRAILER)
        return n
    columns = [chunk[c].tolist() if chunk[c].dtype.kind != "S" else chunk[c].astype(str).tolist()
               for c in LINE_COLUMNS]
    placeholders = ", ".join("?" * len(LINE_COLUMNS))
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(LINE_COLUMNS)}) VALUES ({placeholders})",
                         list(zip(*columns)))
    return n


def log_publication(conn: Connection, source: str, kind: str, description: str,
                    n_institutions: int, n_lines: int) -> int:
    """Record a publication; its id is the new data version."""
    return conn.execute(insert(publications).values(
        source=source, kind=kind, description=description, institutions=n_institutions,
        lines=n_lines).returning(publications.c.id)).scalar_one()


def analyze(conn: Connection) -> None:
    conn.execute(text("ANALYZE"))
