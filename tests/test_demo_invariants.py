"""The demo data set keeps the database's invariants and looks like real budgets."""
import pandas as pd
import pytest
from sqlalchemy import func, select, text

from dashboard.bin import is_valid_bin
from dashboard.geo import load_region_polygons, points_in_polygons
from dashboard.schema import (
    MONEY_COLUMNS, budget_lines, institutions, publications,
    rollup_district_sector_month, rollup_institution_year, rollup_region_sector_month,
)
from tests.conftest import DEMO_INSTITUTIONS, DEMO_YEARS, require_boundaries


def frame(engine, sql: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(text(sql)).mappings().all())


def money(engine, sql: str) -> pd.DataFrame:
    df = frame(engine, sql)
    for c in MONEY_COLUMNS:
        if c in df:
            df[c] = df[c].map(int)
    return df


SUMS = ", ".join(f"SUM(l.{c}) AS {c}" for c in MONEY_COLUMNS)
ROLLUP_CHECKS = [
    (rollup_region_sector_month, ["region_code", "sector_code", "year", "month"],
     "i.region_code, i.sector_code, l.year, l.month"),
    (rollup_district_sector_month, ["district_code", "sector_code", "year", "month"],
     "i.district_code, i.sector_code, l.year, l.month"),
    (rollup_institution_year, ["institution_id", "year"], "l.institution_id, l.year"),
]


@pytest.mark.parametrize("rollup, keys, group", ROLLUP_CHECKS, ids=lambda v: getattr(v, "name", None))
def test_rollups_equal_sums_over_lines(demo_engine, rollup, keys, group):
    direct = money(demo_engine, f"SELECT {group}, {SUMS} FROM budget_lines l "
                                f"JOIN institutions i ON i.id = l.institution_id GROUP BY {group}")
    stored = money(demo_engine, f"SELECT {', '.join(keys)}, {', '.join(MONEY_COLUMNS)} FROM {rollup.name}")
    direct.columns = keys + list(MONEY_COLUMNS)
    merged = direct.merge(stored, on=keys, how="outer", suffixes=("_lines", "_rollup"), indicator=True)
    assert (merged["_merge"] == "both").all(), "rollup rows and line groups differ"
    for c in MONEY_COLUMNS:
        assert (merged[f"{c}_lines"] == merged[f"{c}_rollup"]).all(), c


def test_money_is_stored_as_integers(demo_engine):
    if demo_engine.dialect.name == "sqlite":
        types = frame(demo_engine, "SELECT DISTINCT typeof(plan) p, typeof(plan_adjusted) a, "
                                   "typeof(obligations) o, typeof(paid) d FROM budget_lines")
        assert types.to_dict("records") == [{"p": "integer", "a": "integer", "o": "integer", "d": "integer"}]
    else:
        types = frame(demo_engine, "SELECT data_type FROM information_schema.columns WHERE table_name IN "
                                   "('budget_lines', 'rollup_region_sector_month', 'rollup_institution_year') "
                                   "AND column_name IN ('plan', 'plan_adjusted', 'obligations', 'paid')")
        assert set(types["data_type"]) == {"bigint"}


def test_line_keys_are_unique(demo_engine):
    dup = frame(demo_engine, "SELECT institution_id, year, month, program_code, subprogram_code, specific_code, "
                             "COUNT(*) n FROM budget_lines GROUP BY 1, 2, 3, 4, 5, 6 HAVING COUNT(*) > 1")
    assert dup.empty


def test_counts_and_publication_log(demo_engine):
    with demo_engine.connect() as conn:
        n_inst = conn.execute(select(func.count()).select_from(institutions)).scalar_one()
        n_lines = conn.execute(select(func.count()).select_from(budget_lines)).scalar_one()
        pub = conn.execute(select(publications)).mappings().one()
    assert n_inst == DEMO_INSTITUTIONS
    assert pub["lines"] == n_lines and pub["institutions"] == n_inst and pub["source"] == "demo"
    assert 9 * 12 * len(DEMO_YEARS) * n_inst <= n_lines <= 15 * 12 * len(DEMO_YEARS) * n_inst


def test_bins_are_valid_and_unique(demo_engine):
    bins = frame(demo_engine, "SELECT bin FROM institutions")["bin"]
    assert bins.is_unique and bins.map(is_valid_bin).all()


def test_coordinates_inside_their_region(demo_engine):
    path = require_boundaries()
    polygons = load_region_polygons(path)
    inst = frame(demo_engine, "SELECT region_code, lat, lon FROM institutions")
    for code, group in inst.groupby("region_code"):
        inside = points_in_polygons(polygons[code], group["lat"], group["lon"])
        assert inside.all(), f"{(~inside).sum()} institutions of {code} lie outside it"


