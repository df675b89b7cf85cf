"""Hand-made ScanData for detector tests: institutions, line-years and appeals built in a few calls."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.anomalies.model import PAID_COLUMNS, PLAN_COLUMNS, ScanData

NOW = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)
FLAT = np.array([8, 8, 8, 8, 8, 8, 8.5, 8.5, 8, 8, 8, 12.0])
RISING = np.array([5, 6, 7, 7.5, 8, 8, 8, 8.5, 9, 9, 10, 14.0])
CAPITAL = np.array([1, 1, 2, 4, 8, 12, 14, 14, 13, 10, 8, 13.0])


class Scan:
    """Collects institutions, lines and appeals, then `build()`s a ScanData."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.inst, self.lines, self.appeals = [], [], []

    def institution(self, iid: int, type_code: str = "school", region: str = "R1",
                    capacity: int | None = None, unit: str | None = None) -> int:
        self.inst.append(dict(id=iid, bin=f"{iid:012d}", type_code=type_code, sector_code="education",
                              region_code=region, district_code=region + "-1", capacity=capacity,
                              capacity_unit=unit if capacity else None, unit_kind=unit))
        return iid

    def line(self, iid: int, year: int, paid, plan=None, program: str = "464-003", subprogram: str = "015",
             specific: int = 159) -> None:
        paid = [int(x) for x in paid]
        plan = paid if plan is None else [int(x) for x in plan]
        self.lines.append(dict(institution_id=iid, year=year, program_code=program, subprogram_code=subprogram,
                               specific_code=specific, **dict(zip(PAID_COLUMNS, paid)),
                               **dict(zip(PLAN_COLUMNS, plan))))

    def seasonal(self, iid: int, year: int, annual_tenge: float, season=RISING, specific: int = 159,
                 noise: float = 0.05, months=range(1, 13), **kw) -> None:
        """A line paying `annual_tenge` in the season's shape with a little noise (tiyn)."""
        w = np.asarray(season, float) / np.sum(season)
        paid = np.round(annual_tenge * 100 * w * self.rng.lognormal(0, noise, 12)).astype(np.int64)
        paid[[m - 1 for m in range(1, 13) if m not in months]] = 0
        self.line(iid, year, paid, np.round(paid * 1.03), specific=specific, **kw)

    def school(self, iid: int, years, budget: float = 300e6, region: str = "R1", capacity: int | None = None,
               december_boost: dict | None = None, **kw) -> int:
        """A typical institution: wages flat, goods rising, repairs capital; boost[year] multiplies
        December of its goods and services lines."""
        self.institution(iid, region=region, capacity=capacity, unit="pupils" if capacity else None, **kw)
        for year in years:
            grow = 1.07 ** (year - 2020)
            self.seasonal(iid, year, 0.7 * budget * grow, FLAT, 111)
            for spec, share in ((141, 0.1), (159, 0.1), (151, 0.05)):
                season = RISING.copy()
                season[11] *= (december_boost or {}).get(year, 1.0)
                self.seasonal(iid, year, share * budget * grow * season.sum() / RISING.sum(), season, spec)
            self.seasonal(iid, year, 0.05 * budget * grow, CAPITAL, 414, noise=0.08)
        return iid

    def appeal(self, aid: int, iid: int, kind: str = "question", status: str = "new", created=None, due=None,
               hidden: bool = False, published: bool = True, line=None) -> None:
        created = created or NOW - dt.timedelta(days=40)
        line = line or (None, None, None, None)
        self.appeals.append(dict(id=aid, institution_id=iid, kind=kind, status=status, published=published,
                                 hidden=hidden, created_at=pd.Timestamp(created),
                                 due_at=pd.Timestamp(due or created + dt.timedelta(days=21)), answered_at=pd.NaT,
                                 line_year=line[0], line_program_code=line[1], line_subprogram_code=line[2],
                                 line_specific_code=line[3]))

    def build(self, targets=None, years=None) -> ScanData:
        inst = pd.DataFrame(self.inst)
        inst["capacity"] = pd.array(inst["capacity"], dtype="Int64")
        lines = pd.DataFrame(self.lines)
        cols = ["id", "institution_id", "kind", "status", "published", "hidden", "created_at", "due_at",
                "answered_at", "line_year", "line_program_code", "line_subprogram_code", "line_specific_code"]
        appeals = pd.DataFrame(self.appeals, columns=cols)
        for c in ("created_at", "due_at", "answered_at"):
            appeals[c] = pd.to_datetime(appeals[c], utc=True)
        all_years = sorted(set(lines["year"].astype(int) if len(lines) else [])
                           | set(appeals["created_at"].dt.year.dropna().astype(int))
                           | set(appeals["line_year"].dropna().astype(int)))
        return ScanData(inst, lines, appeals, targets, NOW, years or all_years)


def flagged(flags) -> set[tuple[int, int]]:
    return {(f.institution_id, f.year) for f in flags}
