"""The front page (/): the map explorer of budgets by region, district, sector and time.

The explorer's state (year, months, sectors, metric, region, district) lives in the URL
fragment (see dashboard/explorer_state.py); callbacks fill everything from the rollups.
"""
from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import dcc

from dashboard.i18n import request_language, t
from layouts import fast_html as html
from layouts import ids
from layouts.asof import asof_bar
from layouts.counters import counters_section
from layouts.embed import embed_button
from layouts.explorer import controls, explorer_map
from layouts.shell import page

PATH = "/"


def _chart(chart_id: str, title, title_id: str | None = None, embed: str | None = None, lang: str = "ru") -> dbc.Col:
    heading = html.H2(title, className="h6", **({"id": title_id} if title_id else {}))
    if embed:  # the panel's "Embed" button beside its heading (layouts/embed.py)
        heading = html.Div([heading, embed_button(embed, lang)], className="d-flex justify-content-between gap-2")
    return dbc.Col([heading, html.Div(id=chart_id, className="top5-chart")], lg=4)


def layout_for(tiles_url: str) -> Callable[..., html.Div]:
    """The page's layout function, bound to the configured base-map tiles URL."""

    def layout(lang: str | None = None, **_query) -> html.Div:
        lang = request_language(lang)
        return page(
            lang, PATH,
            dcc.Location(id=ids.EXPLORER_URL, refresh=False),
            dcc.Store(id=ids.EXPLORER_STATE),
            html.Div([
                html.H1(t("explorer.title", lang), id=ids.PAGE_TITLE, className="h4 mb-1"),
                dbc.Button([html.I(className="bi bi-sliders me-1"), t("explorer.filters", lang),
                            html.Span(id=ids.FILTER_COUNT, className="filter-count badge rounded-pill ms-1")],
                           id=ids.FILTERS_TOGGLE, color="primary", outline=True, size="sm",
                           className="d-lg-none"),
            ], className="d-flex justify-content-between align-items-center"),
            html.P(t("explorer.lead", lang), className="text-muted small d-none d-md-block"),
            html.Nav(id=ids.BREADCRUMB),
            html.Div(id=ids.FILTER_STATUS, className="filter-status", role="status"),
            asof_bar(lang),  # "as of" banner, permalink and sources (issue 14)
            dbc.Row([
                dbc.Col(controls(lang), lg=3, xl=2, className="filters-col"),
                dbc.Col([
                    explorer_map(lang, tiles_url),
                    html.Div(embed_button("map", lang), className="d-flex justify-content-end"),
                    html.Div(id=ids.KPI_CARDS, className="row g-3 my-2"),
                ], lg=9, xl=10),
            ]),
            html.P(t("explorer.selection_hint", lang), className="text-muted small"),
            dbc.Row([
                _chart(ids.TOP5_INSTITUTIONS, None, ids.TOP5_INSTITUTIONS_TITLE, "institutions", lang),
                _chart(ids.TOP5_SECTORS, t("top5.sectors", lang), embed="sectors", lang=lang),
                _chart(ids.TOP5_REGIONS, None, ids.TOP5_REGIONS_TITLE, "areas", lang),
            ], className="g-3"),
            dbc.Row([
                dbc.Col([html.H2(id=ids.AREA_TABLE_TITLE, className="h6 mt-3"),
                         html.Div(id=ids.REGION_TABLE, className="table-responsive")], lg=8),
                dbc.Col(html.Section([html.H2(t("whats_new.title", lang), className="h6 mt-3", id="whats-new-title"),
                                      html.Ul(id=ids.WHATS_NEW, className="list-unstyled small whats-new"),
                                      dcc.Store(id=ids.WHATS_NEW_ITEMS)],
                                     **{"aria-labelledby": "whats-new-title"}), lg=4),
            ]),
            counters_section(lang),
            live=True,
        )

    return layout
