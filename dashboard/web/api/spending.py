"""`/api/v1/spending`: the totals the map and its panels show, grouped and filtered (queries/spending.py).

    /api/v1/spending?year=2025&group_by=region,sector&months=1-6&sector=education,health&format=csv
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify

from dashboard.web.api import params as p, request_connection
from dashboard.csvout import csv_text, tenge_text
from dashboard.web.api.params import ApiError
from dashboard.schema import MONEY_COLUMNS, districts, institution_types, regions, sectors
from queries import catalog
from queries.explorer import Selection
from queries.spending import DIMENSIONS, populations, spending

_MONTHS = re.compile(r"(\d{1,2})(?:-(\d{1,2}))?")
PER_CAPITA = tuple(f"{c}_per_capita" for c in MONEY_COLUMNS)
PARAMETERS = {"year", "months", "region", "district", "sector", "type", "group_by", "format"}


def per_capita_tiyn(tiyn: int, people: int) -> int:
    """tiyn ÷ inhabitants rounded half away from zero to a whole tiyn, in integers."""
    whole, rest = divmod(abs(tiyn) * 2 + people, people * 2)
    return whole if tiyn >= 0 else -whole


def group_by_param() -> tuple[str, ...]:
    """`group_by`: dimensions, comma separated, each at most once ("" or absent: the total)."""
    raw = p.text_param("group_by") or ""
    dims = tuple(d.strip() for d in raw.split(",") if d.strip())
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise ApiError(400, f"group_by: unknown dimension {unknown[0]!r}; allowed: {', '.join(DIMENSIONS)}",
                       "group_by")
    if len(set(dims)) != len(dims):
        raise ApiError(400, "group_by names a dimension twice", "group_by")
    return dims


def months_param() -> tuple[int, int]:
    """`months`: "3" or "1-6" (first and last month, inclusive); default the whole year."""
    raw = p.text_param("months", 5)
    if raw is None:
        return 1, 12
    match = _MONTHS.fullmatch(raw)
    first, last = (int(match[1]), int(match[2] or match[1])) if match else (0, 0)
    if not (1 <= first <= last <= 12):
        raise ApiError(400, f"months must be a month 1-12 or a range such as 1-6, got {raw!r}", "months")
    return first, last


def code_list(name: str, known) -> tuple[str, ...]:
    """A comma-separated list of known codes (`known` is called only when the parameter is given)."""
    raw = p.text_param(name, 1000)
    if not raw:
        return ()
    values = tuple(sorted({v.strip() for v in raw.split(",") if v.strip()}))
    allowed = known()
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ApiError(400, f"{name}: unknown code {bad[0]!r}", name)
    return values


def register(bp: Blueprint, engine) -> None:
    def known(column):
        return lambda: catalog.codes(request_connection(engine), column)

    @bp.get("/spending")
    def spending_totals():
        """Plan, adjusted plan, obligations and paid of a selection, grouped (queries/spending.py)."""
        p.reject_unknown(PARAMETERS)
        year = p.integer("year", lo=2000, hi=2100)
        if year is None:
            raise ApiError(400, "year is required", "year")
        months = months_param()
        region = p.choice("region", known(regions.c.code))
        district = p.choice("district", known(districts.c.code))
        chosen_sectors = code_list("sector", known(sectors.c.code))
        types = code_list("type", known(institution_types.c.code))
        group_by = group_by_param()
        fmt = p.output_format()
        conn = request_connection(engine)
        if region and district and district not in {d["code"] for d in catalog.region_districts(conn, region)}:
            raise ApiError(400, f"district {district!r} is not in region {region!r}", "district")
        sel = Selection(year, months, chosen_sectors, region, district)
        rows = spending(conn, sel, group_by, types)
        level = "district" if "district" in group_by else "region" if "region" in group_by else None
        columns = [*group_by, *MONEY_COLUMNS]
        if level:
            people = populations(conn, level, year)
            columns += ["population", *PER_CAPITA]
            for row in rows:
                row["population"] = n = people.get(row[level])
                for c in MONEY_COLUMNS:
                    row[f"{c}_per_capita"] = per_capita_tiyn(row[c], n) if n else None
        rows = [{k: tenge_text(v) if (k in MONEY_COLUMNS or k in PER_CAPITA) and v is not None else v
                 for k, v in row.items()} for row in rows]
        if fmt == "csv":
            return Response(csv_text(rows, columns), mimetype="text/csv",
                            headers={"Content-Disposition": f'inline; filename="spending-{year}.csv"'})
        return jsonify({"year": year, "months": list(months), "group_by": list(group_by),
                        "filters": {"region": region, "district": district, "sector": list(chosen_sectors),
                                    "type": list(types)},
                        "data": rows})
