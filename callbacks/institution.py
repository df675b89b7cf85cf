"""Institution page wiring: BIN → identity, years, views; year → figures, lines, comparisons."""
from __future__ import annotations

import datetime

import dash_leaflet as dl
from dash import ClientsideFunction, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy import Engine

from callbacks.live import drawn_digest
from dashboard.grid_export import grid_csv, grid_xlsx
from dashboard.grid_model import GridModelError, apply_filter_model, apply_sort
from dashboard.i18n import localized, t
from dashboard.i18n.formatting import format_number
from dashboard.params import dict_param, lang_param, text_param, year_param
from dashboard.peers import year_over_year
from layouts import ids, institution_parts as parts
from layouts.explorer import osm_attribution
from layouts.live import LIVE_VERSION
from queries import institution as q
from queries.asof import InstitutionNumbers
from queries.views import institution_page, view_counts

HIDDEN, SHOWN = {"display": "none"}, {}


def small_map(inst: dict, tiles_url: str, lang: str):
    layers = [dl.CircleMarker(center=[inst["lat"], inst["lon"]], radius=9,
                              pathOptions={"color": inst["sector_color"], "fillOpacity": 0.8})]
    if tiles_url:
        layers.insert(0, dl.TileLayer(url=tiles_url, attribution=osm_attribution(lang)))
    return dl.Map(layers, center=[inst["lat"], inst["lon"]], zoom=12, className="inst-map",
                  scrollWheelZoom=False, attributionControl=True)


def analyst_flag(conn, flag_id: int | None, institution_id: int, year: int) -> dict | None:
    """The flag of `?flag=` when an analyst is signed in and it is about this institution and year;
    None for anyone else (flags are not public) or any other flag."""
    from dashboard.web.guard import is_analyst
    from queries.anomalies import get_flag

    if not flag_id or not is_analyst():
        return None
    flag = get_flag(conn, flag_id)
    return flag if flag and flag["institution_id"] == institution_id and flag["year"] == year else None


def asked_rows(rows: list[dict], store: dict) -> list[dict]:
    """The grid rows with the line of `?line=&month=` (from an appeal) marked and first; the store
    comes from the browser, so both values are checked again."""
    from dashboard.appeals.workflow import LINE_RE

    line = text_param(store.get("line"), 40)
    month = store.get("month") if type(store.get("month")) is int and 1 <= store["month"] <= 12 else None
    return parts.mark_asked_line(rows, line if LINE_RE.match(line) else None, month)


def _asof(store) -> int | None:
    """The publication a permalink pins (`?asof=`, kept in the page's store), else None."""
    value = dict_param(store).get("asof")
    return value if type(value) is int and 0 < value < 2**31 else None


def shown_year(asked, years: list[int]) -> int | None:
    """The year the page shows: `?year=` when the institution has it, else its newest (`years` newest first)."""
    return asked if asked in years else (years[0] if years else None)


