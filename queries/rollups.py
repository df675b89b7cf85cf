"""Rollups: pre-aggregated sums that must always equal sums over budget_lines.

Call `refresh_rollups` inside the transaction that changed budget_lines (or moved an
institution), naming what changed; it recomputes exactly the affected slices. Lines of
institution-years that had none before, and updates of stored lines, can instead be added
with `add_to_rollups`, which needs no pass over budget_lines.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, delete, func, insert, select, text, true
from sqlalchemy.exc import DBAPIError
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.schema import (
    MONEY_COLUMNS, budget_lines as bl, institutions as inst, rollup_district_sector_month as rdsm,
    rollup_institution_month as rim, rollup_institution_year as riy, rollup_region_sector_month as rrsm,
)


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
                    extra_districts: Iterable[str] = ()) -> None:
    """Recompute the rollups touched by a change to these institutions and years.

    None means "all". `extra_regions`/`extra_districts` name places an institution moved out
    of, whose slices must be recomputed too.
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
    count = func.count(func.distinct(bl.c.institution_id)).label("institutions")
    joined = bl.join(inst, inst.c.id == bl.c.institution_id)

    conn.execute(delete(rdsm).where(_where((rdsm.c.district_code, districts), (rdsm.c.year, yrs))))
    keys = [inst.c.district_code, inst.c.sector_code, bl.c.year, bl.c.month, inst.c.region_code]
    q = (select(*keys, *sums, count).select_from(joined)
         .where(_where((inst.c.district_code, districts), (bl.c.year, yrs))).group_by(*keys))
    _execute(conn, insert(rdsm).from_select([c.name for c in keys] + [*MONEY_COLUMNS, "institutions"], q))

    _regions_from_districts(conn, regions, yrs)

    conn.execute(delete(rim).where(_where((rim.c.institution_id, ids), (rim.c.year, yrs))))
    keys = [bl.c.institution_id, bl.c.year, bl.c.month]
    q = select(*keys, *sums).where(_where((bl.c.institution_id, ids), (bl.c.year, yrs))).group_by(*keys)
    _execute(conn, insert(rim).from_select(["institution_id", "year", "month", *MONEY_COLUMNS], q))

    # The yearly rollup from the monthly one: a twelfth of the rows to read.
    conn.execute(delete(riy).where(_where((riy.c.institution_id, ids), (riy.c.year, yrs))))
    keys = [rim.c.institution_id, rim.c.year]
    q = (select(*keys, *[func.sum(rim.c[c]) for c in MONEY_COLUMNS])
         .where(_where((rim.c.institution_id, ids), (rim.c.year, yrs))).group_by(*keys))
    _execute(conn, insert(riy).from_select(["institution_id", "year", *MONEY_COLUMNS], q))


def _regions_from_districts(conn: Connection, regions: list[str] | None, years: list[int] | None) -> None:
    # Regions from their districts, not from the lines again: an institution lies in exactly one
    # district, so even the count of distinct institutions adds up.
    conn.execute(delete(rrsm).where(_where((rrsm.c.region_code, regions), (rrsm.c.year, years))))
    keys = [rdsm.c.region_code, rdsm.c.sector_code, rdsm.c.year, rdsm.c.month]
    q = (select(*keys, *[func.sum(rdsm.c[c]) for c in (*MONEY_COLUMNS, "institutions")])
         .where(_where((rdsm.c.region_code, regions), (rdsm.c.year, years))).group_by(*keys))
    _execute(conn, insert(rrsm).from_select([c.name for c in keys] + [*MONEY_COLUMNS, "institutions"], q))


def add_to_rollups(conn: Connection, lines: dict[str, np.ndarray], new_institution_years: bool) -> bool:
    """Add what just changed in budget_lines to the rollups, without a pass over budget_lines.

    `lines` (institution_id, year, month and the money columns) is either every line of
    institution-years that had no lines before (`new_institution_years`: each institution is
    then also new to every month it appears in), or, per updated line, new minus old amounts
    (institution counts stay). Returns False, changing nothing, when the sums might not fit in
    int64 (absurd amounts): call `refresh_rollups` for them instead.
    """
    money = np.stack([lines[c] for c in MONEY_COLUMNS], axis=1)
    if len(money) == 0 or int(np.abs(money).max()) * len(money) >= 2 ** 63:
        return len(money) == 0
    # Sums per institution-month first (exact int64, sorted reduce): the rest works on a few
    # thousand rows instead of every line.
    key = (lines["institution_id"] * 10_000 + lines["year"]) * 100 + lines["month"]
    order = np.argsort(key, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(key[order]) != 0])
    months = key[order][starts]
    frame = pd.DataFrame(np.add.reduceat(money[order], starts, axis=0), columns=list(MONEY_COLUMNS))
    frame["institution_id"], frame["year"], frame["month"] = months // 1_000_000, months // 100 % 10_000, months % 100
    ids = np.unique(frame["institution_id"]).tolist()
    wanted = select(inst.c.id, inst.c.region_code, inst.c.district_code, inst.c.sector_code)
    if len(ids) <= 5000:  # beyond that, every institution: cheaper than a huge IN (and SQLite's bind limit)
        wanted = wanted.where(inst.c.id.in_(ids))
    places = pd.DataFrame(conn.execute(wanted).all(),
                          columns=["institution_id", "region_code", "district_code", "sector_code"])
    frame = frame.merge(places, on="institution_id", how="left", validate="many_to_one")

    per_year = frame.groupby(["institution_id", "year"], sort=False)[list(MONEY_COLUMNS)].sum().reset_index()
    _add(conn, riy, MONEY_COLUMNS, per_year)
    _add(conn, rim, MONEY_COLUMNS, frame[["institution_id", "year", "month", *MONEY_COLUMNS]])

    keys = ["district_code", "sector_code", "year", "month", "region_code"]
    slices = frame.groupby(keys, sort=False).agg(
        **{c: (c, "sum") for c in MONEY_COLUMNS}, institutions=("institution_id", "nunique")).reset_index()
    if not new_institution_years:
        slices["institutions"] = 0
    _add(conn, rdsm, (*MONEY_COLUMNS, "institutions"), slices)
    _regions_from_districts(conn, sorted(slices["region_code"].unique()), sorted(int(y) for y in slices["year"].unique()))
    return True


def _add(conn: Connection, table, columns, frame: pd.DataFrame) -> None:
    """Insert the rows, or add their `columns` to the row already there (both dialects)."""
    stmt = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
    _execute(conn, stmt.on_conflict_do_update(index_elements=[c.name for c in table.primary_key.columns],
                                              set_={c: table.c[c] + stmt.excluded[c] for c in columns}),
             _records(frame))


def _records(frame: pd.DataFrame) -> list[dict]:
    """Plain Python values (drivers do not take numpy integers everywhere)."""
    return frame.astype(object).to_dict("records")
