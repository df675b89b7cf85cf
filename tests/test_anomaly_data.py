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


def test_rescore_scope_is_each_targets_peer_group():
    """The scope worked out once per (type, region, size class) equals the union of every
    target's own peer group (the rule written out per target), for random targets among
    groups above and below MIN_PEERS, with and without capacities."""
    import random

    import numpy as np

    from dashboard.anomalies import thresholds as th
    from dashboard.anomalies.detectors._common import size_class
    from queries.anomaly_data import _peer_scope

    rng = np.random.default_rng(3)
    n = 600
    # One big region (regional groups), medium ones (a size class under MIN_PEERS), tiny ones.
    regions = rng.choice([f"KZ-{r}" for r in range(1, 17)], n, p=[.4] + [.06] * 9 + [.01] * 6)
    inst = pd.DataFrame({"id": np.arange(1, n + 1), "type_code": rng.choice(["school", "clinic", "akimat"], n),
                         "region_code": regions})
    capacity = rng.integers(50, 2000, n).astype(object)
    capacity[rng.random(n) < .2] = None
    inst["capacity"] = pd.array(capacity, dtype="Int64")
    band = size_class(inst).to_numpy()

    def per_target(ids):
        scope = set(ids)
        for i in ids:
            row = i - 1
            same_type = inst[inst["type_code"] == inst.at[row, "type_code"]]
            same = same_type[same_type["region_code"] == inst.at[row, "region_code"]]
            same_band = (band[same.index] == band[row]).sum()
            small = len(same) < th.MIN_PEERS or (band[row] >= 0 and same_band < th.MIN_PEERS)
            scope |= set((same_type if small else same)["id"].astype(int))
        return sorted(scope)

    pick = random.Random(3)
    ids = [int(i) for i in inst["id"]]
    regional = 0
    for size in (1, 1, 1, 2, 5, 20, 100, n):
        targets = pick.sample(ids, size)
        scope = _peer_scope(inst, targets)
        assert scope == per_target(targets)
        regional += len(scope) < len(inst[inst["type_code"].isin(inst.loc[inst["id"].isin(targets), "type_code"])])
    assert regional  # some scope was a regional group, not the whole type
