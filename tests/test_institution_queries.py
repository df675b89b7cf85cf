"""Institution queries and statistics on both databases: sums agree with the rollups, exactly."""
from fractions import Fraction

from sqlalchemy import select

import pandas as pd

from dashboard.peers import group_rows, peer_stats, quantile, stats_from_groups, year_over_year
from dashboard.schema import institutions
from queries import institution as q
from queries.peer_groups import peer_comparison
from tests.conftest import DEMO_YEARS


def _school(conn):
    return conn.execute(select(institutions.c.id, institutions.c.bin).where(institutions.c.type_code == "school")
                        .order_by(institutions.c.id).limit(1)).mappings().one()


def test_monthly_specific_and_program_sums_equal_the_yearly_rollup(demo_engine):
    with demo_engine.connect() as conn:
        school = _school(conn)
        year = DEMO_YEARS[-1]
        total = next(y for y in q.yearly_totals(conn, school["id"]) if y["year"] == year)
        for rows in (q.monthly(conn, school["id"], year), q.by_specific(conn, school["id"], year),
                     q.by_program(conn, school["id"], year)):
            assert sum(r["paid"] for r in rows) == total["paid"]
            assert all(isinstance(r["paid"], int) for r in rows)
        count, lines = q.lines(conn, school["id"], year)
        assert count == len(lines) and sum(r["plan_adjusted"] for r in lines) == total["plan_adjusted"]
        assert q.lines(conn, school["id"], year, limit=5, offset=2) == (count, lines[2:7])
        assert q.monthly_by_bin(conn, school["bin"], year) == q.monthly(conn, school["id"], year)
        assert q.monthly_by_bin(conn, "000000000000", year) == []


def test_peers_come_with_names_and_capacities_only_when_asked(demo_engine):
    with demo_engine.connect() as conn:
        inst = q.get_institution(conn, _school(conn)["bin"])
        year = DEMO_YEARS[-1]
        with_units = q.peer_amounts(conn, inst["type_code"], inst["region_code"], year)
        without = q.peer_amounts(conn, inst["type_code"], inst["region_code"], year, with_capacity=False)
        by_year = q.specific_by_year(conn, inst["id"], [year - 1, year])
    assert [{**r, "capacity": None} for r in with_units] == without and any(r["capacity"] for r in with_units)
    assert {r["specific_code"] for r in with_units if r["institution_id"] == inst["id"]} <= \
        {r["specific_code"] for r in by_year if r["year"] == year}
    assert all(r["name_ru"] for r in by_year)


def test_institution_identity_has_names_in_every_language(demo_engine):
    with demo_engine.connect() as conn:
        inst = q.get_institution(conn, _school(conn)["bin"])
        assert inst["type_name_kk"] == "Мектеп" and inst["region_name_en"] and inst["district_name_ru"]
        assert q.get_institution(conn, "000000000000") is None


def test_year_over_year_change_per_specific(demo_engine):
    with demo_engine.connect() as conn:
        school = _school(conn)
        rows = q.specific_by_year(conn, school["id"], DEMO_YEARS)
    yoy = year_over_year(rows, DEMO_YEARS[1])
    wages = next(r for r in yoy if r["specific_code"] == 111)
    assert wages["prev_plan_adjusted"] > 0
    assert wages["change"] == (wages["plan_adjusted"] - wages["prev_plan_adjusted"]) / wages["prev_plan_adjusted"]


def test_quantiles_are_exact():
    assert quantile([1, 2, 3, 4], Fraction(1, 2)) == Fraction(5, 2)
    assert quantile([10], Fraction(1, 4)) == 10 and quantile([], Fraction(1, 2)) is None


def test_peer_statistics_place_the_institution():
    rows = [dict(institution_id=i, specific_code=111, capacity=100 * i, plan_adjusted=1000 * i) for i in (1, 2, 3, 4, 5)]
    rows.append(dict(institution_id=3, specific_code=141, capacity=300, plan_adjusted=50))
    stats = {s["specific_code"]: s for s in peer_stats(rows, 3)}
    assert stats[111]["median"] == 3000 and stats[111]["q1"] == 2000 and stats[111]["q3"] == 4000
    assert stats[111]["position"] == 0.5 and stats[111]["per_unit"] == 10
    assert stats[141]["peers"] == 1 and stats[141]["position"] is None


def test_peers_come_from_the_same_type_and_region(demo_engine):
    with demo_engine.connect() as conn:
        inst = q.get_institution(conn, _school(conn)["bin"])
        rows = q.peer_amounts(conn, inst["type_code"], inst["region_code"], DEMO_YEARS[0])
        ids = {r["institution_id"] for r in rows}
        kinds = conn.execute(select(institutions.c.type_code, institutions.c.region_code).distinct()
                             .where(institutions.c.id.in_(ids))).all()
    assert inst["id"] in ids and kinds == [("school", inst["region_code"])]


