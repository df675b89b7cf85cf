"""Rollups: pre-aggregated sums that must always equal sums over budget_lines.

Call `refresh_rollups` inside the transaction that changed budget_lines (or moved an
institution), naming what changed; it recomputes exactly the affected slices. Lines of
institution-years that had none before, and updates of stored lines, can instead be added
with `add_to_rollups`, which needs no pass over budget_lines; what is derived per region from the
rollups (`refresh_derived`: peer groups and month-range leaders) is then the caller's to refresh,
once for all calls.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, delete, func, insert, select, text, true
from sqlalchemy.exc import DBAPIError
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.schema import (
    MONEY_COLUMNS, budget_lines as bl, institutions as inst, rollup_district_sector_month as rdsm,
    rollup_institution_month as rim, rollup_institution_specific_year as risy, rollup_institution_year as riy,
    rollup_region_sector_month as rrsm,
)
from queries.peer_groups import refresh_peer_groups
from queries.range_leaders import refresh_range_leaders


COPY_ABOVE = 500  # rows: below this, a plain executemany is cheaper than a temporary table
_INT64 = 2 ** 63  # sums whose bound reaches this might wrap in int64: not added here


class RollupOverflow(Exception):
    """A total no longer fits in BIGINT tiyn (only absurd amounts get there)."""


def _execute(conn: Connection, stmt, rows=None) -> None:
    """Run a rollup write; a total out of BIGINT range becomes RollupOverflow on both databases
    (PostgreSQL raises 22003; SQLite's sum() raises, its + silently turns REAL: checked after)."""
    try:
        conn.execute(stmt, rows) if rows is not None else conn.execute(stmt)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "22003" or "integer overflow" in str(exc.orig):
            raise RollupOverflow(str(exc.orig)) from exc
        raise
    if conn.dialect.name == "sqlite":
        table = stmt.table
        real = " OR ".join(f"typeof({c}) = 'real'" for c in MONEY_COLUMNS)
        if conn.execute(select(true()).select_from(table).where(text(real)).limit(1)).first():
            raise RollupOverflow(f"a total in {table.name} exceeds BIGINT")


def _where(*pairs):
    """AND of `column IN values` for each (column, values) whose values are not None."""
    return and_(true(), *[col.in_(vals) for col, vals in pairs if vals is not None])


def refresh_rollups(conn: Connection, institution_ids: Iterable[int] | None = None,
                    years: Iterable[int] | None = None, extra_regions: Iterable[str] = (),
                    extra_districts: Iterable[str] = (), derived: bool = True) -> None:
    """Recompute the rollups touched by a change to these institutions and years.

    None means "all". `extra_regions`/`extra_districts` name places an institution moved out
    of, whose slices must be recomputed too. `derived=False` leaves the peer groups and range
    leaders to the caller (an import refreshes them once, see `refresh_derived`).
    """
    ids = None if institution_ids is None else sorted(set(institution_ids))
    yrs = None if years is None else sorted(set(years))
    if ids is not None and not ids:
        return
    regions = districts = None
    if ids is not None:
        places = conn.execute(select(inst.c.region_code, inst.c.district_code).distinct()
                              .where(inst.c.id.in_(ids))).all()
        regions = sorted({p[0] for p in places} | set(extra_regions))
        districts = sorted({p[1] for p in places} | set(extra_districts))
    sums = [func.sum(bl.c[c]).label(c) for c in MONEY_COLUMNS]

    conn.execute(delete(rim).where(_where((rim.c.institution_id, ids), (rim.c.year, yrs))))
    keys = [bl.c.institution_id, bl.c.year, bl.c.month]
    q = select(*keys, *sums).where(_where((bl.c.institution_id, ids), (bl.c.year, yrs))).group_by(*keys)
    _execute(conn, insert(rim).from_select(["institution_id", "year", "month", *MONEY_COLUMNS], q))

    # Districts from the monthly institution rollup (every institution's rows in it are current:
    # those of `ids` were just recomputed), not from the lines again: a twelfth of the rows and no
    # count(DISTINCT) sort on text keys (2.5 of 4 s of a full refresh). A row there is an
    # institution with lines in that month, so count(*) is the count of distinct institutions.
    conn.execute(delete(rdsm).where(_where((rdsm.c.district_code, districts), (rdsm.c.year, yrs))))
    keys = [inst.c.district_code, inst.c.sector_code, rim.c.year, rim.c.month, inst.c.region_code]
    q = (select(*keys, *[func.sum(rim.c[c]) for c in MONEY_COLUMNS], func.count().label("institutions"))
         .select_from(rim.join(inst, inst.c.id == rim.c.institution_id))
         .where(_where((inst.c.district_code, districts), (rim.c.year, yrs))).group_by(*keys))
    _execute(conn, insert(rdsm).from_select([c.name for c in keys] + [*MONEY_COLUMNS, "institutions"], q))

    _regions_from_districts(conn, regions, yrs)

    # The yearly rollup from the monthly one: a twelfth of the rows to read.
    conn.execute(delete(riy).where(_where((riy.c.institution_id, ids), (riy.c.year, yrs))))
    keys = [rim.c.institution_id, rim.c.year]
    q = (select(*keys, *[func.sum(rim.c[c]) for c in MONEY_COLUMNS])
         .where(_where((rim.c.institution_id, ids), (rim.c.year, yrs))).group_by(*keys))
    _execute(conn, insert(riy).from_select(["institution_id", "year", *MONEY_COLUMNS], q))

    conn.execute(delete(risy).where(_where((risy.c.institution_id, ids), (risy.c.year, yrs))))
    keys = [bl.c.institution_id, bl.c.year, bl.c.specific_code]
    group = [inst.c.type_code, inst.c.region_code]
    # Summed by the integer keys first, then joined and sorted: sorting every line by text keys
    # (the plan PostgreSQL picks for freshly loaded, unanalysed lines) took 14 s for 1.7 M lines.
    per = select(*keys, *sums).where(_where((bl.c.institution_id, ids), (bl.c.year, yrs))).group_by(*keys).subquery()
    q = (select(per.c.institution_id, per.c.year, per.c.specific_code, *group, *[per.c[c] for c in MONEY_COLUMNS])
         .select_from(per.join(inst, inst.c.id == per.c.institution_id))
         .order_by(per.c.year, *_bytewise(conn, group), per.c.institution_id))  # a peer group's rows then share pages
    _execute(conn, insert(risy).from_select(["institution_id", "year", "specific_code", "type_code", "region_code",
                                             *MONEY_COLUMNS], q))
    if derived:
        refresh_derived(conn, yrs, regions)


def refresh_derived(conn: Connection, years: Iterable[int] | None = None, regions: Iterable[str] | None = None,
                    institution_ids: Iterable[int] | None = None, capacity_regions: Iterable[str] = ()) -> None:
    """Recompute what is derived per region from the rollups, the peer groups and the month-range
    leaders, for these years (None: all) in these regions and the regions these institutions are in
    (both None: every region); `capacity_regions`: regions where only a capacity changed (their
    peer groups' per-unit figures; the leaders do not depend on it)."""
    everywhere = regions is None and institution_ids is None
    refresh_peer_groups(conn, years, None if everywhere else set(regions or ()) | set(capacity_regions),
                        institution_ids)
    refresh_range_leaders(conn, years, regions, institution_ids)


def _bytewise(conn: Connection, columns: list) -> list:
    """Sort keys compared byte by byte on PostgreSQL: the codes are ASCII, so the order is the same,
    but a C.UTF-8 database compares text through the C library without abbreviated keys (the
    sort of 1.2 M rows for the specific rollup took 10 of its 30 s at full-country scale)."""
    return [c.collate("C") for c in columns] if conn.dialect.name == "postgresql" else columns


def _regions_from_districts(conn: Connection, regions: list[str] | None, years: list[int] | None) -> None:
    # Regions from their districts, not from the lines again: an institution lies in exactly one
    # district, so even the count of distinct institutions adds up.
    conn.execute(delete(rrsm).where(_where((rrsm.c.region_code, regions), (rrsm.c.year, years))))
    keys = [rdsm.c.region_code, rdsm.c.sector_code, rdsm.c.year, rdsm.c.month]
    q = (select(*keys, *[func.sum(rdsm.c[c]) for c in (*MONEY_COLUMNS, "institutions")])
         .where(_where((rdsm.c.region_code, regions), (rdsm.c.year, years))).group_by(*keys))
    _execute(conn, insert(rrsm).from_select([c.name for c in keys] + [*MONEY_COLUMNS, "institutions"], q))


@dataclass
class LineSums:
    """Budget lines summed per institution-month and per institution, year and specific (exact
    int64), with `bound` ≥ any sum of them (largest |amount| × lines): what `add_sums` adds."""

    months: pd.DataFrame  # institution_id, year, month, *MONEY_COLUMNS
    specifics: pd.DataFrame  # institution_id, year, specific_code, *MONEY_COLUMNS
    bound: int


def sum_lines(lines: dict[str, np.ndarray]) -> LineSums:
    """Reduce lines (institution_id, year, month, specific_code and the money columns) to LineSums;
    no database. An import sums each chunk while the next one is written."""
    money = np.stack([lines[c] for c in MONEY_COLUMNS], axis=1)
    bound = int(np.abs(money).max()) * len(money) if len(money) else 0
    if bound >= _INT64 or not len(money):  # int64 sums could wrap: add_sums refuses these
        return LineSums(pd.DataFrame(), pd.DataFrame(), bound)
    # Sorted reduce per institution-month: the rest works on a few thousand rows, not every line.
    key = (lines["institution_id"] * 10_000 + lines["year"]) * 100 + lines["month"]
    order = np.argsort(key, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(key[order]) != 0])
    months = key[order][starts]
    frame = pd.DataFrame(np.add.reduceat(money[order], starts, axis=0), columns=list(MONEY_COLUMNS))
    frame["institution_id"], frame["year"], frame["month"] = months // 1_000_000, months // 100 % 10_000, months % 100
    return LineSums(frame, _per_specific_year(lines, money), bound)


