"""Year-over-year changes and peer statistics for one institution (plain Python, no SQL)."""
from __future__ import annotations

from bisect import bisect_left
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


def _exact_order(pairs: list[tuple[int, int]], positions: set[int]) -> dict[int, Fraction]:
    """The ratios a/c (c > 0) found at `positions` of their exact ascending order.

    Sorted by the float a/c first: correctly rounded division keeps the exact order between
    different floats, so only runs of equal floats around the wanted positions are put in
    exact order (as Fractions; such runs are short). Thousands of Fractions made and sorted
    per page were most of the peer table's time."""
    pairs = sorted(pairs, key=lambda p: p[0] / p[1])
    floats = [a / c for a, c in pairs]
    found = {}
    for pos in positions:
        lo = hi = pos
        while lo > 0 and floats[lo - 1] == floats[pos]:
            lo -= 1
        while hi + 1 < len(floats) and floats[hi + 1] == floats[pos]:
            hi += 1
        run = sorted(Fraction(a, c) for a, c in pairs[lo:hi + 1])
        found[pos] = run[pos - lo]
    return found


def _median_of_ratios(pairs: list[tuple[int, int]]) -> Fraction | None:
    """quantile(sorted(a/c for a, c in pairs), 1/2), exactly."""
    if not pairs:
        return None
    lo, hi = (len(pairs) - 1) // 2, len(pairs) // 2
    at = _exact_order(pairs, {lo, hi})
    return at[lo] + (at[hi] - at[lo]) * Fraction((len(pairs) - 1) % 2, 2)


def peer_stats(rows: list[dict], institution_id: int) -> list[dict]:
    """Per specific: peers' median and quartiles, and this institution's value and position.

    `rows` are queries.institution.peer_amounts (one per institution and specific). Only
    peers that spend on a specific count for it. Per-unit figures (tiyn per pupil, bed...)
    use institutions with a capacity. Money stays exact: quantiles are Fractions of tiyn.
    """
    amounts: dict[int, list[int]] = defaultdict(list)
    per_unit: dict[int, list[tuple[int, int]]] = defaultdict(list)  # (tiyn, capacity): exact ratios
    own: dict[int, dict] = {}
    for r in rows:
        code, value, capacity = r["specific_code"], r["plan_adjusted"], r["capacity"]
        amounts[code].append(value)
        if capacity:
            per_unit[code].append((value, capacity))
        if r["institution_id"] == institution_id:
            own[code] = {"value": value, "per_unit": Fraction(value, capacity) if capacity else None}
    result = []
    for code, mine in own.items():
        values = sorted(amounts[code])
        below = bisect_left(values, mine["value"])
        result.append({
            "specific_code": code, "peers": len(values), "value": mine["value"],
            "q1": quantile(values, Fraction(1, 4)), "median": quantile(values, Fraction(1, 2)),
            "q3": quantile(values, Fraction(3, 4)),
            # Share of peers spending less: 0 = lowest, 1 = highest.
            "position": below / (len(values) - 1) if len(values) > 1 else None,
            "per_unit": mine["per_unit"],
            "per_unit_median": _median_of_ratios(per_unit[code]) if mine["per_unit"] is not None else None,
        })
    return sorted(result, key=lambda r: (-r["value"], r["specific_code"]))
