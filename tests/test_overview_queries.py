"""Overview numbers (read from rollups) equal sums computed directly from budget_lines."""
from sqlalchemy import text

from queries import overview
from tests.conftest import DEMO_INSTITUTIONS, DEMO_YEARS


def direct(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).mappings().all()


def test_totals_match_lines(demo_engine):
    year = DEMO_YEARS[-1]
    with demo_engine.connect() as conn:
        totals = overview.totals(conn, year)
    row = direct(demo_engine, f"SELECT SUM(plan_adjusted) a, SUM(paid) p, COUNT(DISTINCT institution_id) n "
                              f"FROM budget_lines WHERE year = {year}")[0]
    assert totals["plan_adjusted"] == int(row["a"]) and totals["paid"] == int(row["p"])
    assert totals["institutions"] == row["n"] == DEMO_INSTITUTIONS
    assert isinstance(totals["paid"], int)


def test_sector_and_region_breakdowns_add_up(demo_engine):
    year = DEMO_YEARS[0]
    with demo_engine.connect() as conn:
        totals = overview.totals(conn, year)
        sectors = overview.by_sector(conn, year)
        regions = overview.by_region(conn, year)
    assert sum(r["paid"] for r in sectors) == totals["paid"]
    assert sum(r["plan_adjusted"] for r in regions) == totals["plan_adjusted"]
    assert [r["plan_adjusted"] for r in sectors] == sorted((r["plan_adjusted"] for r in sectors), reverse=True)
    assert len(regions) == 20 and all(r["population"] > 100_000 for r in regions)
    by_sector = {r["sector_code"]: int(r["p"]) for r in direct(
        demo_engine, f"SELECT i.sector_code, SUM(l.paid) p FROM budget_lines l JOIN institutions i "
                     f"ON i.id = l.institution_id WHERE l.year = {year} GROUP BY i.sector_code")}
    assert {r["code"]: r["paid"] for r in sectors} == by_sector


def test_years_and_version(demo_engine):
    with demo_engine.connect() as conn:
        assert overview.available_years(conn) == sorted(DEMO_YEARS, reverse=True)
        assert overview.data_version(conn) == 1
        assert overview.latest_publications(conn)[0]["source"] == "demo"
