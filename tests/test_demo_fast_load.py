"""The demo's fast load: what it drops for speed comes back as it was, references are still
proven, and the faster point-in-polygon test gives the same answers as the plain one."""
import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from dashboard import geo
from dashboard.demo.load import load_demo
from dashboard.schema import rollup_institution_year
from queries import bulk

# Every key, index and trigger of the tables the demo load touches, as the catalog states them.
_PG_SCHEMA = """
SELECT 'c ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid::regclass::text IN ('budget_lines', 'institution_search') OR conrelid::regclass::text LIKE 'rollup%'
UNION ALL
SELECT 'i ' || pg_get_indexdef(indexrelid) FROM pg_index
 WHERE indrelid::regclass::text IN ('budget_lines', 'institution_search') OR indrelid::regclass::text LIKE 'rollup%'
UNION ALL
SELECT 't ' || pg_get_triggerdef(oid) || ' ' || tgenabled::text FROM pg_trigger
 WHERE NOT tgisinternal AND (tgrelid::regclass::text = 'budget_lines' OR tgrelid::regclass::text LIKE 'rollup%')
ORDER BY 1"""


def _schema(engine) -> list[str]:
    sql = _PG_SCHEMA if engine.dialect.name == "postgresql" else "SELECT sql FROM sqlite_master ORDER BY name"
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(sql))]


def test_demo_load_puts_back_every_key_index_and_trigger(migrated_engine):
    before = _schema(migrated_engine)
    if migrated_engine.dialect.name == "postgresql":
        assert any("budget_lines_references_insert" in s for s in before)
        assert any("rollup_institution_month_institution_insert" in s for s in before)
        assert any("rollup_district_sector_month" in s and "FOREIGN KEY" in s for s in before)
    load_demo(migrated_engine, institutions=6, years=[2024], seed=3, progress=False)
    assert _schema(migrated_engine) == before
    load_demo(migrated_engine, institutions=5, years=[2024], seed=4, replace=True, progress=False)
    assert _schema(migrated_engine) == before


def _lines(institution_id: int, specific: int, program: str = "464-003", sub: str = "015") -> dict:
    n = 12
    return {"institution_id": np.full(n, institution_id, np.int32), "year": np.full(n, 2024, np.int16),
            "month": np.arange(1, 13, dtype=np.int16), "program_code": np.full(n, program, "S7"),
            "subprogram_code": np.full(n, sub, "S3"), "specific_code": np.full(n, specific, np.int16),
            **{c: np.full(n, 100, np.int64) for c in ("plan", "plan_adjusted", "obligations", "paid")}}


@pytest.mark.parametrize("what", ["institution", "specific", "subprogram"])
def test_fast_load_refuses_lines_without_their_references(migrated_engine, what):
    load_demo(migrated_engine, institutions=3, years=[2024], seed=3, progress=False)
    with migrated_engine.connect() as conn:
        program, sub, specific = conn.execute(text(
            "SELECT program_code, subprogram_code, specific_code FROM budget_lines LIMIT 1")).one()
        count = conn.execute(text("SELECT count(*) FROM budget_lines")).scalar_one()
    before = _schema(migrated_engine)
    chunk = {"institution": _lines(999, specific, program, sub), "specific": _lines(1, 998, program, sub),
             "subprogram": _lines(1, specific, program, "999")}[what]
    with pytest.raises((bulk.MissingReference, IntegrityError)) as caught:
        with migrated_engine.begin() as conn:
            conn.execute(text("DELETE FROM budget_lines"))
            keys = bulk.LineKeys()
            dropped = bulk.begin_fast_line_load(conn)
            bulk.write_lines(conn, chunk)
            keys.add(chunk)
            bulk.end_fast_line_load(conn, keys, dropped)
    if migrated_engine.dialect.name == "postgresql":
        assert caught.type is bulk.MissingReference and what in str(caught.value)
    with migrated_engine.connect() as conn:  # rolled back: the lines and the schema are as before
        assert conn.execute(text("SELECT count(*) FROM budget_lines")).scalar_one() == count > 0
    assert _schema(migrated_engine) == before


def test_bulk_filled_rollups_must_point_at_institutions(migrated_engine):
    """filled_in_bulk drops the rollups' per-statement institution check (PostgreSQL) and proves
    the rows once at the end; SQLite's declared key refuses the row itself."""
    load_demo(migrated_engine, institutions=3, years=[2024], seed=3, progress=False)
    before = _schema(migrated_engine)
    with pytest.raises((bulk.MissingReference, IntegrityError)) as caught:
        with migrated_engine.begin() as conn, bulk.filled_in_bulk(conn, [rollup_institution_year]):
            conn.execute(text("DELETE FROM rollup_institution_year"))
            conn.execute(text("INSERT INTO rollup_institution_year (institution_id, year, plan, plan_adjusted, "
                              "obligations, paid) VALUES (999999, 2024, 1, 1, 1, 1)"))
    if migrated_engine.dialect.name == "postgresql":
        assert caught.type is bulk.MissingReference and "999999" in str(caught.value)
    with migrated_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM rollup_institution_year WHERE institution_id = 999999")).scalar() == 0
    assert _schema(migrated_engine) == before


def _ring_contains_plain(ring, lon, lat):
    """Every point against every edge: the definition the fast version must match exactly."""
    x1, y1, x2, y2 = ring[:-1, 0, None], ring[:-1, 1, None], ring[1:, 0, None], ring[1:, 1, None]
    crosses = (y1 > lat) != (y2 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
    return np.logical_xor.reduce(crosses & (lon < x_at), axis=0)


def test_point_in_ring_matches_the_plain_even_odd_rule():
    rng = np.random.default_rng(5)
    angles = np.sort(rng.uniform(0, 2 * np.pi, 300))
    radius = rng.uniform(0.5, 1.0, 300)  # a jagged star, with horizontal edges and repeated vertices
    ring = np.c_[np.round(np.cos(angles) * radius, 2), np.round(np.sin(angles) * radius, 2)]
    ring = np.r_[ring, [[ring[-1, 0] + 0.1, ring[-1, 1]]], ring[:1]]
    lon, lat = rng.uniform(-1.1, 1.1, 4000), rng.uniform(-1.1, 1.1, 4000)
    lon, lat = np.r_[lon, ring[:, 0], (ring[:-1, 0] + ring[1:, 0]) / 2], np.r_[lat, ring[:, 1], ring[:-1, 1]]
    fast = geo._ring_contains(ring, lon, lat)
    assert (fast == _ring_contains_plain(ring, lon, lat)).all()
    assert 1000 < fast.sum() < 4000
    assert geo._ring_contains(ring, lon[:0], lat[:0]).shape == (0,)
