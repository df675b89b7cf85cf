"""Leaders of every month range (rollup_range_leaders), kept in step with the monthly rollup.

Per year, month range, region and sector: the institutions with the largest adjusted plan over the
range (LEADERS of them, ranked as the explorer ranks: plan descending, then id) and how many
institutions had lines in it. The explorer's top institutions and institution count for a country,
region or sector read a few hundred of these rows instead of summing every institution's months
(a country-wide month range: 181 ms at 17,000 institutions, 459 ms at 50,000).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, delete, select, true

from dashboard.schema import institutions as inst, rollup_institution_month as rim, rollup_range_leaders as rrl
from queries.bulk import read_frame, write_frame
from queries.peer_groups import regions_in_scope

LEADERS = 5  # per group: the explorer's top five (a longer list is summed from the monthly rollup)
RANGES = tuple((first, last) for first in range(1, 13) for last in range(first, 13))  # 78, the whole year too
COLUMNS = ["year", "first_month", "last_month", "region_code", "sector_code", "rank", "institution_id",
           "plan_adjusted", "paid", "institutions"]
_SAFE = 2 ** 59  # |monthly amount| below this: twelve of them sum in int64 without wrapping
LONG = ["year", "region_code", "sector_code", "institution_id", "month", "plan_adjusted", "paid"]


def refresh_range_leaders(conn: Connection, years: Iterable[int] | None = None,
                          regions: Iterable[str] | None = None, institution_ids: Iterable[int] | None = None) -> None:
    """Recompute the leaders of these years in these regions and the regions these institutions are
    in now (None for both: every region; years None: every year). Call after the monthly rollup
    changed, or an institution's region or sector did (name its old region too)."""
    yrs = None if years is None else sorted(set(years))
    places = regions_in_scope(conn, regions, institution_ids)
    if (yrs is not None and not yrs) or (places is not None and not places):
        return
    scope = and_(true(), *([rim.c.year.in_(yrs)] if yrs is not None else []),
                 *([inst.c.region_code.in_(places)] if places is not None else []))
    months = (select(rim.c.year, inst.c.region_code, inst.c.sector_code, rim.c.institution_id, rim.c.month,
                     rim.c.plan_adjusted, rim.c.paid)
              .select_from(rim.join(inst, inst.c.id == rim.c.institution_id)).where(scope))
    frame = read_frame(conn, months, LONG, {"region_code": str, "sector_code": str})  # codes stay text
    stored = and_(true(), *([rrl.c.year.in_(yrs)] if yrs is not None else []),
                  *([rrl.c.region_code.in_(places)] if places is not None else []))
    conn.execute(delete(rrl).where(stored))
    write_frame(conn, rrl, leader_rows(frame))


def leader_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of rollup_range_leaders from monthly rows (LONG: one per institution, year and month
    with lines): an institution ranks in a range it has lines in."""
    parts = [_year_rows(int(year), rows) for year, rows in frame.groupby("year", sort=True)] if len(frame) else []
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def _year_rows(year: int, rows: pd.DataFrame) -> pd.DataFrame:
    ids, row_of = np.unique(rows["institution_id"].to_numpy(np.int64), return_inverse=True)
    month = rows["month"].to_numpy(np.int64)
    amounts = [rows[c].to_numpy(np.int64) for c in ("plan_adjusted", "paid")]  # BIGINT: always fits
    exact = any(len(a) and max(abs(int(a.min())), abs(int(a.max()))) >= _SAFE for a in amounts)
    kind = object if exact else np.int64
    plan, paid = (np.zeros((len(ids), 13), dtype=kind) for _ in range(2))
    lines = np.zeros((len(ids), 13), dtype=np.int64)
    plan[row_of, month] = [int(v) for v in amounts[0]] if exact else amounts[0]
    paid[row_of, month] = [int(v) for v in amounts[1]] if exact else amounts[1]
    lines[row_of, month] = 1
    # Column m: January to month m (column 0: zero), so a range's sum is two columns' difference.
    plan, paid, lines = (np.cumsum(a, axis=1) for a in (plan, paid, lines))
    first_rows = np.unique(row_of, return_index=True)[1]  # an institution's region and sector, in ids' order
    region = rows["region_code"].to_numpy(object)[first_rows]
    sector = rows["sector_code"].to_numpy(object)[first_rows]
    group = pd.factorize(pd.Series(region + "\0" + sector))[0]
    group = group.astype(np.int16) if len(group) and group.max() < 2 ** 15 else group
    out = []
    for first, last in RANGES:
        inside = np.flatnonzero(lines[:, last] - lines[:, first - 1] > 0)
        sums = plan[inside, last] - plan[inside, first - 1]
        g = group[inside]
        if exact:  # Python ints: ordered in Python, exactly
            order = np.array(sorted(range(len(inside)), key=lambda k: (g[k], -sums[k], ids[inside[k]])), dtype=np.int64)
        else:  # by sum, ids ascending among equals (stable), then by group (stable: a radix sort of int16)
            order = np.argsort(-sums, kind="stable")
            order = order[np.argsort(g[order], kind="stable")]
        g = g[order]
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        sizes = np.diff(np.r_[starts, len(g)])
        rank = np.arange(len(g)) - np.repeat(starts, sizes)
        keep = rank < LEADERS
        chosen = inside[order[keep]]
        out.append(pd.DataFrame({
            "year": year, "first_month": first, "last_month": last, "region_code": region[chosen],
            "sector_code": sector[chosen], "rank": rank[keep] + 1, "institution_id": ids[chosen],
            "plan_adjusted": plan[chosen, last] - plan[chosen, first - 1],
            "paid": paid[chosen, last] - paid[chosen, first - 1],
            "institutions": np.repeat(sizes, np.minimum(sizes, LEADERS))}))
    return pd.concat(out, ignore_index=True)[COLUMNS]
