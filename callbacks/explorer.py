"""Map explorer wiring (the front page).

One callback (`navigate`) owns the state: it reads the URL fragment (load, reload, back
button, breadcrumb links) and every control or drill click, and writes the fragment, the
controls and the state store. Two callbacks draw the store: the map and the panels.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

from dash import Input, Output, State, ctx, no_update
from sqlalchemy import Engine

from layouts import explorer_views as views
from dashboard import reference as ref
from dashboard.boundaries import COUNTRY_BOUNDS, centre_bounds
from dashboard.explorer_state import METRICS, ExplorerState, parse_hash, to_hash
from dashboard.i18n import localized, t
from dashboard.i18n.formatting import format_money, format_percent
from dashboard.web.map_api import RegionShapesCache
from dashboard.params import lang_param, year_param
from dashboard.metrics import APPEAL_METRICS, RESPONSIVENESS_METRICS
from dashboard.reference_districts import DISTRICTS
from layouts import ids
from layouts.explorer import breadcrumb, institution_popup
from layouts.live import LIVE_VERSION
from queries import appeals, asof as asof_q, explorer
from queries.asof import ExplorerNumbers
from queries.responsiveness import responsiveness

SECTOR_CODES = list(ref.SECTOR_CODES)
REGION_CODES = list(ref.REGION_CODES)
DISTRICT_REGION = {d[0]: d[1] for d in DISTRICTS}
DISTRICT_CENTRES = {d[0]: (d[8], d[9]) for d in DISTRICTS}


def selection(state: ExplorerState) -> explorer.Selection:
    return explorer.Selection(year=state.year, months=tuple(state.months), sectors=tuple(state.sectors),
                              region=state.region, district=state.district)


def map_viewport(state: ExplorerState, shapes) -> dict:
    return {"bounds": map_bounds(state, shapes), "transition": "flyToBounds"}


def map_bounds(state: ExplorerState, shapes) -> list[list[float]]:
    """Where the map looks for a drill level: the country, a region, or around a district."""
    if state.district in DISTRICT_CENTRES:
        lat, lon = DISTRICT_CENTRES[state.district]
        return centre_bounds([(lat, lon)], margin=0.6)
    if state.region:
        if shapes and state.region in shapes.bounds:
            return shapes.bounds[state.region]
        return centre_bounds([c for d, c in DISTRICT_CENTRES.items() if DISTRICT_REGION[d] == state.region])
    return COUNTRY_BOUNDS


def _clicked_code(click) -> str | None:
    """The feature code in a map layer's clickData (None when the client sent something else)."""
    properties = click.get("properties") if isinstance(click, dict) else None
    code = properties.get("code") if isinstance(properties, dict) else None
    return code if isinstance(code, str) else None


def next_state(state: ExplorerState, trigger: str, values: dict) -> ExplorerState:
    """The state after a control change or a drill click (pure; `values` holds the inputs, as the
    client sent them: a value of the wrong type or out of range leaves the state as it was)."""
    if trigger == ids.SECTOR_FILTER:
        chosen = values["sectors"] if isinstance(values["sectors"], list) else []
        return replace(state, sectors=tuple(s for s in SECTOR_CODES if s in chosen))
    if trigger == ids.YEAR_SLIDER and type(values["year"]) is int:
        year = year_param(values["year"])
        return replace(state, year=year) if year is not None else state
    if trigger == ids.MONTH_RANGE and values["months"]:
        months = ExplorerState.from_dict({"months": values["months"]}).months
        return replace(state, months=months) if list(months) == values["months"] else state
    if trigger == ids.METRIC_SELECT and values["metric"]:
        return replace(state, metric=values["metric"]) if values["metric"] in METRICS else state
    if trigger == ids.REGION_LAYER:
        code = _clicked_code(values["region_click"])
        return state.drill(region=code) if code in REGION_CODES else state
    if trigger == ids.DISTRICT_LAYER:
        code = _clicked_code(values["district_click"])
        return state.drill(state.region, code) if DISTRICT_REGION.get(code) == state.region else state
    return state


def map_areas(conn, state: ExplorerState, shapes) -> tuple:
    """(boundaries version, boundaries found, region rows, district rows: the region's when one is
    chosen) with the map's metric: what the explorer map and its embed colour."""
    sel = selection(state)
    numbers = ExplorerNumbers(state.asof)  # now, or as of a pinned publication
    version, found = shapes.get(conn)
    regions = numbers.by_region(conn, sel)
    districts = numbers.by_district(conn, sel) if state.region else []
    if state.metric in APPEAL_METRICS:  # public appeals only, counted now
        regions = views.with_appeals(regions, appeals.open_counts_by_area(conn, sectors=state.sectors))
        if districts:
            districts = views.with_appeals(districts, appeals.open_counts_by_area(
                conn, region=state.region, sectors=state.sectors))
    elif state.metric in RESPONSIVENESS_METRICS:  # how places answer public appeals, now
        regions = views.with_responsiveness(regions, responsiveness(conn, "region", sectors=state.sectors))
        if districts:
            districts = views.with_responsiveness(districts, responsiveness(
                conn, "district", region=state.region, sectors=state.sectors))
    return version, found, regions, districts


