"""Bulk reads and writes: institutions, budget lines and derived rollups, COPY on PostgreSQL,
executemany on SQLite."""
from __future__ import annotations

import io
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Integer, delete, func, insert, select, text

from dashboard.schema import (
    ROLLUP_TABLES, anomaly_flags, budget_line_versions, budget_lines, demo_anomalies, documents, institution_search, institutions,
    line_history_area, line_history_publication, line_history_sums, publications,
)

# pg_advisory_xact_lock key serialising imports and every publication on PostgreSQL: publication
# ids are data versions, so they must become visible in the order they were handed out.
PUBLISH_LOCK_KEY = 7_240_001

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
# Migration 0008's per-statement reference check: it copies every COPYed row into a transition
# table and reads it six times. A fast load drops it (disabling is not enough: the rows are
# still captured), checks the distinct keys it wrote (LineKeys) once at the end instead and
# re-creates it from its catalog definition.
_PG_REFERENCE_TRIGGER = "budget_lines_references_insert"


class MissingReference(Exception):
    """Lines or rollups written by a fast load refer to an institution, specific or subprogram that
    does not exist."""


class LineKeys:
    """The distinct referenced keys of the lines written during a fast load."""

    def __init__(self) -> None:
        self.institutions: set[int] = set()
        self.specifics: set[int] = set()
        self.subprograms: set[tuple[str, str]] = set()

    def update(self, other: "LineKeys") -> None:
        self.institutions |= other.institutions
        self.specifics |= other.specifics
        self.subprograms |= other.subprograms

    def add(self, chunk: dict[str, np.ndarray]) -> None:
        n = len(chunk["institution_id"])
        self.institutions.update(np.unique(chunk["institution_id"]).tolist())
        self.specifics.update(np.unique(chunk["specific_code"]).tolist())
        program, sub = (np.asarray(chunk[c], dtype=f"S{w}") for c, w in (("program_code", 7), ("subprogram_code", 3)))
        pairs = np.empty((n, 10), np.uint8)
        pairs[:, :7], pairs[:, 7:] = program.view(np.uint8).reshape(n, 7), sub.view(np.uint8).reshape(n, 3)
        self.subprograms.update((p[:7].rstrip(b"\0").decode(), p[7:].rstrip(b"\0").decode())
                                for p in np.unique(pairs.view("S10").ravel()).tolist())


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
                                           budget_line_versions, line_history_sums, line_history_area,
                                           institution_search, publications))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
        # DELETE, not TRUNCATE: appeals and accounts reference institutions (and are empty here,
        # see rows_depending_on_institutions); their audit log refuses TRUNCATE by design.
        conn.execute(delete(institutions))
        conn.execute(text("SELECT setval(pg_get_serial_sequence('institutions', 'id'), 1, false)"))
        return
    for table in (*ROLLUP_TABLES, demo_anomalies, anomaly_flags, documents, budget_lines, budget_line_versions,
                  line_history_sums, line_history_area, institution_search, institutions, publications):
        conn.execute(delete(table))


def read_frame(conn: Connection, query, names: list[str], dtype: dict | None = None) -> pd.DataFrame:
    """The rows of `query` as a frame with these column names. On PostgreSQL through COPY and
    pandas' C parser: 1.4 M rows took 5 s as Python rows, under a second this way."""
    if conn.dialect.name == "postgresql":
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        body = io.BytesIO()
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)", compiled.params) as copy:
                for block in copy:
                    body.write(block)
        body.seek(0)
        return pd.read_csv(body, names=names, header=None, keep_default_na=False, na_values=[""], dtype=dtype)
    rows = conn.execute(query).all()
    # By columns: pandas probes every Row object for its fields.
    return pd.DataFrame(dict(zip(names, zip(*rows))) if rows else {n: [] for n in names}, columns=names)


def write_frame(conn: Connection, table, frame: pd.DataFrame) -> None:
    """Insert the frame's rows (columns named as the table's; integers, text or NA) into `table`:
    COPY on PostgreSQL (17,000 rows: 1.5 s as parameter rows), executemany on SQLite."""
    if frame.empty:
        return
    if conn.dialect.name == "postgresql":
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY {table.name} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(frame.to_csv(header=False, index=False, lineterminator="\n"))
        return
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    conn.execute(insert(table), [{k: v if v is None or isinstance(v, str) else int(v) for k, v in r.items()}
                                 for r in records])


