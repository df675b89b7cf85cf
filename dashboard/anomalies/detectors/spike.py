"""One-off spike: one line's month far above its own trend.

Expected amount: what the line's other eleven months of the year imply, given the share that
month usually takes in the line's other years (its seasonal pattern). Shares make a whole-year
budget increase move nothing; the institution's year total is the yardstick for materiality.
Without history, the baseline is the line's median month of the same year. When SPIKE_MAX_LINES or more lines of the institution jump
in the same month, that is dumping or a reorganisation, not a one-off spike.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from dashboard.anomalies import thresholds as th
from dashboard.anomalies.detectors._common import line_ref, num, paid_matrix, squash, wanted
from dashboard.anomalies.model import Flag, ScanData

NAME = "spike"


def median_other_years(cube: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cube[line, year, month] (NaN = absent) → per cell the median over the other years and
    how many other years there are (sorting puts NaN last, so the median is picked by count)."""
    n_years = cube.shape[1]
    med = np.full(cube.shape, np.nan, dtype=np.float32)
    cnt = np.zeros(cube.shape[:2], dtype=np.int16)
    for j in range(n_years if n_years > 1 else 0):  # one year: no history anywhere
        others = np.sort(np.delete(cube, j, axis=1), axis=1)
        n = np.sum(~np.isnan(others[:, :, 0]), axis=1)
        lo = np.clip((n - 1) // 2, 0, None)[:, None, None]
        hi = np.clip(n // 2, 0, None)[:, None, None]
        picked = (np.take_along_axis(others, lo, 1) + np.take_along_axis(others, hi, 1))[:, 0, :] / 2
        med[:, j, :] = np.where(n[:, None] > 0, picked, np.nan)
        cnt[:, j] = n
    return med, cnt


def detect(data: ScanData) -> list[Flag]:
    lines = data.lines
    if lines.empty:
        return []
    money = paid_matrix(lines)  # exact tiyn: sums stay integers, ratios are floats
    line_money = money.sum(axis=1)
    inst_money = lines.assign(t=line_money).groupby(["institution_id", "year"])["t"].transform("sum").to_numpy()
    paid, line_total, inst_total = money.astype(float), line_money.astype(float), inst_money.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (paid / line_total[:, None]).astype(np.float32)  # month's share of its line-year
    line_id = lines.groupby(["institution_id", "program_code", "subprogram_code", "specific_code"],
                            sort=False).ngroup().to_numpy()
    years = np.sort(lines["year"].unique())
    year_idx = np.searchsorted(years, lines["year"].to_numpy())
    cube = np.full((line_id.max() + 1, len(years), 12), np.nan, dtype=np.float32)
    present = line_total > 0
    cube[line_id[present], year_idx[present]] = q[present]
    hist_q, hist_n = median_other_years(cube)
    del cube
    hq, hn = hist_q[line_id, year_idx], hist_n[line_id, year_idx]
    has_hist = hn >= th.MIN_HISTORY_YEARS
    expected = np.full(paid.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # lines with no payment at all
        expected[has_hist] = (hq / (1 - hq) * (line_total[:, None] - paid))[has_hist]  # rest of year, seasonally
        alone = np.flatnonzero(~has_hist & present)  # no history: the line's median month that year
        expected[alone] = np.nanmedian(np.where(paid[alone] > 0, paid[alone], np.nan), axis=1)[:, None]
        ratio = paid / expected
    jump = (ratio >= th.SPIKE_MIN_RATIO) & (paid > 0) & present[:, None]
    # Lines jumping together in the same institution-month: not a one-off spike.
    together = pd.DataFrame(jump.astype(np.int16)).groupby(
        [lines["institution_id"].to_numpy(), lines["year"].to_numpy()]).transform("sum").to_numpy()
    excess = paid - np.nan_to_num(expected, nan=0.0)
    spike = (jump & (together < th.SPIKE_MAX_LINES)
             & (excess >= th.SPIKE_MIN_EXCESS) & (excess >= th.SPIKE_MIN_YEAR_SHARE * inst_total[:, None]))
    rows = np.flatnonzero(spike.any(axis=1) & wanted(data, lines))
    by_key: dict[tuple[int, int], list[int]] = {}
    for i in rows:
        by_key.setdefault((int(lines["institution_id"].iat[i]), int(lines["year"].iat[i])), []).append(int(i))
    flags = []
    for (institution_id, year), found in by_key.items():
        best = max(found, key=lambda k: excess[k][spike[k]].max())
        m = int(np.flatnonzero(spike[best])[np.argmax(excess[best][spike[best]])])
        r = float(ratio[best, m])
        evidence = {"month": m + 1, "paid": int(money[best, m]), "expected": int(round(np.nan_to_num(expected[best, m]))),
                    "ratio": num(r if np.isfinite(r) else None, 2), "line_year_paid": int(line_money[best]), "year_paid": int(inst_money[best]),
                    "share_of_year": num(paid[best, m] / inst_total[best]), "history_years": int(hn[best]),
                    "baseline": "history" if has_hist[best] else "same_year",
                    "lines_jumping_that_month": int(together[best, m]), "spike_lines": len(found),
                    "min_ratio": th.SPIKE_MIN_RATIO, "min_excess": th.SPIKE_MIN_EXCESS,
                    "max_lines": th.SPIKE_MAX_LINES}
        refs = [line_ref(lines.iloc[k], [int(x) + 1 for x in np.flatnonzero(spike[k])]) for k in [best] + [
            k for k in found if k != best]]
        strength = np.log(r / th.SPIKE_MIN_RATIO) + 0.1 if np.isfinite(r) else 3.0
        flags.append(Flag(institution_id, year, NAME, squash(strength, 1.0), evidence, refs))
    return flags
