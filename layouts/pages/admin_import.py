"""Admin page: import institutions, budget lines or boundaries from a file and read the report."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import request_language, t
from layouts import ids
from layouts.components.appeals import csrf_field, file_slot, hidden
from dashboard.importer.columns import SPECS
from layouts.pages.staff import _guarded

PATH = "/admin/import"
MODES = ("all_or_nothing", "dry_run", "skip_invalid")


def _field(label: str, control, html_for: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=html_for, className="form-label"), control], className="mb-3")


def columns_help(lang: str) -> html.Details:
    """The columns each kind of file needs, from the importer's own column list (always true)."""
    def listing(kind: str):
        spec, optional = SPECS[kind]
        return [html.Code(name + ("?" if name in optional else "")) for name in spec]

    def joined(codes):
        return [part for i, code in enumerate(codes) for part in ((", " if i else ""), code)]

    return html.Details([
        html.Summary(t("import.web.help", lang)),
        html.P([html.Strong(t("import.web.kind.lines", lang)), ": ", *joined(listing("lines"))], className="mb-1"),
        html.P([html.Strong(t("import.web.kind.institutions", lang)), ": ", *joined(listing("institutions"))],
               className="mb-1"),
        html.P(t("import.web.formats", lang), className="mb-0"),
    ], className="small text-muted mt-3", id="import-columns")


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
        columns_help(lang),
    ], action=PATH, method="POST", encType="multipart/form-data", className="card card-body mb-3",
        id="import-form")
    alert = dbc.Alert(t(f"import.web.error.{error}", lang) if error in ("kind", "no_file")
                      else t("import.web.error.generic", lang), color="danger") if error else None
    return _guarded(lang, PATH, "admin", "import.web.title", alert, form,
                    dcc.Loading(html.Div(id=ids.IMPORT_REPORT), type="dot"),
                    dcc.Store(id=ids.IMPORT_REPORT_TOKEN, data={"report": report, "lang": lang}))
