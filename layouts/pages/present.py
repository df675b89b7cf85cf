"""Presentation mode: /present (full screen, a slide at a time, for a hall) and /present/print
(every slide, one per printed page, for the hand-out: the browser's print-to-PDF makes the file).

No site header or footer and no filter controls: the URL chooses the tour
(`?region=KZ-11,KZ-15&sectors=education,health&year=2025&interval=20&lang=kk`), callbacks/present.py
builds the slides, assets/present.js shows them (keys, timer, progress).

The map has no base-map tiles unless TILES_URL is a path on this site: a hall's laptop may have
no internet, and every tile that fails to load is a console error in Chromium. The region
shapes (same-origin /api/map/regions) on a plain background are the map.
"""
from __future__ import annotations

import dash_leaflet as dl
from dash import dcc, html

from dashboard.boundaries import COUNTRY_BOUNDS
from dashboard.i18n import request_language, t
from dashboard.params import text_param
from dashboard.presentation import DEFAULT_INTERVAL, PARAMS, interval_param
from layouts import ids
from layouts.browser_texts import browser_texts
from layouts.live import LIVE_VERSION, poller

PATH = "/present"
PRINT_PATH = "/present/print"


def _request(mode: str, query: dict) -> dict:
    """What the callback needs: the mode and the URL's parameters as text (checked there)."""
    return {"mode": mode, **{name: text_param(query.get(name), 2000) for name in PARAMS if query.get(name)}}


def _js(name: str) -> dict:
    return {"variable": f"ashyq.{name}"}


def _map(lang: str, tiles_url: str) -> html.Div:
    """The region choropleth the slides fly over (the explorer's region layer and styles)."""
    layers = []
    if tiles_url.startswith("/") and not tiles_url.startswith("//"):  # same origin: served with the site
        layers.append(dl.TileLayer(url=tiles_url))
    layers.append(dl.Pane(dl.GeoJSON(id=ids.PRESENT_REGIONS, style=_js("regionStyle"), pointToLayer=_js("regionPoint"),
                                     onEachFeature=_js("regionTooltip"), hideout={}, zoomToBoundsOnClick=False),
                          name="regions", style={"zIndex": 350}))
    leaflet = dl.Map(layers, id=ids.PRESENT_MAP, bounds=COUNTRY_BOUNDS, zoomControl=False, attributionControl=False,
                     dragging=False, scrollWheelZoom=False, doubleClickZoom=False, touchZoom=False, boxZoom=False,
                     keyboard=False, zoomSnap=0.25, trackViewport=False, className="present-map")
    return html.Div([leaflet, html.Div(id=ids.PRESENT_LEGEND, className="present-legend map-legend")],
                    className="present-map-wrap", role="img", **{"aria-label": t("explorer.map_label", lang)})


def _stores(lang: str, request: dict) -> list:
    return [dcc.Store(id="page-lang", data=lang), dcc.Store(id=ids.PRESENT_REQUEST, data=request),
            dcc.Store(id=ids.PRESENT_TOUR), browser_texts(lang)]


def layout_for(tiles_url: str):
    """The /present layout function, bound to the configured tiles URL."""

    def layout(lang: str | None = None, **query) -> html.Div:
        lang = request_language(lang)
        interval = interval_param(query.get("interval")) or DEFAULT_INTERVAL
        bar = html.Div([
            html.Div([html.Span("₸", className="brand-mark"), t("app.title", lang)], className="present-brand"),
            html.Div(html.Div(id="present-progress-fill", className="present-progress-fill"),
                     id="present-progress", className="present-progress", role="progressbar",
                     **{"aria-valuemin": 1, "aria-label": t("present.progress", lang)}),
            html.Span(id="present-counter", className="present-counter", **{"aria-live": "off"}),
            html.Span(t("present.playing", lang), id="present-status", className="present-status",
                      **{"aria-live": "polite", "data-paused": t("present.paused", lang),
                         "data-playing": t("present.playing", lang)}),
            html.Span(t("present.keys", lang), className="present-keys"),
            html.Button(t("present.fullscreen", lang), id="present-fullscreen", className="present-button",
                        type="button"),
            html.A(t("present.download", lang), id=ids.PRESENT_SWITCH, className="present-button",
                   href=f"{PRINT_PATH}?lang={lang}"),
        ], className="present-bar")
        return html.Div([
            bar,
            html.Main([_map(lang, tiles_url), html.Div(id=ids.PRESENT_SLIDES, className="present-slides")],
                      className="present-stage", id="main", lang=lang),
            html.Div(id=ids.PRESENT_TICKER, className="present-ticker"),
            *_stores(lang, _request("present", query)),
            dcc.Store(id=ids.PRESENT_HIDEOUT),  # the map's colours; the slide adds its region
            *poller(), dcc.Store(id=ids.WHATS_NEW_ITEMS),  # live: redrawn on new data, ticker (callbacks/live.py)
            # assets/present.js clicks it on every slide change; the map then follows the slide
            html.Button(id=ids.PRESENT_MOVED, hidden=True, tabIndex="-1", type="button", **{"aria-hidden": "true"}),
        ], id=ids.PRESENT_ROOT, className="present-root present-show", lang=lang,
            **{"data-interval": str(interval)})

    return layout


def print_layout(lang: str | None = None, **query) -> html.Div:
    """/present/print: every slide of the same tour, one per page when printed."""
    lang = request_language(lang)
    bar = html.Div([
        html.Button([html.I(className="bi bi-download me-2", **{"aria-hidden": "true"}), t("present.print.button", lang)],
                    id="present-print-button", className="present-button present-button-main", type="button"),
        html.P(t("present.print.hint", lang), className="present-print-hint"),
        html.A(t("present.print.back", lang), id=ids.PRESENT_SWITCH, className="present-button",
               href=f"{PATH}?lang={lang}"),
    ], className="present-print-bar")
    return html.Div([
        bar,
        html.Main(html.Div(id=ids.PRESENT_SLIDES, className="present-slides"), id="main", lang=lang),
        *_stores(lang, _request("print", query)),
        dcc.Store(id=LIVE_VERSION),  # the tour's callbacks take it (live on /present); printed as it is
    ], id=ids.PRESENT_ROOT, className="present-root present-print", lang=lang)