def test_documents_listed_newest_first(migrated_engine):
    from sqlalchemy import insert

    from dashboard.demo.load import load_demo
    from dashboard.schema import documents

    load_demo(migrated_engine, institutions=5, years=DEMO_YEARS[:1], seed=1, progress=False)
    with migrated_engine.begin() as conn:
        iid = conn.execute(select(institutions.c.id).limit(1)).scalar_one()
        assert q.list_documents(conn, iid) == []
        conn.execute(insert(documents), [dict(institution_id=iid, year=2023, title="Смета 2023", kind="budget",
                                              file_ref="/files/a.pdf"),
                                         dict(institution_id=iid, year=2024, title="Смета 2024", kind="budget",
                                              file_ref="/files/b.pdf")])
        assert [d["title"] for d in q.list_documents(conn, iid)] == ["Смета 2024", "Смета 2023"]
        assert [d["title"] for d in q.list_documents(conn, iid, 2023)] == ["Смета 2023"]


def _reference_per_unit_median(pairs):
    """The exact definition: every ratio as a Fraction, sorted, then the interpolated median."""
    return quantile(sorted(Fraction(a, c) for a, c in pairs), Fraction(1, 2))


def test_per_unit_median_is_exact_where_floats_tie():
    # Ratios a hair above and below 1 that are all 1.0 as floats, and spend that rounds half
    # either way: sorting by float alone, or rounding early, would move the median.
    big = 10 ** 17
    pairs = [(big + 3, big), (big - 1, big), (big + 1, big), (big, big + 2), (5, 3), (7, 2), (1, 3), (big + 2, big)]
    rows = [dict(institution_id=i, specific_code=111, capacity=c, plan_adjusted=a) for i, (a, c) in enumerate(pairs)]
    for take in range(1, len(rows) + 1):
        stats = peer_stats(rows[:take], 0)[0]
        want = _reference_per_unit_median(pairs[:take])
        assert stats["per_unit_median"] == want and isinstance(stats["per_unit_median"], Fraction)
    stats = peer_stats(rows, 0)[0]
    assert stats["per_unit_median"] == Fraction(2 * big + 3, 2 * big)  # between (big+1)/big and (big+2)/big
    assert stats["median"] == Fraction(2 * big - 1, 2) and round(stats["median"]) == big  # half to even
    assert stats["q1"] == quantile(sorted(a for a, _ in pairs), Fraction(1, 4))


def test_per_unit_median_of_stored_groups_is_exact_where_floats_tie():
    """The numpy path (dashboard.peers.group_rows) orders floats; tied runs and amounts past 2**53
    are ordered exactly, so it gives peer_stats' figures for every size of the group."""
    big = 10 ** 17
    pairs = [(big + 3, big), (big - 1, big), (big + 1, big), (big, big + 2), (5, 3), (7, 2), (1, 3), (big + 2, big)]
    small = [(6, 3), (4, 2), (2, 1), (9, 4), (2, 1), (3, 5), (8, 3)]  # equal ratios as different pairs
    for group in (pairs, small):
        rows = [dict(institution_id=i, specific_code=111, capacity=c, plan_adjusted=a) for i, (a, c) in enumerate(group)]
        for take in range(1, len(rows) + 1):
            frame = pd.DataFrame([dict(year=2025, type_code="school", region_code="KZ-11", **r) for r in rows[:take]])
            stored = group_rows(frame).iloc[0].to_dict()
            for own in rows[:take]:
                below = sum(r["plan_adjusted"] < own["plan_adjusted"] for r in rows[:take])
                got = stats_from_groups([{**stored, "plan_adjusted": own["plan_adjusted"], "below": below}],
                                        own["capacity"])
                assert got == peer_stats(rows[:take], own["institution_id"])


def test_the_stored_peer_groups_give_what_the_peers_amounts_give(demo_engine):
    """Every institution of the newest year: the page's comparison read from rollup_peer_groups
    equals the one computed from all its peers' amounts, Fraction for Fraction."""
    year = DEMO_YEARS[-1]
    with demo_engine.connect() as conn:
        bins = conn.execute(select(institutions.c.bin).order_by(institutions.c.id)).scalars().all()
        compared = 0
        for bin_ in bins:
            inst = q.get_institution(conn, bin_)
            amounts = q.peer_amounts(conn, inst["type_code"], inst["region_code"], year, bool(inst["capacity"]))
            want = peer_stats(amounts, inst["id"])
            assert peer_comparison(conn, inst["id"], year) == want
            compared += bool(want)
    assert compared > 50
