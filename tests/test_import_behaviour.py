"""Import guarantees on both databases: all or nothing, idempotent, rollups and log in step."""
from sqlalchemy import func, select, text

from dashboard.importer.run import Options, import_institutions, import_lines
from dashboard.schema import budget_lines, institutions, publications
from queries.version import published_version
from tests.import_files import INSTITUTION_HEADER, LINE_HEADER, institution_rows, line_rows, write_csv
from tests.rollup_check import assert_rollups_match

SCHOOLS = institution_rows(4)
BINS = [r[0] for r in SCHOOLS]


def _state(engine):
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(institutions)).scalar_one(),
                conn.execute(select(func.count()).select_from(budget_lines)).scalar_one(),
                conn.execute(select(func.count()).select_from(publications)).scalar_one(),
                conn.execute(text("SELECT count(*) FROM rollup_region_sector_month")).scalar_one())


def _load_schools(engine, tmp_path):
    report = import_institutions(engine, write_csv(tmp_path / "schools.csv", INSTITUTION_HEADER, SCHOOLS))
    assert report.status == "loaded" and report.inserted == 4
    return report


def test_one_bad_row_means_nothing_is_written(migrated_engine, tmp_path):
    _load_schools(migrated_engine, tmp_path)
    before = _state(migrated_engine)
    rows = line_rows(BINS, years=[2023, 2024])
    rows[len(rows) // 2][7] = "12,345.6"
    report = import_lines(migrated_engine, write_csv(tmp_path / "lines.csv", LINE_HEADER, rows))
    assert report.status == "rejected" and report.error_count == 1 and report.exit_code == 1
    assert _state(migrated_engine) == before


def test_importing_the_same_file_twice_changes_nothing_the_second_time(migrated_engine, tmp_path):
    _load_schools(migrated_engine, tmp_path)
    path = write_csv(tmp_path / "lines.csv", LINE_HEADER, line_rows(BINS, years=[2023, 2024]), ";")
    first = import_lines(migrated_engine, path)
    assert (first.status, first.inserted, first.updated, first.unchanged) == ("loaded", 288, 0, 0)
    with migrated_engine.connect() as conn:
        version = published_version(conn)
        assert_rollups_match(conn)
    state = _state(migrated_engine)
    second = import_lines(migrated_engine, path)
    assert (second.status, second.inserted, second.updated, second.unchanged) == ("loaded", 0, 0, 288)
    assert second.publication_id is None and _state(migrated_engine) == state
    with migrated_engine.connect() as conn:
        assert published_version(conn) == version
    again = import_institutions(migrated_engine, tmp_path / "schools.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_a_corrected_file_updates_only_the_affected_rows(migrated_engine, tmp_path):
    _load_schools(migrated_engine, tmp_path)
    rows = line_rows(BINS, years=[2024])
    import_lines(migrated_engine, write_csv(tmp_path / "lines.csv", LINE_HEADER, rows))
    rows[5][10] = "7 777 777,77"
    report = import_lines(migrated_engine, write_csv(tmp_path / "lines.csv", LINE_HEADER, rows))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 143)
    assert report.publication_id is not None
    with migrated_engine.connect() as conn:
        paid = conn.execute(text("SELECT sum(paid) FROM budget_lines WHERE paid = 777777777")).scalar_one()
        assert int(paid) == 777777777
        assert_rollups_match(conn)
        (description,) = conn.execute(select(publications.c.description)
                                      .where(publications.c.id == report.publication_id)).one()
        assert "1 updated" in description


def test_a_file_mixing_stored_and_new_institution_years_counts_and_writes_each_line_once(
        migrated_engine, tmp_path):
    """Stored institution-years go through the diff; new ones (another year, another school) are
    appended directly. Counts, values and rollups must come out the same either way."""
    _load_schools(migrated_engine, tmp_path)
    import_lines(migrated_engine, write_csv(tmp_path / "first.csv", LINE_HEADER, line_rows(BINS[:2], years=[2024])))
    rows = line_rows(BINS[:2], years=[2024, 2025]) + line_rows(BINS[2:3], years=[2024])
    changed = next(r for r in rows if r[1] == "2024" and r[0] == BINS[1])
    changed[10] = "1,23"
    report = import_lines(migrated_engine, write_csv(tmp_path / "mixed.csv", LINE_HEADER, rows))
    # 2 schools × 2025 and a third school × 2024 are new: 3 × 36 lines; of 72 stored, one changed.
    assert (report.status, report.inserted, report.updated, report.unchanged) == ("loaded", 108, 1, 71)
    with migrated_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(budget_lines)).scalar_one() == 180
        assert conn.execute(select(func.count()).select_from(budget_lines)
                            .where(budget_lines.c.paid == 123)).scalar_one() == 1
        assert_rollups_match(conn)
    again = import_lines(migrated_engine, tmp_path / "mixed.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 180)


def test_a_stored_year_gaining_months_and_corrections_keeps_the_rollups_equal(migrated_engine, tmp_path):
    """Updates reach the rollups as differences (also downwards); a stored year that gains
    months is recomputed, since its institution is new to those months."""
    _load_schools(migrated_engine, tmp_path)
    import_lines(migrated_engine, write_csv(tmp_path / "h1.csv", LINE_HEADER,
                                            line_rows(BINS[:2], years=[2024], months=range(1, 7))))
    third = line_rows(BINS[2:3], years=[2024], months=range(1, 7))
    import_lines(migrated_engine, write_csv(tmp_path / "third.csv", LINE_HEADER, third))
    rows = line_rows(BINS[:2], years=[2024], months=range(1, 13))
    rows[0][10], rows[1][7] = "0,01", "99 999 999,99"  # school 1: paid down, plan up (stored months)
    third[0][10] = "1"  # school 3 only corrects a stored month
    rows += third
    report = import_lines(migrated_engine, write_csv(tmp_path / "year.csv", LINE_HEADER, rows))
    assert (report.inserted, report.updated, report.unchanged) == (36, 3, 51)
    with migrated_engine.connect() as conn:
        assert_rollups_match(conn)


def test_skip_invalid_loads_the_valid_rows_and_reports_the_others(migrated_engine, tmp_path):
    _load_schools(migrated_engine, tmp_path)
    rows = line_rows(BINS[:1], years=[2024])
    rows[3][2] = "13"
    rows[7][6] = "998"
    report = import_lines(migrated_engine, write_csv(tmp_path / "lines.csv", LINE_HEADER, rows),
                          Options(skip_invalid=True))
    assert (report.status, report.inserted, report.rows_skipped, report.exit_code) == ("partial", 34, 2, 1)
    assert sorted(e.row for e in report.errors) == [5, 9]
    with migrated_engine.connect() as conn:
        assert_rollups_match(conn)


def test_lines_can_bring_their_institutions_in_the_same_import(migrated_engine, tmp_path):
    inst = write_csv(tmp_path / "inst.csv", INSTITUTION_HEADER, SCHOOLS[:2])
    lines = write_csv(tmp_path / "lines.csv", LINE_HEADER, line_rows(BINS[:2], years=[2024]))
    bad = write_csv(tmp_path / "bad.csv", INSTITUTION_HEADER, [SCHOOLS[0], SCHOOLS[1][:9] + ["x"] + SCHOOLS[1][10:]])
    rejected = import_lines(migrated_engine, lines, institutions_path=bad)
    assert rejected.status == "rejected" and _state(migrated_engine)[:2] == (0, 0)
    assert {(e.file, e.row, e.code) for e in rejected.errors} == {("bad.csv", 3, "not_a_number")}
    report = import_lines(migrated_engine, lines, institutions_path=inst)
    assert report.status == "loaded" and report.inserted == 72
    assert report.details["institutions"] == {"inserted": 2, "updated": 0, "unchanged": 0}


def test_moving_an_institution_keeps_every_rollup_equal_to_the_lines(migrated_engine, tmp_path):
    _load_schools(migrated_engine, tmp_path)
    import_lines(migrated_engine, write_csv(tmp_path / "lines.csv", LINE_HEADER, line_rows(BINS, years=[2024])))
    moved = [list(r) for r in SCHOOLS]
    moved[0][6:11] = ["KZ-71", "KZ-71-01", "г. Астана, пр. Республики, 1", "51.128", "71.430"]
    moved[1][5] = "health"
    moved[1][4] = "hospital"
    moved[2][4] = "kindergarten"  # same sector and place, other peers: the peer rollup must follow
    report = import_institutions(migrated_engine, write_csv(tmp_path / "moved.csv", INSTITUTION_HEADER, moved))
    assert (report.status, report.updated, report.unchanged) == ("loaded", 3, 1), \
        [i.describe("en") for i in report.issues]
    with migrated_engine.connect() as conn:
        assert_rollups_match(conn)
        regions = conn.execute(text("SELECT DISTINCT region_code FROM rollup_region_sector_month")).scalars()
        assert sorted(regions) == ["KZ-11", "KZ-71"]


def test_a_new_capacity_moves_the_per_unit_peer_median(migrated_engine, tmp_path):
    """Capacities are not in any sum, but the peers' median per pupil is made of them."""
    _load_schools(migrated_engine, tmp_path)
    import_lines(migrated_engine, write_csv(tmp_path / "lines.csv", LINE_HEADER, line_rows(BINS, years=[2024])))
    with migrated_engine.connect() as conn:
        before = conn.execute(text("SELECT unit_low_amount, unit_low_capacity FROM rollup_peer_groups")).all()
    grown = [list(r) for r in SCHOOLS]
    for row in grown:
        row[12] = str(int(row[12]) * 3)
    report = import_institutions(migrated_engine, write_csv(tmp_path / "grown.csv", INSTITUTION_HEADER, grown))
    assert (report.status, report.updated) == ("loaded", 4)
    with migrated_engine.connect() as conn:
        assert_rollups_match(conn)
        after = conn.execute(text("SELECT unit_low_amount, unit_low_capacity FROM rollup_peer_groups")).all()
    assert sorted(after) != sorted(before)


def test_moving_an_institution_while_adding_its_next_year_keeps_the_rollups_equal(migrated_engine, tmp_path):
    """A new year's lines are added to the rollups from the file; the move recomputes its places."""
    _load_schools(migrated_engine, tmp_path)
    import_lines(migrated_engine, write_csv(tmp_path / "lines.csv", LINE_HEADER, line_rows(BINS, years=[2024])))
    moved = [list(r) for r in SCHOOLS]
    moved[0][6:11] = ["KZ-71", "KZ-71-01", "г. Астана, пр. Республики, 1", "51.128", "71.430"]
    rows = line_rows(BINS[:2], years=[2024, 2025])
    report = import_lines(migrated_engine, write_csv(tmp_path / "next.csv", LINE_HEADER, rows),
                          institutions_path=write_csv(tmp_path / "moved.csv", INSTITUTION_HEADER, moved))
    assert (report.status, report.inserted, report.unchanged) == ("loaded", 72, 72)
    with migrated_engine.connect() as conn:
        assert_rollups_match(conn)


def test_skip_invalid_skips_the_lines_of_a_rejected_institution_too(migrated_engine, tmp_path):
    inst = write_csv(tmp_path / "inst.csv", INSTITUTION_HEADER,
                     [SCHOOLS[0], SCHOOLS[1][:9] + ["x"] + SCHOOLS[1][10:]])
    lines = write_csv(tmp_path / "lines.csv", LINE_HEADER, line_rows(BINS[:2], years=[2024]))
    report = import_lines(migrated_engine, lines, Options(skip_invalid=True), institutions_path=inst)
    assert (report.status, report.inserted, report.rows_skipped) == ("partial", 36, 36)
    codes = {e.code for e in report.errors}
    assert codes == {"not_a_number", "institution_rejected"}
    assert _state(migrated_engine)[:2] == (1, 36)


def test_imported_and_renamed_institutions_are_found_by_search(migrated_engine, tmp_path):
    from queries.search import search_institutions

    _load_schools(migrated_engine, tmp_path)
    with migrated_engine.connect() as conn:
        assert [r["bin"] for r in search_institutions(conn, BINS[2])] == [BINS[2]]
        assert len(search_institutions(conn, "көкшетау мектебі")) == 4
        assert search_institutions(conn, "гимназия абая") == []
    renamed = [list(r) for r in SCHOOLS]
    renamed[1][2] = "КГУ «Гимназия имени Абая» города Кокшетау"
    report = import_institutions(migrated_engine, write_csv(tmp_path / "renamed.csv", INSTITUTION_HEADER, renamed))
    assert report.updated == 1
    with migrated_engine.connect() as conn:
        assert [r["bin"] for r in search_institutions(conn, "гимназия абая")] == [BINS[1]]
