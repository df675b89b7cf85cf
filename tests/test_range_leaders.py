"""Month-range leaders (rollup_range_leaders): the explorer's top institutions and institution count
read from them equal the same figures summed from budget_lines, on both databases."""
import pandas as pd
import pytest
from alembic import command
from sqlalchemy import insert, text

from dashboard.db import alembic_config, make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import budget_lines, institutions
from queries import explorer
from queries.explorer import Selection
from queries.range_leaders import LEADERS, RANGES, leader_rows
from queries.rollups import refresh_rollups
from tests.conftest import DEMO_YEARS
from tests.rollup_check import assert_rollups_match

YEAR = DEMO_YEARS[-1]


def _direct_top(conn, sel: Selection, limit: int) -> list[tuple]:
    """(id, plan, paid) of the largest institutions with lines in the selection, from budget_lines."""
    where = ["l.year = :y", "l.month BETWEEN :a AND :b"]
    if sel.sectors:
        where.append("i.sector_code IN (" + ", ".join(f"'{s}'" for s in sel.sectors) + ")")
    if sel.region:
        where.append(f"i.region_code = '{sel.region}'")
    if sel.district:
        where.append(f"i.district_code = '{sel.district}'")
    rows = conn.execute(text(
        "SELECT l.institution_id, SUM(l.plan_adjusted), SUM(l.paid) FROM budget_lines l JOIN institutions i "
        f"ON i.id = l.institution_id WHERE {' AND '.join(where)} GROUP BY l.institution_id "
        "ORDER BY SUM(l.plan_adjusted) DESC, l.institution_id LIMIT :n"),
        {"y": sel.year, "a": sel.months[0], "b": sel.months[1], "n": limit})
    return [(r[0], int(r[1]), int(r[2])) for r in rows]


def _top(conn, sel: Selection, limit: int = 5) -> list[tuple]:
    return [(r["id"], r["plan_adjusted"], r["paid"]) for r in explorer.top_institutions(conn, sel, limit)]


@pytest.mark.parametrize("months", [(1, 12), (12, 12), (1, 1), (3, 5), (2, 11), (4, 9), (6, 12)])
def test_top_institutions_from_the_leaders_equal_the_lines(demo_engine, months):
    with demo_engine.connect() as conn:
        region = conn.execute(text("SELECT region_code FROM institutions ORDER BY id LIMIT 1")).scalar_one()
        for sel in (Selection(YEAR, months), Selection(YEAR, months, ("education", "health")),
                    Selection(YEAR, months, region=region), Selection(YEAR, months, ("education",), region)):
            assert _top(conn, sel) == _direct_top(conn, sel, 5), sel
            # A longer list is summed from the monthly rollup; its head is the same.
            assert _top(conn, sel, LEADERS + 3) == _direct_top(conn, sel, LEADERS + 3), sel


def test_institution_count_from_the_leaders_equals_the_lines(demo_engine):
    with demo_engine.connect() as conn:
        region = conn.execute(text("SELECT region_code FROM institutions ORDER BY id LIMIT 1")).scalar_one()
        for sel in (Selection(YEAR), Selection(YEAR, (3, 4), ("education",)), Selection(YEAR, region=region)):
            where = " AND ".join(["l.year = :y"] + ([f"i.region_code = '{sel.region}'"] if sel.region else [])
                                 + ([f"i.sector_code IN ('{sel.sectors[0]}')"] if sel.sectors else []))
            want = conn.execute(text(f"SELECT COUNT(DISTINCT l.institution_id) FROM budget_lines l JOIN institutions "
                                     f"i ON i.id = l.institution_id WHERE {where}"), {"y": sel.year}).scalar_one()
            assert explorer.totals(conn, sel)["institutions"] == want > 0


def _institution(conn, id_, sector="education"):
    conn.execute(insert(institutions).values(
        id=id_, bin=f"2003400012{id_:02d}", name_kk="Мектеп", name_ru="Школа", type_code="school",
        sector_code=sector, region_code="KZ-11", district_code="KZ-11-01", address="с. Аршалы", lat=51.0, lon=70.0,
        budget_level="district"))


def _line(conn, inst, month, plan):
    conn.execute(insert(budget_lines).values(
        institution_id=inst, year=2025, month=month, program_code="464-003", subprogram_code="015",
        specific_code=111, plan=plan, plan_adjusted=plan, obligations=0, paid=plan // 2))


def test_ties_negative_months_and_months_without_lines(migrated_engine):
    """Equal sums rank by id; an institution with a zero line in a range ranks in it, one without
    lines there does not, however long the range (a long range used to rank it at zero)."""
    with migrated_engine.begin() as conn:
        for i in range(1, 8):
            _institution(conn, i)
        _line(conn, 1, 1, 500)   # January only: absent from February–December
        _line(conn, 2, 3, 300)
        _line(conn, 3, 3, 300)   # ties with 2: 2 first
        _line(conn, 4, 3, 900)
        _line(conn, 4, 4, 0)
        for i in (5, 6, 7):
            _line(conn, i, 12, 100 * i)
        refresh_rollups(conn)
        assert_rollups_match(conn)
        sel = Selection(2025, (2, 12))
        assert _top(conn, sel) == _direct_top(conn, sel, 5) == [
            (4, 900, 450), (7, 700, 350), (6, 600, 300), (5, 500, 250), (2, 300, 150)]
        assert _top(conn, sel, LEADERS + 5) == _direct_top(conn, sel, LEADERS + 5)  # 3 sixth, tied with 2
        late = Selection(2025, (4, 12))
        assert _top(conn, late) == _top(conn, late, LEADERS + 5) == [
            (7, 700, 350), (6, 600, 300), (5, 500, 250), (4, 0, 0)]
        assert 1 not in [r[0] for r in _top(conn, sel, LEADERS + 5)]  # the summed path agrees
        assert _top(conn, Selection(2025, (3, 3))) == [(4, 900, 450), (2, 300, 150), (3, 300, 150)]
        assert explorer.totals(conn, Selection(2025, (2, 12)))["institutions"] == 7  # the year's count


def test_exact_past_int64_bounds():
    """Amounts too large for int64 sums are ranked and summed with Python integers."""
    big = 2 ** 62
    frame = pd.DataFrame({"year": [2025] * 4, "region_code": ["KZ-11"] * 4, "sector_code": ["health"] * 4,
                          "institution_id": [1, 1, 2, 2], "month": [1, 2, 1, 2],
                          "plan_adjusted": [big, big, big, big - 1], "paid": [1, 2, 3, 4]})
    rows = leader_rows(frame)
    whole = rows[(rows.first_month == 1) & (rows.last_month == 2)]
    assert [(r.rank, r.institution_id, int(r.plan_adjusted)) for r in whole.itertuples()] == \
        [(1, 1, 2 * big), (2, 2, 2 * big - 1)]
    assert len(rows) == 2 * len([r for r in RANGES if r[0] <= 2])  # ranges starting after February: no lines


def test_migration_fills_the_leaders_of_existing_data(empty_url):
    upgrade(empty_url)
    engine = make_engine(empty_url)
    load_demo(engine, institutions=40, years=[2024], seed=3, progress=False)
    command.downgrade(alembic_config(empty_url), "0021")
    upgrade(empty_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM rollup_range_leaders")).scalar_one() > 0
        assert_rollups_match(conn)
    engine.dispose()
