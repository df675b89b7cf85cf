"""Shared pieces of the detectors: peer groups, robust statistics, target filtering, scores."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from dashboard.anomalies import thresholds as th
from dashboard.anomalies.model import PAID_COLUMNS, PLAN_COLUMNS, ScanData

FINEST_GRAIN = "month"  # lines are monthly: no weekly or daily dates exist to look at


def size_class(institutions: pd.DataFrame) -> pd.Series:
    """Capacity quartile band (0..3) within each type, by institution id; -1 without capacity."""
    cap = pd.to_numeric(institutions["capacity"], errors="coerce").astype(float)
    ranks = cap.groupby(institutions["type_code"]).rank(pct=True, method="average")
    band = np.floor(ranks.fillna(-1).to_numpy() * th.SIZE_CLASSES).clip(-1, th.SIZE_CLASSES - 1)
    return pd.Series(np.where(cap.isna(), -1, band).astype(int), index=institutions["id"].to_numpy())


def paid_matrix(lines: pd.DataFrame) -> np.ndarray:
    return lines[list(PAID_COLUMNS)].to_numpy(np.int64)


def plan_matrix(lines: pd.DataFrame) -> np.ndarray:
    return lines[list(PLAN_COLUMNS)].to_numpy(np.int64)


def wanted(data: ScanData, frame: pd.DataFrame) -> np.ndarray:
    """Boolean mask of rows (institution_id, year) the scan reports on."""
    mask = np.ones(len(frame), dtype=bool)
    if data.years:
        mask &= frame["year"].isin(data.years).to_numpy()
    if data.targets is not None:
        pairs = set(data.targets)
        mask &= np.fromiter(((int(i), int(y)) in pairs for i, y in zip(frame["institution_id"], frame["year"])),
                            dtype=bool, count=len(frame))
    return mask


def robust(values: pd.Series, keys: list[pd.Series]) -> pd.DataFrame:
    """Per-row group n, median, MAD, quartiles of `values` grouped by `keys` (NaN ignored)."""
    g = values.groupby(keys)
    out = pd.DataFrame({"n": g.transform("count"), "median": g.transform("median"),
                        "q1": g.transform("quantile", 0.25), "q3": g.transform("quantile", 0.75)})
    out["mad"] = (values - out["median"]).abs().groupby(keys).transform("median")
    return out


def peer_stats(frame: pd.DataFrame, value: str, extra_keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """Peer statistics of `value` per row: same type (+extra keys), same region and year;
    nationwide (same type, extra keys and year) where the regional group has < MIN_PEERS."""
    keys = ["type_code", *extra_keys, "year"]
    regional = robust(frame[value], [frame[k] for k in ["region_code", *keys]])
    national = robust(frame[value], [frame[k] for k in keys])
    use_region = (regional["n"] >= th.MIN_PEERS).to_numpy()
    out = national.copy()
    out.loc[use_region] = regional.loc[use_region]
    out["scope"] = np.where(use_region, "region", "country")
    return out


def own_history(table: pd.DataFrame, value: str) -> pd.DataFrame:
    """Per (institution_id, year) of `table`: the median (h_med) and MAD (h_mad) of `value` over
    the institution's OTHER years, and how many other years have a value (h_n)."""
    wide = table.pivot(index="institution_id", columns="year", values=value)
    values = wide.to_numpy(float)
    parts = []
    for j, year in enumerate(wide.columns):
        others = np.delete(values, j, axis=1)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no history
            med = np.nanmedian(others, axis=1)
            mad = np.nanmedian(np.abs(others - med[:, None]), axis=1)
        parts.append(pd.DataFrame({"institution_id": wide.index.to_numpy(), "year": year, "h_med": med,
                                   "h_mad": mad, "h_n": np.sum(~np.isnan(others), axis=1)}))
    history = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["institution_id", "year", "h_med", "h_mad", "h_n"])
    return table[["institution_id", "year"]].merge(history, on=["institution_id", "year"], how="left")


def squash(x: float, half: float) -> float:
    """Monotone map of an excess x ≥ 0 into [0, 1): x / (x + half), 0.5 at x = half."""
    x = max(float(x), 0.0)
    return round(x / (x + half), 4)


def line_ref(row, months: list[int] | None = None) -> dict:
    """The `Flag.lines` entry for a line-year row."""
    ref = {"program": str(row.program_code), "subprogram": str(row.subprogram_code),
           "specific": int(row.specific_code)}
    if months is not None:
        ref["months"] = [int(m) for m in months]
    return ref


def num(x, digits: int = 4):
    """A plain JSON number (None for NaN)."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return None
    return round(float(x), digits)
