"""Map explorer numbers for a selection (year, months, sectors, region, district).

Everything here reads the rollups and reference tables, never budget_lines, so each call
stays fast at full-country scale. Money comes back as exact integer tiyn.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, exists, func, select, true

from dashboard.schema import (
    MONEY_COLUMNS, districts, institution_types, institutions as inst, region_boundaries,
    region_population, regions, rollup_district_sector_month as rdsm,
    rollup_institution_month as rim, rollup_institution_year as riy, rollup_range_leaders as rrl,
    rollup_region_sector_month as rrsm, sectors,
)
from queries.range_leaders import LEADERS

NAME_COLUMNS = ("name_kk", "name_ru", "name_en")


@dataclass(frozen=True)
class Selection:
    """What the explorer looks at. Empty `sectors` means every sector."""

    year: int
    months: tuple[int, int] = (1, 12)
    sectors: tuple[str, ...] = field(default_factory=tuple)
    region: str | None = None
    district: str | None = None


def _money(table) -> list:
    return [func.coalesce(func.sum(table.c[c]), 0).label(c) for c in ("plan_adjusted", "paid")]


def _ints(row) -> dict:
    # PostgreSQL returns SUM(bigint) as Decimal: money stays exact as Python int.
    return {k: int(v) if k in MONEY_COLUMNS else v for k, v in row.items()}


def _rollup_filter(table, sel: Selection, *, place: bool = True):
    """WHERE clause on a monthly rollup for the selection's year, months, sectors and place."""
    parts = [table.c.year == sel.year, table.c.month.between(*sel.months)]
    if sel.sectors:
        parts.append(table.c.sector_code.in_(sel.sectors))
    if place and sel.region:
        parts.append(table.c.region_code == sel.region)
    if place and sel.district and table is rdsm:
        parts.append(table.c.district_code == sel.district)
    return and_(*parts)


def _monthly_table(sel: Selection):
    """District rollup once a district is chosen, the region rollup otherwise."""
    return rdsm if sel.district else rrsm


def _institution_filter(sel: Selection):
    parts = [true()]
    if sel.sectors:
        parts.append(inst.c.sector_code.in_(sel.sectors))
    if sel.region:
        parts.append(inst.c.region_code == sel.region)
    if sel.district:
        parts.append(inst.c.district_code == sel.district)
    return and_(*parts)


def available_years(conn: Connection) -> list[int]:
    """Years with budget data, oldest first (the slider's range)."""
    return [r[0] for r in conn.execute(select(rrsm.c.year).distinct().order_by(rrsm.c.year))]


def totals(conn: Connection, sel: Selection) -> dict:
    """Adjusted plan and paid (tiyn) for the selection, and how many institutions it covers.

    The institution count is per year (institutions that published a budget that year), the month
    range does not narrow it; above a district it is the range leaders' count of the whole year.
    """
    table = _monthly_table(sel)
    money = conn.execute(select(*_money(table)).where(_rollup_filter(table, sel))).mappings().one()
    if sel.district:
        count = conn.execute(select(func.count()).select_from(riy.join(inst, inst.c.id == riy.c.institution_id))
                             .where(riy.c.year == sel.year, _institution_filter(sel))).scalar_one()
    else:
        count = budget_count(conn, sel.year, sel.region, sel.sectors)
    return {**_ints(money), "institutions": int(count)}


def budget_count(conn: Connection, year: int, region: str | None = None, sectors: tuple[str, ...] = ()) -> int:
    """How many institutions of a region (or the country) and sectors (or all) have a budget in
    `year`: the range leaders' stored count of the whole year, at most 200 rows (regions ×
    sectors) whatever the number of institutions (the explorer's KPI and the API listing's total)."""
    q = select(func.coalesce(func.sum(rrl.c.institutions), 0)).where(
        _leaders_filter(Selection(year, (1, 12), tuple(sectors), region)), rrl.c.rank == 1)
    return int(conn.execute(q).scalar_one())


def _leaders_filter(sel: Selection):
    """WHERE clause on rollup_range_leaders for the selection's year, months, sectors and region."""
    parts = [rrl.c.year == sel.year, rrl.c.first_month == sel.months[0], rrl.c.last_month == sel.months[1]]
    if sel.sectors:
        parts.append(rrl.c.sector_code.in_(sel.sectors))
    if sel.region:
        parts.append(rrl.c.region_code == sel.region)
    return and_(*parts)


