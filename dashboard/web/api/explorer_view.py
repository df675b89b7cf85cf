"""`/api/v1/explorer`: what the explorer's front page shows for a selection — the totals, the
regions (or a region's districts), the sectors and the largest institutions — now or as of a
publication (`asof`), with the publications the numbers come from. The same query functions as
the page (queries/asof.py's ExplorerNumbers).

    /api/v1/explorer?year=2025&months=1-6&sectors=education&region=KZ-11&asof=42
"""
from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, jsonify

from dashboard.web.api import params as p, request_connection
from dashboard.csvout import money_to_tenge
from dashboard.web.api.params import ApiError
from dashboard.schema import districts, regions, sectors
from queries import asof as asof_q, catalog
from queries.explorer import NAME_COLUMNS, Selection, available_years

PARAMETERS = {"year", "months", "sectors", "region", "district", "asof", "n", "format"}
_MONTHS = re.compile(r"(\d{1,2})(?:-(\d{1,2}))?")


def asof_param(conn) -> int | None:
    """`asof`: the id of a publication in the log (404 for one that is not there)."""
    value = p.integer("asof", lo=1, hi=2**31 - 1)
    if value is not None and asof_q.publication(conn, value) is None:
        raise ApiError(404, f"no publication with id {value} in the publications log", "asof")
    return value


def _months() -> tuple[int, int]:
    raw = p.text_param("months", 5)
    if raw is None:
        return (1, 12)
    found = _MONTHS.fullmatch(raw)
    first, last = (int(found[1]), int(found[2] or found[1])) if found else (0, 0)
    if not (1 <= first <= last <= 12):
        raise ApiError(400, f"months must look like 3 or 1-6 (1 to 12, first ≤ last), got {raw!r}", "months")
    return first, last


def _publication(row: dict) -> dict:
    out = {k: row[k] for k in ("id", "source", "kind", "description", "institutions", "lines", "published_by")}
    at = row["published_at"]
    if at.tzinfo is None:  # SQLite stores UTC without a zone
        at = at.replace(tzinfo=dt.timezone.utc)
    out["published_at"] = at.isoformat()
    if "view_lines" in row:
        out["view_lines"] = row["view_lines"]
    return out


def register(bp: Blueprint, engine) -> None:
    @bp.get("/explorer")
    def explorer_view():
        p.reject_unknown(PARAMETERS)
        if p.output_format() != "json":
            raise ApiError(400, "format=csv is not available here (the answer is not a table)", "format")
        conn = request_connection(engine)
        year = p.integer("year", lo=2000, hi=2100)
        if year is None:
            years = available_years(conn)
            if not years:
                raise ApiError(404, "no budget data yet", "year")
            year = years[-1]
        months = _months()
        raw = p.text_param("sectors", 400)
        chosen = tuple(s for s in (raw or "").split(",") if s)
        known = catalog.codes(conn, sectors.c.code)
        if any(s not in known for s in chosen):
            raise ApiError(400, f"sectors must be codes of {', '.join(sorted(known))}", "sectors")
        region = p.choice("region", lambda: catalog.codes(conn, regions.c.code))
        district = p.choice("district", lambda: catalog.codes(conn, districts.c.code))
        if district and not region:
            raise ApiError(400, "district needs its region", "district")
        if district and district not in {d["code"] for d in catalog.region_districts(conn, region)}:
            raise ApiError(400, f"district {district} is not in region {region}", "district")
        n = p.integer("n", 5, lo=1, cap=p.MAX_TOP)
        asof = asof_param(conn)
        sel = Selection(year, months, tuple(sorted(chosen)), region, district)
        numbers = asof_q.ExplorerNumbers(asof)
        areas = numbers.by_district(conn, sel) if region else numbers.by_region(conn, sel)
        keep = ("code", *NAME_COLUMNS, "population", "plan_adjusted", "paid")
        pinned = asof if asof is not None else asof_q.latest_publication_id(conn)
        return jsonify({
            "selection": {"year": year, "months": list(months), "sectors": list(sel.sectors), "region": region,
                          "district": district},
            "asof": asof, "version": pinned,
            "totals": money_to_tenge(numbers.totals(conn, sel)),
            "areas": [money_to_tenge({k: a[k] for k in keep if k in a}) for a in areas],
            "sectors": sorted((money_to_tenge({k: s[k] for k in ("code", *NAME_COLUMNS, "plan_adjusted", "paid")})
                               for s in numbers.by_sector(conn, sel)), key=lambda s: s["code"]),
            "top_institutions": [money_to_tenge({k: r[k] for k in ("bin", *NAME_COLUMNS, "sector_code",
                                                                    "district_code", "plan_adjusted", "paid")})
                                 for r in numbers.top_institutions(conn, sel, n)],
            "sources": [_publication(s) for s in asof_q.sources(conn, sel, asof=asof)],
        })
