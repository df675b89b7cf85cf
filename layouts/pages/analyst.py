"""The analysts' workspace (/analyst): anomaly flags by filter, ranked, on a map, with detail.

The filters come from the address's query (`layout(**query)`), so a bookmark reopens the same
view; the page writes every change back to the address. Only signed-in analysts see the
containers, and every callback filling them checks the role again on the server.
"""
from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import dcc, html

from dashboard import reference as ref
from dashboard.web.analyst_params import DETECTORS, parse_filters, parse_sort
from dashboard.boundaries import COUNTRY_BOUNDS
from dashboard.i18n import request_language, t
from dashboard.reference_districts import DISTRICTS
from layouts import ids
from layouts.analyst_parts import detector_name, grid_columns
from layouts.explorer import osm_attribution
from layouts.map_legend import legend_box
from layouts.institution_parts import grid_locale_text
from layouts.pages.staff import _guarded
from queries.anomalies import STATUSES

PATH = "/analyst"
NAME = {"en": 1, "ru": 2, "kk": 3}  # name columns of ref.REGIONS / SECTORS / INSTITUTION_TYPES


def register_workspace_page(tiles_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png") -> None:
    """Register /analyst (the map uses the configured base-map tiles)."""
    def page_layout(lang: str | None = None, **query) -> html.Div:
        return layout(lang, tiles_url=tiles_url, **query)

    dash.register_page("analyst", path=PATH, layout=page_layout, title="Ashyq Budget")


def district_options(region: str | None, lang: str) -> list[dict]:
    col = {"ru": 3, "kk": 4, "en": 5}[lang]
    return [{"label": t("analyst.filter.all", lang), "value": ""}] + [
        {"label": d[col] or d[3], "value": d[0]} for d in DISTRICTS if d[1] == region]


def _select(control_id: str, key: str, lang: str, options: list[dict], value) -> html.Div:
    return html.Div([dbc.Label(t(f"analyst.filter.{key}", lang), html_for=control_id, className="small mb-0"),
                     dbc.Select(id=control_id, options=[{"label": t("analyst.filter.all", lang), "value": ""}, *options],
                                value=value or "", size="sm")], className="mb-2")


def filters(f, lang: str) -> html.Div:
    """The filter panel, set to the filter `f` from the address."""
    n = NAME[lang]
    return html.Div([
        _select(ids.ANALYST_YEAR, "year", lang, [{"label": str(f.year), "value": str(f.year)}] if f.year else [],
                str(f.year) if f.year else ""),
        _select(ids.ANALYST_REGION, "region", lang, [{"label": r[n], "value": r[0]} for r in ref.REGIONS], f.region),
        html.Div([dbc.Label(t("analyst.filter.district", lang), html_for=ids.ANALYST_DISTRICT, className="small mb-0"),
                  dbc.Select(id=ids.ANALYST_DISTRICT, options=district_options(f.region, lang), value=f.district or "",
                             size="sm", disabled=not f.region)], className="mb-2"),
        _select(ids.ANALYST_SECTOR, "sector", lang, [{"label": s[n], "value": s[0]} for s in ref.SECTORS], f.sector),
        _select(ids.ANALYST_TYPE, "type", lang,
                [{"label": k[{"en": 1, "ru": 2, "kk": 3}[lang]], "value": k[0]} for k in ref.INSTITUTION_TYPES], f.type),
        dbc.Label(t("analyst.filter.detectors", lang), className="small mb-0"),
        dbc.Checklist(id=ids.ANALYST_DETECTORS, value=list(f.detectors or []), className="small mb-2",
                      options=[{"label": detector_name(d, lang), "value": d} for d in DETECTORS]),
        dbc.Label(t("analyst.filter.min_score", lang), html_for=ids.ANALYST_MIN_SCORE, className="small mb-0"),
        html.Div(dcc.Slider(id=ids.ANALYST_MIN_SCORE, min=0, max=1, step=0.05, value=f.min_score,
                            marks={v: f"{v:g}" for v in (0, 0.25, 0.5, 0.75, 1)}, updatemode="mouseup"),
                 className="mb-3"),
        _select(ids.ANALYST_STATUS, "status", lang,
                [{"label": t(f"analyst.status.{s}", lang), "value": s} for s in STATUSES], f.status),
    ], className="analyst-filters")


def flag_map(lang: str, tiles_url: str) -> html.Div:
    """The explorer's region choropleth (same shapes endpoint and style functions), by flagged share."""
    js = {"style": {"variable": "ashyq.regionStyle"}, "pointToLayer": {"variable": "ashyq.regionPoint"},
          "onEachFeature": {"variable": "ashyq.regionTooltip"}}
    leaflet = dl.Map([
        dl.TileLayer(url=tiles_url, attribution=osm_attribution(lang)),
        dl.Pane(dl.GeoJSON(id=ids.ANALYST_REGION_LAYER, hideout={}, zoomToBoundsOnClick=False, **js),
                name="regions", style={"zIndex": 350}),
    ], id=ids.ANALYST_MAP, bounds=COUNTRY_BOUNDS, trackViewport=False, minZoom=3, maxZoom=9, scrollWheelZoom=False,
        className="analyst-map")
    return html.Div([leaflet, legend_box(ids.ANALYST_MAP_LEGEND_BOX, ids.ANALYST_MAP_LEGEND, lang)], className="map-wrap",
                    role="region", **{"aria-label": t("analyst.map.label", lang)})


def grid(lang: str, sort: tuple[str, str]) -> dag.AgGrid:
    columns = [{**c, "sort": sort[1]} if c["field"] == sort[0] else c for c in grid_columns(lang)]
    return dag.AgGrid(id=ids.ANALYST_GRID, rowData=[], columnDefs=columns, className="ag-theme-alpine",
                      getRowId="params.data.key",
                      defaultColDef={"sortable": True, "resizable": True, "filter": True},
                      dashGridOptions={"pagination": True, "paginationPageSize": 25, "animateRows": False,
                                       "paginationPageSizeSelector": [25, 50, 100], "tooltipShowDelay": 300,
                                       "rowHeight": 64, "suppressColumnVirtualisation": True,
                                       "rowSelection": {"mode": "multiRow", "enableClickSelection": True,
                                                        "headerCheckbox": False},
                                       "localeText": grid_locale_text(lang)},
                      style={"height": "640px"})


def workspace(f, sort, lang: str, tiles_url: str) -> list:
    export = [html.A([html.I(className=f"bi {icon} me-1"), t(f"analyst.export.{kind}", lang)],
                     id=cid, href=f"/analyst/export.{kind}", className="btn btn-sm btn-outline-secondary me-2")
              for kind, cid, icon in (("csv", ids.ANALYST_CSV, "bi-download"), ("xlsx", ids.ANALYST_XLSX, "bi-file-earmark-excel"))]
    return [
        dcc.Store(id=ids.ANALYST_FILTERS),
        dcc.Store(id=ids.ANALYST_CTX, data={"lang": lang}),
        dbc.Row([
            dbc.Col([dbc.Button([html.I(className="bi bi-sliders me-1"), t("explorer.filters", lang)],
                                id=ids.ANALYST_FILTERS_TOGGLE, color="primary", outline=True, size="sm",
                                className="d-lg-none mb-2"),
                     # Folded on phones (the button opens it), always open from lg up (assets/analyst.css).
                     dbc.Collapse(filters(f, lang), id=ids.ANALYST_FILTERS_PANEL, is_open=False,
                                  className="analyst-filters-collapse")], lg=3, xl=2),
            dbc.Col([
                dbc.Row([
                    dbc.Col([html.H2(t("analyst.counts.title", lang), className="h6"),
                             dcc.Loading(html.Div(id=ids.ANALYST_COUNTS), type="dot")], lg=7),
                    dbc.Col(flag_map(lang, tiles_url), lg=5),
                ], className="g-3 mb-3"),
                html.Div([html.Span(id="analyst-shown", className="small text-muted me-3"), *export],
                         className="d-flex flex-wrap align-items-center mb-2"),
                dbc.Row([
                    dbc.Col(grid(lang, sort), xl=8),
                    dbc.Col(html.Aside([
                        html.Div(html.P(t("analyst.detail.pick", lang), className="text-muted small"), id=ids.ANALYST_DETAIL),
                        dcc.Graph(id=ids.ANALYST_EVIDENCE, config={"displayModeBar": False}, style={"display": "none"}),
                        html.Div(id=ids.ANALYST_DETAIL_MORE),
                        html.H3(t("analyst.case.heading", lang), className="h6 mt-3"),
                        html.Div(id=ids.ANALYST_CASE_FORM),
                    ], className="analyst-detail card card-body"), xl=4),
                ], className="g-3"),
            ], lg=9, xl=10),
        ]),
    ]


def layout(lang: str | None = None, tiles_url: str = "", **query) -> html.Div:
    lang = request_language(lang)
    f, sort = parse_filters(query), parse_sort(query.get("sort"))
    flash = None  # what the review and case endpoints answered (they redirect back here)
    if query.get("error"):
        flash = dbc.Alert(t("analyst.failed", lang), color="warning", dismissable=True, id="analyst-flash")
    elif query.get("saved"):
        flash = dbc.Alert(t("analyst.saved", lang), color="success", dismissable=True, id="analyst-flash")
    return _guarded(lang, PATH, "analyst", "analyst.title", flash, *workspace(f, sort, lang, tiles_url))
