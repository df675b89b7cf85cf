"""Presentation mode wiring (/present and /present/print): the URL's tour → slides, map and links.

The slides are drawn once per page load with the explorer's query functions; the browser then
shows them one at a time (assets/present.js) and, by a click on a hidden button, tells the map
where to fly (a clientside callback: no server round trip per slide).
"""
from __future__ import annotations

from dash import Input, Output, State
from flask import request
from sqlalchemy import Engine

from callbacks.explorer import map_bounds, selection
from dashboard import presentation as tour_plan
from dashboard import reference as ref
from dashboard.explorer_state import ExplorerState
from dashboard.i18n import t
from dashboard.web.map_api import RegionShapesCache
from dashboard.params import dict_param, lang_param
from layouts import explorer_views as views
from layouts import ids
from layouts import present_views as slides_view
from layouts.elements import el
from layouts.live import LIVE_VERSION
from layouts.pages.present import PATH, PRINT_PATH
from queries import appeals, explorer

SECTOR_CODES = list(ref.SECTOR_CODES)
REGION_CODES = list(ref.REGION_CODES)


def _body(conn, slide: tour_plan.Slide, lang: str):
    """The numbers of one slide, read with the explorer's queries, as components."""
    state = slide.state
    sel = selection(state)
    if slide.kind in ("headline", "region"):
        counts = appeals.open_counts(conn, region=state.region, sectors=state.sectors) if state.region else None
        return slides_view.money_tiles(explorer.totals(conn, sel), state, lang, counts)
    if slide.kind in ("sectors", "region_sectors"):
        return slides_view.sector_list(explorer.by_sector(conn, sel), state, lang,
                                       limit=5 if slide.kind == "sectors" else len(SECTOR_CODES))
    if slide.kind == "institutions":
        return slides_view.institution_list(explorer.top_institutions(conn, sel), state, lang)
    if slide.kind == "months":
        return slides_view.months_chart(explorer.by_month(conn, sel), state, lang)
    return slides_view.appeals_panel(appeals.place_counts(conn, region=state.region, sectors=state.sectors),
                                     appeals.recent_answers(conn, region=state.region, sectors=state.sectors), lang)


def build(conn, shapes: RegionShapesCache, stored: dict, lang: str, root: str) -> tuple[list, dict, str]:
    """Slides, the tour's data for the browser (each slide's explorer address and map bounds)
    and the link to the other view of the same tour (print ↔ show)."""
    req = tour_plan.parse_request(stored, years=explorer.available_years(conn), regions=REGION_CODES,
                                  sectors=SECTOR_CODES)
    mode = "print" if stored.get("mode") == "print" else "present"
    if req.year is None:
        return [el("Section", el("P", t("explorer.no_budgets", lang), className="present-empty"),
                   className="present-slide is-current")], {"slides": []}, f"{PATH}?lang={lang}"
    regions = req.regions or tour_plan.default_regions(explorer.by_region(conn, selection(ExplorerState(year=req.year))))
    slides = tour_plan.tour(req, regions)
    found = shapes.get(conn)[1]
    notes = slides_view.ignored_note(req.ignored, lang)
    out, meta = [], []
    for i, slide in enumerate(slides):
        href = tour_plan.explorer_href(slide.state, lang, root)
        out.append(slides_view.slide(i, len(slides), slide, _body(conn, slide, lang), href, lang,
                                     notes if i == 0 else ()))
        meta.append({"href": href, "region": slide.state.region, "bounds": map_bounds(slide.state, found)})
    query = tour_plan.present_query(req, regions, lang)
    other = (PATH if mode == "print" else PRINT_PATH) + query
    return out, {"slides": meta, "interval": req.interval}, other


def register(app, engine: Engine, shapes: RegionShapesCache) -> None:
    """Attach the presentation callbacks to `app`, reading from `engine`."""

    @app.callback(Output(ids.PRESENT_SLIDES, "children"), Output(ids.PRESENT_TOUR, "data"),
                  Output(ids.PRESENT_SWITCH, "href"),
                  Input(ids.PRESENT_REQUEST, "data"), Input(LIVE_VERSION, "data"), State("page-lang", "data"))
    def draw_tour(stored, _version, lang):  # again when the data changed (callbacks/live.py)
        lang = lang_param(lang)
        with engine.connect() as conn:
            # The QR codes and Esc lead to this site's explorer, as the audience's phones reach it.
            return build(conn, shapes, dict_param(stored), lang, request.host_url)

    @app.callback(Output(ids.PRESENT_REGIONS, "url"), Output(ids.PRESENT_HIDEOUT, "data"),
                  Output(ids.PRESENT_LEGEND, "children"),
                  Input(ids.PRESENT_REQUEST, "data"), Input(LIVE_VERSION, "data"), State("page-lang", "data"))
    def draw_present_map(stored, _version, lang):
        lang = lang_param(lang)
        with engine.connect() as conn:
            req = tour_plan.parse_request(dict_param(stored), years=explorer.available_years(conn),
                                          regions=REGION_CODES, sectors=SECTOR_CODES)
            if req.year is None:
                return None, {}, []
            version = shapes.get(conn)[0]
            state = ExplorerState(year=req.year, sectors=req.sectors)
            rows = explorer.by_region(conn, selection(state))
        hideout = views.region_hideout(rows, state, lang)
        return f"/api/map/regions?v={version}", hideout, views.map_legend(hideout, state, lang)

    # The map follows the slide: it flies to the slide's bounds when they change, and outlines
    # the slide's region (regionStyle in assets/explorer.js dims the others).
    app.clientside_callback(
        """function (_moved, tour, hideout) {
            var nu = window.dash_clientside.no_update;
            var slides = (tour && tour.slides) || [];
            if (!slides.length || !hideout) { return [nu, nu]; }
            var root = document.getElementById("present-root");
            var position = parseInt((root && root.dataset.index) || "0", 10) || 0;
            var slide = slides[Math.min(Math.max(position, 0), slides.length - 1)];
            var key = JSON.stringify(slide.bounds);
            var viewport = nu;
            if (window.ashyqPresentBounds !== key) {
                window.ashyqPresentBounds = key;
                // maxZoom: a city's slide keeps the land around it in view
                viewport = {bounds: slide.bounds, transition: "flyToBounds",
                            options: {maxZoom: 7, padding: [16, 16], duration: 1.5}};
            }
            return [viewport, Object.assign({}, hideout, {selected: slide.region || null})];
        }""",
        Output(ids.PRESENT_MAP, "viewport"), Output(ids.PRESENT_REGIONS, "hideout"),
        Input(ids.PRESENT_MOVED, "n_clicks"), Input(ids.PRESENT_TOUR, "data"), Input(ids.PRESENT_HIDEOUT, "data"))
