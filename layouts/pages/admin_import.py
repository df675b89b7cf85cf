"""Admin page: import institutions, budget lines or boundaries from a file and read the report."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import request_language, t
from layouts import ids
from layouts.components.appeals import csrf_field, file_slot, hidden
from layouts.pages.staff import _guarded

PATH = "/admin/import"
MODES = ("all_or_nothing", "dry_run", "skip_invalid")


def _field(label: str, control, html_for: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=html_for, className="form-label"), control], className="mb-3")


def layout(lang: str | None = None, report: str | None = None, error: str | None = None, **_q) -> html.Div:
    lang = request_language(lang)
    form = html.Form([
        csrf_field(), hidden("lang", lang),
        dbc.Row([
            dbc.Col(_field(t("import.web.kind", lang), dbc.Select(
                id="import-kind", name="kind", value="lines",
                options=[{"label": t(f"import.web.kind.{k}", lang), "value": k}
                         for k in ("lines", "institutions", "boundaries")]), "import-kind"), md=4),
            dbc.Col(_field(t("import.web.mode", lang), dbc.Select(
                id="import-mode", name="mode", value="all_or_nothing",
                options=[{"label": t(f"import.web.mode.{m}", lang), "value": m} for m in MODES]), "import-mode"),
                md=8),
        ]),
        _field(t("import.web.file", lang), file_slot("file", "import-file", ".csv,.xlsx,.geojson,.json,text/csv"),
               "import-file"),
        _field(t("import.web.companion", lang),
               file_slot("institutions_file", "import-companion", ".csv,.xlsx,text/csv"), "import-companion"),
        html.Button(t("import.web.submit", lang), type="submit", id="import-submit", className="btn btn-primary"),
        html.P([t("import.web.help", lang), " ", html.Code("docs/data-format.md")], className="small text-muted mt-2"),
    ], action=PATH, method="POST", encType="multipart/form-data", className="card card-body mb-3",
        id="import-form")
    alert = dbc.Alert(t(f"import.web.error.{error}", lang) if error in ("kind", "no_file")
                      else t("import.web.error.generic", lang), color="danger") if error else None
    return _guarded(lang, PATH, "admin", "import.web.title", alert, form,
                    dcc.Loading(html.Div(id=ids.IMPORT_REPORT), type="dot"),
                    dcc.Store(id=ids.IMPORT_REPORT_TOKEN, data={"report": report, "lang": lang}))
