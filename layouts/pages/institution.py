"""The institution page (/institution/<bin>): budget, lines, comparisons, documents.

The page is a list of sections (`SECTIONS`): each is a function of the language returning a
component. Other features add theirs with `add_section` (the appeals feature adds its own
after the documents) instead of editing this layout.
"""
from __future__ import annotations

from collections.abc import Callable

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc

from dashboard.appeals.workflow import LINE_RE
from dashboard.params import whole_number, year_param
from dashboard.i18n import request_language, t
from layouts import fast_html as html
from layouts import ids
from layouts.asof import asof_bar
from layouts.embed import embed_button
from layouts.institution_parts import grid_locale_text
from layouts.shell import page

PATH_TEMPLATE = "/institution/<bin>"
Section = Callable[..., html.Div]  # section(lang, bin_=..., year=...)


def _section(title_id: str | None, title: str, *children, **kwargs) -> html.Section:
    heading = html.H2(title, className="h5", **({"id": title_id} if title_id else {}))
    return html.Section([heading, *children], className="inst-section", **kwargs)


def summary(lang: str, **_page) -> html.Div:
    return dbc.Row([
        dbc.Col([html.Div(id=ids.INST_HEADER),
                 dbc.Row(dbc.Col([dbc.Label(t("inst.year", lang), html_for=ids.INST_YEAR),
                                  dcc.Dropdown(id=ids.INST_YEAR, clearable=False, searchable=False)],
                                 xs=6, md=3), className="my-2"),
                 html.Div(id=ids.INST_KPIS, className="row g-3")], lg=8),
        dbc.Col([html.Div(id=ids.INST_MAP, **{"aria-label": t("inst.map_label", lang)}),
                 html.P(id=ids.INST_VIEWS, className="small text-muted mt-2")], lg=4),
    ], className="inst-section")


def monthly(lang: str, **_page) -> html.Section:
    return _section(None, t("inst.monthly.title", lang),
                    html.Div([dbc.RadioItems(id=ids.INST_MONTHLY_MODE, inline=True, value="monthly", options=[
                        {"label": t("inst.monthly.monthly", lang), "value": "monthly"},
                        {"label": t("inst.monthly.cumulative", lang), "value": "cumulative"}]),
                        embed_button("monthly", lang)],  # the chart's <iframe> snippet (layouts/embed.py)
                        className="d-flex justify-content-between flex-wrap gap-2"),
                    dcc.Graph(id=ids.INST_MONTHLY, config={"displayModeBar": False}))


def breakdowns(lang: str, **_page) -> html.Div:
    return dbc.Row([
        dbc.Col(_section(None, t("inst.specifics.title", lang),
                         dcc.Graph(id=ids.INST_SPECIFICS, config={"displayModeBar": False})), lg=6),
        dbc.Col(_section(None, t("inst.programs.title", lang),
                         dcc.Graph(id=ids.INST_PROGRAMS, config={"displayModeBar": False})), lg=6),
    ])


def lines(lang: str, **_page) -> html.Section:
    return _section(None, t("inst.lines.title", lang), dcc.Store(id=ids.INST_LINE_SHOWN),
                    html.P(t("inst.lines.hint", lang), className="small text-muted"),
                    html.Div([
                        dbc.Button([html.I(className="bi bi-download me-1"), t("inst.download_csv", lang)],
                                   id=ids.INST_CSV, size="sm", color="secondary", outline=True, className="me-2"),
                        dbc.Button([html.I(className="bi bi-file-earmark-excel me-1"), t("inst.download_xlsx", lang)],
                                   id=ids.INST_XLSX, size="sm", color="secondary", outline=True, className="me-2"),
                        html.A(t("inst.api_link", lang), id=ids.INST_API_LINK, className="small"),
                        dcc.Download(id=ids.INST_XLSX_DOWNLOAD), dcc.Download(id=ids.INST_CSV_DOWNLOAD),
                        dcc.Store(id=ids.INST_TOTAL_LABEL, data=t("inst.lines.total", lang)),
                    ], className="mb-2"),
                    html.Div(id=ids.INST_FLAG_BANNER),  # an analyst's flag (?flag=), for analysts only
                    dag.AgGrid(id=ids.INST_GRID, rowData=[], columnDefs=[], className="ag-theme-alpine",
                               rowClassRules={"flag-line": "params.data && params.data.flag_line",
                                              "asked-line": "params.data && params.data.asked_line"},
                               defaultColDef={"sortable": True, "resizable": True, "floatingFilter": True},
                               dashGridOptions={"pagination": True, "paginationPageSize": 20,
                                                "paginationPageSizeSelector": [20, 50, 100],
                                                "animateRows": False, "suppressColumnVirtualisation": True,
                                                "localeText": grid_locale_text(lang)},
                               style={"height": "640px"}), id="inst-lines")


def year_over_year(lang: str, **_page) -> html.Section:
    return _section(None, t("inst.yoy.title", lang), html.Div(id=ids.INST_YOY, className="table-responsive"))


def peers(lang: str, **_page) -> html.Section:
    return _section(ids.INST_PEERS_TITLE, "", html.Div(id=ids.INST_PEERS, className="table-responsive"))


def documents(lang: str, **_page) -> html.Section:
    return _section(None, t("inst.documents.title", lang), html.Div(id=ids.INST_DOCUMENTS))


SECTIONS: list[Section] = [summary, monthly, breakdowns, lines, year_over_year, peers, documents]


def add_section(section: Section, after: Section | None = None) -> None:
    """Insert a section (e.g. appeals) after another one, or at the end; idempotent."""
    if section in SECTIONS:
        return
    SECTIONS.insert(SECTIONS.index(after) + 1 if after in SECTIONS else len(SECTIONS), section)


def layout(bin: str | None = None, year: str | None = None, lang: str | None = None,  # noqa: A002
           flag: str | None = None, line: str | None = None, month: str | None = None, asof: str | None = None,
           **_query) -> html.Div:
    """The frame; callbacks fill it for the BIN in the URL (and `?year=`; `?flag=` for analysts;
    `?line=&month=`: the expenditure line an appeal is about, picked out in the grid)."""
    lang = request_language(lang)
    bin_ = (bin or "").strip()
    year_ = year_param(year)
    asked = line.strip() if isinstance(line, str) and LINE_RE.match(line.strip()) else None
    return page(
        lang, f"/institution/{bin_}",
        dcc.Store(id=ids.INST_BIN, data={"bin": bin_, "year": year_, "flag": whole_number(flag, 1, 2**31 - 1),
                                         "line": asked, "month": whole_number(month, 1, 12) if asked else None,
                                         "asof": whole_number(asof, 1, 2**31 - 1)}),  # a pinned permalink
        dcc.Store(id=ids.INST_DRAWN),
        html.Nav(id=ids.INST_BREADCRUMB, **{"aria-label": t("explorer.breadcrumb", lang)}),
        html.H1(id=ids.INST_TITLE, className="h3"),
        asof_bar(lang, "inst-"),  # "as of" banner, permalink and sources (issue 14)
        html.Div([section(lang, bin_=bin_, year=year_) for section in SECTIONS], id=ids.INST_BODY),
        live=True,
    )