def register(app, engine: Engine, tiles_url: str = "", write_engine: Engine | None = None) -> None:
    """Attach the institution page callbacks to `app`, reading from `engine` (a replica, maybe);
    page views (counted by the page's beacon, dashboard/web/visitor_views.py, on the primary) are
    read from `write_engine` (default `engine`), so a replica's lag does not hide the newest."""
    write_engine = write_engine or engine

    @app.callback(Output(ids.INST_TITLE, "children"), Output(ids.INST_HEADER, "children"),
                  Output(ids.INST_MAP, "children"), Output(ids.INST_VIEWS, "children"),
                  Output(ids.INST_YEAR, "options"), Output(ids.INST_YEAR, "value"),
                  Output(ids.INST_BODY, "style"),
                  Input(ids.INST_BIN, "data"), State("page-lang", "data"))
    def open_page(store, lang):
        lang = lang_param(lang)
        bin_ = text_param(dict_param(store).get("bin"))
        with engine.connect() as conn:
            inst = q.get_institution(conn, bin_)
            if inst is None:
                return (t("inst.title_not_found", lang), html.P(t("inst.not_found", lang, bin=bin_)),
                        None, None, [], None, HIDDEN)
            # The years with lines (as of a pinned publication: then, so the selector offers no later year).
            years = [y["year"] for y in InstitutionNumbers(_asof(store)).yearly_totals(conn, inst["id"])]
        with write_engine.connect() as conn:
            views = view_counts(conn, institution_page(inst["bin"]))
        this_year = datetime.date.today().year
        views_text = t("inst.views", lang, total=format_number(sum(views.values()), lang), year=this_year,
                       this_year=format_number(views.get(this_year, 0), lang))
        year = shown_year(store.get("year"), years)
        return (localized(inst, "name", lang), parts.header(inst, lang), small_map(inst, tiles_url, lang),
                views_text, [{"label": str(y), "value": y} for y in years], year, SHOWN)

    @app.callback(Output(ids.INST_KPIS, "children"), Output(ids.INST_SPECIFICS, "figure"),
                  Output(ids.INST_PROGRAMS, "figure"), Output(ids.INST_GRID, "rowData"),
                  Output(ids.INST_GRID, "columnDefs"),
                  Output(ids.INST_YOY, "children"), Output(ids.INST_PEERS_TITLE, "children"),
                  Output(ids.INST_PEERS, "children"), Output(ids.INST_DOCUMENTS, "children"),
                  Output(ids.INST_API_LINK, "href"), Output(ids.INST_BREADCRUMB, "children"),
                  Output(ids.INST_DRAWN, "data"),
                  Input(ids.INST_YEAR, "value"), Input(LIVE_VERSION, "data"), State(ids.INST_BIN, "data"),
                  State(ids.INST_DRAWN, "data"), State("page-lang", "data"))
    def show_year(year, _version, store, drawn, lang):
        """The year's figures, lines and comparisons; after a data change (`live-version`) only when
        they differ from what the page shows, so the grid keeps its page, sort and filters."""
        outputs = year_view(year, store, lang_param(lang))
        if outputs is None:
            return (no_update,) * 12
        digest = drawn_digest(outputs)
        return (no_update,) * 12 if digest == drawn else (*outputs, digest)

    def year_view(year, store, lang) -> tuple | None:
        with engine.connect() as conn:
            inst = q.get_institution(conn, text_param(dict_param(store).get("bin")))
            if inst is None or not (year is None or year_param(year) == year):
                return None
            iid = inst["id"]
            pinned = _asof(store)
            numbers = InstitutionNumbers(pinned)  # now, or as of a pinned publication
            docs = numbers.documents(conn, iid, year)
            if year is None:
                empty = parts.kpis(None, lang, asof=pinned)
                return (empty, parts.empty_figure(lang), parts.empty_figure(lang), [], parts.grid_columns(lang), None, "", None,
                        parts.documents_list(docs, lang),
                        f"/api/v1/institutions/{inst['bin']}" + (f"?asof={pinned}" if pinned else ""),
                        parts.breadcrumb(inst, lang, asof=pinned))
            total = next((y for y in numbers.yearly_totals(conn, iid) if y["year"] == year), None)
            specifics = numbers.by_specific(conn, iid, year)
            programs = numbers.by_program(conn, iid, year)
            _, lines = numbers.lines(conn, iid, year)
            flag = analyst_flag(conn, store.get("flag"), iid, year)
            by_year = numbers.specific_by_year(conn, iid, [year - 1, year])
            stats = numbers.peer_stats(conn, inst, year)
        yoy = year_over_year(by_year, year)
        # Every specific the two tables name is in by_year (the peers' too: this year's), with its names.
        names = {r["specific_code"]: r for r in by_year}
        peers_title = t("inst.peers.title", lang, type=localized(inst, "type_name", lang),
                        region=localized(inst, "region_name", lang))
        columns = parts.grid_columns(lang, inst["bin"])
        return (parts.kpis(total, lang), parts.specifics_figure(specifics, lang), parts.programs_figure(programs, lang),
                asked_rows(parts.mark_flag_lines(parts.grid_rows(lines, lang), flag), store), columns,
                parts.yoy_table(yoy, names, year, lang), peers_title,
                parts.peers_table(stats, names, inst["unit_kind"] if inst["capacity"] else None, lang),
                parts.documents_list(docs, lang),
                f"/api/v1/institutions/{inst['bin']}/lines?year={year}" + (f"&asof={pinned}" if pinned else ""),
                parts.breadcrumb(inst, lang, year, pinned))

    # The chosen year goes into the address (no reload): a reload or a shared link shows it.
    app.clientside_callback(
        """function (year) {
            if (!year) { return; }
            var url = new URL(window.location.href);
            if (url.searchParams.get("year") !== String(year)) {
                url.searchParams.set("year", year);
                window.history.replaceState(window.history.state, "", url.toString());
            }
        }""",
        Input(ids.INST_YEAR, "value"))

    @app.callback(Output(ids.INST_MONTHLY, "figure"), Input(ids.INST_YEAR, "value"),
                  Input(ids.INST_MONTHLY_MODE, "value"), Input(LIVE_VERSION, "data"), State(ids.INST_BIN, "data"),
                  State("page-lang", "data"))
    def show_monthly(year, mode, _version, store, lang):
        lang = lang_param(lang)
        if year is not None and year_param(year) != year:
            return {}
        if year is None:  # no budget (the page says so above): no empty frame of axes
            return parts.empty_figure(lang)
        with engine.connect() as conn:
            months = InstitutionNumbers(_asof(store)).monthly_by_bin(conn, text_param(dict_param(store).get("bin")), year)
        return parts.monthly_figure(months, lang, cumulative=mode == "cumulative") if months else parts.empty_figure(lang)

    # A link from an appeal (?line=): once its rows are in the grid, bring the grid into view.
    app.clientside_callback(ClientsideFunction("institution", "showAskedLine"),
                            Output(ids.INST_LINE_SHOWN, "data"), Input(ids.INST_GRID, "rowData"),
                            State(ids.INST_LINE_SHOWN, "data"))

    app.clientside_callback(ClientsideFunction("institution", "totals"),
                            Output(ids.INST_GRID, "dashGridOptions"), Input(ids.INST_GRID, "virtualRowData"),
                            State(ids.INST_GRID, "dashGridOptions"), State(ids.INST_TOTAL_LABEL, "data"))

    def grid_view(filter_model, column_state, store, year, lang):
        """(institution, columns, column state, rows) of the grid as shown, built on the server: the
        year's lines from the database with the grid's filters, sort and column order applied; the
        browser sends no rows. PreventUpdate when the view cannot be reproduced exactly."""
        store = dict_param(store)
        if year_param(year) != year:
            raise PreventUpdate
        with engine.connect() as conn:
            inst = q.get_institution(conn, text_param(store.get("bin")))
            if inst is None:
                raise PreventUpdate
            _, lines = InstitutionNumbers(_asof(store)).lines(conn, inst["id"], year)  # as the grid shows them
            flag = analyst_flag(conn, store.get("flag"), inst["id"], year)
        columns = parts.grid_columns(lang, inst["bin"])
        state = [s for s in column_state if isinstance(s, dict) and isinstance(s.get("colId"), str)] \
            if isinstance(column_state, list) else None
        try:
            rows = apply_filter_model(asked_rows(parts.mark_flag_lines(parts.grid_rows(lines, lang), flag), store),
                                      columns,
                                      filter_model if isinstance(filter_model, dict) else None)
            rows = apply_sort(rows, state, set(parts.export_fields(columns)))
        except GridModelError:
            raise PreventUpdate from None  # a filter we cannot reproduce: no file rather than a wrong one
        return inst, columns, state, rows

    @app.callback(Output(ids.INST_CSV_DOWNLOAD, "data"), Input(ids.INST_CSV, "n_clicks"),
                  State(ids.INST_GRID, "filterModel"), State(ids.INST_GRID, "columnState"),
                  State(ids.INST_BIN, "data"), State(ids.INST_YEAR, "value"), State("page-lang", "data"),
                  prevent_initial_call=True)
    def export_csv(_clicks, filter_model, column_state, store, year, lang):
        """The grid's rows as machine-readable CSV (see grid_csv), in the order shown."""
        inst, columns, state, rows = grid_view(filter_model, column_state, store, year, lang_param(lang))
        return dcc.send_bytes(grid_csv(columns, state, rows), f"{inst['bin']}-{year}.csv", type="text/csv")

    @app.callback(Output(ids.INST_XLSX_DOWNLOAD, "data"), Input(ids.INST_XLSX, "n_clicks"),
                  State(ids.INST_GRID, "filterModel"), State(ids.INST_GRID, "columnState"),
                  State(ids.INST_BIN, "data"), State(ids.INST_YEAR, "value"), State("page-lang", "data"),
                  prevent_initial_call=True)
    def export_xlsx(_clicks, filter_model, column_state, store, year, lang):
        """The grid's view as a workbook with a totals row (headers in the page language)."""
        lang = lang_param(lang)
        inst, columns, state, rows = grid_view(filter_model, column_state, store, year, lang)
        totals = [{"month": "", "program": t("inst.lines.total", lang), "subprogram_code": "", "specific": "",
                   **{c: sum(r[c] for r in rows) for c in parts.MONEY}}]
        content = grid_xlsx(columns, state, rows, totals, title=f"{inst['bin']} {year}")
        return dcc.send_bytes(content, f"{inst['bin']}-{year}.xlsx")
