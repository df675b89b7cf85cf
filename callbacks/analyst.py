"""Wiring of the analysts' workspace: filters → flags grid, counts, map; a selected row → detail.

Every callback calls `require_analyst()` first (HTTP 403 otherwise): the page hiding its
containers from other roles is not authorization.
"""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, ctx, html, no_update
from sqlalchemy import Engine

from dashboard import reference as ref
from dashboard.web.analyst_params import DISTRICT_REGION, parse_filters, to_query
from dashboard.i18n import t
from dashboard.i18n.formatting import format_number
from dashboard.params import dict_param, lang_param
from dashboard.web.guard import is_analyst, require_analyst
from layouts import analyst_parts as parts, ids
from layouts.analyst_evidence import evidence_figure
from layouts.pages.analyst import PATH, district_options
from queries import anomalies as q
from queries.version import published_version

FILTER_INPUTS = [Input(ids.ANALYST_YEAR, "value"), Input(ids.ANALYST_REGION, "value"),
                 Input(ids.ANALYST_DISTRICT, "value"), Input(ids.ANALYST_SECTOR, "value"),
                 Input(ids.ANALYST_TYPE, "value"), Input(ids.ANALYST_DETECTORS, "value"),
                 Input(ids.ANALYST_MIN_SCORE, "value"), Input(ids.ANALYST_STATUS, "value")]
FILTER_NAMES = ("year", "region", "district", "sector", "type", "detector", "min_score", "status")


def _lang(store) -> str:
    return (store or {}).get("lang", "ru")


GRID_LIMIT = 5000  # rows a browser grid holds comfortably; the export has every flag


