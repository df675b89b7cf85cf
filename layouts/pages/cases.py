"""Analysts' case pages: `/analyst/cases` (list, status filter, open a case) and
`/analyst/cases/<id>` (one case). The layout shows containers only to a signed-in analyst;
callbacks/cases.py fills them and checks the role again on the server."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import catalog, request_language, t
from dashboard.schema import CASE_STATUSES
from layouts import ids
from layouts.case_forms import open_case_form
from layouts.pages.staff import _guarded  # the staff pages' sign-in / forbidden guard

CASES_PATH = "/analyst/cases"
CASE_TEMPLATE = "/analyst/cases/<case_id>"


def flash(lang: str, error: str | None, saved: str | None):
    """The message for ?error= (cases.error.*, else generic) or ?saved= after a form post."""
    if error:
        key = f"cases.error.{error}"
        return dbc.Alert(t(key, lang) if key in catalog(lang) else t("appeals.error.generic", lang),
                         color="danger", id="cases-error")
    return dbc.Alert(t("accounts.saved", lang), color="success") if saved else None


def status_filter(lang: str, current: str | None) -> html.Nav:
    items = [(None, "cases.filter.all"), *((s, f"cases.status.{s}") for s in CASE_STATUSES)]
    return html.Nav([html.A(t(key, lang), href=f"{CASES_PATH}?lang={lang}" + (f"&status={s}" if s else ""),
                            className="btn btn-sm me-1 " + ("btn-primary" if s == current else "btn-outline-primary"),
                            **({"aria-current": "true"} if s == current else {}))
                     for s, key in items], id="cases-filter", className="mb-3",
                    **{"aria-label": t("cases.filter.label", lang)})


def cases_layout(lang: str | None = None, status: str | None = None, error: str | None = None,
                 saved: str | None = None, **_q) -> html.Div:
    lang = request_language(lang)
    status = status if status in CASE_STATUSES else None
    return _guarded(lang, CASES_PATH, "analyst", "cases.title", flash(lang, error, saved),
                    status_filter(lang, status),
                    dcc.Loading(html.Div(id=ids.CASE_LIST), type="dot"),
                    html.H2(t("cases.new", lang), className="h5 mt-4"), open_case_form(lang),
                    dcc.Store(id=ids.CASES_CTX, data={"lang": lang, "status": status}))


def case_layout(case_id: str | None = None, lang: str | None = None, error: str | None = None,
                saved: str | None = None, **_q) -> html.Div:
    lang = request_language(lang)
    number = int(case_id) if (case_id or "").isascii() and (case_id or "").isdigit() and len(case_id) < 10 else 0
    back = html.A(t("cases.back", lang), href=f"{CASES_PATH}?lang={lang}", className="small d-block mb-2")
    return _guarded(lang, f"{CASES_PATH}/{case_id}", "analyst", "cases.case_title", back,
                    flash(lang, error, saved), dcc.Loading(html.Div(id=ids.CASE_DETAIL), type="dot"),
                    dcc.Store(id=ids.CASES_CTX, data={"lang": lang, "case_id": number}))


def register_case_pages() -> None:
    """Register the case pages (the list before the template so `/analyst/cases` is the list)."""
    dash.register_page("analyst_cases", path=CASES_PATH, layout=cases_layout, title="Ashyq Budget")
    dash.register_page("analyst_case", path_template=CASE_TEMPLATE, layout=case_layout, title="Ashyq Budget")
