"""Listings behind the open-data API: institutions with filters, top spenders, classification."""
from __future__ import annotations

from sqlalchemy import Connection, and_, func, select

from dashboard.schema import (
    MONEY_COLUMNS, budget_lines as bl, districts, functional_groups, institution_counts, institution_types,
    institutions as inst, programs,
    rollup_institution_year as riy, specifics, subprograms,
)
from queries.explorer import budget_count
from queries.institution import LINE_KEYS
from queries.search import matching_count, matching_ids_query

INSTITUTION_FIELDS = ("bin", "name_kk", "name_ru", "name_en", "type_code", "sector_code", "region_code",
                      "district_code", "address", "address_kk", "lat", "lon", "budget_level", "capacity_unit", "capacity")
RANK_BY = ("plan", "plan_adjusted", "obligations", "paid")


def _ints(row) -> dict:
    return {k: int(v) if k in MONEY_COLUMNS and v is not None else v for k, v in dict(row).items()}


def list_institutions(conn: Connection, region: str | None = None, district: str | None = None,
                      sector: str | None = None, type_: str | None = None, year: int | None = None,
                      q: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
    """(total, one page) of institutions by BIN order; with `year`, only those with a budget
    that year, with the year's money totals (tiyn)."""
    cols = [inst.c[f] for f in INSTITUTION_FIELDS]
    source = inst
    if year is not None:
        source = inst.join(riy, and_(riy.c.institution_id == inst.c.id, riy.c.year == year))
        cols += [riy.c[c] for c in MONEY_COLUMNS]
    query = select(*cols).select_from(source)
    for column, value in ((inst.c.region_code, region), (inst.c.district_code, district),
                          (inst.c.sector_code, sector), (inst.c.type_code, type_)):
        if value is not None:
            query = query.where(column == value)
    ids = matching_ids_query(conn, q) if q else None
    if ids is not None:
        query = query.where(inst.c.id.in_(ids))
    if year is None and ids is None:
        # Summed from the stored counts, not counted institution by institution (issue 11).
        total = institution_count(conn, region, district, sector, type_)
    elif year is not None and district is None and type_ is None and ids is None:
        # Stored per year, region and sector (the range leaders): the same number without
        # counting every matching institution (issue 11: the listing no longer grows with them).
        total = budget_count(conn, year, region, (sector,) if sector is not None else ())
    elif ids is not None and all(v is None for v in (region, district, sector, type_, year)):
        # Text alone: one search document per institution, so the count of matching documents
        # (for one word, from the vocabulary's count of the word holding it).
        total = matching_count(conn, q)
        if total == 0:
            return 0, []
    else:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(inst.c.bin).limit(limit).offset(offset)).mappings()
    return total, [_ints(r) for r in rows]


def institution_count(conn: Connection, region: str | None = None, district: str | None = None,
                      sector: str | None = None, type_: str | None = None) -> int:
    """How many institutions these filters select (None: any), summed from institution_counts:
    at most a row per region, district, sector and type, however many institutions there are."""
    query = select(func.coalesce(func.sum(institution_counts.c.institutions), 0))
    for column, value in (("region_code", region), ("district_code", district), ("sector_code", sector),
                          ("type_code", type_)):
        if value is not None:
            query = query.where(institution_counts.c[column] == value)
    return int(conn.execute(query).scalar_one())


def newest_year(conn: Connection) -> int | None:
    """The newest year with budget data (max() reads one entry of the (year, …) index; a DISTINCT
    over the rollup reads every row)."""
    return conn.execute(_NEWEST_YEAR).scalar()


_NEWEST_YEAR = select(func.max(riy.c.year))


def top_institutions(conn: Connection, year: int, by: str = "plan_adjusted", n: int = 10,
                     region: str | None = None, sector: str | None = None) -> list[dict]:
    """The n institutions with the largest `by` amount in a year (rollup), largest first."""
    if by not in RANK_BY:
        raise ValueError(f"by must be one of {RANK_BY}")
    q = (select(*[inst.c[f] for f in INSTITUTION_FIELDS], *[riy.c[c] for c in MONEY_COLUMNS])
         .select_from(riy.join(inst, inst.c.id == riy.c.institution_id)).where(riy.c.year == year))
    if region is not None:
        q = q.where(inst.c.region_code == region)
    if sector is not None:
        q = q.where(inst.c.sector_code == sector)
    q = q.order_by(riy.c[by].desc(), inst.c.bin).limit(n)
    return [_ints(r) for r in conn.execute(q).mappings()]


def region_districts(conn: Connection, region_code: str) -> list[dict]:
    """Districts of one region by code."""
    q = select(districts).where(districts.c.region_code == region_code).order_by(districts.c.code)
    return [dict(r) for r in conn.execute(q).mappings()]


def codes(conn: Connection, column) -> set:
    """Every value of a code column (to validate filters)."""
    return {r[0] for r in conn.execute(select(column))}


def classification(conn: Connection) -> dict[str, list[dict]]:
    """The budget classification and institution types, with names in all languages."""
    def rows(table, *order):
        return [dict(r) for r in conn.execute(select(table).order_by(*order)).mappings()]
    return {
        "functional_groups": rows(functional_groups, functional_groups.c.code),
        "programs": rows(programs, programs.c.code),
        "subprograms": rows(subprograms, subprograms.c.program_code, subprograms.c.code),
        "specifics": rows(specifics, specifics.c.code),
        "institution_types": rows(institution_types, institution_types.c.code),
    }


def stream_year_lines(conn: Connection, year: int, batch: int = 5000):
    """Every budget line of a year with the institution's BIN, in key order, fetched in
    batches through a server-side cursor (PostgreSQL) so memory stays flat."""
    q = (select(inst.c.bin, *[bl.c[k] for k in LINE_KEYS], *[bl.c[c] for c in MONEY_COLUMNS])
         .select_from(bl.join(inst, inst.c.id == bl.c.institution_id)).where(bl.c.year == year)
         .order_by(bl.c.institution_id, *[bl.c[k] for k in LINE_KEYS]))
    yield from conn.execution_options(yield_per=batch).execute(q).mappings()
