"""The overview page (/): national totals for a year, by sector and by region."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import request_language, t
from layouts import ids
from layouts.shell import page

PATH = "/"


def layout(lang: str | None = None, year: str | None = None, **_query) -> html.Div:
    """Empty frame; callbacks fill it from the rollups for the chosen year."""
    lang = request_language(lang)
    return page(
        lang, PATH,
        html.H1(t("overview.title", lang), id=ids.PAGE_TITLE, className="h3"),
        html.P(t("overview.lead", lang), className="lead"),
        dbc.Row(dbc.Col([
            dbc.Label(t("overview.year", lang), html_for=ids.YEAR_SELECT),
            dcc.Dropdown(id=ids.YEAR_SELECT, clearable=False, searchable=False,
                         value=int(year) if year and year.isdigit() else None),
        ], xs=6, md=3, lg=2), className="mb-3"),
        dcc.Loading(html.Div(id=ids.KPI_CARDS, className="row g-3 mb-4"), type="dot"),
        dbc.Row([
            dbc.Col([html.H2(t("sectors.title", lang), className="h5"),
                     dcc.Graph(id=ids.SECTOR_CHART, config={"displayModeBar": False})], lg=6),
            dbc.Col([html.H2(t("regions.title", lang), className="h5"),
                     html.Div(id=ids.REGION_TABLE, className="table-responsive")], lg=6),
        ]),
        html.H2(t("publications.title", lang), className="h5 mt-4"),
        html.Ul(id=ids.PUBLICATIONS, className="list-unstyled small"),
    )