def register(app, engine: Engine, shapes: RegionShapesCache) -> None:
    """Attach the explorer callbacks to `app`, reading from `engine`."""

    @app.callback(
        Output(ids.EXPLORER_URL, "hash"), Output(ids.EXPLORER_STATE, "data"),
        Output(ids.SECTOR_FILTER, "value"), Output(ids.YEAR_SLIDER, "value"),
        Output(ids.MONTH_RANGE, "value"), Output(ids.METRIC_SELECT, "value"),
        Output(ids.YEAR_SLIDER, "min"), Output(ids.YEAR_SLIDER, "max"), Output(ids.YEAR_SLIDER, "marks"),
        Output(ids.MAP, "viewport"),
        Input(ids.EXPLORER_URL, "hash"), Input(ids.SECTOR_FILTER, "value"), Input(ids.YEAR_SLIDER, "value"),
        Input(ids.MONTH_RANGE, "value"), Input(ids.METRIC_SELECT, "value"),
        Input(ids.REGION_LAYER, "n_clicks"), Input(ids.DISTRICT_LAYER, "n_clicks"),
        State(ids.REGION_LAYER, "clickData"), State(ids.DISTRICT_LAYER, "clickData"),
        State(ids.EXPLORER_STATE, "data"))
    def navigate(fragment, sectors, year, months, metric, _region_clicks, _district_clicks,
                 region_click, district_click, stored):
        trigger = ctx.triggered_id
        previous = ExplorerState.from_dict(stored) if stored else None
        unchanged = [no_update] * 10
        if trigger in (None, ids.EXPLORER_URL):
            # Load, reload, back/forward or a link: the fragment is the truth; controls follow it.
            parse = partial(parse_hash, fragment, sectors=SECTOR_CODES, regions=REGION_CODES, districts=DISTRICT_REGION)
            with engine.connect() as conn:
                years = explorer.available_years(conn)
                found = shapes.get(conn)[1]
                state = parse(years=years)
                if state.asof is not None:  # a pinned view offers the years that had lines then
                    years = asof_q.available_years(conn, state.asof)
                    state = parse(years=years)
            if previous == state:
                return unchanged
            place = (state.region, state.district)
            place_moved = place != ((previous.region, previous.district) if previous else (None, None))
            marks = {y: str(y) for y in years}
            return (no_update, state.to_dict(), list(state.sectors), state.year, list(state.months), state.metric,
                    min(years, default=0), max(years, default=0), marks,
                    map_viewport(state, found) if place_moved else no_update)
        if previous is None:
            return unchanged
        state = next_state(previous, trigger, dict(
            sectors=sectors, year=year, months=months, metric=metric, region_click=region_click,
            district_click=district_click))
        if state == previous:
            return unchanged
        bounds = no_update
        if (previous.region, previous.district) != (state.region, state.district):
            bounds = map_viewport(state, shapes.get()[1])
        return (to_hash(state), state.to_dict(), *[no_update] * 7, bounds)

    @app.callback(
        Output(ids.REGION_LAYER, "url"), Output(ids.REGION_LAYER, "hideout"), Output(ids.DISTRICT_LAYER, "data"),
        Output(ids.INSTITUTION_LAYER, "url"), Output(ids.MAP_LEGEND, "children"), Output(ids.MAP_NOTE, "children"),
        Input(ids.EXPLORER_STATE, "data"), Input(LIVE_VERSION, "data"), State("page-lang", "data"))
    def draw_map(stored, _version, lang):
        lang = lang_param(lang)
        state = ExplorerState.from_dict(stored)
        if state.year is None:
            return no_update, no_update, None, None, [], t("explorer.no_budgets", lang)
        with engine.connect() as conn:
            version, found, regions, districts = map_areas(conn, state, shapes)
        hideout = views.region_hideout(regions, state, lang)
        points = f"/api/map/points?year={state.year}&v={version}"
        if state.sectors:
            points += "&sectors=" + ",".join(sorted(state.sectors))
        if state.asof is not None:  # the institutions that had a budget then (no money on the points)
            points += f"&asof={state.asof}"
        note = [] if found else t("explorer.no_boundaries", lang)
        district_data, scale = views.district_points(districts, state, lang) if districts else (None, hideout)
        return (f"/api/map/regions?v={version}", hideout, district_data, points,
                views.map_legend(scale, state, lang), note)

    @app.callback(
        Output(ids.KPI_CARDS, "children"), Output(ids.TOP5_INSTITUTIONS, "children"),
        Output(ids.TOP5_SECTORS, "children"), Output(ids.TOP5_REGIONS, "children"),
        Output(ids.TOP5_INSTITUTIONS_TITLE, "children"), Output(ids.TOP5_REGIONS_TITLE, "children"),
        Output(ids.BREADCRUMB, "children"), Output(ids.REGION_TABLE, "children"),
        Output(ids.AREA_TABLE_TITLE, "children"),
        Input(ids.EXPLORER_STATE, "data"), Input(LIVE_VERSION, "data"), State("page-lang", "data"))
    def draw_panels(stored, _version, lang):
        # `live-version` moves only when the data did (callbacks/live.py): then the same view is
        # drawn again from the new data; the controls, the map's place and an open popup stay.
        lang = lang_param(lang)
        state = ExplorerState.from_dict(stored)
        if state.year is None:
            return ([t("explorer.no_budgets", lang)], [], [], [], "", "", [], None, "")
        sel = selection(state)
        numbers = ExplorerNumbers(state.asof)  # now, or as of a pinned publication
        with engine.connect() as conn:
            totals = numbers.totals(conn, sel)
            sectors = numbers.by_sector(conn, sel)
            institutions = numbers.top_institutions(conn, sel)
            areas = numbers.by_district(conn, sel) if state.region else numbers.by_region(conn, sel)
            areas = views.with_responsiveness(areas, responsiveness(  # the table's appeal columns
                conn, "district" if state.region else "region", region=state.region, sectors=state.sectors))
            if state.metric in APPEAL_METRICS:  # the top-5 areas rank by the appeal counts
                areas = views.with_appeals(areas, appeals.open_counts_by_area(
                    conn, region=state.region, sectors=state.sectors))
            open_appeals = appeals.open_counts(conn, region=state.region, district=state.district,
                                               sectors=state.sectors)
        return (views.kpis(totals, state, lang, open_appeals), views.top_institutions(institutions, state, lang),
                views.top_sectors(sectors, state, lang), views.top_areas(areas, state, lang),
                t("top5.institutions", lang, year=state.year),
                t("top5.districts" if state.region else "top5.regions", lang),
                breadcrumb(views.crumbs(state, lang), lang), views.area_table(areas, state, lang),
                views.area_title(state, lang))

    @app.callback(
        Output(ids.POPUP_LAYER, "children"),
        Input(ids.INSTITUTION_LAYER, "n_clicks"), Input(ids.EXPLORER_STATE, "data"),
        State(ids.INSTITUTION_LAYER, "clickData"), State("page-lang", "data"), prevent_initial_call=True)
    def show_popup(_clicks, stored, feature, lang):
        if ctx.triggered_id == ids.EXPLORER_STATE:
            return []  # another year or place: an open popup would show stale numbers
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        if props.get("cluster") or not isinstance(props.get("id"), int):
            return no_update
        state = ExplorerState.from_dict(stored)
        with engine.connect() as conn:  # now, or as of a pinned publication
            card = ExplorerNumbers(state.asof).institution_card(conn, props["id"], state.year, tuple(state.months))
            counts = appeals.appeal_counts_for_institution(conn, props["id"]) if card else None
        if card is None:
            return []
        execution = card["paid"] / card["plan_adjusted"] if card["plan_adjusted"] else None
        return [institution_popup(
            [card["lat"], card["lon"]], localized(card, "name", lang), localized(card, "type", lang),
            [(t("honest.popup.budget", lang, period=views.period_of(state, lang, "plan")),
              format_money(card["plan_adjusted"], lang)),
             (t("popup.paid", lang), format_money(card["paid"], lang)),
             (t("popup.execution", lang), format_percent(execution, lang))],
            t("popup.open", lang), views.institution_href(card["bin"], state.year, lang, state.asof),
            *views.popup_appeals(counts, card["bin"], lang))]

    # Keep the explorer's place when switching language, and open/close the filter drawer.
    app.clientside_callback(
        "function(hash) { return ['kk', 'ru', 'en'].map(l => '/?lang=' + l + (hash || '')); }",
        [Output(f"lang-{code}", "href") for code in ("kk", "ru", "en")], Input(ids.EXPLORER_URL, "hash"))
    app.clientside_callback(
        "function(open, close, cls) { const base = 'filters-panel';"
        " return dash_clientside.callback_context.triggered_id === '" + ids.FILTERS_TOGGLE + "'"
        " ? base + ' open' : base; }",
        Output(ids.FILTERS_PANEL, "className"), Input(ids.FILTERS_TOGGLE, "n_clicks"),
        Input(ids.FILTERS_TOGGLE + "-close", "n_clicks"), State(ids.FILTERS_PANEL, "className"),
        prevent_initial_call=True)

