"""What the anomaly detectors read: institutions, the line-year matrix and appeals (one ScanData).

The matrix is one GROUP BY over budget_lines with one CASE WHEN month = m … per month, the same
statement on SQLite and PostgreSQL. The aggregate is MAX, not SUM: the primary key (institution,
year, month, program, subprogram, specific) holds one row per line-month, so both give the same
exact integer, and PostgreSQL's SUM(bigint) runs through a 128-bit accumulator and a numeric
result that made the full-country query twice as slow (20.6 s against 9.8 s, measured).
On PostgreSQL the rows travel through COPY … TO STDOUT (CSV), much faster than Python tuples.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from sqlalchemy import Connection, case, func, select, true

from dashboard.anomalies import thresholds as th
from dashboard.anomalies.detectors._common import size_class
from dashboard.anomalies.model import MONTHS, ScanData
from queries.anomalies import load_baselines
from dashboard.schema import appeals, budget_lines as bl, institution_types as types, institutions as inst

LINE_KEYS = ("institution_id", "year", "program_code", "subprogram_code", "specific_code")
TEXT_KEYS = {"program_code": str, "subprogram_code": str}


def load_scan_data(conn: Connection, years: list[int] | None = None,
                   institution_ids: list[int] | None = None, now: dt.datetime | None = None,
                   with_lines: bool = True) -> ScanData:
    """Everything a scan needs. With `institution_ids` (a rescore), those institutions' lines of
    every year plus their peer groups' lines, and targets limited to them (and to `years`).
    With `with_lines=False` (only the appeal detectors run) the line-year matrix is empty."""
    now = now or dt.datetime.now(dt.timezone.utc)
    institutions = _institutions(conn)
    if with_lines:
        scope = None if institution_ids is None else _peer_scope(institutions, institution_ids)
        lines = _lines(conn, scope)
    else:
        lines = pd.DataFrame({c.name: pd.Series(dtype=str if c.name in TEXT_KEYS else "int64")
                              for c in matrix_statement().selected_columns})
    appeal_rows = _appeals(conn, institution_ids)
    all_years = sorted(set(lines["year"].astype(int)) | set(appeal_rows["created_at"].dt.year.dropna().astype(int))
                       | set(appeal_rows["line_year"].dropna().astype(int)))
    scan_years = sorted(years) if years else all_years
    targets = None
    if institution_ids is not None:
        targets = {(int(i), int(y)) for i in institution_ids for y in scan_years}
    baselines = load_baselines(conn) if institution_ids is not None else {}
    return ScanData(institutions, lines, appeal_rows, targets, now, scan_years, baselines)


def _institutions(conn: Connection) -> pd.DataFrame:
    stmt = (select(inst.c.id, inst.c.bin, inst.c.type_code, inst.c.sector_code, inst.c.region_code,
                   inst.c.district_code, inst.c.capacity, inst.c.capacity_unit, types.c.unit_kind)
            .join(types, types.c.code == inst.c.type_code).order_by(inst.c.id))
    frame = pd.DataFrame(conn.execute(stmt).all(), columns=["id", "bin", "type_code", "sector_code", "region_code",
                                                            "district_code", "capacity", "capacity_unit", "unit_kind"])
    frame["id"] = frame["id"].astype("int64")
    frame["capacity"] = pd.array(frame["capacity"], dtype="Int64")
    return frame


def _peer_scope(institutions: pd.DataFrame, ids: list[int]) -> list[int]:
    """Ids of the targets and their peers: same type and region, or same type nationwide where
    the regional group (or the target's size class in it) is under MIN_PEERS."""
    frame = institutions.assign(band=size_class(institutions).to_numpy())
    scope = {int(i) for i in ids}
    by_type = dict(tuple(frame.groupby("type_code", sort=False)))
    # Once per (type, region, size class) among the targets, not per target: an import of one
    # district's schools is a thousand targets and one group (1,488 targets: 1.6 → 0.27 s).
    groups = frame.loc[frame["id"].isin(scope), ["type_code", "region_code", "band"]].drop_duplicates()
    for type_code, region_code, band in groups.itertuples(index=False):
        same_type = by_type[type_code]
        same = same_type[same_type["region_code"] == region_code]
        small = len(same) < th.MIN_PEERS or (band >= 0 and (same["band"] == band).sum() < th.MIN_PEERS)
        scope |= set((same_type if small else same)["id"].astype(int))
    return sorted(scope)


def matrix_statement(scope=None):
    """The line-year matrix: paid_1..paid_12 and plan_1..plan_12 (adjusted plan) per line-year."""
    money = []
    for name, column in (("paid", bl.c.paid), ("plan", bl.c.plan_adjusted)):
        money += [func.coalesce(func.max(case((bl.c.month == m, column))), 0).label(f"{name}_{m}")
                  for m in MONTHS]
    keys = [bl.c[k] for k in LINE_KEYS]
    # A list of ids (not a subquery) lets PostgreSQL walk the primary key's institution_id prefix.
    where = true() if scope is None else bl.c.institution_id.in_(scope)
    return select(*keys, *money).where(where).group_by(*keys)


def _lines(conn: Connection, scope) -> pd.DataFrame:
    stmt = matrix_statement(scope)
    names = [c.name for c in stmt.selected_columns]
    if conn.dialect.name == "postgresql":
        # 1.4 M groups: sort/hash in memory rather than spill to disk (measured 22 s → 11 s);
        # JIT compilation costs more than it saves on this one statement.
        # Only for this statement: an import's rollups and publication follow in its transaction.
        before = conn.exec_driver_sql("SELECT current_setting('work_mem'), current_setting('jit')").one()
        conn.exec_driver_sql("SET LOCAL work_mem = '1GB'")
        conn.exec_driver_sql("SET LOCAL jit = off")
        sql = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        buffer = io.BytesIO()
        with conn.connection.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for chunk in copy:
                buffer.write(chunk)
        conn.exec_driver_sql("SELECT set_config('work_mem', %s, true), set_config('jit', %s, true)", tuple(before))
        buffer.seek(0)
        frame = pd.read_csv(buffer, header=None, names=names, dtype={**TEXT_KEYS}, keep_default_na=False)
    else:
        frame = pd.DataFrame(conn.execute(stmt).all(), columns=names)
    money = [n for n in names if n not in LINE_KEYS]
    frame[money] = frame[money].astype("int64")
    frame[["institution_id", "year", "specific_code"]] = frame[["institution_id", "year", "specific_code"]].astype("int64")
    return frame  # unordered: the detectors group by keys, and sorting 1.2 M rows costs 2 s


def _appeals(conn: Connection, ids: list[int] | None) -> pd.DataFrame:
    cols = [appeals.c.id, appeals.c.institution_id, appeals.c.kind, appeals.c.status, appeals.c.published,
            appeals.c.hidden_reason.is_not(None).label("hidden"), appeals.c.created_at, appeals.c.due_at,
            appeals.c.answered_at, appeals.c.line_year, appeals.c.line_program_code,
            appeals.c.line_subprogram_code, appeals.c.line_specific_code]
    stmt = select(*cols).order_by(appeals.c.id)
    if ids is not None:
        stmt = stmt.where(appeals.c.institution_id.in_([int(i) for i in ids]))
    frame = pd.DataFrame(conn.execute(stmt).all(), columns=[c.name for c in cols])
    for c in ("created_at", "due_at", "answered_at"):
        frame[c] = pd.to_datetime(frame[c], utc=True)  # SQLite returns naive UTC datetimes
    frame["hidden"] = frame["hidden"].astype(bool)
    frame["published"] = frame["published"].astype(bool)
    return frame
