"""Rollups must equal sums over budget_lines exactly: one check used by several test modules."""
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
}


def assert_rollups_match(conn) -> None:
    """Every rollup row equals the sum computed from budget_lines, and no row is missing or extra."""
    for name, (direct, stored) in _CHECKS.items():
        want = sorted(tuple(int(v) if isinstance(v, (int, float)) or hasattr(v, "as_integer_ratio") else v
                            for v in row) for row in conn.execute(text(direct)))
        have = sorted(tuple(int(v) if isinstance(v, (int, float)) or hasattr(v, "as_integer_ratio") else v
                            for v in row) for row in conn.execute(text(stored)))
        assert have == want, f"{name} differs from budget_lines"
