"""Import files as users make them: encodings, delimiters, XLSX, and broken files."""
import pytest
from sqlalchemy import func, select

from dashboard.importer.run import Options, import_lines
from dashboard.schema import budget_lines
from tests.import_files import (
    INSTITUTION_HEADER, LINE_HEADER, RUSSIAN_LINE_HEADER, institution_rows, line_rows, sqlite_with_schools,
    write_csv, write_xlsx,
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """SQLite with three schools (file handling does not depend on the database engine)."""
    eng = sqlite_with_schools(tmp_path_factory.mktemp("imp"))
    yield eng
    eng.dispose()


def _lines(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(budget_lines)).scalar_one()


def dry(engine, path, **kw):
    return import_lines(engine, path, Options(dry_run=True, **kw))


BINS = [r[0] for r in institution_rows(3)]


@pytest.mark.parametrize("delimiter, encoding", [(",", "utf-8"), (";", "utf-8-sig"), (";", "cp1251"),
                                                 (",", "cp1251"), ("\t", "utf-8")])
def test_csv_in_every_accepted_encoding_and_delimiter(engine, tmp_path, delimiter, encoding):
    path = write_csv(tmp_path / "lines.csv", RUSSIAN_LINE_HEADER, line_rows(BINS[:1]), delimiter, encoding)
    report = dry(engine, path)
    assert report.status == "checked", [i.describe("en") for i in report.issues]
    assert report.rows_read == 36 and report.inserted == 36


def test_xlsx_with_numbers_stored_as_numbers(engine, tmp_path):
    rows = line_rows(BINS[:1])
    path = write_xlsx(tmp_path / "lines.xlsx", LINE_HEADER, rows, numeric=True)
    report = dry(engine, path)
    assert report.status == "checked", [i.describe("en") for i in report.issues]
    assert report.inserted == 36


def test_xlsx_bin_typed_as_a_number_gets_its_leading_zero_back(engine, tmp_path):
    school = institution_rows(1, year=3)
    assert school[0][0].startswith("0")
    inst = write_xlsx(tmp_path / "inst.xlsx", INSTITUTION_HEADER, school, numeric=True)
    rows = line_rows([school[0][0]], months=[1], specifics=[111])
    path = write_xlsx(tmp_path / "lines.xlsx", LINE_HEADER, rows, numeric=True)
    report = import_lines(engine, path, Options(dry_run=True), institutions_path=inst)
    assert report.status == "checked", [i.describe("en") for i in report.issues]
    assert report.details["institutions"]["inserted"] == 1 and report.inserted == 1


def test_row_numbers_are_those_the_user_sees_with_blank_and_multiline_rows(engine, tmp_path):
    rows = line_rows(BINS[:1], months=[1, 2], specifics=[111])
    rows[1][2] = "13"
    text = ",".join(LINE_HEADER) + "\n\n" + ",".join(rows[0]) + "\n" + ",".join(rows[1]) + "\n"
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    (error,) = dry(engine, tmp_path / "a.csv").errors
    assert (error.row, error.column, error.value) == (4, "month", "13")
    # A quoted cell spanning two lines shifts the rows below it, as in a text editor.
    rows[0][6] = '"111"'
    text = ",".join(LINE_HEADER) + '\n"0\n"' + "".join("," + c for c in rows[0][1:]) + "\n" + ",".join(rows[1]) + "\n"
    (tmp_path / "b.csv").write_text(text, encoding="utf-8")
    report = dry(engine, tmp_path / "b.csv")
    assert {(e.row, e.column) for e in report.errors} >= {(2, "bin"), (4, "month")}


@pytest.mark.parametrize("content, code", [
    (b"", "empty"),
    (b"\n\n  \n", "empty"),
    (",".join(LINE_HEADER).encode() + b"\n", "header_only"),
    (b"\x00\x01\x02\x03binary\x00junk" * 50, "binary"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls"),
    (b"PK\x03\x04 this is not really a zip", "bad_xlsx"),
    (",".join(LINE_HEADER).encode("utf-8") + b"\n\x98\x98,2024\n", "encoding"),
])
def test_a_broken_file_gets_one_clear_error(engine, tmp_path, content, code):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    report = import_lines(engine, path)
    assert [e.code for e in report.errors] == [code]
    assert report.status == "rejected" and report.exit_code == 1
    assert "broken.csv" in report.errors[0].describe("ru")


def test_a_file_over_the_size_limit_is_refused_before_reading(engine, tmp_path):
    path = write_csv(tmp_path / "big.csv", LINE_HEADER, line_rows(BINS))
    report = import_lines(engine, path, Options(max_bytes=1000))
    (error,) = report.errors
    assert error.code == "too_big" and "MB" in error.describe("en")


def test_header_problems_each_get_an_error_naming_the_column(engine, tmp_path):
    header = ["BIN", "год", "month", "functional_group", "program", "subprogram", "Specific",
              "plan", "plan_adjusted", "paid", "colour", "бин"]
    path = write_csv(tmp_path / "h.csv", header, [["x"] * len(header)])
    report = import_lines(engine, path)
    found = {(e.code, e.column_label("en")) for e in report.errors}
    assert found == {("unknown_column", "colour"), ("duplicate_column", "BIN, бин"),
                     ("missing_column", "obligations")}
    # A column the file lacks is named in the report's language, never by an internal key.
    missing = next(e for e in report.errors if e.code == "missing_column")
    assert (missing.column_label("ru"), missing.column_label("kk")) == ("Обязательства", "Міндеттемелер")
    assert all(e.row == 1 for e in report.errors)


def test_wrong_number_of_fields_names_the_row(engine, tmp_path):
    rows = line_rows(BINS[:1], months=[1, 2], specifics=[111])
    text = ",".join(LINE_HEADER) + "\n" + ",".join(rows[0]) + "\n" + ",".join(rows[1]) + ",extra\n"
    (tmp_path / "f.csv").write_text(text, encoding="utf-8")
    (error,) = import_lines(engine, tmp_path / "f.csv").errors
    assert (error.code, error.row) == ("field_count", 3)
    assert "12" in error.describe("en") and "11" in error.describe("en")


def test_nothing_is_written_by_a_rejected_or_dry_run(engine, tmp_path):
    before = _lines(engine)
    path = write_csv(tmp_path / "ok.csv", LINE_HEADER, line_rows(BINS[:1]))
    assert dry(engine, path).inserted == 36
    assert _lines(engine) == before


def test_the_documented_example_files_import_cleanly(tmp_path):
    from tests.conftest import ROOT

    engine = sqlite_with_schools(tmp_path, n=1)
    examples = ROOT / "docs" / "examples"
    report = import_lines(engine, examples / "lines.csv", institutions_path=examples / "institutions.csv")
    assert report.status == "loaded" and not report.issues, [i.describe("en") for i in report.issues]
    assert report.inserted == 12 and report.details["institutions"]["inserted"] == 3
