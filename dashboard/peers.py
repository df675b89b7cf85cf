"""Year-over-year changes and peer statistics for one institution (no SQL)."""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from fractions import Fraction

import numpy as np
import pandas as pd

GROUP_KEYS = ["year", "type_code", "region_code", "specific_code"]
QUARTILES = (("q1", 1), ("median", 2), ("q3", 3))  # name, quarters
_EXACT_FLOAT = 2 ** 53  # below this an int64 amount converts to float exactly


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


def _at_quarter(low, high, peers: int, quarters: int):
    """quantile(values, quarters/4) from the two sorted values it lies between (as `quantile`)."""
    pos = Fraction(quarters, 4) * (peers - 1)
    return low + (high - low) * (pos - int(pos))


def group_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Per peer group and specific (GROUP_KEYS) of `frame` (one row per institution, with
    plan_adjusted and capacity, 0 for none): the rows of rollup_peer_groups. Sorted in numpy; only
    a group whose median ratio ties with another float (or whose amounts are too large for a
    float) is ordered exactly in Python, as `_median_of_ratios` does."""
    columns = [*GROUP_KEYS, "peers", *[f"{q}_{e}" for q, _k in QUARTILES for e in ("low", "high")], "unit_peers",
               "unit_low_amount", "unit_low_capacity", "unit_high_amount", "unit_high_capacity"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    gid = frame.groupby(GROUP_KEYS, sort=False, observed=True).ngroup().to_numpy()
    values = frame["plan_adjusted"].to_numpy(np.int64)
    order = np.lexsort((values, gid))
    starts = np.flatnonzero(np.r_[True, gid[order][1:] != gid[order][:-1]])
    peers = np.diff(np.r_[starts, len(order)])
    out = frame.iloc[order[starts]][GROUP_KEYS].reset_index(drop=True)  # row i: group i
    out["peers"] = peers
    sorted_values = values[order]
    for name, quarters in QUARTILES:
        low = (peers - 1) * quarters // 4
        out[f"{name}_low"] = sorted_values[starts + low]
        out[f"{name}_high"] = sorted_values[starts + np.minimum(low + 1, peers - 1)]
    out["unit_peers"] = 0
    for c in ("unit_low_amount", "unit_low_capacity", "unit_high_amount", "unit_high_capacity"):
        out[c] = None
    capacity = frame["capacity"].fillna(0).to_numpy(np.int64)
    has = capacity > 0
    if has.any():
        _unit_medians(out, gid[has], values[has], capacity[has])
    for c in ("unit_low_amount", "unit_low_capacity", "unit_high_amount", "unit_high_capacity"):
        out[c] = out[c].astype("Int64")  # integers or NA, never floats
    return out[columns]


def _unit_medians(out: pd.DataFrame, gid: np.ndarray, amounts: np.ndarray, capacity: np.ndarray) -> None:
    """Fill out's unit columns: per group, the ratios amount/capacity at the median's two positions."""
    ratio = amounts / capacity  # correctly rounded, as Python's a / c, while |amount| < 2**53
    order = np.lexsort((ratio, gid))
    g, r, a, c = gid[order], ratio[order], amounts[order], capacity[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    ends = np.r_[starts[1:], len(g)]
    count = ends - starts
    positions = [starts + (count - 1) // 2, starts + count // 2]
    # A run of equal floats at a position may hold different exact ratios: those groups go exact.
    tied = np.zeros(len(starts), dtype=bool)
    for pos in positions:
        tied |= (pos > starts) & (r[np.maximum(pos - 1, 0)] == r[pos])
        tied |= (pos + 1 < ends) & (r[np.minimum(pos + 1, len(r) - 1)] == r[pos])
    big = np.abs(a) >= _EXACT_FLOAT
    if big.any():
        tied[np.unique(np.searchsorted(starts, np.flatnonzero(big), side="right") - 1)] = True
    groups = g[starts]
    out.loc[groups, "unit_peers"] = count
    for end, pos in zip(("low", "high"), positions):
        common = np.gcd(a[pos], c[pos])  # in lowest terms, as a Fraction is: one way to store a ratio
        out.loc[groups, f"unit_{end}_amount"] = a[pos] // common
        out.loc[groups, f"unit_{end}_capacity"] = c[pos] // common
    for i in np.flatnonzero(tied):
        pairs = list(zip(a[starts[i]:ends[i]].tolist(), c[starts[i]:ends[i]].tolist()))
        lo, hi = (len(pairs) - 1) // 2, len(pairs) // 2
        at = _exact_order(pairs, {lo, hi})
        for end, p in (("low", lo), ("high", hi)):
            out.loc[groups[i], [f"unit_{end}_amount", f"unit_{end}_capacity"]] = [at[p].numerator, at[p].denominator]


def stats_from_groups(own: list[dict], capacity: int | None) -> list[dict]:
    """`peer_stats` of one institution from its rows joined with rollup_peer_groups: per specific
    its plan_adjusted, `below` (peers spending less) and the group's stored quantiles."""
    result = []
    for r in own:
        n = r["peers"]
        row = {"specific_code": r["specific_code"], "peers": n, "value": r["plan_adjusted"]}
        for name, quarters in QUARTILES:
            row[name] = _at_quarter(r[f"{name}_low"], r[f"{name}_high"], n, quarters)
        row["position"] = r["below"] / (n - 1) if n > 1 else None
        row["per_unit"] = Fraction(r["plan_adjusted"], capacity) if capacity else None
        row["per_unit_median"] = None
        if capacity and r["unit_peers"]:
            low = Fraction(r["unit_low_amount"], r["unit_low_capacity"])
            high = Fraction(r["unit_high_amount"], r["unit_high_capacity"])
            row["per_unit_median"] = low + (high - low) * Fraction((r["unit_peers"] - 1) % 2, 2)
        result.append(row)
    return sorted(result, key=lambda r: (-r["value"], r["specific_code"]))
