"""Totals beyond BIGINT tiyn are refused with a report error on both databases, never stored
as floats or shown as a raw database error (only absurd amounts get there)."""
import pytest
from sqlalchemy import func, select, text

from dashboard.importer.run import Options, import_institutions, import_lines
from dashboard.schema import budget_lines
from queries import rollups
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv
from tests.rollup_check import assert_rollups_match

SCHOOLS = institution_rows(40)
BINS = [r[0] for r in SCHOOLS]
LARGEST = "999999999999999.99"  # the largest amount a cell may hold (15 whole digits)


def _rows(bins):
    rows = line_rows(bins, years=[2024], months=[1])
    for row in rows:
        row[7] = LARGEST
    return rows


@pytest.mark.parametrize("copy_above", [0, rollups.COPY_ABOVE], ids=["rollups_copied", "rollups_executemany"])
def test_a_total_beyond_bigint_is_a_report_error_and_nothing_is_written(migrated_engine, tmp_path, monkeypatch,
                                                                         copy_above):
    monkeypatch.setattr(rollups, "COPY_ABOVE", copy_above)
    import_institutions(migrated_engine, write_csv(tmp_path / "schools.csv", INSTITUTION_HEADER, SCHOOLS))
    first = import_lines(migrated_engine, write_csv(tmp_path / "a.csv", LINE_HEADER, _rows(BINS[:20])))
    assert first.status == "loaded"  # 60 × 10^17 tiyn: 6 × 10^18, still a BIGINT
    for options in (Options(), Options(chunk_rows=7)):
        report = import_lines(migrated_engine, write_csv(tmp_path / "b.csv", LINE_HEADER, _rows(BINS[20:])), options)
        assert (report.status, [i.code for i in report.errors]) == ("rejected", ["totals_overflow"])
        assert "92" in report.errors[0].message("ru")
        with migrated_engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(budget_lines)).scalar_one() == 60
            assert_rollups_match(conn)
            if migrated_engine.dialect.name == "sqlite":
                assert conn.execute(text("SELECT count(*) FROM rollup_district_sector_month "
                                         "WHERE typeof(plan) <> 'integer'")).scalar_one() == 0
