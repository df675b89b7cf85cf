"""Embeds wiring (issue 14): /embed's panel, and the <iframe> snippets next to the site's panels.

The panels are the explorer's and the institution page's own: the same query functions and view
builders (callbacks/explorer.map_areas, layouts/explorer_views, layouts/institution_parts), with
every link opened in a new tab (layouts/embed.open_outside).
"""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from dash import ClientsideFunction, Input, Output, State, dcc
from sqlalchemy import Engine

from callbacks.explorer import DISTRICT_REGION, REGION_CODES, SECTOR_CODES, map_areas, map_bounds, selection
from dashboard.explorer_state import ExplorerState, asof_param, parse_hash, to_hash
from dashboard.i18n import localized, t
from dashboard.metrics import APPEAL_METRICS, RESPONSIVENESS_METRICS
from dashboard.params import dict_param, lang_param, text_param, year_param
from layouts import asof as asof_views, embed as parts, explorer_views as views, ids
from layouts.institution_parts import monthly_figure
from queries import appeals, explorer, institution as inst_q
from queries.asof import ExplorerNumbers, InstitutionNumbers, pinned_view
from queries.responsiveness import responsiveness

EXPLORER_PANELS = ("map", "institutions", "sectors", "areas")


def explorer_state(conn, query: dict) -> ExplorerState:
    """The explorer state an embed's query names (as its URL fragment would; bad parts fall back)."""
    fragment = urlencode({k: v for k, v in query.items() if k in parts.STATE_KEYS and isinstance(v, str)})
    return parse_hash(fragment, years=explorer.available_years(conn), sectors=SECTOR_CODES, regions=REGION_CODES,
                      districts=DISTRICT_REGION)


def _top_panel(conn, panel: str, state: ExplorerState, lang: str) -> tuple:
    """(title, bars) of one of the explorer's three rankings, as its page draws them."""
    sel, numbers = selection(state), ExplorerNumbers(state.asof)
    if panel == "institutions":
        return t("top5.institutions", lang, year=state.year), views.top_institutions(
            numbers.top_institutions(conn, sel), state, lang)
    if panel == "sectors":
        return t("top5.sectors", lang), views.top_sectors(numbers.by_sector(conn, sel), state, lang)
    areas = numbers.by_district(conn, sel) if state.region else numbers.by_region(conn, sel)
    if state.metric in APPEAL_METRICS:  # ranked by the appeal counts or answers, as on the page
        areas = views.with_appeals(areas, appeals.open_counts_by_area(conn, region=state.region, sectors=state.sectors))
    elif state.metric in RESPONSIVENESS_METRICS:
        areas = views.with_responsiveness(areas, responsiveness(
            conn, "district" if state.region else "region", region=state.region, sectors=state.sectors))
    return t("top5.districts" if state.region else "top5.regions", lang), views.top_areas(areas, state, lang)


def register(app, engine: Engine, shapes, tiles_url: str = "") -> None:
    """Attach the embed callbacks to `app`, reading from `engine`; `shapes` are the map's regions,
    `tiles_url` its base map."""

    @app.callback(Output(parts.EMBED_TITLE, "children"), Output(parts.EMBED_BODY, "children"),
                  Output(parts.EMBED_LINK, "href"), Input(parts.EMBED_QUERY, "data"), State("page-lang", "data"))
    def draw_embed(query, lang):
        lang, query = lang_param(lang), dict_param(query)
        panel = query.get("panel")
        not_found = ([], t("embed.unknown", lang), f"/?lang={lang}")
        if panel not in parts.PANELS:
            return not_found
        if panel == "monthly":
            bin_ = text_param(query.get("bin"), 20)
            state = dict_param(query.get("state"))
            pinned = asof_param(state.get("asof"))  # an embed of a pinned page: the numbers then
            numbers = InstitutionNumbers(pinned)
            with engine.connect() as conn:
                inst = inst_q.get_institution(conn, bin_)
                if inst is None:
                    return not_found
                years = [y["year"] for y in numbers.yearly_totals(conn, inst["id"])]
                year = year_param(state.get("year"))
                year = year if year in years else (years[0] if years else None)
                months = numbers.monthly_by_bin(conn, bin_, year) if year else []
                _pin, publication, since = pinned_view(conn, pinned) if pinned else (None, None, [])
            current = f"/institution/{bin_}?" + urlencode({**({"year": year} if year else {}), "lang": lang})
            title = (parts.panel_title(localized(inst, "name", lang), f"{t('inst.monthly.title', lang)}, {year or '—'}")
                     + asof_views.embed_note(pinned, publication, since, current, lang))
            graph = dcc.Graph(figure=monthly_figure(months, lang, cumulative=query.get("mode") == "cumulative"),
                              config={"displayModeBar": False}, className="embed-graph")
            link = f"/institution/{bin_}?" + urlencode({**({"year": year} if year else {}), "lang": lang,
                                                         **({"asof": pinned} if pinned else {})})
            return title, graph, link
        with engine.connect() as conn:
            state = explorer_state(conn, dict_param(query.get("state")))
            if state.year is None:
                return not_found
            if panel == "map":
                version, found, regions, districts = map_areas(conn, state, shapes)
            else:
                title, bars = _top_panel(conn, panel, state, lang)
            _pin, publication, since = pinned_view(conn, state.asof) if state.asof else (None, None, [])
        link = f"/?lang={lang}{to_hash(state)}"
        # A pinned view says so, as the page's banner does (numbers then, how many since, now's link).
        note = asof_views.embed_note(state.asof, publication, since,
                                     f"/?lang={lang}{to_hash(replace(state, asof=None))}", lang)
        if panel != "map":
            return parts.panel_title(title) + note, parts.open_outside(bars, lang), link
        hideout = views.region_hideout(regions, state, lang)
        district_data, scale = views.district_points(districts, state, lang) if districts else (None, hideout)
        body = parts.embed_map(hideout, f"/api/map/regions?v={version}", district_data, map_bounds(state, found),
                               views.map_legend(scale, state, lang), tiles_url, lang)
        return parts.panel_title(t("embed.panel.map", lang), views.caption(state, lang)) + note, body, link

    # The snippets: written in the browser from the page's state (no request per filter change).
    app.clientside_callback(ClientsideFunction("embed", "explorer"),
                            [Output(f"embed-code-{p}", "value") for p in EXPLORER_PANELS],
                            Input(ids.EXPLORER_STATE, "data"), [State(f"embed-meta-{p}", "data") for p in EXPLORER_PANELS])
    app.clientside_callback(ClientsideFunction("embed", "monthly"), Output("embed-code-monthly", "value"),
                            Input(ids.INST_YEAR, "value"), Input(ids.INST_BIN, "data"),
                            Input(ids.INST_MONTHLY_MODE, "value"), State("embed-meta-monthly", "data"))