def combine_sums(parts: list[LineSums]) -> LineSums | None:
    """Several LineSums as one (an institution-month may be split between chunks)."""
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    bound = sum(p.bound for p in parts)
    if bound >= _INT64:
        return LineSums(pd.DataFrame(), pd.DataFrame(), bound)
    money = list(MONEY_COLUMNS)
    months = pd.concat([p.months for p in parts]).groupby(["institution_id", "year", "month"], sort=False)[money]
    specifics = pd.concat([p.specifics for p in parts]).groupby(["institution_id", "year", "specific_code"], sort=False)[money]
    return LineSums(months.sum().reset_index(), specifics.sum().reset_index(), bound)


def add_to_rollups(conn: Connection, lines: dict[str, np.ndarray], new_institution_years: bool) -> bool:
    """Add what just changed in budget_lines to the rollups, without a pass over budget_lines.

    `lines` (institution_id, year, month, specific_code and the money columns) is either every line of
    institution-years that had no lines before (`new_institution_years`: each institution is
    then also new to every month it appears in), or, per updated line, new minus old amounts
    (institution counts stay). Returns False, changing nothing, when the sums might not fit in
    int64 (absurd amounts): call `refresh_rollups` for them instead.
    """
    return add_sums(conn, sum_lines(lines), new_institution_years)


