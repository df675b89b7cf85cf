"""Malicious import files: each ends as a clear report error (kind, file, where), never a traceback,
and the import's memory stays small whatever the file declares (files are made here, small on disk)."""
import csv
import io
import os
import sys
import tracemalloc

import pytest

from dashboard.importer import xlsx
from dashboard.importer.boundaries import MAX_JSON_DEPTH, import_boundaries
from dashboard.importer.run import Options, import_lines
from tests import hostile_files as h
from tests.import_files import institution_rows, sqlite_with_schools

BIN = institution_rows(3)[0][0]
PEAK_LIMIT = 200 * 1024 * 1024


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = sqlite_with_schools(tmp_path_factory.mktemp("hostile"))
    yield eng
    eng.dispose()


def measured(call):
    """(result, peak bytes Python allocated during the call)."""
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _far_row(path, _bin):
    """A row numbered beyond the row limit, under a declared dimension of the whole sheet."""
    rows = h.valid_rows(BIN) + f'<row r="{xlsx.MAX_ROWS + 1}">{h._cell(f"A{xlsx.MAX_ROWS + 1}", "x")}</row>'
    return h.xlsx_with_sheet(path, h.sheet_xml(rows, dimension="A1:XFD1048576"))


def _malformed_after_dimension(path, _bin):
    """Damaged XML after the dimension openpyxl reads when opening: found while streaming."""
    return h.xlsx_with_sheet(path, h.sheet_xml(h.valid_rows(BIN), dimension="A1:K3")[:-40] + '<row r="3"><c r="A3"')


def _far_value_in_bomb(path, _bin):
    """The dimension bomb with a filled last cell (XFD1048576)."""
    rows = h.valid_rows(BIN) + f'<row r="1048576">{h._cell("XFD1048576", "boom")}</row>'
    return h.xlsx_with_sheet(path, h.sheet_xml(rows, dimension="A1:XFD1048576"))


