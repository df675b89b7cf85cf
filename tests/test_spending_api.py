"""`/api/v1/spending` on both databases: the explorer panels' numbers, every grouping against
independent sums over the budget lines, CSV, errors and caching."""
import csv
import io
import random
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select

from dashboard.reference import SECTOR_CODES
from dashboard.schema import MONEY_COLUMNS, budget_lines, districts, institutions
from queries import explorer
from queries.explorer import Selection
from queries.spending import DIMENSIONS, source_for
from tests.conftest import DEMO_YEARS
from tests.test_api import client  # noqa: F401 - the API client on the session's demo database

YEAR = DEMO_YEARS[-1]


@pytest.fixture(scope="module")
def lines(demo_engine) -> pd.DataFrame:
    """Every budget line of the demo's last year with its institution's place, sector and type (tiyn)."""
    cols = [budget_lines.c[c] for c in ("year", "month", "program_code", "specific_code", *MONEY_COLUMNS)]
    q = (select(*cols, institutions.c.region_code.label("region"), institutions.c.district_code.label("district"),
                institutions.c.sector_code.label("sector"), institutions.c.type_code.label("type"))
         .select_from(budget_lines.join(institutions, institutions.c.id == budget_lines.c.institution_id))
         .where(budget_lines.c.year == YEAR))
    with demo_engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(q).mappings().all())
    for c in MONEY_COLUMNS:
        frame[c] = frame[c].astype("int64")  # exact: the demo's sums are far below 2**63 tiyn
    return frame.rename(columns={"program_code": "program", "specific_code": "specific"})


