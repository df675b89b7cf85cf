"""Every validation rule, each with a real file: the error names file, row, column and value."""
import pytest

from dashboard.importer.run import Options, import_institutions, import_lines
from tests.import_files import (
    INSTITUTION_HEADER, LINE_HEADER, bins, institution_rows, line_rows, sqlite_with_schools, write_csv,
)

SCHOOLS = [r[0] for r in institution_rows(3)]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = sqlite_with_schools(tmp_path_factory.mktemp("rules"))
    yield eng
    eng.dispose()


def _one_bad_cell(header, rows, column, value):
    rows = [list(r) for r in rows]
    rows[1][header.index(column)] = value
    return rows


@pytest.mark.parametrize("column, value, code", [
    ("bin", "12345", "bin_format"),
    ("bin", "21034000001X", "bin_format"),
    ("bin", "", "required"),
    ("bin", bins(1)[0][:-1] + str((int(bins(1)[0][-1]) + 1) % 10), "bin_checksum"),
    ("bin", bins(1, start=500)[0], "bin_unknown"),
    ("year", "1999", "year_range"),
    ("year", "2101", "year_range"),
    ("year", "twenty", "year_range"),
    ("month", "0", "month_range"),
    ("month", "13", "month_range"),
    ("month", "", "required"),
    ("functional_group", "99", "functional_group_unknown"),
    ("functional_group", "05", "program_group_mismatch"),
    ("program", "999-999", "program_unknown"),
    ("program", "education", "program_format"),
    ("subprogram", "099", "subprogram_unknown"),
    ("subprogram", "1234", "subprogram_format"),
    ("specific", "999", "specific_unknown"),
    ("specific", "wages", "specific_unknown"),
    ("plan", "-5", "money_negative"),
    ("plan", "12.345", "money_decimals"),
    ("plan", "1,234,567.00", "money_format"),
    ("plan_adjusted", "abc", "money_format"),
    ("obligations", "1" * 17, "money_too_large"),
    ("paid", "", "required"),
])
def test_a_bad_line_cell_is_rejected_with_where_and_what(engine, tmp_path, column, value, code):
    rows = _one_bad_cell(LINE_HEADER, line_rows(SCHOOLS[:1], months=[1, 2], specifics=[111]), column, value)
    path = write_csv(tmp_path / "lines.csv", LINE_HEADER, rows)
    report = import_lines(engine, path)
    assert report.status == "rejected" and report.inserted == 0
    (error,) = report.errors
    assert (error.code, error.file, error.row, error.column, error.value) == (code, "lines.csv", 3, column, value)
    for lang in ("kk", "ru", "en"):
        text = error.describe(lang)
        assert "lines.csv" in text and "3" in text and column in text


@pytest.mark.parametrize("value, tiyn", [
    ("1234567.89", 123456789), ("1 234 567,89", 123456789), ("1\u00a0234\u00a0567,89", 123456789),
    ("1234567", 123456700), ("0,5", 50), ("0.05", 5), ("007", 700), ("999999999999999.99", 99999999999999999),
])
def test_amounts_in_every_accepted_form_become_exact_tiyn(engine, tmp_path, value, tiyn):
    from sqlalchemy import text
    rows = line_rows(SCHOOLS[:1], years=[2030], months=[1], specifics=[149])
    rows[0][7:11] = [value, value, value, value]
    path = write_csv(tmp_path / "amounts.csv", LINE_HEADER, rows, delimiter=";")
    report = import_lines(engine, path)
    assert report.status == "loaded", [i.describe("en") for i in report.issues]
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT plan, paid FROM budget_lines WHERE year = 2030 AND specific_code = 149")).one()
    assert tuple(stored) == (tiyn, tiyn)


def test_program_written_without_dash_and_short_codes_are_normalised(engine, tmp_path):
    rows = line_rows(SCHOOLS[:1], years=[2031], months=[1], specifics=[111])
    rows[0][3:7] = ["4", "464003", "15", "111"]
    report = import_lines(engine, write_csv(tmp_path / "codes.csv", LINE_HEADER, rows), Options(dry_run=True))
    assert report.status == "checked", [i.describe("en") for i in report.issues]


def test_duplicate_keys_name_both_rows(engine, tmp_path):
    rows = line_rows(SCHOOLS[:1], months=[1, 2, 3], specifics=[111])
    rows.append(list(rows[0]))
    rows[-1][4] = "464003"  # the same program written differently is the same key
    report = import_lines(engine, write_csv(tmp_path / "dup.csv", LINE_HEADER, rows))
    assert report.status == "rejected"
    assert {(e.code, e.row, e.params) for e in report.errors} == {
        ("duplicate_key", 2, (("rows", "5"),)), ("duplicate_key", 5, (("rows", "2"),))}