def add_sums(conn: Connection, sums: LineSums, new_institution_years: bool) -> bool:
    """`add_to_rollups` of lines already summed (sum_lines, combine_sums)."""
    if sums.bound >= _INT64 or sums.months.empty:
        return sums.bound < _INT64
    frame = sums.months
    ids = np.unique(frame["institution_id"]).tolist()
    wanted = select(inst.c.id, inst.c.region_code, inst.c.district_code, inst.c.sector_code, inst.c.type_code)
    if len(ids) <= 5000:  # beyond that, every institution: cheaper than a huge IN (and SQLite's bind limit)
        wanted = wanted.where(inst.c.id.in_(ids))
    places = pd.DataFrame(conn.execute(wanted).all(),
                          columns=["institution_id", "region_code", "district_code", "sector_code", "type_code"])
    frame = frame.merge(places.drop(columns="type_code"), on="institution_id", how="left", validate="many_to_one")

    per_year = frame.groupby(["institution_id", "year"], sort=False)[list(MONEY_COLUMNS)].sum().reset_index()
    _add(conn, riy, MONEY_COLUMNS, per_year)
    per_specific = sums.specifics.merge(places[["institution_id", "type_code", "region_code"]],
                                        on="institution_id", how="left", validate="many_to_one")
    _add(conn, risy, MONEY_COLUMNS, per_specific)
    _add(conn, rim, MONEY_COLUMNS, frame[["institution_id", "year", "month", *MONEY_COLUMNS]])

    keys = ["district_code", "sector_code", "year", "month", "region_code"]
    slices = frame.groupby(keys, sort=False).agg(
        **{c: (c, "sum") for c in MONEY_COLUMNS}, institutions=("institution_id", "nunique")).reset_index()
    if not new_institution_years:
        slices["institutions"] = 0
    _add(conn, rdsm, (*MONEY_COLUMNS, "institutions"), slices)
    _regions_from_districts(conn, sorted(slices["region_code"].unique()), sorted(int(y) for y in slices["year"].unique()))
    return True


