"""The admin import page: shows a saved import report (admins only, checked on the server)."""
from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import Input, Output, html
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from dashboard.config import Config
from dashboard.i18n import t
from dashboard.i18n.formatting import format_datetime, format_number
from dashboard.web.imports import PAGE_PATH, load_report
from layouts import ids

_COLOURS = {"loaded": "success", "checked": "info", "partial": "warning", "rejected": "danger"}


def report_view(data: dict, token: str, lang: str) -> html.Div:
    """Summary, counts, the CSV link and the issues as a table (all text, never HTML)."""
    header = [t(f"import.csv.{c}", lang) for c in ("severity", "file", "row", "column", "value", "message")]
    rows = [html.Tr([html.Td(t(f"import.severity.{i['severity']}", lang)), html.Td(i["file"]),
                     html.Td("" if i["row"] is None else i["row"]), html.Td(i["column"] or ""),
                     html.Td("" if i["value"] is None else i["value"], className="text-break"),
                     html.Td(i["message"])],
                    className={"error": "table-danger", "warning": "table-warning"}.get(i["severity"], "table-light"))
            for i in data["issues"]]
    total = data["errors"] + data["warnings"]
    return html.Div([
        dbc.Alert(data["summary"], color=_COLOURS.get(data["status"], "secondary"), id="import-summary"),
        html.P([t("import.web.meta", lang, by=data["by"], seconds=format_number(data["seconds"], lang),
                  at=format_datetime(dt.datetime.fromisoformat(data["at"]), lang)), " ",
                html.A(t("import.web.download", lang), href=f"{PAGE_PATH}/reports/{token}.csv",
                       id="import-report-csv")], className="small"),
        html.P(t("import.web.shown", lang, shown=len(rows), total=total), className="small text-muted")
        if total > len(rows) else None,
        dbc.Table([html.Thead(html.Tr([html.Th(h) for h in header])), html.Tbody(rows)],
                  bordered=True, size="sm", responsive=True, id="import-issues") if rows else None,
    ])


def register(app, config: Config) -> None:
    @app.callback(Output(ids.IMPORT_REPORT, "children"), Input(ids.IMPORT_REPORT_TOKEN, "data"))
    def show_report(state):
        if not current_user.is_authenticated or not current_user.has_role("admin"):
            raise Forbidden("admins only")
        state = state or {}
        token, lang = state.get("report"), state.get("lang") or "ru"
        if not token:
            return None
        data = load_report(config, token)
        if data is None:
            return dbc.Alert(t("import.web.error.no_report", lang), color="warning")
        return report_view(data, token, lang)
