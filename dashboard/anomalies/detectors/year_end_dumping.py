"""Year-end dumping: December far above the average month, against own history AND peers.

Statistic: log(December ÷ average of the other months with payments). The EBRD norm is
December ≈ 1.76× the Jan–Nov average, so a high December alone is not a flag; a school that
always pays ~30 % in December (a heating contract) is normal for its own history. An
institution without history is judged by its peers only (no history is never a reason); one
that started mid-year averages only the months it paid. Months are the finest grain.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.anomalies import thresholds as th
from dashboard.anomalies.detectors._common import (
    FINEST_GRAIN, line_ref, num, own_history, paid_matrix, peer_stats, squash, wanted,
)
from dashboard.anomalies.model import Flag, ScanData

NAME = "year_end_dumping"


def december_table(data: ScanData) -> pd.DataFrame:
    """Per institution-year: December paid, the year, the average other month, the log ratio."""
    lines = data.lines
    monthly = pd.DataFrame(paid_matrix(lines), columns=range(1, 13))
    monthly[["institution_id", "year"]] = lines[["institution_id", "year"]].to_numpy()
    per = monthly.groupby(["institution_id", "year"], sort=True).sum()
    m = per.to_numpy(np.int64)
    other = m[:, :11]
    active = (other > 0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        avg = np.where(active > 0, other.sum(axis=1) / np.maximum(active, 1), np.nan)
        ratio = m[:, 11] / avg
    ok = (active >= th.DUMP_MIN_MONTHS) & (m[:, 11] > 0)
    table = pd.DataFrame({"december": m[:, 11], "total": m.sum(axis=1), "other_avg": avg,
                          "active_months": active, "ratio": ratio,
                          "log_ratio": np.where(ok, np.log(np.where(ok, ratio, 1.0)), np.nan)},
                         index=per.index).reset_index()
    return table


def detect(data: ScanData) -> list[Flag]:
    if data.lines.empty:
        return []
    table = december_table(data)
    table = table.merge(data.institutions[["id", "type_code", "region_code"]],
                        left_on="institution_id", right_on="id", how="left")
    peers = peer_stats(table, "log_ratio")
    hist = own_history(table, "log_ratio")
    table = pd.concat([table, hist[["h_med", "h_mad", "h_n"]]], axis=1)
    x = table["log_ratio"].to_numpy()
    peer_spread = np.maximum(peers["mad"].to_numpy() * th.MAD_TO_SD, th.DUMP_MAD_FLOOR)
    peer_excess = x - peers["median"].to_numpy()
    peer_z = peer_excess / peer_spread
    has_hist = table["h_n"].fillna(0).to_numpy() >= th.MIN_HISTORY_YEARS
    hist_excess = x - table["h_med"].to_numpy()
    hist_z = hist_excess / np.maximum(table["h_mad"].to_numpy() * th.MAD_TO_SD, th.DUMP_MAD_FLOOR)
    with np.errstate(invalid="ignore"):
        peer_ok = (peers["n"].to_numpy() >= th.MIN_PEERS) & (peer_excess >= th.DUMP_MIN_EXCESS) & (peer_z >= th.DUMP_MIN_Z)
        hist_ok = ~has_hist | ((hist_excess >= th.DUMP_MIN_EXCESS) & (hist_z >= th.DUMP_MIN_Z))
        hit = (np.exp(np.nan_to_num(x, nan=-9)) >= th.DUMP_MIN_RATIO) & peer_ok & hist_ok & wanted(data, table)
    flags = []
    for i in np.flatnonzero(hit):
        r = table.iloc[i]
        excess = min(peer_excess[i], hist_excess[i] if has_hist[i] else peer_excess[i])
        evidence = {
            "december_paid": int(r["december"]), "year_paid": int(r["total"]),
            "december_share": num(r["december"] / r["total"]), "ratio": num(r["ratio"], 3),
            "months_with_payments": int(r["active_months"]) + 1,
            "peer_scope": peers["scope"].iat[i], "peer_n": int(peers["n"].iat[i]),
            "peer_median_ratio": num(np.exp(peers["median"].iat[i]), 3),
            "peer_q1_ratio": num(np.exp(peers["q1"].iat[i]), 3), "peer_q3_ratio": num(np.exp(peers["q3"].iat[i]), 3),
            "peer_z": num(peer_z[i], 2), "history_years": int(r["h_n"]) if not pd.isna(r["h_n"]) else 0,
            "history_median_ratio": num(np.exp(r["h_med"]), 3) if has_hist[i] else None,
            "history_z": num(hist_z[i], 2) if has_hist[i] else None,
            "norm_ratio": 1.76, "min_ratio": th.DUMP_MIN_RATIO, "min_z": th.DUMP_MIN_Z,
            "min_excess_factor": num(np.exp(th.DUMP_MIN_EXCESS), 3), "finest_grain": FINEST_GRAIN,
        }
        flags.append(Flag(int(r["institution_id"]), int(r["year"]), NAME, squash(excess, 0.7), evidence,
                          _december_lines(data, int(r["institution_id"]), int(r["year"]))))
    return flags


def _december_lines(data: ScanData, institution_id: int, year: int) -> list[dict]:
    """The lines whose December is furthest above their own average month (at most five)."""
    rows = data.lines[(data.lines["institution_id"] == institution_id) & (data.lines["year"] == year)]
    paid = paid_matrix(rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = paid[:, 11] - paid[:, :11].mean(axis=1)
    order = np.argsort(-lift)[:5]
    return [line_ref(rows.iloc[k], [12]) for k in order if lift[k] > 0]
