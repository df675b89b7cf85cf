"""Paid above the adjusted plan: per line and month, per line cumulatively, and in total.

Normally a month's payment stays within its adjusted plan (нақтыланған жоспар / скорректированный
план). An overrun counts when it is material: PAP_MIN_EXCESS tenge AND PAP_MIN_RATIO of the plan,
so rounding noise never flags. Cumulative overruns (Jan..m) catch a line paying ahead of plan.
"""
from __future__ import annotations

import numpy as np

from dashboard.anomalies import thresholds as th
from dashboard.anomalies.detectors._common import line_ref, num, paid_matrix, plan_matrix, squash, wanted
from dashboard.anomalies.model import Flag, ScanData

NAME = "paid_above_plan"


def _material(paid: np.ndarray, plan: np.ndarray) -> np.ndarray:
    excess = paid - plan
    return (excess >= th.PAP_MIN_EXCESS) & (paid >= plan * th.PAP_MIN_RATIO)


def detect(data: ScanData) -> list[Flag]:
    lines = data.lines
    if lines.empty:
        return []
    paid, plan = paid_matrix(lines), plan_matrix(lines)
    monthly = _material(paid, plan)
    cumulative = _material(np.cumsum(paid, axis=1), np.cumsum(plan, axis=1))
    hit_rows = np.flatnonzero((monthly.any(axis=1) | cumulative.any(axis=1)) & wanted(data, lines))
    flags: list[Flag] = []
    if hit_rows.size == 0:
        return flags
    keys = lines[["institution_id", "year"]].to_numpy()
    groups: dict[tuple[int, int], list[int]] = {}
    for i in hit_rows:
        groups.setdefault((int(keys[i, 0]), int(keys[i, 1])), []).append(int(i))
    for (institution_id, year), rows in groups.items():
        mine = (keys[:, 0] == institution_id) & (keys[:, 1] == year)
        worst, worst_m, worst_excess = rows[0], 0, -1
        refs = []
        for i in rows:
            months = np.flatnonzero(monthly[i] | cumulative[i])
            excess = paid[i] - plan[i]
            m = int(months[np.argmax(excess[months])])
            if excess[m] > worst_excess:
                worst, worst_m, worst_excess = i, m, int(excess[m])
            refs.append(line_ref(lines.iloc[i], [int(k) + 1 for k in np.flatnonzero(monthly[i])] or
                                 [int(months[0]) + 1]))
        p, q = int(paid[worst, worst_m]), int(plan[worst, worst_m])
        year_paid, year_plan = int(paid[mine].sum()), int(plan[mine].sum())
        cum_paid, cum_plan = np.cumsum(paid[worst]), np.cumsum(plan[worst])
        ratio = p / q if q > 0 else None
        evidence = {
            "month": worst_m + 1, "paid": p, "plan": q, "excess": p - q, "ratio": num(ratio, 3),
            "cumulative_paid": int(cum_paid[worst_m]), "cumulative_plan": int(cum_plan[worst_m]),
            "line_year_paid": int(paid[worst].sum()), "line_year_plan": int(plan[worst].sum()),
            "year_paid": year_paid, "year_plan": year_plan, "year_over_plan": year_paid > year_plan,
            "lines_over_plan": len(rows), "min_excess": th.PAP_MIN_EXCESS, "min_ratio": th.PAP_MIN_RATIO,
        }
        strength = np.log(ratio) if ratio else 1.0
        flags.append(Flag(institution_id, year, NAME, squash(strength, 0.2), evidence,
                          [refs[rows.index(worst)]] + [r for k, r in enumerate(refs) if rows[k] != worst]))
    return flags
