"""The institution grid's CSV: for programs (field names, dot decimals, no grouping, UTF-8); and
the grids' column definitions."""
import csv
import io

from dashboard.grid_export import grid_csv
from layouts import analyst_parts
from layouts.institution_parts import grid_columns, grid_rows

LINE = {"year": 2025, "month": 3, "program_code": "464-003", "subprogram_code": "015", "specific_code": 421,
        "program_name_kk": "Жалпы білім беру", "program_name_ru": "Общее образование",
        "program_name_en": "General education", "specific_name_kk": "Ағымдағы жөндеу",
        "specific_name_ru": "Текущий ремонт", "specific_name_en": "Repairs",
        "plan": 250702300, "plan_adjusted": 250702300, "obligations": 0, "paid": -123456}


def _read(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def test_amounts_are_plain_tenge_with_a_dot_and_headers_do_not_follow_the_language():
    files = {lang: grid_csv(grid_columns(lang, "050340011516"), None, grid_rows([LINE], lang))
             for lang in ("kk", "ru", "en")}
    header, row = _read(files["ru"])
    assert header == ["month", "program", "subprogram_code", "specific", "plan", "plan_adjusted", "obligations",
                      "paid"]
    assert row == ["3", "464-003 Общее образование", "015", "421 Текущий ремонт", "2507023.00", "2507023.00",
                   "0.00", "-1234.56"]
    assert _read(files["kk"])[0] == _read(files["en"])[0] == header
    assert _read(files["kk"])[1][3] == "421 Ағымдағы жөндеу"  # UTF-8, no BOM
    assert not files["kk"].startswith(b"\xef\xbb\xbf")


def test_columns_follow_the_grid_state_and_text_cannot_become_a_formula():
    columns = grid_columns("en")
    state = [{"colId": "paid"}, {"colId": "specific"}, {"colId": "month", "hide": True}, {"colId": "ask"}]
    header, row = _read(grid_csv(columns, state, [{**grid_rows([LINE], "en")[0], "specific": "=1+2"}]))
    assert header == ["paid", "specific"] and row == ["-1234.56", "'=1+2"]


def test_grids_have_no_flex_columns():
    """ag-grid 35 hides a grid with flex columns until it has sized them; on a phone the reveal
    sometimes never came and the lines grid stayed invisible (7 of ~490 loads at 390 px)."""
    for columns in (grid_columns("kk", "050340011516"), analyst_parts.grid_columns("kk")):
        assert [c.get("field") or c.get("colId") for c in columns if "flex" in c] == []
