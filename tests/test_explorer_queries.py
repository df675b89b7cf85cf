"""Explorer numbers (read from rollups) equal sums computed directly from budget_lines."""
import pytest
from sqlalchemy import text

from queries import explorer
from queries.explorer import Selection
from tests.conftest import DEMO_YEARS

YEAR = DEMO_YEARS[-1]
REGION = "KZ-75"  # Almaty city: the demo always places institutions there


def direct(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).mappings().all()


def lines_sum(engine, where: str, group: str | None = None, **params):
    """plan_adjusted and paid straight from budget_lines joined to institutions."""
    keys = f"{group}, " if group else ""
    sql = (f"SELECT {keys}SUM(l.plan_adjusted) a, SUM(l.paid) p, COUNT(DISTINCT l.institution_id) n "
           f"FROM budget_lines l JOIN institutions i ON i.id = l.institution_id WHERE {where}"
           + (f" GROUP BY {group}" if group else ""))
    return direct(engine, sql, **params)


def test_totals_with_every_filter_match_lines(demo_engine):
    sel = Selection(year=YEAR, months=(3, 8), sectors=("education", "health"), region=REGION)
    with demo_engine.connect() as conn:
        got = explorer.totals(conn, sel)
    row = lines_sum(demo_engine, "l.year = :y AND l.month BETWEEN 3 AND 8 AND i.sector_code IN "
                                 "('education', 'health') AND i.region_code = :r", y=YEAR, r=REGION)[0]
    assert got["plan_adjusted"] == int(row["a"]) and got["paid"] == int(row["p"])
    assert isinstance(got["paid"], int) and got["paid"] > 0
    whole_year = lines_sum(demo_engine, "l.year = :y AND i.sector_code IN ('education', 'health') "
                                        "AND i.region_code = :r", y=YEAR, r=REGION)[0]
    assert got["institutions"] == whole_year["n"]  # the count is per year, not per month range


def test_district_totals_match_lines(demo_engine):
    district = direct(demo_engine, "SELECT district_code d FROM institutions WHERE region_code = :r "
                                   "ORDER BY id LIMIT 1", r=REGION)[0]["d"]
    sel = Selection(year=YEAR, region=REGION, district=district)
    with demo_engine.connect() as conn:
        got = explorer.totals(conn, sel)
        sectors = explorer.by_sector(conn, sel)
    row = lines_sum(demo_engine, "l.year = :y AND i.district_code = :d", y=YEAR, d=district)[0]
    assert (got["plan_adjusted"], got["paid"], got["institutions"]) == (int(row["a"]), int(row["p"]), row["n"])
    assert sum(s["paid"] for s in sectors) == got["paid"]


def test_regions_and_districts_match_lines(demo_engine):
    sel = Selection(year=YEAR, months=(1, 6), sectors=("education",))
    with demo_engine.connect() as conn:
        regions = explorer.by_region(conn, sel)
        districts = explorer.by_district(conn, Selection(YEAR, (1, 6), ("education",), region=REGION))
    want = {r["region_code"]: int(r["p"]) for r in lines_sum(
        demo_engine, "l.year = :y AND l.month <= 6 AND i.sector_code = 'education'", "i.region_code", y=YEAR)}
    assert len(regions) == 20
    assert {r["code"]: r["paid"] for r in regions if r["paid"]} == want
    assert all(r["population"] > 100_000 for r in regions)
    want = {r["district_code"]: int(r["a"]) for r in lines_sum(
        demo_engine, "l.year = :y AND l.month <= 6 AND i.sector_code = 'education' AND i.region_code = :r",
        "i.district_code", y=YEAR, r=REGION)}
    assert {d["code"]: d["plan_adjusted"] for d in districts if d["plan_adjusted"]} == want
    assert all(d["code"].startswith(REGION) for d in districts)


def test_sectors_match_lines(demo_engine):
    sel = Selection(year=YEAR, months=(12, 12), region=REGION)
    with demo_engine.connect() as conn:
        got = {s["code"]: (s["plan_adjusted"], s["paid"]) for s in explorer.by_sector(conn, sel)}
    want = {r["sector_code"]: (int(r["a"]), int(r["p"])) for r in lines_sum(
        demo_engine, "l.year = :y AND l.month = 12 AND i.region_code = :r", "i.sector_code", y=YEAR, r=REGION)}
    assert got == want


