"""The API endpoints. Each validates its parameters, calls query functions, and renders."""
from __future__ import annotations

from urllib.parse import urljoin

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import Connection

from dashboard.web.api import params as p, request_connection, take_request_connection
from dashboard.csvout import csv_stream, csv_text, money_to_tenge
from dashboard.web.api.openapi import spec, spec_etag
from dashboard.web.api.params import ApiError
from dashboard.schema import (
    MONEY_COLUMNS, districts, institution_types, regions, sectors, specifics,
)
from queries import catalog, institution as inst_q
from queries.asof import InstitutionNumbers, lines as asof_lines
from queries.documents import document_url
from queries.reference import list_regions, list_sectors
from queries.version import data_version

LINE_COLUMNS = ["bin", "year", "month", "program_code", "subprogram_code", "specific_code", *MONEY_COLUMNS]
INSTITUTION_COLUMNS = list(catalog.INSTITUTION_FIELDS)
YEAR_RANGE = dict(lo=2000, hi=2100)
MAX_OFFSET = 10**9


def _render(rows: list[dict], columns: list[str], name: str, extra: dict | None = None):
    """JSON {"data": rows, ...extra} or, with ?format=csv, the rows as CSV."""
    rows = [money_to_tenge(r) for r in rows]
    if p.output_format() == "csv":
        return Response(csv_text(rows, columns), mimetype="text/csv",
                        headers={"Content-Disposition": f'inline; filename="{name}.csv"'})
    return jsonify({**(extra or {}), "data": rows})


def _json_only(allowed: set[str]) -> None:
    p.reject_unknown(allowed | {"format"})
    if p.output_format() != "json":
        raise ApiError(400, "format=csv is not available here (the answer is not a table)", "format")


def _absolute(url: str | None) -> str | None:
    """API clients are not on our pages: give them a full URL (http(s) links stay as they are)."""
    return urljoin(request.host_url, url) if url else None