def test_paid_above_adjusted_plan_is_accepted_with_a_warning(engine, tmp_path):
    rows = line_rows(SCHOOLS[:1], years=[2032], months=[1, 2], specifics=[111])
    rows[1][10] = "99999999"
    report = import_lines(engine, write_csv(tmp_path / "over.csv", LINE_HEADER, rows))
    assert report.status == "loaded" and report.exit_code == 0 and report.inserted == 2
    (warning,) = report.warnings
    assert (warning.code, warning.row, warning.column) == ("paid_above_plan", 3, "paid")


@pytest.mark.parametrize("column, value, code", [
    ("bin", "123", "bin_format"),
    ("name_kk", "", "required"),
    ("name_ru", "я" * 501, "too_long"),
    ("type", "spaceship", "type_unknown"),
    ("sector", "space", "sector_unknown"),
    ("sector", "health", "type_sector_mismatch"),
    ("region", "KZ-99", "region_unknown"),
    ("region", "Narnia", "region_unknown"),
    ("district", "KZ-15-01", "district_region_mismatch"),
    ("district", "Нет такого района", "district_unknown"),
    ("address", "", "required"),
    ("lat", "north", "not_a_number"),
    ("lat", "41.30", "outside_kazakhstan"),  # Tashkent's latitude: in the bounding box, not in Kazakhstan
    ("lon", "30.0", "outside_kazakhstan"),
    ("budget_level", "galactic", "budget_level_unknown"),
    ("capacity", "-3", "capacity_format"),
])
def test_a_bad_institution_cell_is_rejected_with_where_and_what(engine, tmp_path, column, value, code):
    from tests.conftest import boundaries_path, require_boundaries

    rows = _one_bad_cell(INSTITUTION_HEADER, institution_rows(3), column, value)
    if column == "lat" and value == "41.30":
        require_boundaries()  # Tashkent is inside Kazakhstan's bounding box: only the polygons tell
        rows[1][INSTITUTION_HEADER.index("lon")] = "69.24"
    path = write_csv(tmp_path / "inst.csv", INSTITUTION_HEADER, rows, delimiter=";", encoding="utf-8-sig")
    report = import_institutions(engine, path, Options(boundaries_path=boundaries_path()))
    assert report.status == "rejected"
    (error,) = report.errors
    if code == "outside_kazakhstan":  # reported on the point: latitude column, both numbers in the text
        assert (error.code, error.row, error.column) == (code, 3, "lat") and value in error.describe("en")
    else:
        assert (error.code, error.file, error.row, error.column, error.value) == (code, "inst.csv", 3, column, value)


@pytest.mark.parametrize("column, value", [
    ("region", "Акмолинская область"), ("region", "Ақмола облысы"), ("region", "akmola region"),
    ("region", "Акмолинская"), ("region", "kz-11"), ("district", "г. Кокшетау"), ("district", "Көкшетау қаласы"),
    ("type", "Школа"), ("type", "мектеп"), ("sector", "Образование"), ("budget_level", "районный"),
    ("capacity", ""), ("capacity", "420.0"), ("name_en", ""),
])
def test_institution_vocabularies_by_code_or_by_name_in_any_language(engine, tmp_path, column, value):
    rows = _one_bad_cell(INSTITUTION_HEADER, institution_rows(3), column, value)
    report = import_institutions(engine, write_csv(tmp_path / "inst.csv", INSTITUTION_HEADER, rows),
                                 Options(dry_run=True))
    assert report.status == "checked", [i.describe("en") for i in report.issues]


def test_a_point_in_another_region_is_accepted_with_a_warning(engine, tmp_path):
    from tests.conftest import boundaries_path, require_boundaries

    require_boundaries()
    rows = _one_bad_cell(INSTITUTION_HEADER, institution_rows(3), "lat", "51.13")
    rows[1][INSTITUTION_HEADER.index("lon")] = "71.43"  # Astana, not Akmola region
    report = import_institutions(engine, write_csv(tmp_path / "inst.csv", INSTITUTION_HEADER, rows),
                                 Options(dry_run=True, boundaries_path=boundaries_path()))
    assert report.status == "checked"
    (warning,) = report.warnings
    assert (warning.code, warning.row) == ("outside_region", 3) and "KZ-11" in warning.describe("en")


def test_duplicate_bins_in_an_institutions_file_name_both_rows(engine, tmp_path):
    rows = institution_rows(3)
    rows[2][0] = rows[0][0]
    report = import_institutions(engine, write_csv(tmp_path / "inst.csv", INSTITUTION_HEADER, rows))
    assert sorted((e.code, e.row) for e in report.errors) == [("duplicate_bin", 2), ("duplicate_bin", 4)]