def insert_in_one_statement(conn: Connection, table, rows: list[dict]) -> None:
    """Insert `rows` (same keys each, no Python-side defaults): one COPY on PostgreSQL, executemany
    on SQLite. (A frame of integers and text: write_frame.)

    Not executemany on PostgreSQL: psycopg sends that as one statement per row, and the statement
    triggers that keep the search vocabulary and the institution counts (migrations 0023, 0024)
    would then update a common word's or combination's row once per row written; thousands of
    updates of one row in one transaction each walk its earlier versions (the 17k demo's search
    index took 426 s that way). SQLite's triggers are per row and update in place."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        names = list(rows[0])
        if any(row.keys() != rows[0].keys() for row in rows):
            raise ValueError(f"rows for {table.name} do not all have the keys {names}")
        # A frame's integer column with a gap holds floats (174.0): COPY's text wants 174 (a
        # fraction stays, and COPY refuses it).
        whole = [isinstance(table.c[name].type, Integer) for name in names]
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([int(v) if w and isinstance(v, float) and v.is_integer() else v
                                    for w, v in zip(whole, (row[name] for name in names))])
        return
    conn.execute(insert(table), rows)


def insert_institutions(conn: Connection, frame: pd.DataFrame) -> None:
    rows = frame.loc[:, list(INSTITUTION_COLUMNS)].astype(object).where(frame.notna(), None).to_dict("records")
    insert_in_one_statement(conn, institutions, rows)
    if conn.dialect.name == "postgresql":  # ids were given: move the sequence past them for later inserts
        conn.execute(text("SELECT setval(pg_get_serial_sequence('institutions', 'id'), "
                          "(SELECT max(id) FROM institutions))"))


def insert_rows(conn: Connection, table, rows: list[dict]) -> None:
    if rows:
        conn.execute(insert(table), rows)


def begin_fast_line_load(conn: Connection) -> str | None:
    """On PostgreSQL, drop budget_lines' primary key and its per-statement reference check for
    a bulk load into an empty table; pass what this returns to end_fast_line_load, which puts
    both back."""
    if conn.dialect.name != "postgresql":
        return None
    conn.execute(text("SET LOCAL synchronous_commit = off"))
    conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
    # The rollups' hash aggregates: 1.2 M groups at full-country scale spilled to disk at 256MB,
    # and the planner, expecting a spill, sorted the district rollup's input by text instead.
    conn.execute(text("SET LOCAL work_mem = '512MB'"))
    for name, _definition in reversed(_PG_LINE_CONSTRAINTS):
        conn.execute(text(f"ALTER TABLE budget_lines DROP CONSTRAINT {name}"))
    # Transactional, and the ACCESS EXCLUSIVE lock taken above keeps every other session out of
    # budget_lines until commit, so no line escapes the check in end_fast_line_load.
    trigger = conn.execute(text("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = :n "
                                "AND tgrelid = 'budget_lines'::regclass"), {"n": _PG_REFERENCE_TRIGGER}).scalar_one()
    conn.execute(text(f"DROP TRIGGER {_PG_REFERENCE_TRIGGER} ON budget_lines"))
    return trigger


def end_fast_line_load(conn: Connection, keys: LineKeys, dropped: str | None) -> None:
    """Rebuild what begin_fast_line_load dropped (the primary key validates every row) and prove
    the written lines' references `keys` (collected from every chunk written), locking them
    FOR KEY SHARE as the reference trigger does; MissingReference if one does not exist."""
    if conn.dialect.name != "postgresql":
        return
    for name, definition in _PG_LINE_CONSTRAINTS:
        conn.execute(text(f"ALTER TABLE budget_lines ADD CONSTRAINT {name} {definition}"))
    conn.execute(text(dropped))
    found = {r[0] for r in conn.execute(text("SELECT id FROM institutions WHERE id = ANY(:k) FOR KEY SHARE"),
                                        {"k": sorted(keys.institutions)})}
    missing = [f"institution {k}" for k in sorted(keys.institutions - found)]
    found = {r[0] for r in conn.execute(text("SELECT code FROM specifics WHERE code = ANY(:k) FOR KEY SHARE"),
                                        {"k": sorted(keys.specifics)})}
    missing += [f"specific {k}" for k in sorted(keys.specifics - found)]
    pairs = sorted(keys.subprograms)
    found = {tuple(r) for r in conn.execute(text(
        "SELECT program_code, code FROM subprograms WHERE (program_code, code) IN "
        "(SELECT * FROM unnest(CAST(:p AS text[]), CAST(:s AS text[]))) FOR KEY SHARE"),
        {"p": [p for p, _ in pairs], "s": [s for _, s in pairs]})}
    missing += [f"subprogram {p}/{s}" for p, s in pairs if (p, s) not in found]
    if missing:
        raise MissingReference("budget lines refer to what does not exist: " + ", ".join(missing[:5]))


@contextmanager
def filled_in_bulk(conn: Connection, tables) -> Iterator[None]:
    """On PostgreSQL, drop the keys (primary and foreign) and indexes of `tables` (emptied, to
    be filled by the body) and re-create them from their catalog definitions after it: one
    sorted index build and one validating pass per key, instead of a random index insert and a
    check per row (the rollups are millions of rows at full-country scale; the search documents'
    trigram index also builds several times faster at once). The rollups' per-statement check of
    their institutions (migration 0020) is dropped too and made once at the end: MissingReference
    if a row points at an institution that does not exist."""
    if conn.dialect.name != "postgresql":
        yield
        return
    names = [t.name for t in tables]
    checks = conn.execute(text(
        "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = ANY(CAST(:t AS regclass[])) AND tgfoid = 'rollups_check_institutions'::regproc "
        "ORDER BY 1, 2"), {"t": names}).all()
    for table, name, _definition in checks:
        conn.execute(text(f"DROP TRIGGER {name} ON {table}"))
    # Primary and unique keys before foreign keys ('p' < 'u' < 'f' is not the catalog's order).
    keys = conn.execute(text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype IN ('p', 'u', 'f') AND conrelid = ANY(CAST(:t AS regclass[])) "
        "ORDER BY contype = 'f', 1, 2"), {"t": names}).all()
    indexes = conn.execute(text(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = ANY(CAST(:t AS regclass[])) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid) ORDER BY 1"), {"t": names}).all()
    for table, name, _definition in reversed(keys):
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        conn.execute(text(f"DROP INDEX {name}"))
    yield
    for table, name, definition in keys:
        conn.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    for _name, definition in indexes:
        conn.execute(text(definition))
    for table, _name, definition in checks:
        conn.execute(text(definition))
    for table in sorted({c[0] for c in checks}):
        # Locked as the trigger locks them, so no institution can go before this commits.
        conn.execute(text(f"SELECT 1 FROM institutions WHERE id IN (SELECT DISTINCT institution_id FROM {table}) "
                          "FOR KEY SHARE"))
        missing = conn.execute(text(
            f"SELECT k.institution_id FROM (SELECT DISTINCT institution_id FROM {table}) k WHERE NOT EXISTS "
            "(SELECT 1 FROM institutions p WHERE p.id = k.institution_id) LIMIT 1")).scalar()
        if missing is not None:
            raise MissingReference(f"{table} refers to institution {missing}, which does not exist")


def encode_lines(chunk: dict[str, np.ndarray]) -> np.ndarray:
    """A chunk of lines as PostgreSQL binary COPY rows (bytes, without header and trailer)."""
    n = len(chunk["institution_id"])
    template = np.zeros(1, dtype=_PG_DTYPE)  # field count and lengths: the same in every row
    template["nfields"] = len(_PG_FIELDS)
    for name, _fmt, size in _PG_FIELDS:
        template[f"{name}_len"] = size
    # A byte matrix filled column by column: faster than assigning the structured fields.
    out = np.empty((n, _PG_DTYPE.itemsize), np.uint8)
    out[:] = template.view(np.uint8)
    for name, fmt, size in _PG_FIELDS:
        offset = _PG_DTYPE.fields[name][1]
        out[:, offset:offset + size] = np.ascontiguousarray(chunk[name], dtype=fmt).view(np.uint8).reshape(n, size)
    return out.ravel()


def write_lines(conn: Connection, chunk: dict[str, np.ndarray], table: str = "budget_lines",
                encoded: np.ndarray | None = None) -> int:
    """Append a chunk of budget lines (column arrays, money in tiyn) to `table` (budget_lines
    or a staging table with the same columns); returns the row count. `encoded`: the chunk's
    encode_lines, if already made (e.g. in another thread)."""
    n = len(chunk["institution_id"])
    if n == 0:
        return 0
    if conn.dialect.name == "postgresql":
        view = encode_lines(chunk) if encoded is None else encoded
        cols = ", ".join(LINE_COLUMNS)
        with conn.connection.driver_connection.cursor() as cur:
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(_PG_HEADER)
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


class PublishingBusy(Exception):
    """Another publication (an import) holds the publish lock longer than the caller would wait."""


def publish_lock(conn: Connection, wait_seconds: float | None = None) -> None:
    """Take the lock every publication takes (PostgreSQL; released when the transaction ends).
    With `wait_seconds`, give up after that long with PublishingBusy: a web request must not
    hang for the length of an import."""
    if conn.dialect.name != "postgresql":  # SQLite has one writer at a time anyway
        return
    if wait_seconds is None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK_KEY})
        return
    deadline = time.monotonic() + wait_seconds
    while not conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK_KEY}).scalar_one():
        if time.monotonic() >= deadline:
            raise PublishingBusy
        time.sleep(0.1)


def reserve_publication(conn: Connection) -> int:
    """Reserve the id of the publication this transaction will log (pass it to log_publication)
    and let the lines' history triggers stamp what they write with it (migration 0019), instead
    of a publications trigger updating every history row at the end. Holds the publish lock until
    the transaction ends, so no other publication gets a later id and commits first. Call
    release_publication before committing. An id left unused (nothing changed, or a rollback) is a
    gap in the ids, nothing else."""
    publish_lock(conn)
    release_publication(conn)  # a committed writer leaves none; a stale one would stamp wrongly
    if conn.dialect.name == "postgresql":
        reserved = conn.execute(text("SELECT nextval(pg_get_serial_sequence('publications', 'id'))")).scalar_one()
        conn.execute(insert(line_history_publication).values(publication_id=reserved))
        return reserved
    # One statement under SQLite's write lock: the next rowid, taken before any other writer.
    conn.execute(insert(line_history_publication).from_select(
        ["publication_id"], select(func.coalesce(func.max(publications.c.id), 0) + 1)))
    return conn.execute(select(line_history_publication.c.publication_id)).scalar_one()


def release_publication(conn: Connection) -> None:
    """End what reserve_publication began (after an error, the rollback does it)."""
    conn.execute(delete(line_history_publication))


def log_publication(conn: Connection, source: str, kind: str, description: str,
                    n_institutions: int, n_lines: int, by: str | None = None,
                    publication_id: int | None = None) -> int:
    """Record a publication (`by`: who published, when known); its id is the new data version
    (`publication_id`: the one reserve_publication handed out). A trigger (migration 0019) stamps
    the lines' history this transaction wrote unstamped with the id."""
    publish_lock(conn)
    values = dict(source=source, kind=kind, description=description, institutions=n_institutions,
                  lines=n_lines, published_by=by)
    if publication_id is not None:
        values["id"] = publication_id
    return conn.execute(insert(publications).values(**values).returning(publications.c.id)).scalar_one()


