"""The open-data API on both databases: answers, numbers equal to the queries, every error path."""
import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dashboard.csvout import tenge_text
from dashboard.web.api.params import MAX_LIMIT, MAX_TOP
from dashboard.config import load_config
from dashboard.schema import budget_lines, institutions, rollup_institution_year
from tests.conftest import DEMO_INSTITUTIONS, DEMO_YEARS


@pytest.fixture(scope="session")
def client(demo_engine, tmp_path_factory):
    from app import create_app

    url = demo_engine.url.render_as_string(hide_password=False)
    config = load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path_factory.mktemp("api"))})
    return create_app(config).server.test_client()


@pytest.fixture(scope="session")
def school(demo_engine):
    with demo_engine.connect() as conn:
        return conn.execute(select(institutions.c.id, institutions.c.bin).where(institutions.c.type_code == "school")
                            .order_by(institutions.c.bin).limit(1)).mappings().one()


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json["error"]


def test_regions_and_districts(client):
    regions = client.get("/api/v1/regions").json["data"]
    assert len(regions) == 20 and regions[0]["code"] == "KZ-10"
    districts = client.get("/api/v1/regions/KZ-11/districts").json["data"]
    assert districts and all(d["region_code"] == "KZ-11" for d in districts)


def test_unknown_region_is_404(client):
    assert error_of(client.get("/api/v1/regions/KZ-00/districts"), 404)["parameter"] == "code"


def test_sectors_and_classification(client):
    assert [s["code"] for s in client.get("/api/v1/sectors").json["data"]][0] == "education"
    data = client.get("/api/v1/classification").json["data"]
    assert {s["code"] for s in data["specifics"]} >= {111, 121, 431}
    assert any(p["code"] == "464-003" for p in data["programs"])


def test_institutions_paging_reports_total(client):
    first = client.get("/api/v1/institutions?limit=7").json
    assert first["total"] == DEMO_INSTITUTIONS and len(first["data"]) == 7 and first["limit"] == 7
    second = client.get("/api/v1/institutions?limit=7&offset=7").json
    assert {r["bin"] for r in first["data"]}.isdisjoint(r["bin"] for r in second["data"])


def test_institution_filters_combine(client):
    body = client.get("/api/v1/institutions?sector=education&type=school&limit=500").json
    assert body["total"] == len(body["data"]) > 0
    assert all(r["sector_code"] == "education" and r["type_code"] == "school" for r in body["data"])
    region = body["data"][0]["region_code"]
    narrowed = client.get(f"/api/v1/institutions?type=school&region={region}").json
    assert 0 < narrowed["total"] <= body["total"]


def test_institutions_total_without_year_for_every_filter(client, demo_engine):
    """Without a year or a text the total is summed from the stored counts: equal to the
    institutions the filters select, for each filter and their combinations."""
    with demo_engine.connect() as conn:
        rows = conn.execute(select(institutions.c.region_code, institutions.c.district_code,
                                   institutions.c.sector_code, institutions.c.type_code)).all()
    region, district, sector, type_ = rows[0]
    for filters in ({}, {"region": region}, {"district": district}, {"sector": sector}, {"type": type_},
                    {"region": region, "sector": sector}, {"district": district, "type": type_},
                    {"region": region, "district": district, "sector": sector, "type": type_},
                    {"region": "KZ-10" if region != "KZ-10" else "KZ-11", "district": district}):
        expected = sum(all(row[i] == filters[k] for i, k in enumerate(("region", "district", "sector", "type"))
                           if k in filters) for row in rows)
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        body = client.get(f"/api/v1/institutions?{query}&limit=500").json
        assert body["total"] == expected == len(body["data"]), filters


def test_institutions_total_by_year_region_and_sector(client, demo_engine):
    """With a year (and a region, a sector) the listing's total is read from the stored per-group
    counts; it must equal counting the institutions with a budget that year, page by page."""
    riy = rollup_institution_year
    year = DEMO_YEARS[-1]
    with demo_engine.connect() as conn:
        region, sector = conn.execute(select(institutions.c.region_code, institutions.c.sector_code)
                                      .order_by(institutions.c.id).limit(1)).one()
    for y, region_code, sector_code in ((year, None, None), (year, region, None), (year, None, sector),
                                        (year, region, sector), (DEMO_YEARS[0], region, sector), (2001, None, None)):
        query = f"/api/v1/institutions?year={y}&limit=500"
        query += f"&region={region_code}" if region_code else ""
        query += f"&sector={sector_code}" if sector_code else ""
        body = client.get(query).json
        counted = select(func.count()).select_from(riy.join(institutions, institutions.c.id == riy.c.institution_id)) \
            .where(riy.c.year == y)
        if region_code:
            counted = counted.where(institutions.c.region_code == region_code)
        if sector_code:
            counted = counted.where(institutions.c.sector_code == sector_code)
        with demo_engine.connect() as conn:
            expected = conn.execute(counted).scalar_one()
        assert body["total"] == expected == len(body["data"]), query
    assert body["total"] == 0  # a year without budgets