def register(app, engine: Engine) -> None:
    """Attach the workspace callbacks to `app`, reading from `engine`."""

    @app.callback(Output(ids.ANALYST_GRID, "rowData"), Output(ids.ANALYST_FILTERS, "data"),
                  Output("analyst-shown", "children"), *FILTER_INPUTS, State(ids.ANALYST_CTX, "data"))
    def show_flags(*values):
        require_analyst()
        *controls, store = values
        lang = _lang(store)
        f = parse_filters({k: v for k, v in zip(FILTER_NAMES, controls) if v not in (None, "", [])})
        with engine.connect() as conn:
            flags = q.list_flags(conn, f, limit=GRID_LIMIT)
            total = q.count_flags(conn, f) if len(flags) == GRID_LIMIT else len(flags)
        shown = (t("analyst.shown", lang, count=format_number(len(flags), lang)) if total == len(flags) else
                 t("analyst.shown_of", lang, count=format_number(len(flags), lang), total=format_number(total, lang)))
        return parts.grid_rows(flags, lang), to_query(f), shown

    @app.callback(Output(ids.ANALYST_DISTRICT, "options"), Output(ids.ANALYST_DISTRICT, "value"),
                  Output(ids.ANALYST_DISTRICT, "disabled"), Input(ids.ANALYST_REGION, "value"),
                  State(ids.ANALYST_DISTRICT, "value"), State(ids.ANALYST_CTX, "data"), prevent_initial_call=True)
    def districts(region, district, store):
        require_analyst()
        keep = district if district and DISTRICT_REGION.get(district) == region else ""
        return district_options(region or None, _lang(store)), keep, not region

    @app.callback(Output(ids.ANALYST_YEAR, "options"), Input(ids.ANALYST_CTX, "data"))
    def years(store):
        require_analyst()
        with engine.connect() as conn:
            found = q.flag_years(conn)
        return [{"label": t("analyst.filter.all", _lang(store)), "value": ""}] + [
            {"label": str(y), "value": str(y)} for y in found]

    @app.callback(Output(ids.ANALYST_COUNTS, "children"), Output(ids.ANALYST_REGION_LAYER, "url"),
                  Output(ids.ANALYST_REGION_LAYER, "hideout"), Output(ids.ANALYST_MAP_LEGEND, "children"),
                  Input(ids.ANALYST_YEAR, "value"), Input(ids.ANALYST_DETECTORS, "value"),
                  Input(ids.ANALYST_REGION, "value"), State(ids.ANALYST_CTX, "data"))
    def counts_and_map(year, detectors, region, store):
        require_analyst()
        lang = _lang(store)
        f = parse_filters({"year": year or "", "detector": detectors or [], "region": region or ""})
        with engine.connect() as conn:
            counts = q.detector_counts(conn, f.year)
            shares = q.flagged_share_by_region(conn, f.year, f.detectors)
            version = published_version(conn)
        hideout = parts.map_hideout(shares, f.region, lang)
        return (parts.counts_table(counts, lang), f"/api/map/regions?v={version}", hideout,
                parts.map_legend(hideout, lang))

    @app.callback(Output(ids.ANALYST_REGION, "value"), Input(ids.ANALYST_REGION_LAYER, "n_clicks"),
                  State(ids.ANALYST_REGION_LAYER, "clickData"), State(ids.ANALYST_REGION, "value"),
                  prevent_initial_call=True)
    def pick_region(_clicks, feature, current):
        require_analyst()
        code = ((feature or {}).get("properties") or {}).get("code")
        if not code or code not in ref.REGION_CODES:
            return no_update
        return "" if code == current else code  # a second click on the chosen region clears it

    @app.callback(Output(ids.ANALYST_DETAIL, "children"), Output(ids.ANALYST_DETAIL_MORE, "children"),
                  Output(ids.ANALYST_EVIDENCE, "figure"),
                  Output(ids.ANALYST_EVIDENCE, "style"), Output(ids.ANALYST_CASE_FORM, "children"),
                  Input(ids.ANALYST_GRID, "selectedRows"), State(ids.ANALYST_FILTERS, "data"),
                  State(ids.ANALYST_CTX, "data"))
    def show_selection(rows, query, store):
        require_analyst()
        lang = _lang(store)
        ids_ = [int(r["id"]) for r in rows or [] if isinstance(r.get("id"), int)][:50]
        with engine.connect() as conn:
            flags = [f for f in (q.get_flag(conn, i) for i in ids_) if f]
        if not flags:
            hint = html.P(t("analyst.detail.pick", lang), className="text-muted small")
            return [hint], [], {}, {"display": "none"}, parts.case_form([], lang)
        flag = flags[-1] if ctx.triggered_id else flags[0]  # the row clicked last is shown
        figure = evidence_figure(flag["detector"], flag.get("evidence") or {}, lang)
        back = f"{PATH}{query or ''}"
        return (*parts.flag_detail(flag, lang, back), figure or {}, {} if figure else {"display": "none"},
                parts.case_form(flags, lang))

    # The filters go into the address (bookmarkable) and into the export links, with the grid's sort.
    app.clientside_callback(ClientsideFunction("analyst", "syncAddress"), Input(ids.ANALYST_FILTERS, "data"),
                            prevent_initial_call=True)

    @app.callback(Output(ids.INST_FLAG_BANNER, "children"), Input(ids.INST_GRID, "rowData"),
                  State(ids.INST_BIN, "data"), State(ids.INST_YEAR, "value"), State("page-lang", "data"))
    def institution_banner(rows, store, year, lang):
        """The flag's sentence above the institution's lines (empty for anyone but an analyst:
        the institution page is public, `?flag=` is ignored there)."""
        lang = lang_param(lang)
        store = dict_param(store)
        if not store.get("flag") or not is_analyst():
            return None
        with engine.connect() as conn:
            flag = q.get_flag(conn, store["flag"])
        highlighted = sum(1 for r in rows if isinstance(r, dict) and r.get("flag_line")) if isinstance(rows, list) else 0
        if not flag or flag["bin"] != store.get("bin") or flag["year"] != year:
            return None
        return parts.flag_banner(flag, highlighted, lang)

    app.clientside_callback("function (n, open) { return !open; }", Output(ids.ANALYST_FILTERS_PANEL, "is_open"),
                            Input(ids.ANALYST_FILTERS_TOGGLE, "n_clicks"), State(ids.ANALYST_FILTERS_PANEL, "is_open"),
                            prevent_initial_call=True)
