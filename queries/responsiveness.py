"""How institutions answer public appeals (issue 14): per institution, district or region.

- received: public appeals (approved, not hidden, not rejected: queries.appeals.publicly_visible);
- answered: those answered or resolved; `answered_share` = answered ÷ received (None without any);
- median_days: the median of the working days each answered appeal took, None without any;
- overdue: open appeals past their deadline now.

Working days to answer: the working days (dashboard/appeals/deadline.is_working_day: Monday to
Friday minus Kazakhstan's fixed public holidays) after the day the appeal arrived, up to and
including the day it was answered, by UTC dates as the answer deadline counts them. An answer
on the day of arrival took 0 days; arriving on Friday and answered on Monday, 1 day. An appeal
answered exactly at its deadline of N working days took N.
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence

from sqlalchemy import Connection, and_, case, func, select

from dashboard.appeals.deadline import is_working_day
from dashboard.schema import OPEN_STATUSES, appeals, districts, institutions as inst, regions
from queries.appeals import as_utc, publicly_visible, utcnow

ANSWERED = ("answered", "resolved")
LEVELS = ("region", "district", "institution")


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Working days after `start`'s date up to and including `end`'s date (0 on the same day)."""
    day, last, days = start.date(), end.date(), 0
    while day < last:
        day += dt.timedelta(days=1)
        days += is_working_day(day)
    return days


def _key(level: str):
    return {"region": inst.c.region_code, "district": inst.c.district_code, "institution": inst.c.id}[level]


def _where(region: str | None, sectors: Sequence[str]) -> list:
    parts = [publicly_visible()]
    if region:
        parts.append(inst.c.region_code == region)
    if sectors:
        parts.append(inst.c.sector_code.in_(list(sectors)))
    return parts


def _stats(received: int, answered: int, overdue: int, days: list[int]) -> dict:
    return {"received": received, "answered": answered, "answered_share": answered / received if received else None,
            "median_days": statistics.median(days) if days else None, "overdue": overdue}


def responsiveness(conn: Connection, level: str, *, region: str | None = None, sectors: Sequence[str] = (),
                   institution_ids: Sequence[int] | None = None, now: dt.datetime | None = None) -> dict:
    """{key: stats} per region code, district code or institution id (see the module docstring),
    public appeals only; `region` narrows to one region's institutions, `sectors` to their sectors.
    Regions and districts come with every place (no appeals: zeros and None); institutions only
    those with public appeals."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    key = _key(level).label("key")
    where = _where(region, sectors)
    if institution_ids is not None:
        where.append(inst.c.id.in_(list(institution_ids)))
    is_open = appeals.c.status.in_(OPEN_STATUSES)
    joined = appeals.join(inst, inst.c.id == appeals.c.institution_id)
    counts = conn.execute(
        select(key, func.count(appeals.c.id),
               func.coalesce(func.sum(case((appeals.c.status.in_(ANSWERED), 1), else_=0)), 0),
               func.coalesce(func.sum(case((and_(is_open, appeals.c.due_at < (now or utcnow())), 1), else_=0)), 0))
        .select_from(joined).where(*where).group_by(key)).all()
    days: dict = {}
    answered = (select(key, appeals.c.created_at, appeals.c.answered_at).select_from(joined)
                .where(*where, appeals.c.status.in_(ANSWERED), appeals.c.answered_at.is_not(None)))
    for k, created, done in conn.execute(answered):
        days.setdefault(k, []).append(working_days_between(as_utc(created), as_utc(done)))
    found = {k: _stats(int(n), int(a), int(o), days.get(k, [])) for k, n, a, o in counts}
    if level == "institution":
        return found
    if level == "region":
        places = select(regions.c.code).order_by(regions.c.sort_order)
    else:
        places = select(districts.c.code).order_by(districts.c.code)
        if region:
            places = places.where(districts.c.region_code == region)
    return {code: found.get(code, _stats(0, 0, 0, [])) for code in conn.execute(places).scalars()}


def institution_responsiveness(conn: Connection, institution_id: int, now: dt.datetime | None = None) -> dict:
    """The stats of one institution (zeros and None when it has no public appeals)."""
    return responsiveness(conn, "institution", institution_ids=[institution_id], now=now).get(
        institution_id, _stats(0, 0, 0, []))


def responsiveness_rows(conn: Connection, level: str, *, region: str | None = None,
                        now: dt.datetime | None = None) -> list[dict]:
    """The API's rows: code (BIN for institutions), names and stats, in the places' order
    (institutions: most appeals received first, then BIN)."""
    stats = responsiveness(conn, level, region=region, now=now)
    if level == "institution":
        q = select(inst.c.id, inst.c.bin.label("code"), inst.c.name_kk, inst.c.name_ru, inst.c.name_en,
                   inst.c.region_code, inst.c.district_code).where(inst.c.id.in_(list(stats)))
        rows = [{**{k: v for k, v in r.items() if k != "id"}, **stats[r["id"]]} for r in conn.execute(q).mappings()]
        return sorted(rows, key=lambda r: (-r["received"], r["code"]))
    table = regions if level == "region" else districts
    names = {r["code"]: r for r in conn.execute(select(table.c.code, table.c.name_kk, table.c.name_ru,
                                                       table.c.name_en)).mappings()}
    return [{**names[code], **s} for code, s in stats.items()]