def get(client, query: str) -> dict:
    response = client.get(f"/api/v1/spending?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def tiyn(text: str) -> int:
    return int(Decimal(text) * 100)


def keyed(rows: list[dict], dims) -> dict:
    return {tuple(r[d] for d in dims): r for r in rows}


def random_selection(rng: random.Random, region_districts: dict) -> tuple[Selection, str]:
    """A selection the explorer can show and the same as API parameters."""
    first = rng.randint(1, 12)
    months = rng.choice([(1, 12), (first, first), (first, rng.randint(first, 12))])
    chosen = tuple(sorted(rng.sample(SECTOR_CODES, rng.choice([0, 1, 2]))))
    region = rng.choice([None, *sorted(region_districts)])
    district = rng.choice([None, *region_districts[region]]) if region else None
    query = f"year={YEAR}&months={months[0]}-{months[1]}"
    query += f"&sector={','.join(chosen)}" if chosen else ""
    query += f"&region={region}" if region else ""
    query += f"&district={district}" if district else ""
    return Selection(YEAR, months, chosen, region, district), query


@pytest.fixture(scope="module")
def region_districts(demo_engine) -> dict[str, list[str]]:
    with demo_engine.connect() as conn:
        found = conn.execute(select(districts.c.region_code, districts.c.code).order_by(districts.c.code)).all()
    result: dict[str, list[str]] = {}
    for region, code in found:
        result.setdefault(region, []).append(code)
    return result


def test_numbers_equal_the_explorer_panels(client, demo_engine, region_districts):
    """KPIs, the region table (with per capita), the district table and the sectors chart, for
    random selections: the API's totals are the panels' query functions' totals."""
    rng = random.Random(14)
    with demo_engine.connect() as conn:
        for _ in range(8):
            sel, query = random_selection(rng, region_districts)
            total = get(client, query)["data"]
            kpis = explorer.totals(conn, sel)
            assert [tiyn(total[0][c]) for c in ("plan_adjusted", "paid")] == \
                   [kpis["plan_adjusted"], kpis["paid"]], query

            # The region table ignores the place filters (every region, coloured on the map).
            unplaced = Selection(sel.year, sel.months, sel.sectors)
            plain = "&".join(part for part in query.split("&") if not part.startswith(("region=", "district=")))
            api = keyed(get(client, plain + "&group_by=region")["data"], ["region"])
            for row in explorer.by_region(conn, unplaced):
                got = api.get((row["code"],))
                if got is None:  # the API leaves out regions without any line
                    assert row["plan_adjusted"] == row["paid"] == 0
                    continue
                assert (tiyn(got["plan_adjusted"]), tiyn(got["paid"])) == (row["plan_adjusted"], row["paid"])
                assert got["population"] == row["population"]
                # per capita: the exact quotient rounded to the tiyn (the table shows it in whole tenge)
                exact = Decimal(row["plan_adjusted"]) / Decimal(row["population"])
                assert abs(Decimal(tiyn(got["plan_adjusted_per_capita"])) - exact) <= Decimal("0.5")

            if sel.region:
                api = keyed(get(client, plain + f"&region={sel.region}&group_by=district")["data"], ["district"])
                for row in explorer.by_district(conn, Selection(sel.year, sel.months, sel.sectors, sel.region)):
                    got = api.get((row["code"],), {"plan_adjusted": "0.00", "paid": "0.00", "population": None})
                    assert (tiyn(got["plan_adjusted"]), tiyn(got["paid"])) == (row["plan_adjusted"], row["paid"])
                    assert got["population"] in (None, row["population"])

            api = keyed(get(client, query + "&group_by=sector")["data"], ["sector"])
            panel = explorer.by_sector(conn, sel)
            assert {k[0] for k in api} == {r["code"] for r in panel}
            for row in panel:
                got = api[(row["code"],)]
                assert (tiyn(got["plan_adjusted"]), tiyn(got["paid"])) == (row["plan_adjusted"], row["paid"])


GROUPINGS = [(), ("district",), ("type",), ("specific",), ("program",), ("region", "month"), ("type", "month"),
             ("sector", "specific")]


@pytest.mark.parametrize("group_by", GROUPINGS, ids=lambda g: ",".join(g) or "total")
def test_every_grouping_equals_the_lines(client, lines, region_districts, group_by):
    """All four amounts, whichever table answers (rollups or lines), equal sums over the lines."""
    rng = random.Random(",".join(group_by))
    for _ in range(3):
        sel, query = random_selection(rng, region_districts)
        types = tuple(sorted(rng.sample(sorted(lines["type"].unique()), rng.choice([0, 0, 1, 3]))))
        if types:
            query += "&type=" + ",".join(types)
        chosen = lines[(lines["year"] == sel.year) & lines["month"].between(*sel.months)]
        for column, values in (("sector", sel.sectors), ("type", types)):
            if values:
                chosen = chosen[chosen[column].isin(values)]
        for column, value in (("region", sel.region), ("district", sel.district)):
            if value:
                chosen = chosen[chosen[column] == value]
        answer = get(client, query + "&group_by=" + ",".join(group_by))
        assert answer["group_by"] == list(group_by) and answer["months"] == list(sel.months)
        got = {tuple(r[d] for d in group_by): tuple(tiyn(r[c]) for c in MONEY_COLUMNS) for r in answer["data"]}
        if group_by:
            sums = chosen.groupby(list(group_by))[list(MONEY_COLUMNS)].sum()
            expected = {k if isinstance(k, tuple) else (k,): tuple(int(v) for v in row)
                        for k, row in zip(sums.index, sums.to_numpy())}
            expected = {tuple(int(x) if d in ("month", "specific") else x for x, d in zip(k, group_by)): v
                        for k, v in expected.items()}
        else:
            expected = {(): tuple(int(chosen[c].sum()) for c in MONEY_COLUMNS)}
        assert got == expected, (query, group_by, source_for(group_by, sel, types))


def test_each_table_is_used(region_districts):
    """The groupings above reach every source (so each was compared with the lines)."""
    whole, part = Selection(YEAR), Selection(YEAR, (3, 5))
    assert {source_for(g, s, t) for g in GROUPINGS for s in (whole, part) for t in ((), ("school",))} == {
        "region_rollup", "district_rollup", "institution_year", "institution_month", "institution_specific",
        "lines"}


def test_csv_is_the_json_rows(client):
    query = f"year={YEAR}&group_by=region,sector&months=2-7"
    rows = get(client, query)["data"]
    response = client.get(f"/api/v1/spending?{query}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert table[0].keys() == {"region", "sector", *MONEY_COLUMNS, "population",
                               *(f"{c}_per_capita" for c in MONEY_COLUMNS)}
    assert [{k: str(v) for k, v in r.items()} for r in rows] == [dict(r) for r in table]


@pytest.mark.parametrize("query, parameter", [
    ("", "year"), ("year=20x5", "year"), (f"year={YEAR}&months=0", "months"), (f"year={YEAR}&months=5-2", "months"),
    (f"year={YEAR}&months=1-13", "months"), (f"year={YEAR}&group_by=region,bogus", "group_by"),
    (f"year={YEAR}&group_by=sector,sector", "group_by"), (f"year={YEAR}&sector=education,nope", "sector"),
    (f"year={YEAR}&type=castle", "type"), (f"year={YEAR}&region=KZ-00", "region"),
    (f"year={YEAR}&region=KZ-11&district=KZ-75-01", "district"), (f"year={YEAR}&by=region", "by"),
    (f"year={YEAR}&format=xml", "format"),
])
def test_bad_parameters_are_400_naming_them(client, query, parameter):
    response = client.get(f"/api/v1/spending?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["parameter"] == parameter


def test_nothing_matching_is_a_row_of_zeros_and_empty_groups(client):
    assert get(client, "year=2001")["data"] == [{c: "0.00" for c in MONEY_COLUMNS}]
    assert get(client, "year=2001&group_by=region")["data"] == []


def test_spending_and_openapi_answer_304(client):
    first = client.get(f"/api/v1/spending?year={YEAR}&group_by=sector")
    assert first.headers["ETag"].startswith('"v')
    again = client.get(f"/api/v1/spending?year={YEAR}&group_by=sector", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.headers["ETag"]
    assert {"/spending", "/datapackage.json"} <= set(spec.json["paths"])
    assert set(spec.json["paths"]["/spending"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
               ["properties"]["group_by"]["items"]["enum"]) == set(DIMENSIONS)
    assert client.get("/api/v1/openapi.json", headers={"If-None-Match": spec.headers["ETag"]}).status_code == 304
