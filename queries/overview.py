"""National and per-sector/per-region totals, read from the rollups (never budget_lines)."""
from __future__ import annotations

from sqlalchemy import Connection, func, select

from dashboard.schema import (
    MONEY_COLUMNS, publications, region_population, regions, rollup_institution_year as riy,
    rollup_region_sector_month as rrsm, sectors,
)
from queries.version import published_version


def _money_sums(table):
    return [func.coalesce(func.sum(table.c[c]), 0).label(c) for c in MONEY_COLUMNS]


def _ints(row) -> dict:
    # PostgreSQL returns SUM(bigint) as Decimal: money stays exact as Python int.
    return {k: int(v) if k in MONEY_COLUMNS else v for k, v in row.items()}


def available_years(conn: Connection) -> list[int]:
    """Years that have budget data, newest first."""
    return [r[0] for r in conn.execute(select(riy.c.year).distinct().order_by(riy.c.year.desc()))]


def totals(conn: Connection, year: int) -> dict:
    """Plan, adjusted plan, obligations, paid (tiyn) and institution count for a year."""
    row = conn.execute(select(*_money_sums(riy), func.count(riy.c.institution_id).label("institutions"))
                       .where(riy.c.year == year)).mappings().one()
    return _ints(row)


def by_sector(conn: Connection, year: int) -> list[dict]:
    """Per-sector sums for a year, largest adjusted plan first."""
    q = (select(sectors.c.code, sectors.c.name_kk, sectors.c.name_ru, sectors.c.name_en, sectors.c.color,
                *_money_sums(rrsm))
         .select_from(rrsm.join(sectors, sectors.c.code == rrsm.c.sector_code))
         .where(rrsm.c.year == year)
         .group_by(sectors.c.code, sectors.c.name_kk, sectors.c.name_ru, sectors.c.name_en, sectors.c.color)
         .order_by(func.sum(rrsm.c.plan_adjusted).desc()))
    return [_ints(r) for r in conn.execute(q).mappings()]


def by_region(conn: Connection, year: int) -> list[dict]:
    """Per-region sums and population for a year, every region (zeros where none published)."""
    pop = region_population
    keys = [regions.c.code, regions.c.name_kk, regions.c.name_ru, regions.c.name_en, regions.c.sort_order,
            pop.c.population]
    q = (select(*keys, *_money_sums(rrsm))
         .select_from(regions
                      .outerjoin(rrsm, (rrsm.c.region_code == regions.c.code) & (rrsm.c.year == year))
                      .outerjoin(pop, (pop.c.region_code == regions.c.code) & (pop.c.year == year)))
         .group_by(*keys)
         .order_by(regions.c.sort_order))
    return [_ints(r) for r in conn.execute(q).mappings()]


def data_version(conn: Connection) -> int:
    """The id of the newest publication: changes whenever published data changes (appeals do not
    count here: see queries.version for the version of everything public)."""
    return published_version(conn)


def latest_publications(conn: Connection, limit: int = 5) -> list[dict]:
    """The newest entries of the publications log."""
    q = select(publications).order_by(publications.c.id.desc()).limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]
