"""Spending totals of a selection, grouped by any of the dimensions the map and its panels show
(the `/api/v1/spending` endpoint).

The selection is the explorer's (queries.explorer.Selection: year, months, sectors, region,
district) plus institution types, filtered by the explorer's own clauses, so a grouping the
explorer shows has the explorer's numbers. Each query reads the smallest table that holds its
dimensions: the region or district rollups; the institution rollups joined to institutions (type);
the yearly institution-specific rollup (specific over the whole year); budget_lines only for
programs, or specifics by month or over part of a year. Money is exact integer tiyn.
"""
from __future__ import annotations

from sqlalchemy import Connection, and_, func, select

from dashboard.schema import (
    MONEY_COLUMNS, budget_lines as bl, districts, institutions as inst, region_population,
    rollup_district_sector_month as rdsm, rollup_institution_month as rim, rollup_institution_specific_year as risy,
    rollup_institution_year as riy, rollup_region_sector_month as rrsm,
)
from queries.explorer import Selection, _institution_filter, _ints, _rollup_filter

DIMENSIONS = ("region", "district", "sector", "type", "month", "specific", "program")
PLACE_DIMENSIONS = ("region", "district", "sector", "month")  # what the place rollups hold


def source_for(group_by: tuple[str, ...], sel: Selection, types: tuple[str, ...] = ()) -> str:
    """Which table answers: region_rollup, district_rollup, institution_year, institution_month,
    institution_specific or lines (the first that holds every dimension and filter)."""
    dims = set(group_by)
    whole_year = sel.months == (1, 12)
    if dims <= set(PLACE_DIMENSIONS) and not types:
        return "district_rollup" if "district" in dims or sel.district else "region_rollup"
    if not dims & {"specific", "program"}:
        return "institution_year" if whole_year and "month" not in dims else "institution_month"
    if "program" not in dims and "month" not in dims and whole_year:
        return "institution_specific"
    return "lines"


def _columns(source: str) -> tuple[object, dict]:
    """(FROM clause, {dimension: column}) of a source."""
    if source in ("region_rollup", "district_rollup"):
        table = rrsm if source == "region_rollup" else rdsm
        cols = {"region": table.c.region_code, "sector": table.c.sector_code, "month": table.c.month}
        if table is rdsm:
            cols["district"] = table.c.district_code
        return table, cols
    table = {"institution_year": riy, "institution_month": rim, "institution_specific": risy, "lines": bl}[source]
    cols = {"region": inst.c.region_code, "district": inst.c.district_code, "sector": inst.c.sector_code,
            "type": inst.c.type_code}
    if "month" in table.c:
        cols["month"] = table.c.month
    if "specific_code" in table.c:
        cols["specific"] = table.c.specific_code
    if "program_code" in table.c:
        cols["program"] = table.c.program_code
    return table.join(inst, inst.c.id == table.c.institution_id), cols


def spending(conn: Connection, sel: Selection, group_by: tuple[str, ...] = (),
             types: tuple[str, ...] = (), source: str | None = None) -> list[dict]:
    """Plan, adjusted plan, obligations and paid (tiyn) of the selection per group, ordered by the
    group keys; one row of totals without `group_by` (zeros when nothing matches). Groups with no
    rows are left out.

    `source` forces a table (tests compare each against the lines); by default source_for's.
    """
    unknown = set(group_by) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimension(s): {', '.join(sorted(unknown))}")
    source = source or source_for(group_by, sel, types)
    from_, cols = _columns(source)
    table = from_.left if source not in ("region_rollup", "district_rollup") else from_
    if source in ("region_rollup", "district_rollup"):
        where = _rollup_filter(table, sel)
    else:
        parts = [table.c.year == sel.year, _institution_filter(sel)]
        if "month" in table.c:
            parts.append(table.c.month.between(*sel.months))
        if types:
            parts.append(inst.c.type_code.in_(types))
        where = and_(*parts)
    keys = [cols[d].label(d) for d in group_by]
    money = [func.coalesce(func.sum(table.c[c]), 0).label(c) for c in MONEY_COLUMNS]
    q = select(*keys, *money).select_from(from_).where(where)
    if keys:
        q = q.group_by(*keys).order_by(*keys)
    return [_ints(r) for r in conn.execute(q).mappings()]


def populations(conn: Connection, level: str, year: int) -> dict[str, int]:
    """{code: inhabitants} of regions in `year` (as the explorer's region table), or of
    districts (their one stored figure, as the explorer's district table)."""
    if level == "region":
        q = select(region_population.c.region_code, region_population.c.population).where(
            region_population.c.year == year)
    else:
        q = select(districts.c.code, districts.c.population)
    return {code: int(n) for code, n in conn.execute(q) if n is not None}
