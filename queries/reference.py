"""Seeding and reading the reference vocabularies (regions, sectors, classification)."""
from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from dashboard import reference as ref
from dashboard.reference_districts import DISTRICTS
from dashboard.schema import districts, institution_types, region_population, regions, sectors


def upsert(conn: Connection, table, rows: list[dict]) -> None:
    """Insert rows, updating those whose primary key exists (both dialects)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    keys = [c.name for c in table.primary_key.columns]
    updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_=updates) if updates \
        else stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt, rows)


def seed_reference(conn: Connection, years: range = range(2015, 2031)) -> None:
    """Write every reference vocabulary; safe to run again (upserts; the classification only adds
    the shipped codes that are missing)."""
    upsert(conn, sectors, [
        dict(code=c, name_en=en, name_ru=ru, name_kk=kk, color=col, icon=icon, sort_order=i)
        for i, (c, en, ru, kk, col, icon) in enumerate(ref.SECTORS)])
    upsert(conn, regions, [
        dict(code=c, name_en=en, name_ru=ru, name_kk=kk, center_name_en=cen, center_name_ru=cru,
             center_name_kk=ckk, center_lat=lat, center_lon=lon, sort_order=i)
        for i, (c, en, ru, kk, cen, cru, ckk, lat, lon, _pop) in enumerate(ref.REGIONS)])
    upsert(conn, region_population, [
        dict(region_code=r[0], year=y,
             population=round(r[9] * (1 + ref.POPULATION_GROWTH) ** (y - ref.POPULATION_BASE_YEAR)))
        for r in ref.REGIONS for y in years])
    upsert(conn, districts, [
        dict(code=c, region_code=rc, kind=kind, name_ru=ru, name_kk=kk, name_en=en,
             center_name_ru=cru, center_name_kk=ckk, center_lat=lat, center_lon=lon, population=pop)
        for (c, rc, kind, ru, kk, en, cru, ckk, lat, lon, pop) in DISTRICTS])
    # The classification: only codes not stored yet, so an imported official table keeps its names.
    from dashboard.importer.classification import shipped_rows
    from queries.classification import insert_missing

    insert_missing(conn, shipped_rows())
    upsert(conn, institution_types, [
        dict(code=c, name_en=en, name_ru=ru, name_kk=kk, sector_code=s, unit_kind=u)
        for c, en, ru, kk, s, u in ref.INSTITUTION_TYPES])


def list_sectors(conn: Connection) -> list[dict]:
    """Sectors in display order, with names in all languages, colour and icon."""
    rows = conn.execute(select(sectors).order_by(sectors.c.sort_order)).mappings()
    return [dict(r) for r in rows]


def list_regions(conn: Connection) -> list[dict]:
    """Regions in display order with their centres."""
    rows = conn.execute(select(regions).order_by(regions.c.sort_order)).mappings()
    return [dict(r) for r in rows]


def list_districts(conn: Connection) -> list[dict]:
    """All districts with their region code and centre."""
    rows = conn.execute(select(districts).order_by(districts.c.code)).mappings()
    return [dict(r) for r in rows]
