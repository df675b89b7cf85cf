"""No CSV or XLSX the app writes runs a formula: text cells starting with = + - @ tab CR get an
apostrophe, numbers (a negative amount too) stay numbers. Every writer, both databases."""
import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from dashboard.spreadsheet_safety import neutralise
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv

LINK = '=HYPERLINK("http://x","y")'
SUM = "@SUM(1)"


@pytest.mark.parametrize("value, expected", [
    (LINK, "'" + LINK), (SUM, "'@SUM(1)"), ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-1234.56", "-1234.56"), ("-5", "-5"),
    ("+7,5", "+7,5"), (-5, -5), (Decimal("-12.34"), Decimal("-12.34")), (None, None), ("School 1", "School 1"),
    ("", ""), ("'=x", "'=x"),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_api_csv_writers_neutralise_text_and_keep_negative_amounts():
    from dashboard.csvout import csv_stream, csv_text, money_to_tenge

    columns = ["bin", "name_ru", "name_en", "plan", "paid"]
    row = {"bin": "000000000001", "name_ru": LINK, "name_en": SUM, "plan": -123456, "paid": 5}
    (_, text_row) = _rows(csv_text([money_to_tenge(row)], columns))
    assert text_row == ["000000000001", "'" + LINK, "'" + SUM, "-1234.56", "0.05"]
    (_, streamed) = _rows("".join(csv_stream([row], columns)))
    assert streamed == text_row


def test_grid_xlsx_neutralises_text_and_keeps_negative_amounts_numbers():
    from dashboard.grid_export import grid_xlsx

    columns = [{"field": "name", "headerName": "=name"}, {"field": "note", "headerName": "note"},
               {"field": "paid", "headerName": "paid"}]
    body = grid_xlsx(columns, None, [{"name": LINK, "note": SUM, "paid": -123456}])
    sheet = load_workbook(io.BytesIO(body)).active
    assert [c.value for c in sheet[1]] == ["'=name", "note", "paid"]
    name, note, paid = sheet[2]
    assert (name.value, name.data_type) == ("'" + LINK, "s") and note.value == "'" + SUM
    assert paid.value == Decimal("-1234.56") or paid.value == -1234.56
    assert paid.data_type == "n"


def test_the_import_report_csv_neutralises_values_from_the_file(tmp_path):
    from dashboard.importer.run import import_lines
    from tests.import_files import sqlite_with_schools

    engine = sqlite_with_schools(tmp_path, n=1)
    rows = line_rows([institution_rows(1)[0][0]], months=[1, 2, 3], specifics=[111])
    rows[0][6], rows[1][6], rows[2][7] = LINK, SUM, "-5"
    report = import_lines(engine, write_csv(tmp_path / "=evil.csv", LINE_HEADER, rows))
    report.write_csv(tmp_path / "report.csv", "en")
    with open(tmp_path / "report.csv", encoding="utf-8-sig") as fh:
        found = {(r[1], r[2], r[3], r[4]) for r in list(csv.reader(fh))[1:]}
    assert ("'=evil.csv", "2", "specific", "'" + LINK) in found
    assert ("'=evil.csv", "3", "specific", "'" + SUM) in found
    assert ("'=evil.csv", "4", "plan", "-5") in found  # a negative amount stays a number
    engine.dispose()


@pytest.fixture
def evil_client(migrated_engine, tmp_path):
    """The app over a database holding a school named like a formula, imported as a user would."""
    from app import create_app
    from dashboard.config import load_config
    from dashboard.importer.run import import_institutions, import_lines

    school = institution_rows(1)[0]
    school[2], school[3] = LINK, SUM  # name_ru, name_en
    assert import_institutions(migrated_engine, write_csv(tmp_path / "i.csv", INSTITUTION_HEADER, [school])
                               ).status == "loaded"
    lines = write_csv(tmp_path / "l.csv", LINE_HEADER, line_rows([school[0]], months=[1], specifics=[111]))
    assert import_lines(migrated_engine, lines).status == "loaded"
    url = migrated_engine.url.render_as_string(hide_password=False)
    config = load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path / "var")})
    return create_app(config).server.test_client(), school[0]


def test_the_public_api_csv_never_carries_a_live_formula(evil_client):
    client, bin_ = evil_client
    response = client.get("/api/v1/institutions?format=csv")
    assert response.status_code == 200
    header, row = _rows(response.get_data(as_text=True))
    record = dict(zip(header, row))
    assert record["name_ru"] == "'" + LINK and record["name_en"] == "'" + SUM and record["bin"] == bin_
    assert client.get(f"/api/v1/institutions/{bin_}").json["data"]["name_ru"] == LINK  # JSON: data as it is


def test_the_bulk_csv_keeps_codes_and_amounts_as_they_are(evil_client):
    client, bin_ = evil_client
    response = client.get("/api/v1/bulk/lines?year=2024")
    assert response.status_code == 200
    header, *rows = _rows(response.get_data(as_text=True))
    assert len(rows) == 1 and dict(zip(header, rows[0]))["bin"] == bin_
    assert not any(cell.startswith("'") for cell in rows[0])