def _per_specific_year(lines: dict[str, np.ndarray], money: np.ndarray) -> pd.DataFrame:
    """Sums per (institution, year, specific) of the lines, exact int64 (sorted reduce)."""
    keys = [np.asarray(lines[c], dtype=np.int64) for c in ("institution_id", "year", "specific_code")]
    order = np.lexsort(keys[::-1])
    sorted_keys = [k[order] for k in keys]
    changed = np.zeros(len(order) - 1, dtype=bool)
    for k in sorted_keys:
        changed |= np.diff(k) != 0
    starts = np.flatnonzero(np.r_[True, changed])
    frame = pd.DataFrame(np.add.reduceat(money[order], starts, axis=0), columns=list(MONEY_COLUMNS))
    for name, k in zip(("institution_id", "year", "specific_code"), sorted_keys):
        frame[name] = k[starts]
    return frame[["institution_id", "year", "specific_code", *MONEY_COLUMNS]]


def _add(conn: Connection, table, columns, frame: pd.DataFrame) -> None:
    """Insert the rows, or add their `columns` to the row already there (both dialects)."""
    if conn.dialect.name == "postgresql" and len(frame) > COPY_ABOVE:
        _add_copied(conn, table, columns, frame)
        return
    stmt = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
    _execute(conn, stmt.on_conflict_do_update(index_elements=[c.name for c in table.primary_key.columns],
                                              set_={c: table.c[c] + stmt.excluded[c] for c in columns}),
             _records(frame))


def _add_copied(conn: Connection, table, columns, frame: pd.DataFrame) -> None:
    """`_add` for many rows on PostgreSQL: COPY them into a temporary table, then one upsert.
    Row by row (a pipelined executemany: a statement and Python parameters per row) the ~40,000
    rows a million new lines make per table took 1.3–1.7 s; this way 0.2–0.3 s (docs/benchmarks.md)."""
    names = list(frame.columns)
    stage = f"rollup_stage_{table.name}"
    conn.exec_driver_sql(f"CREATE TEMP TABLE {stage} (LIKE {table.name}) ON COMMIT DROP")
    body = frame[names].to_csv(sep="\t", header=False, index=False, lineterminator="\n")
    with conn.connection.driver_connection.cursor() as cur:
        with cur.copy(f"COPY {stage} ({', '.join(names)}) FROM STDIN") as copy:
            copy.write(body)
    keys = ", ".join(c.name for c in table.primary_key.columns)
    add = ", ".join(f"{c} = {table.name}.{c} + excluded.{c}" for c in columns)
    _execute(conn, text(f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(names)} FROM {stage} "
                        f"ON CONFLICT ({keys}) DO UPDATE SET {add}"))
    conn.exec_driver_sql(f"DROP TABLE {stage}")


def _records(frame: pd.DataFrame) -> list[dict]:
    """Plain Python values (drivers do not take numpy integers everywhere)."""
    return frame.astype(object).to_dict("records")