def by_region(conn: Connection, sel: Selection) -> list[dict]:
    """Every region with its sums and population for the selection (place filters ignored)."""
    pop = region_population
    keys = [regions.c.code, *[regions.c[c] for c in NAME_COLUMNS], regions.c.center_lat,
            regions.c.center_lon, regions.c.sort_order, pop.c.population]
    q = (select(*keys, *_money(rrsm))
         .select_from(regions
                      .outerjoin(rrsm, (rrsm.c.region_code == regions.c.code)
                                 & _rollup_filter(rrsm, sel, place=False))
                      .outerjoin(pop, (pop.c.region_code == regions.c.code) & (pop.c.year == sel.year)))
         .group_by(*keys).order_by(regions.c.sort_order))
    return [_ints(r) for r in conn.execute(q).mappings()]


def by_district(conn: Connection, sel: Selection) -> list[dict]:
    """Every district of the selection's region with its sums and population."""
    keys = [districts.c.code, *[districts.c[c] for c in NAME_COLUMNS], districts.c.center_lat,
            districts.c.center_lon, districts.c.population]
    q = (select(*keys, *_money(rdsm))
         .select_from(districts.outerjoin(rdsm, (rdsm.c.district_code == districts.c.code)
                                          & _rollup_filter(rdsm, Selection(sel.year, sel.months, sel.sectors))))
         .where(districts.c.region_code == sel.region)
         .group_by(*keys).order_by(districts.c.code))
    return [_ints(r) for r in conn.execute(q).mappings()]


def by_sector(conn: Connection, sel: Selection) -> list[dict]:
    """Per-sector sums for the selection's place and months (sector filter applied too)."""
    table = _monthly_table(sel)
    keys = [sectors.c.code, *[sectors.c[c] for c in NAME_COLUMNS], sectors.c.color, sectors.c.icon]
    q = (select(*keys, *_money(table))
         .select_from(table.join(sectors, sectors.c.code == table.c.sector_code))
         .where(_rollup_filter(table, sel)).group_by(*keys))
    return [_ints(r) for r in conn.execute(q).mappings()]


def by_month(conn: Connection, sel: Selection) -> list[dict]:
    """Adjusted plan and paid (tiyn) per month of the selection's year, months, sectors and
    place (months without any rollup row are left out), January first."""
    table = _monthly_table(sel)
    q = (select(table.c.month, *_money(table)).where(_rollup_filter(table, sel))
         .group_by(table.c.month).order_by(table.c.month))
    return [_ints(r) for r in conn.execute(q).mappings()]


def _institution_money(sel: Selection, placed: bool = False):
    """(institution id, plan_adjusted, paid, source, where) for the selection's year and months.

    The whole year reads the yearly rollup. A range reads at most six months of the monthly
    one: up to six months are summed, a longer range is the year minus the months outside it
    (December alone or January–November each read 17,000 rows at full-country scale, not
    187,000). Either way only institutions with lines in the range take part. `placed`: only the
    institutions of the selection's place and sectors are summed (a district's few dozen months,
    not the country's: 231 → 17 ms at 50,000 institutions).
    """
    first, last = sel.months
    if (first, last) == (1, 12):
        return riy.c.institution_id, riy.c.plan_adjusted, riy.c.paid, riy, riy.c.year == sel.year
    sums = [func.sum(rim.c[c]).label(c) for c in ("plan_adjusted", "paid")]
    inside = rim.c.institution_id.in_(select(inst.c.id).where(_institution_filter(sel))) \
        if placed and _placed(sel) else true()
    if last - first + 1 <= 6:
        money = (select(rim.c.institution_id, *sums)
                 .where(rim.c.year == sel.year, rim.c.month.between(first, last), inside)
                 .group_by(rim.c.institution_id).subquery("money"))
        return money.c.institution_id, money.c.plan_adjusted, money.c.paid, money, true()
    outside = (select(rim.c.institution_id, *sums)
               .where(rim.c.year == sel.year, ~rim.c.month.between(first, last), inside)
               .group_by(rim.c.institution_id).subquery("outside"))
    plan = riy.c.plan_adjusted - func.coalesce(outside.c.plan_adjusted, 0)
    paid = riy.c.paid - func.coalesce(outside.c.paid, 0)
    source = riy.outerjoin(outside, outside.c.institution_id == riy.c.institution_id)
    lines_inside = exists().where(rim.c.institution_id == riy.c.institution_id, rim.c.year == sel.year,
                                  rim.c.month.between(first, last))  # ranked as a short range ranks
    return riy.c.institution_id, plan, paid, source, and_(riy.c.year == sel.year, lines_inside)