CASES = {
    # name: (maker, file name, error code, row, column)
    "dimension bomb, value in XFD1048576": (_far_value_in_bomb, "bomb.xlsx", "too_many_columns", 1048576, "XFD"),
    "value in column AAA": (h.wide_row, "wide.xlsx", "too_many_columns", 3, "AAA"),
    "row beyond the limit": (_far_row, "far.xlsx", "too_many_rows", xlsx.MAX_ROWS + 1, None),
    "10 MB XLSX cell": (h.huge_cell_xlsx, "huge.xlsx", "cell_too_long", 3, "A"),
    "10 MB CSV cell": (h.huge_cell_csv, "huge.csv", "cell_too_long", 2, "bin"),
    "10 MB quoted CSV cell": (lambda p, b: h.huge_cell_csv(p, b, quoted=True), "quoted.csv", "cell_too_long", 2, None),
    "malformed sheet XML": (h.malformed_xlsx, "bad.xlsx", "xlsx_malformed", None, None),
    "malformed sheet XML after the dimension": (_malformed_after_dimension, "bad2.xlsx", "xlsx_malformed", None, None),
    "billion laughs in the sheet": (h.entity_bomb_xlsx, "lol.xlsx", "xlsx_xml_forbidden", None, None),
    "external entity in the sheet": (h.external_entity_xlsx, "xxe.xlsx", "xlsx_xml_forbidden", None, None),
    "billion laughs in the workbook": (lambda p, b: h.entity_bomb_workbook(p), "lolwb.xlsx", "xlsx_xml_forbidden",
                                       None, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_table_file_is_one_clear_error_in_little_memory(engine, tmp_path, case):
    maker, name, code, row, column = CASES[case]
    path = maker(tmp_path / name, BIN)
    assert path.stat().st_size < 11 * 1024 * 1024
    # csv's field limit is process-wide, and a library imported by another test (frictionless)
    # raises it: the app runs with Python's default, so this test does too.
    limit = csv.field_size_limit(131_072)
    try:
        report, peak = measured(lambda: import_lines(engine, path, Options(dry_run=True)))
    finally:
        csv.field_size_limit(limit)
    assert report.status == "rejected" and report.exit_code == 1
    errors = report.errors
    assert errors and {e.code for e in errors} == {code}, [e.describe("en") for e in errors]
    assert (errors[0].file, errors[0].row, errors[0].column) == (name, row, column)
    assert all(name in e.describe(lang) for e in errors for lang in ("kk", "ru", "en"))
    assert peak < PEAK_LIMIT, f"{peak / 1048576:.0f} MB"


def test_the_dimension_bomb_with_empty_cells_reads_only_what_is_filled(engine, tmp_path):
    path = h.dimension_bomb(tmp_path / "bomb.xlsx", BIN)
    assert path.stat().st_size < 10_000
    report, peak = measured(lambda: import_lines(engine, path, Options(dry_run=True)))
    assert report.status == "checked" and report.rows_read == 1, [i.describe("en") for i in report.issues]
    assert peak < PEAK_LIMIT, f"{peak / 1048576:.0f} MB"


def test_a_financing_plan_declaring_16149_columns_imports(engine, tmp_path):
    path = h.empty_styled_tail(tmp_path / "plan.xlsx", BIN)
    report = import_lines(engine, path, Options(dry_run=True))
    assert report.status == "checked" and report.inserted == 1, [i.describe("en") for i in report.issues]


def test_openpyxl_reads_through_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML, "defusedxml is missing: openpyxl would expand XML entities"


def test_the_sheet_reader_refuses_a_doctype_even_when_openpyxl_does_not_look(engine, tmp_path, monkeypatch):
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    monkeypatch.setattr(ReadOnlyWorksheet, "_get_size", lambda self: None)  # no dimension parse on open
    path = h.entity_bomb_xlsx(tmp_path / "lol.xlsx", BIN)
    (error,) = import_lines(engine, path, Options(dry_run=True)).errors
    assert error.code == "xlsx_xml_forbidden" and "xl/worksheets/sheet1.xml" in error.describe("en")


def test_an_archive_unpacking_beyond_the_limit_is_refused_unread(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_UNPACKED_OTHER_BYTES", 1000)
    path = h.wide_row(tmp_path / "zip.xlsx", BIN)
    (error,) = import_lines(engine, path, Options(dry_run=True)).errors
    assert error.code == "xlsx_too_big_unpacked" and "MB" in error.describe("en")


REGIONS = [f"KZ-{n}" for n in (10, 11, 15, 19, 23, 27, 31, 33, 35, 39, 43, 47, 55, 59, 61, 62, 63, 71, 75, 79)]


@pytest.mark.parametrize("maker, code, row", [
    (lambda p: h.deep_geojson(p), "geojson_too_deep", None),
    (lambda p: h.deep_geojson(p, depth=MAX_JSON_DEPTH), "geojson_too_deep", None),
    (lambda p: h.nan_geojson(p, REGIONS), "geojson_not_finite", 2),
    (lambda p: h.nan_geojson(p, REGIONS, "Infinity"), "geojson_not_finite", 2),
    (lambda p: h.nan_geojson(p, REGIONS, "-1e999"), "geojson_not_finite", 2),
])
def test_a_hostile_geojson_is_one_clear_error(migrated_engine, tmp_path, maker, code, row):
    path = maker(tmp_path / "regions.geojson")
    report, peak = measured(lambda: import_boundaries(migrated_engine, path))
    codes = [e.code for e in report.errors]
    assert report.status == "rejected" and codes[0] == code, [e.describe("en") for e in report.errors]
    assert set(codes) <= {code, "geojson_missing_regions"}  # the region whose polygon was refused
    assert report.errors[0].row == row and "regions.geojson" in report.errors[0].describe("kk")
    assert peak < PEAK_LIMIT


def test_a_geojson_with_finite_coordinates_is_read(migrated_engine, tmp_path):
    path = h.nan_geojson(tmp_path / "ok.geojson", REGIONS, "53")
    report = import_boundaries(migrated_engine, path, dry_run=True)
    assert report.status == "checked", [e.describe("en") for e in report.errors]


def _cli(args, tmp_path):
    """The command line in a child that prints its peak resident memory (MB) last on stderr."""
    import subprocess

    from tests.conftest import ROOT

    code = ("import atexit, resource, runpy, sys; atexit.register(lambda: print("
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)); "
            "sys.argv = ['dashboard', *sys.argv[1:]]; runpy.run_module('dashboard', run_name='__main__')")
    env = {**os.environ, "ASHYQ_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    return result, int(result.stderr.strip().splitlines()[-1])


def test_the_command_line_reports_a_bomb_and_exits_1_in_little_memory(tmp_path):
    from tests.import_files import LINE_HEADER, line_rows, write_xlsx

    small = write_xlsx(tmp_path / "small.xlsx", LINE_HEADER, line_rows([BIN], months=[1], specifics=[111]))
    baseline, base_mb = _cli(["import", "lines", str(small), "--quiet", "--lang", "en"], tmp_path)
    assert baseline.returncode == 1 and "Traceback" not in baseline.stderr  # the school is unknown here
    bomb = _far_value_in_bomb(tmp_path / "bomb.xlsx", BIN)
    result, mb = _cli(["import", "lines", str(bomb), "--quiet", "--lang", "en"], tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "bomb.xlsx, row 1048576, column «XFD», value «boom»" in result.stdout
    assert (tmp_path / "bomb.report.csv").exists()
    assert mb - base_mb < 200, (base_mb, mb)
    deep = h.deep_geojson(tmp_path / "deep.geojson")
    result, _ = _cli(["import", "boundaries", str(deep), "--quiet", "--lang", "en"], tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert f"deep.geojson: the GeoJSON is nested more than {MAX_JSON_DEPTH} levels deep" in result.stdout


# --- from the web ---------------------------------------------------------------------------

from tests.appeals_support import world  # noqa: E402,F401 - the module-wide app with one account per role


WEB_MESSAGES = {"too_many_columns": "beyond column 200", "cell_too_long": "more than the limit of 10000",
                "xlsx_xml_forbidden": "refused for safety", "xlsx_malformed": "XML is damaged"}


def _upload(world, path, kind="lines"):
    data = {"csrf_token": "test-token", "kind": kind, "mode": "all_or_nothing", "lang": "en",
            "file": (io.BytesIO(path.read_bytes()), path.name)}
    return world.client("admin").post("/admin/import", data=data, content_type="multipart/form-data",
                                      headers={"Accept": "application/json"})


@pytest.mark.parametrize("case", ["dimension bomb, value in XFD1048576", "10 MB XLSX cell", "billion laughs in the sheet",
                                  "external entity in the sheet", "malformed sheet XML after the dimension"])
def test_the_web_import_shows_the_report_of_a_hostile_file(world, tmp_path, case):
    maker, name, code, row, column = CASES[case]
    path = maker(tmp_path / name, world.bin_a)
    response, peak = measured(lambda: _upload(world, path))
    assert response.status_code == 200 and response.json["status"] == "rejected", response.data[:500]
    assert peak < PEAK_LIMIT, f"{peak / 1048576:.0f} MB"
    report = world.client("admin").get(f"/admin/import/reports/{response.json['report']}.csv")
    body = report.data.decode("utf-8-sig")
    where = f"{name},{'' if row is None else row},{column or ''},"
    assert where in body and WEB_MESSAGES[code] in body, body[:1000]


def test_the_web_import_shows_the_report_of_a_deep_geojson(world, tmp_path):
    response, peak = measured(lambda: _upload(world, h.deep_geojson(tmp_path / "deep.geojson"), kind="boundaries"))
    assert response.status_code == 200 and response.json["status"] == "rejected"
    body = world.client("admin").get(f"/admin/import/reports/{response.json['report']}.csv").data.decode("utf-8-sig")
    assert "deep.geojson" in body and f"nested more than {MAX_JSON_DEPTH} levels" in body
    assert peak < PEAK_LIMIT