def test_top_institutions_match_lines(demo_engine):
    sel = Selection(year=YEAR, sectors=("education",))
    with demo_engine.connect() as conn:
        top = explorer.top_institutions(conn, sel)
    want = direct(demo_engine, "SELECT l.institution_id i, SUM(l.plan_adjusted) a, SUM(l.paid) p FROM budget_lines l "
                               "JOIN institutions i ON i.id = l.institution_id WHERE l.year = :y AND "
                               "i.sector_code = 'education' GROUP BY l.institution_id "
                               "ORDER BY SUM(l.plan_adjusted) DESC, l.institution_id LIMIT 5", y=YEAR)
    assert [(t["id"], t["plan_adjusted"], t["paid"]) for t in top] == [(w["i"], int(w["a"]), int(w["p"])) for w in want]
    assert all(len(t["bin"]) == 12 and t["sector_code"] == "education" for t in top)


def test_top_institutions_follow_the_month_range(demo_engine):
    """December alone: ranked by December's plan and showing December's sums, not the year's."""
    sel = Selection(year=YEAR, months=(12, 12), region=REGION)
    with demo_engine.connect() as conn:
        top = explorer.top_institutions(conn, sel)
        year_top = explorer.top_institutions(conn, Selection(year=YEAR, region=REGION))
    want = direct(demo_engine, "SELECT l.institution_id i, SUM(l.plan_adjusted) a, SUM(l.paid) p FROM budget_lines l "
                               "JOIN institutions i ON i.id = l.institution_id WHERE l.year = :y AND l.month = 12 "
                               "AND i.region_code = :r GROUP BY l.institution_id "
                               "ORDER BY SUM(l.plan_adjusted) DESC, l.institution_id LIMIT 5", y=YEAR, r=REGION)
    assert [(t["id"], t["plan_adjusted"], t["paid"]) for t in top] == [(w["i"], int(w["a"]), int(w["p"])) for w in want]
    assert top[0]["plan_adjusted"] < year_top[0]["plan_adjusted"]
    assert all(t["district_code"].startswith(REGION) for t in top)


@pytest.mark.parametrize("months", [(1, 3), (2, 11), (4, 9)])
def test_top_institutions_for_long_and_short_ranges(demo_engine, months):
    """Up to six months are summed; a longer range is the year minus the months outside it."""
    with demo_engine.connect() as conn:
        top = explorer.top_institutions(conn, Selection(year=YEAR, months=months, sectors=("education",)))
    want = direct(demo_engine, "SELECT l.institution_id i, SUM(l.plan_adjusted) a, SUM(l.paid) p FROM budget_lines l "
                               "JOIN institutions i ON i.id = l.institution_id WHERE l.year = :y AND l.month BETWEEN "
                               ":a AND :b AND i.sector_code = 'education' GROUP BY l.institution_id "
                               "ORDER BY SUM(l.plan_adjusted) DESC, l.institution_id LIMIT 5", y=YEAR, a=months[0], b=months[1])
    assert [(t["id"], t["plan_adjusted"], t["paid"]) for t in top] == [(w["i"], int(w["a"]), int(w["p"])) for w in want]


def test_card_follows_the_month_range(demo_engine):
    with demo_engine.connect() as conn:
        first = explorer.institutions_with_budget(conn, YEAR)[0]
        card = explorer.institution_card(conn, first, YEAR, (3, 5))
    row = direct(demo_engine, "SELECT SUM(plan_adjusted) a, SUM(paid) p FROM budget_lines "
                              "WHERE institution_id = :i AND year = :y AND month BETWEEN 3 AND 5", i=first, y=YEAR)[0]
    assert (card["plan_adjusted"], card["paid"]) == (int(row["a"]), int(row["p"]))


def test_points_and_card_match_lines(demo_engine):
    with demo_engine.connect() as conn:
        points = explorer.institutions_with_budget(conn, YEAR)
        locations = explorer.institution_locations(conn)
        health = [i for i, _lat, _lon, sector in locations if sector == "health" and i in set(points)]
        card = explorer.institution_card(conn, health[0], YEAR)
        assert explorer.institution_card(conn, -1, YEAR) is None
    published = direct(demo_engine, "SELECT COUNT(DISTINCT institution_id) n FROM budget_lines WHERE year = :y", y=YEAR)
    assert len(points) == published[0]["n"] and points == sorted(set(points))
    assert len(locations) == direct(demo_engine, "SELECT COUNT(*) n FROM institutions")[0]["n"]
    assert all(40 < lat < 56 and 46 < lon < 88 for _i, lat, lon, _s in locations)
    row = direct(demo_engine, "SELECT SUM(plan_adjusted) a, SUM(paid) p FROM budget_lines "
                              "WHERE institution_id = :i AND year = :y", i=card["id"], y=YEAR)[0]
    assert (card["plan_adjusted"], card["paid"]) == (int(row["a"]), int(row["p"]))
    assert card["type_ru"] and card["name_ru"] and card["sector_code"] == "health"


def test_years(demo_engine):
    with demo_engine.connect() as conn:
        assert explorer.available_years(conn) == sorted(DEMO_YEARS)