def test_every_region_and_most_sectors_present(demo_engine):
    inst = frame(demo_engine, "SELECT region_code, sector_code, type_code FROM institutions")
    assert inst["region_code"].nunique() == 20
    assert inst["sector_code"].nunique() >= 8
    assert {"school", "kindergarten", "hospital", "road_department"} <= set(inst["type_code"])


def _annual_by_specific(engine, type_code):
    return money(engine, f"""SELECT l.institution_id, s.category, l.specific_code, SUM(l.plan_adjusted) AS plan_adjusted
        FROM budget_lines l JOIN institutions i ON i.id = l.institution_id
        JOIN specifics s ON s.code = l.specific_code
        WHERE i.type_code = '{type_code}' AND l.year = {DEMO_YEARS[0]}
        GROUP BY l.institution_id, s.category, l.specific_code""")


def test_spending_structure_by_type(demo_engine):
    school = _annual_by_specific(demo_engine, "school")
    share = school.groupby("category")["plan_adjusted"].sum() / school["plan_adjusted"].sum()
    assert share["wages"] + share["taxes"] > 0.75  # wages and social tax dominate schools
    per_school = school.groupby("institution_id")["plan_adjusted"].sum() / 100
    assert 5e7 < per_school.median() < 1e9  # hundreds of millions of tenge a year
    hospital = _annual_by_specific(demo_engine, "hospital")
    med_food = hospital[hospital["specific_code"].isin([141, 142])]["plan_adjusted"].sum()
    assert med_food / hospital["plan_adjusted"].sum() > 0.15
    road = _annual_by_specific(demo_engine, "road_department")
    capital = road[road["category"] == "capital"]["plan_adjusted"].sum()
    assert capital / road["plan_adjusted"].sum() > 0.5


def test_december_peak_growth_and_revisions(demo_engine):
    monthly = money(demo_engine, "SELECT month, SUM(paid) AS paid FROM budget_lines GROUP BY month ORDER BY month")
    assert monthly["paid"].idxmax() == 11  # December (0-based row)
    yearly = money(demo_engine, "SELECT year, SUM(plan) AS plan FROM budget_lines GROUP BY year ORDER BY year")
    assert yearly["plan"].iloc[1] > yearly["plan"].iloc[0]
    revised = frame(demo_engine, "SELECT COUNT(*) n FROM budget_lines WHERE plan_adjusted <> plan")["n"][0]
    assert revised > 0.1 * frame(demo_engine, "SELECT COUNT(*) n FROM budget_lines")["n"][0]


def test_planted_anomalies_are_recorded_and_real(demo_engine):
    truth = frame(demo_engine, "SELECT * FROM demo_anomalies")
    assert 0.02 * DEMO_INSTITUTIONS <= len(truth) <= 0.05 * DEMO_INSTITUTIONS + 1
    assert set(truth["kind"]) >= {"year_end_dumping", "paid_above_plan", "spike", "round_amounts"}
    for a in truth[truth["kind"] == "paid_above_plan"].itertuples():
        row = money(demo_engine, f"SELECT plan_adjusted, paid FROM budget_lines WHERE institution_id = "
                                 f"{a.institution_id} AND year = {a.year} AND month = {int(a.month)} "
                                 f"AND specific_code = {int(a.specific_code)}")
        assert (row["paid"] > row["plan_adjusted"]).any()
    for a in truth[truth["kind"] == "round_amounts"].itertuples():
        paid = money(demo_engine, f"SELECT paid FROM budget_lines WHERE institution_id = {a.institution_id} "
                                  f"AND year = {a.year} AND month >= 8 AND specific_code = {int(a.specific_code)}")
        assert (paid["paid"] % 100_000_000 == 0).all()
    # Outside planted anomalies, nothing is paid above its adjusted plan.
    above = frame(demo_engine, "SELECT DISTINCT institution_id FROM budget_lines WHERE paid > plan_adjusted")
    assert set(above["institution_id"]) <= set(truth.loc[truth["kind"].isin(
        ["paid_above_plan"]), "institution_id"])


def test_same_seed_same_data_other_seed_other_data():
    from dashboard.demo.generate import generate_year, plan_demo
    from dashboard.reference import REGIONS
    from dashboard.reference_districts import DISTRICTS

    regions = pd.DataFrame([dict(code=r[0], name_ru=r[2]) for r in REGIONS])
    districts = pd.DataFrame(DISTRICTS, columns=["code", "region_code", "kind", "name_ru", "name_kk", "name_en",
                                                 "center_name_ru", "center_name_kk", "center_lat", "center_lon",
                                                 "population"])

    def digest(seed):
        plan = plan_demo(60, seed, regions, districts, [2024])
        chunk = generate_year(plan, 2024, seed)
        return plan.institutions[["bin", "name_ru", "lat", "lon"]].to_numpy().tolist(), \
            {k: v.tolist() for k, v in chunk.items()}

    assert digest(3) == digest(3)
    assert digest(3) != digest(4)