def _placed(sel: Selection) -> bool:
    return bool(sel.sectors or sel.region or sel.district)


def top_institutions(conn: Connection, sel: Selection, limit: int = 5) -> list[dict]:
    """The institutions with the largest adjusted plan for the selection's year and months,
    with their district (where they are, to tell same-named institutions apart).

    Above a district, up to LEADERS are read from the range leaders of the chosen region (or every
    region) and sectors. Otherwise ranks on ids and sums only, then joins the names of the few
    winners (joining every institution's names before the sort cost a third of the time); the
    district and sector filter goes inside the ranking, so a district's few dozen are summed."""
    if not sel.district and limit <= LEADERS:
        ranked = (select(rrl.c.institution_id.label("id"), rrl.c.plan_adjusted, rrl.c.paid)
                  .where(_leaders_filter(sel)).order_by(rrl.c.plan_adjusted.desc(), rrl.c.institution_id)
                  .limit(limit).subquery("ranked"))
    else:
        inst_id, plan, paid, source, where = _institution_money(sel, placed=True)
        if _placed(sel):
            source, where = source.join(inst, inst.c.id == inst_id), and_(where, _institution_filter(sel))
        ranked = (select(inst_id.label("id"), plan.label("plan_adjusted"), paid.label("paid"))
                  .select_from(source).where(where).order_by(plan.desc(), inst_id).limit(limit).subquery("ranked"))
    q = (select(inst.c.id, inst.c.bin, *[inst.c[c] for c in NAME_COLUMNS], inst.c.sector_code,
                inst.c.district_code, ranked.c.plan_adjusted, ranked.c.paid)
         .select_from(ranked.join(inst, inst.c.id == ranked.c.id))
         .order_by(ranked.c.plan_adjusted.desc(), inst.c.id))
    return [_ints(r) for r in conn.execute(q).mappings()]


def institution_locations(conn: Connection) -> list[tuple]:
    """(id, lat, lon, sector) of every institution (the map's points, whatever the year)."""
    return [tuple(r) for r in conn.execute(select(inst.c.id, inst.c.lat, inst.c.lon, inst.c.sector_code))]


def institutions_with_budget(conn: Connection, year: int) -> list[int]:
    """Ids of the institutions with a budget in `year`, ascending (an index-only read)."""
    q = select(riy.c.institution_id).where(riy.c.year == year).order_by(riy.c.institution_id)
    return list(conn.execute(q).scalars())


def institution_card(conn: Connection, institution_id: int, year: int,
                     months: tuple[int, int] = (1, 12)) -> dict | None:
    """What an institution's popup shows: names, type, plan and paid for the year's months."""
    t = institution_types
    q = (select(inst.c.id, inst.c.bin, *[inst.c[c] for c in NAME_COLUMNS], inst.c.sector_code,
                inst.c.lat, inst.c.lon, t.c.name_kk.label("type_kk"), t.c.name_ru.label("type_ru"),
                t.c.name_en.label("type_en"))
         .select_from(inst.join(t, t.c.code == inst.c.type_code)).where(inst.c.id == institution_id))
    row = conn.execute(q).mappings().first()
    if row is None:
        return None
    money = conn.execute(select(*_money(rim)).where(
        rim.c.institution_id == institution_id, rim.c.year == year, rim.c.month.between(*months))).mappings().one()
    return _ints({**row, **money})


def boundary_geometries(conn: Connection) -> dict[str, str]:
    """{region code: GeoJSON geometry text} from the imported boundaries (may be empty)."""
    q = select(region_boundaries.c.region_code, region_boundaries.c.geometry)
    return {code: geometry for code, geometry in conn.execute(q)}
