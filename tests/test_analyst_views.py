"""The analysts' workspace without a browser: view builders on sample flags, filters in the
address, and the CSV/XLSX export over HTTP (same rows as list_flags; analysts only)."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from dashboard.web.analyst_params import parse_filters, parse_sort, sort_rows, to_query
from dashboard.anomalies.model import Flag
from dashboard.schema import institutions
from layouts import analyst_evidence as evidence, analyst_parts as parts
from layouts.institution_parts import mark_flag_lines
from queries.anomalies import FlagFilter, list_flags, store_flags
from tests.appeals_support import build_world
from tests.conftest import BACKENDS, _fresh_url

FORMULA_NAME = "=HYPERLINK(\"http://evil\",\"x\")"


def sample(detector="year_end_dumping", **evidence) -> dict:
    names = {f"{p}_{lang}": f"{p} {lang}" for p in ("name", "region_name", "district_name", "type_name")
             for lang in ("kk", "ru", "en")}
    return {"id": 7, "institution_id": 3, "bin": "123456789012", **names, "year": 2024, "detector": detector,
            "score": 0.8123, "status": "new", "case_id": None, "appeal_ids": [],
            "lines": [{"program": "464-003", "subprogram": "015", "specific": 159, "months": [12]}],
            "evidence": evidence or {"december_paid": 123456789, "ratio": 4.2, "peer_median_ratio": 1.7,
                                     "peer_q1_ratio": 1.4, "peer_q3_ratio": 2.0, "min_ratio": 2.5,
                                     "december_share": 0.31, "peer_scope": "region", "peer_n": 12}}


def test_grid_rows_hold_what_the_columns_show():
    columns = [c["field"] for c in parts.grid_columns("ru")]
    row = parts.grid_rows([sample()], "ru")[0]
    assert set(columns) <= set(row)
    assert (row["institution"], row["bin"], row["region"], row["year"], row["score"]) == (
        "name ru", "123456789012", "region_name ru", 2024, 0.812)
    assert row["amount"] == 123456789 and row["status"] == "новый" and row["sentence"]


@pytest.mark.parametrize("detector, evidence_keys, kinds", [
    ("year_end_dumping", {}, {"box", "scatter"}),
    ("unit_cost", {"cost_per_unit": 500000, "peer_median_per_unit": 200000, "peer_q1_per_unit": 150000,
                   "peer_q3_per_unit": 250000, "min_ratio": 1.8}, {"box", "scatter"}),
    ("paid_above_plan", {"month": 11, "paid": 3000000, "plan": 1000000, "cumulative_paid": 9000000,
                         "cumulative_plan": 8000000}, {"bar"}),
    ("spike", {"month": 5, "paid": 9000000, "expected": 1000000}, {"bar"}),
    ("silence", {"overdue": 3, "min_overdue": 2}, {"bar"}),
])
def test_evidence_figures_per_detector(detector, evidence_keys, kinds):
    flag = sample(detector, **evidence_keys)
    figure = evidence.evidence_figure(detector, flag["evidence"], "kk")
    assert {trace["type"] for trace in figure["data"]} == kinds


def test_unit_cost_box_is_in_tenge_with_the_cutoff():
    flag = sample("unit_cost", cost_per_unit=500000, peer_median_per_unit=200000, min_ratio=1.8)
    figure = evidence.evidence_figure("unit_cost", flag["evidence"], "en")
    box, dot = figure["data"]
    assert box["median"] == [2000.0] and dot["x"] == [5000.0]
    assert figure["layout"]["shapes"][0]["x0"] == 3600.0


def test_evidence_without_numbers_draws_nothing_and_never_fails():
    assert evidence.evidence_figure("round_amounts", {"basis": "x"}, "ru") is None
    assert evidence.evidence_figure("year_end_dumping", {"ratio": "bad", "peer_median_ratio": None}, "ru") is None


def test_evidence_table_formats_money_shares_and_words():
    table = evidence.evidence_table(sample()["evidence"], "ru")
    cells = {row.children[0].children: row.children[1].children for row in table.children.children}
    assert cells["Оплачено в декабре"] == "1\xa0234\xa0567,89\xa0₸"
    assert cells["Доля декабря в году"] == "31,0%"
    assert cells["Группа сравнения"] == "тот же регион"


def test_counts_table_warns_about_a_rule_firing_too_often():
    rows = [{"detector": "spike", "flagged": 5, "total": 100, "share": 0.05, "warn": False},
            {"detector": "round_amounts", "flagged": 30, "total": 100, "share": 0.3, "warn": True}]
    text = str(parts.counts_table(rows, "en"))
    assert text.count("this rule fires too often") == 1


def test_map_colours_regions_by_flagged_share():
    hideout = parts.map_hideout([{"region_code": "KZ-11", "institutions": 10, "flagged": 2, "share": 0.2},
                                 {"region_code": "KZ-15", "institutions": 0, "flagged": 0, "share": 0.0}],
                                "KZ-11", "ru")
    assert hideout["values"] == {"KZ-11": 0.2, "KZ-15": None} and hideout["selected"] == "KZ-11"
    assert "2 из 10" in hideout["labels"]["KZ-11"] and "20,0" in hideout["labels"]["KZ-11"]


def test_case_form_keeps_only_the_first_institutions_flags():
    from flask import Flask

    a, b, c = sample(), {**sample(), "id": 8}, {**sample(), "id": 9, "institution_id": 4}
    app = Flask(__name__)
    app.secret_key = "test"
    with app.test_request_context():  # the form carries the session's CSRF token
        form = str(parts.case_form([a, b, c], "en"))
    assert form.count("flag_ids") == 2 and "'9'" not in form and "a case is about one institution" in form


def test_institution_rows_of_the_flag_are_marked_and_first():
    rows = [{"month": m, "line": f"2024/464-003/015/{s:03d}"} for s in (111, 159) for m in (11, 12)]
    marked = mark_flag_lines(rows, sample())
    assert [(r["line"][-3:], r["month"], r["flag_line"]) for r in marked][:2] == [("159", 12, True), ("111", 11, False)]
    assert sum(r["flag_line"] for r in marked) == 1 and mark_flag_lines(rows, None) is rows


def test_filters_round_trip_through_the_address():
    f = parse_filters({"year": "2024", "region": "KZ-11", "district": "nowhere", "detector": ["spike", "x"],
                       "min_score": "0.5", "status": "new", "sector": "education"})
    assert f == FlagFilter(year=2024, region="KZ-11", sector="education", detectors=["spike"], min_score=0.5,
                           status="new")
    assert parse_filters(dict(p.split("=") for p in to_query(f)[1:].split("&"))) == f
    assert parse_sort("institution:asc") == ("institution", "asc") and parse_sort("evil:1") == ("score", "desc")


def test_sort_keeps_ties_in_score_order_and_empty_values_first_ascending():
    rows = [{"id": 1, "amount": 5}, {"id": 2, "amount": None}, {"id": 3, "amount": 5}, {"id": 4, "amount": 9}]
    assert [r["id"] for r in sort_rows(rows, ("amount", "asc"))] == [2, 1, 3, 4]
    assert [r["id"] for r in sort_rows(rows, ("amount", "desc"))] == [4, 1, 3, 2]


# --- the export endpoint over HTTP -----------------------------------------------------------

@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    built = build_world(_fresh_url(request.param, request, tmp_path_factory), tmp_path_factory.mktemp("analyst"))
    with built.engine.begin() as conn:
        conn.execute(update(institutions).where(institutions.c.id == built.id_b).values(
            name_ru=FORMULA_NAME, name_kk=FORMULA_NAME, name_en=FORMULA_NAME))
        store_flags(conn, [
            Flag(built.id_a, 2024, "paid_above_plan", 0.9, {"month": 3, "paid": 2000012345, "plan": 1000000000,
                                                             "excess": 1000012345, "ratio": 2.0},
                 [{"program": "x", "subprogram": "y", "specific": 111, "months": [3]}]),
            Flag(built.id_b, 2024, "spike", 0.4, {"month": 5, "paid": 500000, "expected": 100000}),
            Flag(built.id_b, 2024, "year_end_dumping", 0.6, {"december_paid": 700001, "ratio": 3.0}),
        ], None, [2024])
    yield built
    built.engine.dispose()


@pytest.mark.parametrize("role", ["anonymous", "official_own", "moderator", "admin"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_is_for_analysts_only(world, role, kind):
    assert world.client(role).get(f"/analyst/export.{kind}").status_code == 403


def test_csv_export_equals_list_flags_with_the_same_filters_and_sort(world):
    response = world.client("analyst").get("/analyst/export.csv?year=2024&min_score=0.5&sort=amount:asc&lang=ru")
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    with world.engine.connect() as conn:
        expected = list_flags(conn, FlagFilter(year=2024, min_score=0.5))
    assert header[0] == "Учреждение" and len(body) == len(expected) == 2
    amount = header.index("Сумма, ₸")
    assert [r[amount] for r in body] == ["7000.01", "10000123.45"]  # ascending, exact tenge
    assert [r[0] for r in body] == ["'" + FORMULA_NAME, expected[0]["name_ru"]]


def test_xlsx_export_has_numbers_and_no_formulas(world):
    response = world.client("analyst").get("/analyst/export.xlsx?detector=spike&detector=year_end_dumping&lang=en")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Institution" and len(values) == 3
    assert [v[0] for v in values[1:]] == ["'" + FORMULA_NAME] * 2
    assert {Decimal(str(v[values[0].index("Amount, ₸")])) for v in values[1:]} == {Decimal("7000.01"), Decimal("5000")}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def flags_call(world, role):
    """The grid's callback as Dash's renderer posts it (all filters empty)."""
    names = ["year", "region", "district", "sector", "type", "detectors", "min-score", "status"]
    inputs = [{"id": f"analyst-{n}", "property": "value", "value": [] if n == "detectors" else None} for n in names]
    outputs = [("analyst-grid", "rowData"), ("analyst-filters", "data"), ("analyst-shown", "children")]
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs], "inputs": inputs, "changedPropIds": [],
            "state": [{"id": "analyst-ctx", "property": "data", "value": {"lang": "en"}}]}
    return world.client(role).post("/_dash-update-component", json=body)


@pytest.mark.parametrize("role", ["anonymous", "official_own", "moderator", "admin", "analyst"])
def test_workspace_callbacks_answer_analysts_only(world, role):
    response = flags_call(world, role)
    assert response.status_code == (200 if role == "analyst" else 403)
    assert (b"paid_above_plan" in response.data or b"Paid above plan" in response.data) == (role == "analyst")
