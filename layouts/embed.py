"""Embeds (issue 14): the panel views of /embed and the "Embed" button with its <iframe> snippet
next to each panel of the normal pages (no data access here)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import dcc

from dashboard.i18n import t
from layouts import fast_html as html
from layouts.elements import El, el
from layouts.explorer import _js, osm_attribution

EMBED_QUERY, EMBED_TITLE, EMBED_BODY, EMBED_LINK = "embed-query", "embed-title", "embed-body", "embed-link"
PANELS = ("map", "institutions", "sectors", "areas", "monthly")
# The explorer's state in an embed's query string: the keys of its URL fragment.
STATE_KEYS = ("year", "months", "sectors", "metric", "region", "district", "asof")
# Height of the frame each snippet asks for (px): the panel and its footer without a scroll bar.
FRAME_HEIGHTS = {"map": 460, "institutions": 330, "sectors": 330, "areas": 330, "monthly": 400}


def open_outside(component, lang: str):
    """The panel with every link opening the full site in a new tab: an explorer fragment
    ("#year=…") becomes the explorer's address, and no link navigates the host page's frame."""
    if isinstance(component, list):
        return [open_outside(c, lang) for c in component]
    if not isinstance(component, dict) or "props" not in component:
        return component
    props = dict(component["props"])
    if "children" in props:
        props["children"] = open_outside(props["children"], lang)
    if component.get("type") == "A" and isinstance(props.get("href"), str):
        href = props["href"]
        props["href"] = f"/?lang={lang}{href}" if href.startswith("#") else href
        props["target"], props["rel"] = "_blank", "noopener"
    return El(type=component["type"], namespace=component["namespace"], props=props)


def embed_map(hideout: dict, regions_url: str, district_data: dict | None, bounds, legend: list,
              tiles_url: str, lang: str) -> html.Div:
    """The explorer's choropleth (regions, or a region's districts as circles) with its legend."""
    layers = [dl.Pane(dl.GeoJSON(url=regions_url, style=_js("regionStyle"), pointToLayer=_js("regionPoint"),
                                 onEachFeature=_js("regionTooltip"), hideout=hideout, zoomToBoundsOnClick=False),
                      name="regions", style={"zIndex": 350})]
    if district_data:
        layers.append(dl.Pane(dl.GeoJSON(data=district_data, pointToLayer=_js("districtPoint"), hideout={}),
                              name="districts", style={"zIndex": 380}))
    if tiles_url:
        layers.insert(0, dl.TileLayer(url=tiles_url, attribution=osm_attribution(lang)))
    return html.Div([
        dl.Map(layers, bounds=bounds, trackViewport=False, minZoom=3, maxZoom=12, scrollWheelZoom=False,
               className="embed-map",
               attributionControl=True),
        html.Div(legend, className="embed-legend small"),
    ], className="embed-map-wrap", role="region", **{"aria-label": t("embed.panel.map", lang)})


def embed_button(panel: str, lang: str) -> html.Div:
    """A small "Embed" button; its popover holds the <iframe> snippet of the panel as shown
    (written in the browser by assets/embed.js from the page's state) and a copy button."""
    code_id = f"embed-code-{panel}"
    return html.Div([
        dbc.Button([html.Span("</>", className="me-1", **{"aria-hidden": "true"}), t("embed.button", lang)],
                   id=f"embed-open-{panel}", color="link", size="sm", className="embed-button p-0"),
        dbc.Popover([dbc.PopoverHeader(t("embed.title", lang)), dbc.PopoverBody([
            html.Label(t("embed.hint", lang), htmlFor=code_id, className="small mb-1"),
            dcc.Textarea(id=code_id, readOnly=True, rows=4, className="form-control form-control-sm embed-code"),
            dcc.Clipboard(target_id=code_id, title=t("embed.copy", lang), className="embed-copy"),
        ])], target=f"embed-open-{panel}", trigger="legacy", placement="bottom", className="embed-popover"),
        dcc.Store(id=f"embed-meta-{panel}", data={"panel": panel, "lang": lang, "height": FRAME_HEIGHTS[panel],
                                                  "title": f"{t(f'embed.panel.{panel}', lang)} — {t('app.title', lang)}"}),
    ], className="embed-control")


def panel_title(text: str, caption=None) -> list:
    """The embed's heading: the panel's name and what it counts (metric, months, year)."""
    return [el("Div", text, className="fw-semibold"), *([caption] if caption else [])]
