"""Citizens' reports: every discrepancy appeal is a signal on its institution and year.

Year: the line's year when the appeal names a line, else the year it was created. Published or
not counts (moderation is about showing the text, not about whether the numbers are right), and
so does any status: a rejected report stays on record, with a lower score. Hidden appeals
(abusive content) are left out: a moderator judged the text unfit, and an analyst cannot act on
a text nobody may quote.
"""
from __future__ import annotations


from dashboard.anomalies.detectors._common import squash, wanted
from dashboard.anomalies.model import Flag, ScanData
from dashboard.schema import OPEN_STATUSES

NAME = "citizen_reports"


def detect(data: ScanData) -> list[Flag]:
    a = data.appeals
    if a.empty:
        return []
    a = a[(a["kind"] == "discrepancy") & ~a["hidden"]]
    if a.empty:
        return []
    year = a["line_year"].astype("Float64").fillna(a["created_at"].dt.year.astype("Float64")).astype(int)
    a = a.assign(year=year.to_numpy())
    a = a[wanted(data, a)]
    flags = []
    for (institution_id, yr), g in a.groupby(["institution_id", "year"], sort=True):
        refs, seen = [], set()
        for r in g[g["line_specific_code"].notna()].itertuples(index=False):
            key = (str(r.line_program_code), str(r.line_subprogram_code), int(r.line_specific_code))
            if key not in seen:
                seen.add(key)
                refs.append({"program": key[0], "subprogram": key[1], "specific": key[2]})
        open_ = int(g["status"].isin(OPEN_STATUSES).sum())
        rejected = int((g["status"] == "rejected").sum())
        evidence = {"reports": len(g), "open": open_, "rejected": rejected,
                    "published": int(g["published"].sum()), "lines_named": len(refs)}
        weight = len(g) - 0.5 * rejected  # a rejected report still counts, for less
        flags.append(Flag(int(institution_id), int(yr), NAME, squash(weight, 1.0), evidence, refs,
                          sorted(int(i) for i in g["id"])))
    return flags