# The lines' history triggers (migration 0019); a demo load drops them while it fills budget_lines.
HISTORY_TRIGGERS = ("budget_lines_history_insert", "budget_lines_history_update", "budget_lines_history_delete")


@contextmanager
def history_paused(conn: Connection) -> Iterator[None]:
    """Drop budget_lines' history triggers for the body and re-create them from their catalog
    definitions after it (same transaction): a demo load or `--replace` rewrites every line, and
    copying millions of rows into budget_line_versions would only record a history that the
    load itself ends (the history is emptied: a replaced demo starts a new history).
    The history is emptied first: on SQLite that statement opens the transaction (the driver
    begins one only before a data change), so the drops below roll back with a failed load
    instead of leaving the table without its triggers."""
    conn.execute(delete(budget_line_versions))
    conn.execute(delete(line_history_sums))
    conn.execute(delete(line_history_area))
    if conn.dialect.name == "postgresql":
        found = conn.execute(text(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'budget_lines'::regclass "
            "AND tgname = ANY(:n)"), {"n": list(HISTORY_TRIGGERS)}).all()
        drop = "DROP TRIGGER {} ON budget_lines"
    else:
        found = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'budget_lines' "
            f"AND name IN ({', '.join('?' * len(HISTORY_TRIGGERS))})", HISTORY_TRIGGERS).all()
        drop = "DROP TRIGGER {}"
    for name, _definition in found:
        conn.execute(text(drop.format(name)))
    yield
    for _name, definition in found:
        conn.exec_driver_sql(definition)


def analyze(conn: Connection) -> None:
    conn.execute(text("ANALYZE"))
