"""load_scan_data on both databases: exact matrix sums, rescore scope with peers."""
import pandas as pd
from sqlalchemy import text

from dashboard.anomalies.detectors import DETECTORS
from dashboard.anomalies.model import PAID_COLUMNS, PLAN_COLUMNS
from queries.anomaly_data import load_scan_data
from tests.conftest import DEMO_INSTITUTIONS, DEMO_YEARS

KEYS = ["institution_id", "year", "program_code", "subprogram_code", "specific_code"]


def test_matrix_equals_sums_over_budget_lines(demo_engine):
    with demo_engine.connect() as conn:
        data = load_scan_data(conn)
        direct = pd.DataFrame(conn.execute(text(
            "SELECT institution_id, year, program_code, subprogram_code, specific_code, month, "
            "SUM(paid) AS paid, SUM(plan_adjusted) AS plan FROM budget_lines "
            "GROUP BY institution_id, year, program_code, subprogram_code, specific_code, month")).all(),
            columns=KEYS + ["month", "paid", "plan"])
    assert data.targets is None and data.years[:2] == DEMO_YEARS
    assert len(data.institutions) == DEMO_INSTITUTIONS
    lines = data.lines
    assert all(lines[c].dtype == "int64" for c in PAID_COLUMNS + PLAN_COLUMNS)
    long = lines.melt(id_vars=KEYS, value_vars=list(PAID_COLUMNS) + list(PLAN_COLUMNS))
    long["what"] = long["variable"].str.split("_").str[0]
    long["month"] = long["variable"].str.split("_").str[1].astype(int)
    wide = long.pivot_table(index=KEYS + ["month"], columns="what", values="value", aggfunc="first").reset_index()
    merged = direct.merge(wide, on=KEYS + ["month"], how="left", suffixes=("", "_matrix"))
    assert len(lines) == len(direct.drop_duplicates(KEYS))
    assert [int(x) for x in merged["paid"]] == [int(x) for x in merged["paid_matrix"]]
    assert [int(x) for x in merged["plan"]] == [int(x) for x in merged["plan_matrix"]]
    total = conn_total(demo_engine)
    assert int(lines[list(PAID_COLUMNS)].to_numpy().sum()) == total  # exact integer tiyn


def conn_total(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT SUM(paid) FROM budget_lines")).scalar())


def test_rescore_loads_the_institution_and_its_peers(demo_engine):
    with demo_engine.connect() as conn:
        full = load_scan_data(conn)
        inst = full.institutions
        school = inst[inst["type_code"] == "school"].iloc[0]
        data = load_scan_data(conn, years=[2024], institution_ids=[int(school["id"])])
    same_type = inst[inst["type_code"] == school["type_code"]]
    regional = set(same_type.loc[same_type["region_code"] == school["region_code"], "id"])
    loaded = set(data.lines["institution_id"])
    assert int(school["id"]) in loaded and regional <= loaded  # its regional peers, at least
    assert loaded <= set(same_type["id"])  # and nothing outside its type
    assert len(loaded) >= 8 or loaded == set(same_type["id"]) & set(full.lines["institution_id"])
    own = data.lines[data.lines["institution_id"] == school["id"]]
    assert set(own["year"]) == set(DEMO_YEARS)  # every year, for its history
    assert data.targets == {(int(school["id"]), 2024)}
    for detect in DETECTORS.values():
        assert all(data.is_target(f.institution_id, f.year) for f in detect(data))


def test_detectors_run_on_the_demo(demo_engine):
    with demo_engine.connect() as conn:
        data = load_scan_data(conn)
        truth = pd.DataFrame(conn.execute(text("SELECT kind, institution_id, year FROM demo_anomalies")).all(),
                             columns=["kind", "institution_id", "year"])
    found = {(f.institution_id, f.year) for f in DETECTORS["paid_above_plan"](data)}
    planted = truth[truth["kind"] == "paid_above_plan"]
    assert found == set(zip(planted["institution_id"], planted["year"]))
