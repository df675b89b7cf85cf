"""`GET /analyst/export.csv|xlsx?<workspace filters>&sort=<column>:<asc|desc>`: the flags grid as a file.

Built on the server from the same query, filters, rows and sort as the grid (never from rows a
client sends), for analysts only (403 otherwise). Text cells that a spreadsheet would run as a
formula (= + - @ tab CR first) get a leading apostrophe; money is exact tenge (Decimal); the CSV
starts with a UTF-8 BOM so Excel reads Kazakh and Russian letters right.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Flask, Response, request
from sqlalchemy import Engine

from dashboard.web.analyst_params import parse_filters, parse_sort, sort_rows
from dashboard.grid_export import grid_xlsx
from dashboard.i18n import request_language
from dashboard.i18n.formatting import tenge
from dashboard.spreadsheet_safety import neutralise
from dashboard.web.guard import require_analyst
from layouts.analyst_parts import grid_columns, grid_rows
from queries.anomalies import list_flags

MONEY_FIELDS = {"amount"}


def export_table(engine: Engine, args, lang: str) -> tuple[list[dict], list[dict]]:
    """(columns, rows) exactly as the grid shows them for these query parameters: money as tenge."""
    with engine.connect() as conn:
        flags = list_flags(conn, parse_filters(args), limit=None)  # a file holds every flag, not a page
    columns = [c for c in grid_columns(lang) if c.get("field")]
    rows = sort_rows(grid_rows(flags, lang), parse_sort(args.get("sort")))
    out = []
    for row in rows:
        cells = {}
        for c in columns:
            value = row.get(c["field"])
            cells[c["field"]] = tenge(value) if c["field"] in MONEY_FIELDS and value is not None else neutralise(value)
        out.append(cells)
    return columns, out


def _csv(columns: list[dict], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c["headerName"]) for c in columns])
    for row in rows:
        writer.writerow(["" if row[c["field"]] is None else
                         f"{row[c['field']]:.2f}" if isinstance(row[c["field"]], Decimal) else row[c["field"]]
                         for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def register_analyst_export(server: Flask, engine: Engine) -> None:
    """Attach the export endpoints to the Flask server."""

    def send(kind: str) -> Response:
        require_analyst()
        lang = request_language(request.args.get("lang"))
        columns, rows = export_table(engine, request.args, lang)
        if kind == "csv":
            body, mimetype = _csv(columns, rows), "text/csv; charset=utf-8"
        else:
            body = grid_xlsx(columns, None, rows, title="flags")
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="anomaly-flags.{kind}"'
        response.headers["Cache-Control"] = "private, no-store"  # analysts' data: never in a shared cache
        return response

    @server.get("/analyst/export.csv")
    def analyst_export_csv():
        return send("csv")

    @server.get("/analyst/export.xlsx")
    def analyst_export_xlsx():
        return send("xlsx")
