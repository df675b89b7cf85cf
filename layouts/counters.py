"""The front page's counters strip (issue 14): the frame here, the numbers from callbacks/counters.py."""
from __future__ import annotations

from dash import dcc, html

from dashboard.i18n import t
from dashboard.i18n.formatting import format_money, format_number

COUNTERS = "site-counters"
COUNTERS_LANG = "site-counters-lang"


def counters_section(lang: str) -> html.Section:
    """An empty strip with its heading; filled once the page is open."""
    return html.Section([html.H2(t("counters.title", lang), className="h6 mt-3"),
                         html.Div(id=COUNTERS, className="row g-2 site-counters", role="list"),
                         dcc.Store(id=COUNTERS_LANG, data=lang)], **{"aria-label": t("counters.title", lang)})


def _item(key: str, value: str, label: str, hint: str | None = None) -> html.Div:
    return html.Div(html.Div([html.Div(value, className="counter-value", id=f"counter-{key}"),
                              html.Div(label, className="counter-label small"),
                              *([html.Div(hint, className="counter-hint small text-muted")] if hint else [])],
                             className="counter h-100"),
                    className="col-6 col-md-4 col-xl", role="listitem")


def counter_items(published: dict, views: dict, appeals: dict, lang: str) -> list:
    """The counters: institutions that published, adjusted plan published (every year, newest
    year), page views (all, this year), public appeals received and answered."""
    items = [
        _item("institutions", format_number(published["institutions"], lang), t("counters.institutions", lang),
              t("counters.institutions_year", lang, year=published["year"],
                count=format_number(published["year_institutions"], lang)) if published["year"] else None),
        _item("published", format_money(published["plan_adjusted"], lang), t("counters.published", lang)),
    ]
    if published["year"]:
        items.append(_item("published-year", format_money(published["year_plan_adjusted"], lang),
                           t("counters.published_year", lang, year=published["year"])))
    items += [
        _item("views", format_number(views["views"], lang), t("counters.views", lang),
              t("counters.views_year", lang, year=views["year"], count=format_number(views["year_views"], lang))),
        _item("appeals", format_number(appeals["received"], lang), t("counters.appeals", lang),
              t("counters.appeals_answered", lang, count=format_number(appeals["answered"], lang))),
    ]
    return items