def register(bp: Blueprint, engine) -> None:
    def db() -> Connection:
        return request_connection(engine)

    def codes(column):
        """The known values of a code column, read only if the parameter is given (a callable
        for p.choice)."""
        return lambda: catalog.codes(db(), column)

    from dashboard.web.api import datapackage, spending  # issue 14: aggregates and the data package

    spending.register(bp, engine)
    from dashboard.web.api import explorer_view  # issue 14: the explorer's numbers, now or as of a publication

    explorer_view.register(bp, engine)
    datapackage.register(bp, engine)

    @bp.route("/<path:unknown>", methods=["GET", "HEAD"])
    def not_found(unknown: str):
        # Without this, Dash's catch-all page route would answer unknown API paths with HTML.
        raise ApiError(404, f"no such endpoint: /api/v1/{unknown}; see /api/v1/openapi.json")

    @bp.get("/openapi.json")
    def openapi():
        """The document changes with the code, not the data: its ETag is a hash of it."""
        p.reject_unknown(set())
        response = jsonify(spec())
        response.set_etag(spec_etag(), weak=True)
        response.cache_control.public = True
        response.cache_control.no_cache = True  # revalidate: a deploy may change it
        return response.make_conditional(request)

    @bp.get("/regions")
    def regions_list():
        p.reject_unknown({"format"})
        rows = list_regions(db())
        return _render(rows, [c.name for c in regions.columns], "regions")

    @bp.get("/regions/<code>/districts")
    def region_districts(code: str):
        p.reject_unknown({"format"})
        if code not in catalog.codes(db(), regions.c.code):
            raise ApiError(404, f"no region with code {code!r}", "code")
        rows = catalog.region_districts(db(), code)
        return _render(rows, [c.name for c in districts.columns], f"districts-{code}")

    @bp.get("/sectors")
    def sectors_list():
        p.reject_unknown({"format"})
        rows = list_sectors(db())
        return _render(rows, [c.name for c in sectors.columns], "sectors")

    @bp.get("/institutions")
    def institutions_list():
        p.reject_unknown({"region", "district", "sector", "type", "year", "q", "limit", "offset", "format"})
        filters = dict(
            region=p.choice("region", codes(regions.c.code)),
            district=p.choice("district", codes(districts.c.code)),
            sector=p.choice("sector", codes(sectors.c.code)),
            type_=p.choice("type", codes(institution_types.c.code)),
            year=p.integer("year", **YEAR_RANGE), q=p.text_param("q"))
        limit = p.integer("limit", p.DEFAULT_LIMIT, lo=1, cap=p.MAX_LIMIT)
        offset = p.integer("offset", 0, lo=0, hi=MAX_OFFSET)
        p.output_format()
        total, rows = catalog.list_institutions(db(), **filters, limit=limit, offset=offset)
        columns = INSTITUTION_COLUMNS + (list(MONEY_COLUMNS) if filters["year"] else [])
        return _render(rows, columns, "institutions", {"total": total, "limit": limit, "offset": offset})

    def _institution(conn, bin_: str) -> dict:
        row = inst_q.get_institution(conn, p.bin_path(bin_))
        if row is None:
            raise ApiError(404, f"no institution with BIN {bin_}", "bin")
        return row

    @bp.get("/institutions/<bin_>")
    def institution_detail(bin_: str):
        _json_only({"asof"})
        conn = db()
        pinned = explorer_view.asof_param(conn)
        row = _institution(conn, bin_)
        years = InstitutionNumbers(pinned).yearly_totals(conn, row["id"])
        docs = InstitutionNumbers(pinned).documents(conn, row["id"], None)
        body = {k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at")}
        body["years"] = [money_to_tenge({k: v for k, v in y.items() if k != "institution_id"}) for y in years]
        body["documents"] = [{"year": d["year"], "title": d["title"], "kind": d["kind"], "url": _absolute(document_url(d))}
                             for d in docs]
        return jsonify({"data": body})

    @bp.get("/institutions/<bin_>/lines")
    def institution_lines(bin_: str):
        p.reject_unknown({"year", "month", "specific", "limit", "offset", "asof", "format"})
        year = p.integer("year", **YEAR_RANGE)
        month = p.integer("month", lo=1, hi=12)
        specific = p.integer("specific", lo=0, hi=32767)
        limit = p.integer("limit", p.MAX_LIMIT, lo=1, cap=p.MAX_LIMIT)
        offset = p.integer("offset", 0, lo=0, hi=MAX_OFFSET)
        p.output_format()
        conn = db()
        if specific is not None and specific not in catalog.codes(conn, specifics.c.code):
            raise ApiError(400, f"specific must be a known economic specific code, got {specific}",
                           "specific")
        pinned = explorer_view.asof_param(conn)
        row = _institution(conn, bin_)
        if pinned is None:
            total, rows = inst_q.lines(conn, row["id"], year, month, specific, limit, offset)
        else:  # as of a publication: the institution's lines then (hundreds), filtered and paged here
            rows = [r for r in asof_lines(conn, row["id"], year, pinned)
                    if (month is None or r["month"] == month) and (specific is None or r["specific_code"] == specific)]
            total, rows = len(rows), rows[offset:offset + limit]
        rows = [{c: r[c] for c in LINE_COLUMNS} for r in rows]
        return _render(rows, LINE_COLUMNS, f"lines-{bin_}", {"total": total, "limit": limit, "offset": offset})

    @bp.get("/top")
    def top():
        p.reject_unknown({"n", "by", "year", "region", "sector", "format"})
        n = p.integer("n", 10, lo=1, cap=p.MAX_TOP)
        by = p.choice("by", set(catalog.RANK_BY), "plan_adjusted")
        region = p.choice("region", codes(regions.c.code))
        sector = p.choice("sector", codes(sectors.c.code))
        year = p.integer("year", **YEAR_RANGE)
        p.output_format()
        conn = db()
        if year is None:
            year = catalog.newest_year(conn)
        rows = [] if year is None else catalog.top_institutions(conn, year, by, n, region, sector)
        return _render(rows, INSTITUTION_COLUMNS + list(MONEY_COLUMNS), "top",
                       {"year": year, "by": by, "n": n})

    @bp.get("/responsiveness")
    def responsiveness_list():
        """How institutions, districts or regions answer public appeals (queries/responsiveness.py)."""
        from queries.responsiveness import LEVELS, responsiveness_rows

        p.reject_unknown({"by", "region", "format"})
        by = p.choice("by", set(LEVELS), "region")
        region = p.choice("region", codes(regions.c.code))
        p.output_format()
        rows = [{**r, "answered_share": None if r["answered_share"] is None else round(r["answered_share"], 4)}
                for r in responsiveness_rows(db(), by, region=region)]
        columns = ["code", "name_kk", "name_ru", "name_en", *(["region_code", "district_code"] if by == "institution"
                                                            else []),
                   "received", "answered", "answered_share", "median_days", "overdue"]
        return _render(rows, columns, f"responsiveness-{by}", {"by": by, "region": region})

    @bp.get("/classification")
    def classification():
        _json_only(set())
        return jsonify({"data": catalog.classification(db())})

    @bp.get("/version")
    def version():
        """The data version (queries/version.py): live pages poll it; an unchanged version costs
        this one read (none within DATA_VERSION_TTL when the response cache shares its reader)."""
        p.reject_unknown(set())
        cache = current_app.extensions.get("response_cache")
        if cache is not None:
            current = cache.versions()
        else:
            with engine.connect() as conn:
                current = data_version(conn)
        response = jsonify({"version": current})
        response.set_etag(f"data-{current}", weak=True)
        response.cache_control.no_cache = True
        return response.make_conditional(request)

    @bp.get("/bulk/lines")
    def bulk_lines():
        p.reject_unknown({"year"})
        year = p.integer("year", **YEAR_RANGE)
        if year is None:
            raise ApiError(400, "year is required", "year")

        # The stream takes over the request's connection (Flask tears the request down before
        # the body is sent): closed when the body ends, or when the server closes the response of
        # a client that left.
        conn = take_request_connection(engine)

        def body():
            try:
                yield from csv_stream(catalog.stream_year_lines(conn, year), LINE_COLUMNS)
            finally:
                conn.close()

        response = Response(body(), mimetype="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="budget-lines-{year}.csv"'})
        response.call_on_close(conn.close)
        return response
