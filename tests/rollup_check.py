"""Rollups must equal sums over budget_lines exactly: one check used by several test modules."""
from collections import defaultdict
from fractions import Fraction

from sqlalchemy import text

_CHECKS = {
    "rollup_region_sector_month": (
        "SELECT i.region_code, i.sector_code, b.year, b.month, sum(b.plan), sum(b.plan_adjusted), "
        "sum(b.obligations), sum(b.paid), count(DISTINCT b.institution_id) "
        "FROM budget_lines b JOIN institutions i ON i.id = b.institution_id GROUP BY 1, 2, 3, 4",
        "SELECT region_code, sector_code, year, month, plan, plan_adjusted, obligations, paid, institutions "
        "FROM rollup_region_sector_month"),
    "rollup_district_sector_month": (
        "SELECT i.district_code, i.sector_code, b.year, b.month, sum(b.plan), sum(b.plan_adjusted), "
        "sum(b.obligations), sum(b.paid), count(DISTINCT b.institution_id) "
        "FROM budget_lines b JOIN institutions i ON i.id = b.institution_id GROUP BY 1, 2, 3, 4",
        "SELECT district_code, sector_code, year, month, plan, plan_adjusted, obligations, paid, institutions "
        "FROM rollup_district_sector_month"),
    "rollup_institution_year": (
        "SELECT institution_id, year, sum(plan), sum(plan_adjusted), sum(obligations), sum(paid) "
        "FROM budget_lines GROUP BY 1, 2",
        "SELECT institution_id, year, plan, plan_adjusted, obligations, paid FROM rollup_institution_year"),
    "rollup_institution_month": (
        "SELECT institution_id, year, month, sum(plan), sum(plan_adjusted), sum(obligations), sum(paid) "
        "FROM budget_lines GROUP BY 1, 2, 3",
        "SELECT institution_id, year, month, plan, plan_adjusted, obligations, paid FROM rollup_institution_month"),
    "rollup_institution_specific_year": (
        "SELECT b.institution_id, b.year, b.specific_code, i.type_code, i.region_code, sum(b.plan), "
        "sum(b.plan_adjusted), sum(b.obligations), sum(b.paid) "
        "FROM budget_lines b JOIN institutions i ON i.id = b.institution_id GROUP BY 1, 2, 3, 4, 5",
        "SELECT institution_id, year, specific_code, type_code, region_code, plan, plan_adjusted, obligations, paid "
        "FROM rollup_institution_specific_year"),
    "rollup_peer_groups": None,  # not a sum: _peer_groups below
    "rollup_range_leaders": None,  # not a sum: _range_leaders below
}


def _quantile(values: list, q: Fraction):
    pos = q * (len(values) - 1)
    lo = int(pos)
    return values[lo] + (values[min(lo + 1, len(values) - 1)] - values[lo]) * (pos - lo)


def _peer_groups(conn) -> tuple[list, list]:
    """(expected, stored): per peer group and specific, the count, the quartiles and the median per
    unit, as exact numbers; expected straight from budget_lines and institutions, sorted plainly."""
    members = defaultdict(list)
    for year, type_code, region, specific, amount, capacity in conn.execute(text(
            "SELECT b.year, i.type_code, i.region_code, b.specific_code, sum(b.plan_adjusted), i.capacity "
            "FROM budget_lines b JOIN institutions i ON i.id = b.institution_id "
            "GROUP BY b.institution_id, b.year, i.type_code, i.region_code, b.specific_code, i.capacity")):
        members[(year, type_code, region, specific)].append((int(amount), capacity))
    want = []
    for key, group in members.items():
        values = sorted(a for a, _c in group)
        ratios = sorted(Fraction(a, c) for a, c in group if c)
        want.append((*key, len(values), *[_quantile(values, Fraction(k, 4)) for k in (1, 2, 3)], len(ratios),
                     _quantile(ratios, Fraction(1, 2)) if ratios else None))
    have = []
    for r in conn.execute(text("SELECT * FROM rollup_peer_groups")).mappings():
        n, m = r["peers"], r["unit_peers"]
        pos = {k: Fraction(k, 4) * (n - 1) for k in (1, 2, 3)}
        quartiles = [int(r[f"{q}_low"]) + (int(r[f"{q}_high"]) - int(r[f"{q}_low"])) * (pos[k] - int(pos[k]))
                     for q, k in (("q1", 1), ("median", 2), ("q3", 3))]
        unit = None
        if m:
            low = Fraction(int(r["unit_low_amount"]), int(r["unit_low_capacity"]))
            high = Fraction(int(r["unit_high_amount"]), int(r["unit_high_capacity"]))
            unit = low + (high - low) * Fraction((m - 1) % 2, 2)
        have.append((r["year"], r["type_code"], r["region_code"], r["specific_code"], n, *quartiles, m, unit))
    return sorted(want, key=repr), sorted(have, key=repr)


def _range_leaders(conn) -> tuple[list, list]:
    """(expected, stored) leaders of every month range, straight from budget_lines: per year, range,
    region and sector the five institutions with lines in it with the largest plan (then lowest id)."""
    months = defaultdict(lambda: defaultdict(dict))
    for year, region, sector, institution, month, plan, paid in conn.execute(text(
            "SELECT b.year, i.region_code, i.sector_code, b.institution_id, b.month, sum(b.plan_adjusted), "
            "sum(b.paid) FROM budget_lines b JOIN institutions i ON i.id = b.institution_id "
            "GROUP BY b.year, i.region_code, i.sector_code, b.institution_id, b.month")):
        months[(year, region, sector)][institution][month] = (int(plan), int(paid))
    want = []
    for (year, region, sector), members in months.items():
        for first in range(1, 13):
            for last in range(first, 13):
                ranked = sorted((-sum(s[m][0] for m in s if first <= m <= last), i,
                                 sum(s[m][1] for m in s if first <= m <= last))
                                for i, s in members.items() if any(first <= m <= last for m in s))
                want += [(year, first, last, region, sector, rank, i, -minus, paid, len(ranked))
                         for rank, (minus, i, paid) in enumerate(ranked[:5], 1)]
    have = [tuple(int(v) if isinstance(v, int) or hasattr(v, "as_integer_ratio") else v for v in r)
            for r in conn.execute(text(
                "SELECT year, first_month, last_month, region_code, sector_code, rank, institution_id, "
                "plan_adjusted, paid, institutions FROM rollup_range_leaders"))]
    return sorted(want, key=repr), sorted(have, key=repr)


def assert_rollups_match(conn) -> None:
    """Every rollup row equals the sum computed from budget_lines, and no row is missing or extra."""
    want, have = _peer_groups(conn)
    assert have == want, "rollup_peer_groups differs from the peers' sums"
    want, have = _range_leaders(conn)
    assert have == want, "rollup_range_leaders differs from the months' sums"
    for name, pair in _CHECKS.items():
        if pair is None:
            continue
        direct, stored = pair
        want = sorted(tuple(int(v) if isinstance(v, (int, float)) or hasattr(v, "as_integer_ratio") else v
                            for v in row) for row in conn.execute(text(direct)))
        have = sorted(tuple(int(v) if isinstance(v, (int, float)) or hasattr(v, "as_integer_ratio") else v
                            for v in row) for row in conn.execute(text(stored)))
        assert have == want, f"{name} differs from budget_lines"
