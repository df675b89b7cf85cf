"""Silence: citizens' appeals left overdue, or mostly rejected, at an institution.

Overdue = new or in review with due_at before the scan's clock. The flag's year is the year the
appeals were created. Hidden appeals (abusive content, hidden by a moderator) are left out:
rejecting or ignoring abuse is not silence.
"""
from __future__ import annotations

import pandas as pd

from dashboard.anomalies import thresholds as th
from dashboard.anomalies.detectors._common import num, squash, wanted
from dashboard.anomalies.model import Flag, ScanData
from dashboard.schema import OPEN_STATUSES

NAME = "silence"
DECIDED = ("answered", "resolved", "rejected")


def detect(data: ScanData) -> list[Flag]:
    a = data.appeals
    if a.empty:
        return []
    a = a[~a["hidden"]].assign(year=a["created_at"].dt.year.astype(int))
    now = pd.Timestamp(data.now).tz_convert("UTC") if pd.Timestamp(data.now).tzinfo else pd.Timestamp(data.now, tz="UTC")
    a = a.assign(overdue=a["status"].isin(OPEN_STATUSES) & (a["due_at"] < now),
                 late_days=(now - a["due_at"]).dt.days)
    flags = []
    for (institution_id, year), g in a.groupby(["institution_id", "year"], sort=True):
        if not wanted(data, pd.DataFrame({"institution_id": [institution_id], "year": [year]}))[0]:
            continue
        overdue = g[g["overdue"]]
        decided = g[g["status"].isin(DECIDED)]
        rejected = decided[decided["status"] == "rejected"]
        longest = int(overdue["late_days"].max()) if len(overdue) else 0
        reject_share = len(rejected) / len(decided) if len(decided) else 0.0
        silent = len(overdue) >= th.SILENCE_MIN_OVERDUE or longest >= th.SILENCE_LONG_OVERDUE_DAYS
        rejecting = len(decided) >= th.SILENCE_MIN_DECIDED and reject_share >= th.SILENCE_REJECT_SHARE
        if not (silent or rejecting):
            continue
        evidence = {"appeals": len(g), "overdue": len(overdue), "longest_overdue_days": longest,
                    "decided": len(decided), "rejected": len(rejected), "reject_share": num(reject_share),
                    "min_overdue": th.SILENCE_MIN_OVERDUE, "long_overdue_days": th.SILENCE_LONG_OVERDUE_DAYS,
                    "reject_share_cutoff": th.SILENCE_REJECT_SHARE}
        strength = len(overdue) + longest / th.SILENCE_LONG_OVERDUE_DAYS + (len(rejected) if rejecting else 0)
        ids = sorted(int(i) for i in pd.concat([overdue["id"], rejected["id"] if rejecting else overdue["id"][:0]]))
        flags.append(Flag(int(institution_id), int(year), NAME, squash(strength, 3.0), evidence, [], ids))
    return flags
