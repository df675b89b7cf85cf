"""The institution search box in the header of every page (suggestions filled by callbacks.search)."""
from __future__ import annotations

from dash import dcc, html

from dashboard.i18n import t
from layouts import ids


def search_box(lang: str) -> html.Div:
    """A search field with a suggestion list below it."""
    return html.Div([
        html.Label(t("search.label", lang), htmlFor=ids.SEARCH_INPUT, className="visually-hidden"),
        dcc.Input(id=ids.SEARCH_INPUT, type="search", placeholder=t("search.placeholder", lang),
                  debounce=0.25, autoComplete="off", className="form-control form-control-sm"),
        html.Div(id=ids.SEARCH_RESULTS, className="search-results list-group shadow", role="listbox",
                 **{"aria-label": t("search.label", lang)}),
    ], className="search-box me-lg-3", role="search")


def suggestion_items(rows: list[dict], lang: str, query: str) -> list:
    """Links to the institution pages of search results (or a 'nothing found' line)."""
    from dashboard.i18n import localized

    if not query.strip():
        return []
    if not rows:
        return [html.Div(t("search.no_results", lang), className="list-group-item small text-muted")]
    return [html.A([html.Div(localized(r, "name", lang), className="fw-semibold small"),
                    html.Div(f"{localized(r, 'type_name', lang)} · {localized(r, 'district_name', lang)}, "
                             f"{localized(r, 'region_name', lang)} · {r['bin']}", className="small text-muted")],
                   href=f"/institution/{r['bin']}?lang={lang}", className="list-group-item list-group-item-action",
                   role="option") for r in rows]
