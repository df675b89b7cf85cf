"""The front page's counters (issue 14), as the original portal had them: institutions that
published, the total published (every year, and the newest year), page views, and public
appeals received and answered. Read from the rollups, the view counters and the appeals."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, select

from dashboard.schema import rollup_institution_year as riy
from queries.appeals import appeal_totals
from queries.views import site_views


def published_totals(conn: Connection) -> dict:
    """{'institutions': that published a budget for any year, 'plan_adjusted': adjusted plan of
    every year (tiyn), 'year': the newest year, 'year_institutions', 'year_plan_adjusted'}."""
    everything = conn.execute(select(func.count(func.distinct(riy.c.institution_id)),
                                     func.coalesce(func.sum(riy.c.plan_adjusted), 0))).one()
    year = conn.execute(select(func.max(riy.c.year))).scalar()
    newest = conn.execute(select(func.count(riy.c.institution_id), func.coalesce(func.sum(riy.c.plan_adjusted), 0))
                          .where(riy.c.year == year)).one() if year is not None else (0, 0)
    return {"institutions": int(everything[0]), "plan_adjusted": int(everything[1]), "year": year,
            "year_institutions": int(newest[0]), "year_plan_adjusted": int(newest[1])}


def view_totals(conn: Connection, today: dt.date | None = None) -> dict:
    """{'views': every counted page view, 'year': this calendar year, 'year_views'}."""
    by_year = site_views(conn)
    year = (today or dt.date.today()).year
    return {"views": sum(by_year.values()), "year": year, "year_views": by_year.get(year, 0)}


def appeal_counters(conn: Connection) -> dict:
    """{'received', 'answered'}: public appeals (approved, not hidden, not rejected)."""
    totals = appeal_totals(conn)
    return {"received": totals["total"], "answered": totals["answered"]}
