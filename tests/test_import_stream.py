"""Lines checked and written chunk by chunk (stream.py): the same outcome as one big step.

Small chunks here, so that keys, errors and institution-years span chunk boundaries.
"""
import pytest
from sqlalchemy import func, select

from dashboard.importer.run import Options, import_institutions, import_lines
from dashboard.schema import budget_lines, publications
from queries import rollups
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv
from tests.rollup_check import assert_rollups_match

SCHOOLS = institution_rows(3)
BINS = [r[0] for r in SCHOOLS]
SMALL = Options(chunk_rows=10)  # one school-year is 36 lines: it always spans several chunks


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(budget_lines)).scalar_one(),
                conn.execute(select(func.count()).select_from(publications)).scalar_one())


def _schools(engine, tmp_path) -> None:
    assert import_institutions(engine, write_csv(tmp_path / "schools.csv", INSTITUTION_HEADER, SCHOOLS)).inserted == 3


@pytest.mark.parametrize("copy_above", [0, rollups.COPY_ABOVE], ids=["rollups_copied", "rollups_executemany"])
def test_chunks_write_the_same_lines_counts_and_rollups_as_one_step(migrated_engine, tmp_path, monkeypatch, copy_above):
    monkeypatch.setattr(rollups, "COPY_ABOVE", copy_above)  # both ways of adding to the rollups
    _schools(migrated_engine, tmp_path)
    first = line_rows(BINS[:2], years=[2024])
    import_lines(migrated_engine, write_csv(tmp_path / "first.csv", LINE_HEADER, first), SMALL)
    rows = line_rows(BINS, years=[2024, 2025])
    rows[3][10] = "5,00"  # a stored line changes
    report = import_lines(migrated_engine, write_csv(tmp_path / "all.csv", LINE_HEADER, rows), SMALL)
    assert (report.status, report.inserted, report.updated, report.unchanged) == ("loaded", 144, 1, 71)
    with migrated_engine.connect() as conn:
        assert_rollups_match(conn)
        assert conn.execute(select(func.count()).select_from(budget_lines)
                            .where(budget_lines.c.paid == 500)).scalar_one() == 1
    assert _counts(migrated_engine)[0] == 216


def test_a_key_repeated_in_a_later_chunk_rejects_the_file_and_writes_nothing(migrated_engine, tmp_path):
    _schools(migrated_engine, tmp_path)
    before = _counts(migrated_engine)
    rows = line_rows(BINS[:1], years=[2024])
    rows.append(list(rows[0]))  # row 2 again as the file's last row, three chunks later
    report = import_lines(migrated_engine, write_csv(tmp_path / "dup.csv", LINE_HEADER, rows), SMALL)
    assert report.status == "rejected"
    assert [(i.code, i.row, dict(i.params)["rows"]) for i in report.errors] == [
        ("duplicate_key", 2, "38"), ("duplicate_key", 38, "2")]
    assert _counts(migrated_engine) == before


def test_a_key_repeated_inside_one_chunk_is_reported_not_a_database_error(migrated_engine, tmp_path):
    _schools(migrated_engine, tmp_path)
    rows = line_rows(BINS[:1], years=[2024])
    rows.insert(1, list(rows[0]))
    report = import_lines(migrated_engine, write_csv(tmp_path / "dup.csv", LINE_HEADER, rows), SMALL)
    assert report.status == "rejected" and {i.code for i in report.errors} == {"duplicate_key"}
    assert _counts(migrated_engine)[0] == 0


def test_a_bad_row_in_the_last_chunk_undoes_the_chunks_already_written(migrated_engine, tmp_path):
    _schools(migrated_engine, tmp_path)
    before = _counts(migrated_engine)
    rows = line_rows(BINS, years=[2024])
    rows[-1][2] = "13"
    report = import_lines(migrated_engine, write_csv(tmp_path / "late.csv", LINE_HEADER, rows), SMALL)
    assert report.status == "rejected" and [i.code for i in report.errors] == ["month_range"]
    assert report.errors[0].row == len(rows) + 1
    assert _counts(migrated_engine) == before


def test_a_dry_run_in_chunks_counts_but_keeps_nothing(migrated_engine, tmp_path):
    _schools(migrated_engine, tmp_path)
    before = _counts(migrated_engine)
    path = write_csv(tmp_path / "lines.csv", LINE_HEADER, line_rows(BINS, years=[2024]))
    report = import_lines(migrated_engine, path, Options(chunk_rows=10, dry_run=True))
    assert report.inserted == 108
    assert _counts(migrated_engine) == before


def test_a_file_sorted_by_month_spreads_each_institution_year_over_every_chunk(migrated_engine, tmp_path):
    """New institution-years met again in later chunks are still appended; their rollups are
    added once, for the whole import (an institution counted once per month)."""
    _schools(migrated_engine, tmp_path)
    import_lines(migrated_engine, write_csv(tmp_path / "old.csv", LINE_HEADER, line_rows(BINS[:1], years=[2024])))
    rows = sorted(line_rows(BINS, years=[2024, 2025]), key=lambda r: (int(r[2]), r[1], r[0]))
    rows[0][10] = "2,00"  # a stored line (school 1, 2024, January) changes
    report = import_lines(migrated_engine, write_csv(tmp_path / "by_month.csv", LINE_HEADER, rows), SMALL)
    assert (report.status, report.inserted, report.updated, report.unchanged) == ("loaded", 180, 1, 35)
    with migrated_engine.connect() as conn:
        assert_rollups_match(conn)
    assert _counts(migrated_engine)[0] == 216


def test_codes_normalised_in_later_chunks_load_like_in_the_first(migrated_engine, tmp_path):
    """'15' → '015' and '464003' → '464-003' in every chunk, not only the first."""
    _schools(migrated_engine, tmp_path)
    rows = line_rows(BINS, years=[2024])
    for row in rows[::2]:
        row[4], row[5] = "464003", "15"
    report = import_lines(migrated_engine, write_csv(tmp_path / "codes.csv", LINE_HEADER, rows), SMALL)
    assert (report.status, report.inserted) == ("loaded", 108), [i.describe("en") for i in report.issues]
    with migrated_engine.connect() as conn:
        assert_rollups_match(conn)
