"""Unit cost: a year's payments per unit of capacity (pupils, beds, km…) against peers.

Peers: same type and size class (capacity quartile band within the type, since small schools
legitimately cost more per pupil) in the same region and year; nationwide when the regional
group has fewer than MIN_PEERS. Log scale, median and MAD. Inside a band, costs are also moved
to the band's middle capacity along the type's own cost-size slope (log-log, fitted on all the
type's institutions of that year, refitted without outliers): the smallest band runs from 5 to
~250 pupils, where unit costs legitimately differ several times. Types without a unit: the year's
total against the institution's own history, adjusted by its peers' median growth.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.anomalies import thresholds as th
from dashboard.anomalies.detectors._common import num, own_history, paid_matrix, peer_stats, size_class, squash, wanted
from dashboard.anomalies.model import Flag, ScanData

NAME = "unit_cost"
CAPITAL_FROM = 400  # economic classification: 1xx current expenditure, 4xx capital


def year_totals(data: ScanData) -> pd.DataFrame:
    """Per institution-year: current spending paid (economic class 1xx; capital 4xx is lumpy, a
    road resurfaced once in five years is not a unit cost), with type, region and capacity."""
    lines = data.lines
    current = lines["specific_code"].to_numpy() < CAPITAL_FROM
    totals = pd.DataFrame({"institution_id": lines["institution_id"].to_numpy(), "year": lines["year"].to_numpy(),
                           "paid": np.where(current, paid_matrix(lines).sum(axis=1), 0)})
    totals = totals.groupby(["institution_id", "year"], as_index=False)["paid"].sum()
    inst = data.institutions[["id", "type_code", "region_code", "capacity", "capacity_unit"]].assign(
        size_class=size_class(data.institutions).to_numpy())
    return totals.merge(inst, left_on="institution_id", right_on="id", how="left")


def detect(data: ScanData) -> list[Flag]:
    if data.lines.empty:
        return []
    totals = year_totals(data)
    totals = totals[totals["paid"] > 0].reset_index(drop=True)
    has_unit = totals["capacity"].notna() & (totals["capacity"].fillna(0) > 0)
    flags = _per_unit(data, totals[has_unit].reset_index(drop=True))
    return flags + _against_history(data, totals[~has_unit].reset_index(drop=True))


def size_slope(log_cap: np.ndarray, log_cost: np.ndarray) -> float:
    """Elasticity of unit cost to size: least squares, refitted without residuals beyond 3 robust SD."""
    if len(log_cap) < th.MIN_PEERS or np.ptp(log_cap) == 0:
        return 0.0
    keep = np.ones(len(log_cap), dtype=bool)
    for _ in range(2):
        slope, intercept = np.polyfit(log_cap[keep], log_cost[keep], 1)
        resid = log_cost - (slope * log_cap + intercept)
        mad = np.median(np.abs(resid - np.median(resid))) * th.MAD_TO_SD
        keep = np.abs(resid - np.median(resid)) <= 3 * max(mad, th.UNIT_MAD_FLOOR)
    return float(slope)


def _with_logs(t: pd.DataFrame) -> pd.DataFrame:
    log_cap = np.log(t["capacity"].to_numpy(float))
    return t.assign(log_cap=log_cap, log_cost=np.log(t["paid"].to_numpy(float)) - log_cap)


def _slopes_and_centers(t: pd.DataFrame) -> tuple[dict, dict]:
    slopes = {f"{k[0]}|{k[1]}": size_slope(g["log_cap"].to_numpy(), g["log_cost"].to_numpy())
              for k, g in t.groupby(["type_code", "year"])}
    centers = {f"{k[0]}|{k[1]}": float(v) for k, v in t.groupby(["type_code", "size_class"])["log_cap"].median().items()}
    return slopes, centers


def baseline(data: ScanData) -> dict:
    """The national statistics a rescore reuses: the cost-to-size slope per type and year and the
    middle capacity of each size band, fitted on every institution of the type."""
    if data.lines.empty:
        return {}
    t = year_totals(data)
    t = t[(t["paid"] > 0) & (t["capacity"].fillna(0) > 0)]
    slopes, centers = _slopes_and_centers(_with_logs(t.reset_index(drop=True)))
    return {"slopes": slopes, "centers": centers}


def _per_unit(data: ScanData, t: pd.DataFrame) -> list[Flag]:
    t = _with_logs(t)
    log_cap = t["log_cap"].to_numpy()
    slopes, centers = _slopes_and_centers(t)
    stored = data.baselines.get(NAME) if data.targets is not None else None
    if stored:  # a rescore: the whole type's slope and band centres, not its peer scope's
        slopes, centers = {**slopes, **stored.get("slopes", {})}, {**centers, **stored.get("centers", {})}
    slope = np.array([slopes[f"{k[0]}|{k[1]}"] for k in zip(t["type_code"], t["year"])])
    center = np.array([centers[f"{k[0]}|{k[1]}"] for k in zip(t["type_code"], t["size_class"])])
    t["adj_cost"] = t["log_cost"] - slope * (log_cap - center)  # at the band's middle capacity
    peers = peer_stats(t, "adj_cost", ("size_class",))
    excess = t["adj_cost"].to_numpy() - peers["median"].to_numpy()
    z = excess / np.maximum(peers["mad"].to_numpy() * th.MAD_TO_SD, th.UNIT_MAD_FLOOR)
    hist = own_history(t, "adj_cost")  # the same cost per unit in the institution's other years
    jump = t["adj_cost"].to_numpy() - hist["h_med"].to_numpy()
    jump_z = jump / np.maximum(hist["h_mad"].to_numpy() * th.MAD_TO_SD, th.UNIT_MAD_FLOOR)
    with np.errstate(invalid="ignore"):
        far = (excess >= np.log(th.UNIT_MIN_RATIO)) & (z >= th.UNIT_MIN_Z)
        # or clearly above peers AND a jump against its own history (a one-year change, not a dear place)
        jumped = ((excess >= np.log(th.UNIT_JUMP_PEER_RATIO)) & (z >= th.UNIT_JUMP_PEER_Z)
                  & (hist["h_n"].to_numpy() >= th.MIN_HISTORY_YEARS)
                  & (jump >= np.log(th.UNIT_JUMP_RATIO)) & (jump_z >= th.UNIT_MIN_Z))
    hit = (peers["n"].to_numpy() >= th.MIN_PEERS) & (far | jumped) & wanted(data, t)
    flags = []
    for i in np.flatnonzero(hit):
        r, p = t.iloc[i], peers.iloc[i]
        cap = int(r["capacity"])
        evidence = {"basis": "per_unit", "spending": "current", "unit": r["capacity_unit"], "capacity": cap,
                    "year_paid": int(r["paid"]),
                    "cost_per_unit": int(r["paid"]) // cap, "size_class": int(r["size_class"]) + 1,
                    "size_classes": th.SIZE_CLASSES, "peer_scope": p["scope"], "peer_n": int(p["n"]),
                    "peer_median_per_unit": int(round(np.exp(p["median"]))),
                    "peer_q1_per_unit": int(round(np.exp(p["q1"]))), "peer_q3_per_unit": int(round(np.exp(p["q3"]))),
                    "cost_per_unit_size_adjusted": int(round(np.exp(r["adj_cost"]))),
                    "ratio": num(np.exp(excess[i]), 3), "z": num(z[i], 2), "size_elasticity": num(slope[i], 3),
                    "history_years": int(hist["h_n"].iat[i]), "history_ratio": num(np.exp(jump[i]), 3),
                    "history_z": num(jump_z[i], 2), "rule": "far_above_peers" if far[i] else "above_peers_and_jump",
                    "min_ratio": th.UNIT_MIN_RATIO, "min_z": th.UNIT_MIN_Z}
        flags.append(Flag(int(r["institution_id"]), int(r["year"]), NAME, squash(excess[i], 1.0), evidence))
    return flags


def _against_history(data: ScanData, t: pd.DataFrame) -> list[Flag]:
    """Detrend each total by its peer group's median year effect, then compare with own history."""
    if t.empty:
        return []
    t = t.assign(log_total=np.log(t["paid"].to_numpy(float)))
    level = t.groupby("institution_id")["log_total"].transform("median")
    t["rel"] = t["log_total"] - level  # the institution's years relative to its own typical year
    peers = peer_stats(t, "rel")
    t["adj"] = t["log_total"] - peers["median"].to_numpy()  # remove the peers' growth of that year
    hist = own_history(t, "adj")
    has = hist["h_n"].fillna(0).to_numpy() >= th.MIN_HISTORY_YEARS
    excess = t["adj"].to_numpy() - hist["h_med"].to_numpy()
    z = excess / np.maximum(hist["h_mad"].to_numpy() * th.MAD_TO_SD, th.TOTAL_MAD_FLOOR)
    with np.errstate(invalid="ignore"):
        hit = has & (excess >= np.log(th.TOTAL_MIN_RATIO)) & (z >= th.TOTAL_MIN_Z) & wanted(data, t)
    flags = []
    for i in np.flatnonzero(hit):
        r = t.iloc[i]
        expected = int(round(np.exp(r["log_total"] - excess[i])))
        evidence = {"basis": "history", "spending": "current", "year_paid": int(r["paid"]), "expected_paid": expected,
                    "ratio": num(np.exp(excess[i]), 3), "z": num(z[i], 2), "history_years": int(hist["h_n"].iat[i]),
                    "peer_scope": peers["scope"].iat[i], "peer_n": int(peers["n"].iat[i]),
                    "peer_growth": num(np.exp(peers["median"].iat[i]) - 1, 4),
                    "min_ratio": th.TOTAL_MIN_RATIO, "min_z": th.TOTAL_MIN_Z}
        flags.append(Flag(int(r["institution_id"]), int(r["year"]), NAME, squash(excess[i], 1.0), evidence))
    return flags
