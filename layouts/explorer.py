"""Map explorer components: controls, map, legend, KPI cards, breadcrumb, popup (no data access)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import dcc

from dashboard import reference as ref
from dashboard.boundaries import COUNTRY_BOUNDS
from dashboard.explorer_state import METRICS
from dashboard.i18n import t
from dashboard.i18n.formatting import month_name
from layouts import fast_html as html
from layouts import ids
from layouts.elements import BOOTSTRAP, El, el
from layouts.map_legend import legend_box

SECTOR_COLOURS = {code: colour for code, _en, _ru, _kk, colour, _icon in ref.SECTORS}
# The points layer names a sector by its index in ref.SECTOR_CODES (dashboard/map_layers.py).
POINT_COLOURS = [SECTOR_COLOURS[code] for code in ref.SECTOR_CODES]


def osm_attribution(lang: str) -> str:
    """The base map's credit (Leaflet renders it as HTML), in the page's language."""
    return f'<a href="https://www.openstreetmap.org/copyright">{t("map.osm_credit", lang)}</a>'


def _js(name: str) -> dict:
    """A reference to a function in assets/explorer.js (dash-leaflet resolves it in the browser)."""
    return {"variable": f"ashyq.{name}"}


def sector_filter(lang: str) -> dbc.Checklist:
    """Multi-select of sectors, each with its colour and icon; none ticked means all."""
    names = {"en": 1, "ru": 2, "kk": 3}
    options = [{"value": s[0], "label": html.Span([
        html.Span(className="sector-swatch", style={"backgroundColor": s[4]}),
        html.I(className=f"bi {s[5]} me-1", **{"aria-hidden": "true"}), s[names[lang]]])}
        for s in ref.SECTORS]
    # dbc, not dcc: dcc's options are role="option" labels around their inputs (nested controls).
    return dbc.Checklist(id=ids.SECTOR_FILTER, options=options, value=[], className="sector-filter")


def controls(lang: str) -> html.Div:
    """The filter panel; a drawer on phones (toggled by the Filters button)."""
    return html.Div([
        html.Div([html.H2(t("explorer.filters", lang), className="h6 mb-0"),
                  html.Button(id=ids.FILTERS_TOGGLE + "-close", className="btn-close d-lg-none",
                              **{"aria-label": t("explorer.close", lang)})],
                 className="d-flex justify-content-between align-items-center mb-2"),
        dbc.Label(t("explorer.year", lang), html_for=ids.YEAR_SLIDER),
        dcc.Slider(id=ids.YEAR_SLIDER, min=0, max=1, step=1, value=None, marks=None, included=False,
                   updatemode="mouseup"),
        dbc.Label(t("explorer.months", lang), html_for=ids.MONTH_RANGE, className="mt-2"),
        dcc.RangeSlider(id=ids.MONTH_RANGE, min=1, max=12, step=1, value=[1, 12], pushable=0,
                        marks={m: month_name(m, lang) for m in (1, 3, 6, 9, 12)}, updatemode="mouseup"),
        html.Div(t("explorer.metric", lang), className="form-label mt-2", id="metric-select-label"),
        html.Div(dbc.RadioItems(id=ids.METRIC_SELECT, value="plan", className="metric-select",
                                options=[{"value": m, "label": t(f"metric.{m}", lang)} for m in METRICS]),
                 role="radiogroup", **{"aria-labelledby": "metric-select-label"}),
        html.Div(t("explorer.sectors", lang), className="form-label mt-2", id="sector-filter-label"),
        html.Div(t("explorer.all_sectors", lang), className="text-muted small mb-1", id="sector-filter-hint"),
        html.Div(sector_filter(lang), role="group",
                 **{"aria-labelledby": "sector-filter-label", "aria-describedby": "sector-filter-hint"}),
    ], id=ids.FILTERS_PANEL, className="filters-panel")


def explorer_map(lang: str, tiles_url: str) -> html.Div:
    """The map: tiles, region choropleth (or circles), district circles, clustered institutions."""
    leaflet = dl.Map([
        dl.TileLayer(url=tiles_url, attribution=osm_attribution(lang)),
        dl.Pane(dl.GeoJSON(id=ids.REGION_LAYER, style=_js("regionStyle"), pointToLayer=_js("regionPoint"),
                           onEachFeature=_js("regionTooltip"), hideout={}, zoomToBoundsOnClick=False),
                name="regions", style={"zIndex": 350}),
        dl.Pane(dl.GeoJSON(id=ids.DISTRICT_LAYER, pointToLayer=_js("districtPoint"), hideout={}),
                name="districts", style={"zIndex": 380}),
        dl.GeoJSON(id=ids.INSTITUTION_LAYER, cluster=True, zoomToBoundsOnClick=True, format="geobuf",
                   superClusterOptions={"radius": 60, "maxZoom": 13},
                   pointToLayer=_js("institutionPoint"), hideout={"colors": POINT_COLOURS}),
        dl.LayerGroup(id=ids.POPUP_LAYER),
    ], id=ids.MAP, bounds=COUNTRY_BOUNDS, trackViewport=False, minZoom=3, maxZoom=17, scrollWheelZoom=True,
        className="explorer-map")
    return html.Div([leaflet, legend_box(ids.MAP_LEGEND_BOX, ids.MAP_LEGEND, lang),
                     html.Div(id=ids.MAP_NOTE, className="map-note small"),
                     html.P(t("a11y.map.table_note", lang), id="map-table-note", className="visually-hidden")],
                    className="map-wrap", role="region",
                    **{"aria-label": t("explorer.map_label", lang), "aria-describedby": "map-table-note"})


def legend(title, breaks_labels: list[str], colours: list[str], nodata: str | None) -> list:
    """Legend rows: a swatch per class ("< 10 bn ₸", "10–20 bn ₸", …) and one for no data
    (none when `nodata` is None: every place has a value)."""
    rows = [el("Div", [el("Span", className="legend-swatch", style={"backgroundColor": c}), label],
               className="legend-row")
            for c, label in zip(colours, breaks_labels)]
    if nodata is not None:
        rows.append(el("Div", [el("Span", className="legend-swatch legend-nodata"), nodata], className="legend-row"))
    return [el("Div", title, className="legend-title"), *rows]


def kpi_cards(values: list[tuple]) -> list:
    """KPI cards from (key, label, value, hint) tuples; each value has id `kpi-<key>`
    (five cards share a row on wide screens, three on tablets; one line each on phones)."""
    return [el("Col", el("Card", el("CardBody", [
        el("Div", label, className="kpi-label"),
        el("Div", value, className="kpi-value", id=f"kpi-{key}"),
        el("Div", hint, className="kpi-hint text-muted small"),
    ], namespace=BOOTSTRAP), className="h-100 kpi-card", namespace=BOOTSTRAP),
        xs=12, sm=6, md=4, xl=True, namespace=BOOTSTRAP) for key, label, value, hint in values]


def top_bars(items: list[dict], empty: str) -> El:
    """A ranked bar list; each bar is a link (drill in, filter, or open an institution).

    Plain HTML rather than a plotly chart: five bars do not need the 4.8 MB plotly bundle,
    links work with the keyboard and screen readers, and a click is ordinary navigation.
    Items: label, value (text), share (0..1 of the longest bar), colour, href; optionally
    place (a second line under the label) and title (the full name on hover).
    """
    if not items:
        return el("P", empty, className="text-muted small")
    return el("Ol", [el("Li", el("A", [
        el("Span", [el("Span", item["label"], className="bar-name"),
                    *([el("Span", item["place"], className="bar-place")] if item.get("place") else [])],
           className="bar-label", title=item.get("title") or item["label"]),
        el("Span", el("Span", className="bar-fill", style={"width": f"{max(item['share'], 0.01) * 100:.1f}%",
                                                          "backgroundColor": item["colour"]}),
           className="bar-track"),
        el("Span", item["value"], className="bar-value"),
    ], href=item["href"], className="bar-link", data_key=item["key"])) for item in items],
        className="top5-bars list-unstyled mb-0")


def breadcrumb(crumbs: list[tuple[str, str | None]], lang: str) -> El:
    """Links back up the drill path: [(label, fragment or None for the current level)]."""
    items = [el("Li", el("A", label, href=href) if href else label,
                className="breadcrumb-item" + ("" if href else " active"),
                aria_current=None if href else "page")
             for label, href in crumbs]
    return el("Ol", items, className="breadcrumb mb-2", aria_label=t("explorer.breadcrumb", lang))


def _popup_rows(rows: list[tuple[str, str]], class_name: str) -> El:
    return el("Table", el("Tbody", [el("Tr", [el("Th", k, className="pe-2 fw-normal"), el("Td", v, className="text-end")])
                                    for k, v in rows]), className=f"{class_name} small")


def institution_popup(position: list[float], name: str, kind: str, rows: list[tuple[str, str]],
                      link_text: str, href: str, appeal_rows: list[tuple[str, str]] = (),
                      appeals_link: tuple[str, str] | None = None) -> El:
    """The popup of an institution point: name, type, the year's money, open and overdue
    appeals (with a link to them), link to its page."""
    return el("Popup", el("Div", [
        el("Div", name, className="popup-name fw-semibold"),
        el("Div", kind, className="popup-type text-muted small mb-1"),
        _popup_rows(rows, "popup-money"),
        _popup_rows(appeal_rows, "popup-appeals mt-1") if appeal_rows else None,
        el("A", appeals_link[0], href=appeals_link[1], className="popup-appeals-link d-block small")
        if appeals_link else None,
        el("A", link_text, href=href, className="popup-link"),
    ], className="institution-popup"), namespace="dash_leaflet", position=position, maxWidth=320, autoPan=True)