def test_institutions_with_year_carry_the_rollup_totals(client, demo_engine):
    year = DEMO_YEARS[-1]
    rows = client.get(f"/api/v1/institutions?year={year}&limit=500").json["data"]
    with demo_engine.connect() as conn:
        expected = conn.execute(select(func.sum(rollup_institution_year.c.paid))
                                .where(rollup_institution_year.c.year == year)).scalar_one()
    assert sum(Decimal(r["paid"]) for r in rows) == Decimal(int(expected)) / 100


def test_search_parameter(client, school):
    body = client.get(f"/api/v1/institutions?q={school['bin']}").json
    assert [r["bin"] for r in body["data"]] == [school["bin"]]
    assert body["total"] == 1


def test_search_total_counts_every_match(client):
    """Text alone is counted on the search documents, text with a filter on the joined listing:
    both totals equal the rows the pages hold."""
    every = client.get("/api/v1/institutions?q=школа&limit=500").json
    assert every["total"] == len(every["data"]) > 1
    region = every["data"][0]["region_code"]
    narrowed = client.get(f"/api/v1/institutions?q=школа&region={region}&limit=500").json
    assert narrowed["total"] == len(narrowed["data"]) == sum(r["region_code"] == region for r in every["data"])
    assert client.get("/api/v1/institutions?q=zzzqqq").json["total"] == 0


def test_range_errors_state_the_bound_in_words(client):
    for path, words in (("/api/v1/institutions?limit=-1", "limit must be at least 1"),
                        ("/api/v1/top?n=0", "n must be at least 1")):
        body = client.get(path).json
        assert words in json_text(body) and "None" not in json_text(body), body


def json_text(body) -> str:
    import json

    return json.dumps(body, ensure_ascii=False)


def test_limit_above_the_cap_is_lowered(client):
    body = client.get("/api/v1/institutions?limit=100000").json
    assert body["limit"] == MAX_LIMIT and len(body["data"]) == DEMO_INSTITUTIONS
    assert client.get("/api/v1/top?n=100000").json["n"] == MAX_TOP


@pytest.mark.parametrize("query, parameter", [
    ("year=abc", "year"), ("year=1999", "year"), ("limit=0", "limit"), ("limit=-5", "limit"),
    ("offset=-1", "offset"), ("offset=x", "offset"), ("region=KZ-00", "region"), ("district=nope", "district"),
    ("sector=space", "sector"), ("type=castle", "type"), ("format=xml", "format"), ("colour=red", "colour"),
    ("year=2024&year=2023", "year"), ("q=" + "x" * 201, "q"),
])
def test_bad_institution_parameters_are_400_naming_the_parameter(client, query, parameter):
    error = error_of(client.get(f"/api/v1/institutions?{query}"), 400)
    assert error["parameter"] == parameter and parameter in error["message"]


def test_institution_detail(client, school, demo_engine):
    data = client.get(f"/api/v1/institutions/{school['bin']}").json["data"]
    assert data["bin"] == school["bin"] and data["type_code"] == "school" and data["name_kk"]
    assert [y["year"] for y in data["years"]] == sorted(DEMO_YEARS, reverse=True)
    assert data["documents"] == []


def test_malformed_bin_is_400_and_unknown_bin_is_404(client):
    assert error_of(client.get("/api/v1/institutions/123"), 400)["parameter"] == "bin"
    assert error_of(client.get("/api/v1/institutions/123456789012"), 400)["parameter"] == "bin"  # bad check digit
    assert error_of(client.get("/api/v1/institutions/000000000000"), 404)["parameter"] == "bin"
    assert error_of(client.get("/api/v1/institutions/000000000000/lines"), 404)["parameter"] == "bin"


def test_lines_equal_budget_lines_in_tenge(client, school, demo_engine):
    year = DEMO_YEARS[0]
    body = client.get(f"/api/v1/institutions/{school['bin']}/lines?year={year}&month=3").json
    with demo_engine.connect() as conn:
        paid, count = conn.execute(select(func.sum(budget_lines.c.paid), func.count()).where(
            budget_lines.c.institution_id == school["id"], budget_lines.c.year == year,
            budget_lines.c.month == 3)).one()
    assert body["total"] == count == len(body["data"])
    assert all(r["month"] == 3 and r["year"] == year for r in body["data"])
    assert sum(Decimal(r["paid"]) for r in body["data"]) == Decimal(int(paid)) / 100


