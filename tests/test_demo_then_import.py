"""After the demo is loaded, the importer can still add institutions and their lines."""
from dashboard.demo.load import load_demo
from dashboard.importer.run import import_lines
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv
from tests.rollup_check import assert_rollups_match


def test_new_institutions_import_into_a_demo_database(migrated_engine, tmp_path):
    # The demo writes institutions with their ids; the id sequence must move past them.
    load_demo(migrated_engine, institutions=8, years=[2024], seed=3, progress=False)
    schools = institution_rows(2, year=23)
    report = import_lines(migrated_engine,
                          write_csv(tmp_path / "lines.csv", LINE_HEADER, line_rows([r[0] for r in schools])),
                          institutions_path=write_csv(tmp_path / "schools.csv", INSTITUTION_HEADER, schools))
    assert (report.status, report.details["institutions"]["inserted"], report.inserted) == ("loaded", 2, 72), \
        [i.describe("en") for i in report.issues]
    with migrated_engine.connect() as conn:
        assert_rollups_match(conn)
