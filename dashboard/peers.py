"""Year-over-year changes and peer statistics for one institution (plain Python, no SQL)."""
from __future__ import annotations

from collections import defaultdict
from fractions import Fraction


def quantile(sorted_values: list, q: Fraction):
    """Linear-interpolated quantile (as numpy's default) of sorted values, exact for ints."""
    if not sorted_values:
        return None
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def year_over_year(rows: list[dict], year: int) -> list[dict]:
    """Per specific: this year's and last year's adjusted plan and paid, and the change ratio.

    `rows` come from queries.institution.specific_by_year for [year - 1, year].
    """
    by_code: dict[int, dict] = defaultdict(lambda: {"plan_adjusted": 0, "paid": 0, "prev_plan_adjusted": 0,
                                                    "prev_paid": 0})
    for r in rows:
        target = by_code[r["specific_code"]]
        prefix = "" if r["year"] == year else "prev_"
        target[prefix + "plan_adjusted"] += r["plan_adjusted"]
        target[prefix + "paid"] += r["paid"]
    result = []
    for code, v in by_code.items():
        prev = v["prev_plan_adjusted"]
        change = None if not prev else float(Fraction(v["plan_adjusted"] - prev, prev))
        result.append({"specific_code": code, **v, "change": change})
    return sorted(result, key=lambda r: (-r["plan_adjusted"], r["specific_code"]))


def peer_stats(rows: list[dict], institution_id: int) -> list[dict]:
    """Per specific: peers' median and quartiles, and this institution's value and position.

    `rows` are queries.institution.peer_amounts (one per institution and specific). Only
    peers that spend on a specific count for it. Per-unit figures (tiyn per pupil, bed...)
    use institutions with a capacity. Money stays exact: quantiles are Fractions of tiyn.
    """
    amounts: dict[int, list[int]] = defaultdict(list)
    per_unit: dict[int, list[Fraction]] = defaultdict(list)
    own: dict[int, dict] = {}
    for r in rows:
        code = r["specific_code"]
        amounts[code].append(r["plan_adjusted"])
        unit = Fraction(r["plan_adjusted"], r["capacity"]) if r["capacity"] else None
        if unit is not None:
            per_unit[code].append(unit)
        if r["institution_id"] == institution_id:
            own[code] = {"value": r["plan_adjusted"], "per_unit": unit}
    result = []
    for code, mine in own.items():
        values = sorted(amounts[code])
        units = sorted(per_unit[code])
        below = sum(1 for v in values if v < mine["value"])
        result.append({
            "specific_code": code, "peers": len(values), "value": mine["value"],
            "q1": quantile(values, Fraction(1, 4)), "median": quantile(values, Fraction(1, 2)),
            "q3": quantile(values, Fraction(3, 4)),
            # Share of peers spending less: 0 = lowest, 1 = highest.
            "position": below / (len(values) - 1) if len(values) > 1 else None,
            "per_unit": mine["per_unit"],
            "per_unit_median": quantile(units, Fraction(1, 2)) if mine["per_unit"] is not None else None,
        })
    return sorted(result, key=lambda r: (-r["value"], r["specific_code"]))
