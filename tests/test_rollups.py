"""Writes that touch budget_lines refresh exactly the affected rollup slices."""
from sqlalchemy import insert, select, text, update

from dashboard.schema import budget_lines, institutions, rollup_institution_year, rollup_region_sector_month
from queries.rollups import refresh_rollups
from tests.rollup_check import assert_rollups_match


def _institution(conn, id_, region, district, sector="education", bin_="200340001238"):
    conn.execute(insert(institutions).values(
        id=id_, bin=bin_, name_kk="Мектеп", name_ru="Школа", type_code="school", sector_code=sector,
        region_code=region, district_code=district, address="с. Аршалы", lat=51.0, lon=70.0,
        budget_level="district"))


def _line(conn, inst, month, paid, specific=111):
    conn.execute(insert(budget_lines).values(
        institution_id=inst, year=2025, month=month, program_code="464-003", subprogram_code="015",
        specific_code=specific, plan=paid, plan_adjusted=paid, obligations=paid, paid=paid))


def _region_paid(conn, region):
    return conn.execute(select(rollup_region_sector_month.c.paid).where(
        rollup_region_sector_month.c.region_code == region)).scalars().all()


def test_partial_refresh_after_a_change(migrated_engine):
    with migrated_engine.begin() as conn:
        _institution(conn, 1, "KZ-11", "KZ-11-01")
        _line(conn, 1, 1, 1_000_000_01)
        _line(conn, 1, 2, 2_000_000_02)
        refresh_rollups(conn)
    with migrated_engine.begin() as conn:
        conn.execute(update(budget_lines).where(budget_lines.c.month == 2).values(paid=5))
        refresh_rollups(conn, institution_ids=[1], years=[2025])
        assert sorted(_region_paid(conn, "KZ-11")) == [5, 1_000_000_01]
        year_total = conn.execute(select(rollup_institution_year.c.paid)).scalar_one()
        assert int(year_total) == 1_000_000_06
        _line(conn, 1, 3, 40, specific=141)
        refresh_rollups(conn, institution_ids=[1], years=[2025])
        assert_rollups_match(conn)  # every rollup, the per-specific one too


def test_moving_an_institution_recomputes_both_regions(migrated_engine):
    with migrated_engine.begin() as conn:
        _institution(conn, 1, "KZ-11", "KZ-11-01")
        _line(conn, 1, 1, 700)
        refresh_rollups(conn)
        conn.execute(update(institutions).values(region_code="KZ-15", district_code="KZ-15-01"))
        refresh_rollups(conn, institution_ids=[1], extra_regions=["KZ-11"], extra_districts=["KZ-11-01"])
        assert _region_paid(conn, "KZ-11") == []
        assert [int(v) for v in _region_paid(conn, "KZ-15")] == [700]
        assert_rollups_match(conn)


def test_sums_beyond_32_bits_stay_exact(migrated_engine):
    # 8.3 trillion tenge in tiyn is about 8.3e14: far past 2^31, inside BIGINT.
    big = 830_000_000_000_000 + 7
    with migrated_engine.begin() as conn:
        _institution(conn, 1, "KZ-11", "KZ-11-01")
        _line(conn, 1, 1, big)
        _line(conn, 1, 2, big)
        refresh_rollups(conn)
        total = conn.execute(text("SELECT paid FROM rollup_institution_year")).scalar_one()
        assert int(total) == 2 * big


def test_the_rollup_check_covers_every_rollup():
    from dashboard.schema import ROLLUP_TABLES
    from tests.rollup_check import _CHECKS

    assert set(_CHECKS) == {table.name for table in ROLLUP_TABLES}