def test_lines_specific_filter_and_paging(client, school):
    base = f"/api/v1/institutions/{school['bin']}/lines"
    rows = client.get(f"{base}?specific=111").json["data"]
    assert rows and {r["specific_code"] for r in rows} == {111}
    page = client.get(f"{base}?limit=5&offset=5").json
    assert len(page["data"]) == 5 and page["total"] > 10


@pytest.mark.parametrize("query, parameter", [
    ("month=13", "month"), ("month=0", "month"), ("specific=999", "specific"), ("specific=x", "specific"),
    ("year=20x4", "year"), ("limit=0", "limit"),
])
def test_bad_line_parameters_are_400(client, school, query, parameter):
    error = error_of(client.get(f"/api/v1/institutions/{school['bin']}/lines?{query}"), 400)
    assert error["parameter"] == parameter


def test_lines_as_csv(client, school):
    response = client.get(f"/api/v1/institutions/{school['bin']}/lines?year={DEMO_YEARS[0]}&format=csv")
    assert response.status_code == 200 and response.content_type == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["bin", "year", "month", "program_code", "subprogram_code", "specific_code",
                             "plan", "plan_adjusted", "obligations", "paid"]
    json_rows = client.get(f"/api/v1/institutions/{school['bin']}/lines?year={DEMO_YEARS[0]}").json["data"]
    assert [r["paid"] for r in rows] == [r["paid"] for r in json_rows]
    assert all(r["paid"].count(".") == 1 and len(r["paid"].split(".")[1]) == 2 for r in rows)


def test_top_is_ordered_and_filtered(client):
    body = client.get(f"/api/v1/top?n=5&by=paid&year={DEMO_YEARS[0]}&sector=health").json
    paid = [Decimal(r["paid"]) for r in body["data"]]
    assert paid == sorted(paid, reverse=True) and len(paid) <= 5
    assert all(r["sector_code"] == "health" for r in body["data"])
    assert client.get("/api/v1/top").json["year"] == max(DEMO_YEARS)
    assert error_of(client.get("/api/v1/top?by=budget"), 400)["parameter"] == "by"
    assert error_of(client.get("/api/v1/top?n=0"), 400)["parameter"] == "n"


def test_csv_not_offered_where_the_answer_is_not_a_table(client, school):
    assert error_of(client.get("/api/v1/classification?format=csv"), 400)["parameter"] == "format"
    assert error_of(client.get(f"/api/v1/institutions/{school['bin']}?format=csv"), 400)["parameter"] == "format"


def test_unknown_endpoint_and_method(client):
    assert error_of(client.get("/api/v1/budgets"), 404)["status"] == 404
    assert error_of(client.post("/api/v1/regions"), 405)["status"] == 405


def test_etag_and_not_modified(client):
    first = client.get("/api/v1/sectors")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"v') and modified.endswith("GMT")
    assert client.get("/api/v1/sectors", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/api/v1/sectors", headers={"If-None-Match": '"v0"'}).status_code == 200
    assert client.get("/api/v1/sectors", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/api/v1/sectors", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
                      ).status_code == 200


def test_cors_allows_get_from_any_origin(client):
    response = client.get("/api/v1/regions", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/regions", headers={"Origin": "https://example.org",
                                                            "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200 and "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert client.get("/api/v1/nope").headers["Access-Control-Allow-Origin"] == "*"


def test_bulk_download_streams_every_line_of_a_year(client, demo_engine):
    year = DEMO_YEARS[-1]
    response = client.get(f"/api/v1/bulk/lines?year={year}")
    assert response.status_code == 200 and response.is_streamed
    assert 'filename="budget-lines-' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    with demo_engine.connect() as conn:
        count, paid = conn.execute(select(func.count(), func.sum(budget_lines.c.paid))
                                   .where(budget_lines.c.year == year)).one()
    assert len(rows) == count
    assert sum(Decimal(r["paid"]) for r in rows) == Decimal(int(paid)) / 100
    assert {r["year"] for r in rows} == {str(year)}


def test_bulk_download_needs_a_valid_year(client):
    assert error_of(client.get("/api/v1/bulk/lines"), 400)["parameter"] == "year"
    assert error_of(client.get("/api/v1/bulk/lines?year=twenty"), 400)["parameter"] == "year"


def test_openapi_document_describes_every_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) >= {"/regions", "/regions/{code}/districts", "/sectors", "/institutions",
                                  "/institutions/{bin}", "/institutions/{bin}/lines", "/top", "/classification",
                                  "/bulk/lines", "/openapi.json"}


@pytest.mark.parametrize("tiyn, text", [(0, "0.00"), (5, "0.05"), (123456789, "1234567.89"),
                                        (-101, "-1.01"), (9_007_199_254_740_993, "90071992547409.93")])
def test_tenge_text_is_exact(tiyn, text):
    assert tenge_text(tiyn) == text
