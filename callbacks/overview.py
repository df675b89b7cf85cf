"""Overview page wiring: year choice → KPIs, sector chart, region table, publications."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html
from sqlalchemy import Engine

from dashboard.i18n import localized, t
from dashboard.i18n.formatting import format_date, format_money, format_number, format_percent
from layouts import ids
from layouts.figures import sector_bars
from queries import overview


def _ratio(paid: int, plan: int) -> float | None:
    return paid / plan if plan else None


def kpi_cards(totals: dict, year: int, lang: str) -> list:
    cards = [
        ("planned", format_money(totals["plan_adjusted"], lang), t("kpi.planned_hint", lang, year=year)),
        ("paid", format_money(totals["paid"], lang), t("kpi.paid_hint", lang, year=year)),
        ("execution", format_percent(_ratio(totals["paid"], totals["plan_adjusted"]), lang),
         t("kpi.execution_hint", lang)),
        ("institutions", format_number(totals["institutions"], lang), t("kpi.institutions_hint", lang)),
    ]
    return [dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(t(f"kpi.{key}", lang), className="kpi-label"),
        html.Div(value, className="kpi-value", id=f"kpi-{key}"),
        html.Div(hint, className="kpi-hint text-muted small"),
    ])), xs=6, lg=3) for key, value, hint in cards]


def region_table(rows: list[dict], lang: str) -> html.Table:
    head = html.Thead(html.Tr([html.Th(t("regions.region", lang)), html.Th(t("kpi.planned", lang)),
                               html.Th(t("kpi.paid", lang)), html.Th(t("kpi.execution", lang)),
                               html.Th(t("regions.per_capita", lang))]))
    body = html.Tbody([html.Tr([
        html.Td(localized(r, "name", lang)),
        html.Td(format_money(r["plan_adjusted"], lang), className="text-end"),
        html.Td(format_money(r["paid"], lang), className="text-end"),
        html.Td(format_percent(_ratio(r["paid"], r["plan_adjusted"]), lang), className="text-end"),
        html.Td(format_money(r["plan_adjusted"] // r["population"], lang, whole=True)
                if r["population"] else "—", className="text-end"),
    ], **{"data-region": r["code"]}) for r in rows])
    return html.Table([head, body], className="table table-sm table-hover align-middle")


def register(app, engine: Engine) -> None:
    """Attach the overview callbacks to `app`, reading from `engine`."""

    @app.callback(Output(ids.YEAR_SELECT, "options"), Output(ids.YEAR_SELECT, "value"),
                  Input("page-lang", "data"), State(ids.YEAR_SELECT, "value"))
    def fill_years(lang, current):
        with engine.connect() as conn:
            years = overview.available_years(conn)
        value = current if current in years else (years[0] if years else None)
        return [{"label": str(y), "value": y} for y in years], value

    @app.callback(Output(ids.KPI_CARDS, "children"), Output(ids.SECTOR_CHART, "figure"),
                  Output(ids.REGION_TABLE, "children"), Output(ids.PUBLICATIONS, "children"),
                  Input(ids.YEAR_SELECT, "value"), State("page-lang", "data"))
    def show_year(year, lang):
        if year is None:
            return html.P(t("overview.no_data", lang)), sector_bars([], lang), None, []
        with engine.connect() as conn:
            totals = overview.totals(conn, year)
            sectors = overview.by_sector(conn, year)
            regions = overview.by_region(conn, year)
            pubs = overview.latest_publications(conn)
        feed = [html.Li([html.Strong(format_date(p["published_at"], lang)), " — ",
                         t(f"publications.source.{p['source']}", lang), ": ",
                         t("publications.lines", lang, lines=format_number(p["lines"], lang),
                           institutions=format_number(p["institutions"], lang))]) for p in pubs]
        return kpi_cards(totals, year, lang), sector_bars(sectors, lang), region_table(regions, lang), feed

