"""The frame around every page: header with language switch, footer with data notes."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc

from dashboard.i18n import LANGUAGES, t
from layouts import fast_html as html
from layouts import ids
from layouts.browser_texts import browser_texts
from layouts.components.track import track_box
from layouts.live import poller
from layouts.search import search_box

LANGUAGE_LABELS = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def language_switch(lang: str, path: str = "/") -> html.Nav:
    """Links that reload the page in another language (the choice is kept in a cookie)."""
    return html.Nav(
        [html.A(LANGUAGE_LABELS[code], href=f"{path}?lang={code}", lang=code, hrefLang=code, id=f"lang-{code}",
                className="lang-link active" if code == lang else "lang-link",
                **({"aria-current": "true"} if code == lang else {}))
         for code in LANGUAGES],
        id=ids.LANG_SWITCH, className="lang-switch", **{"aria-label": t("nav.language", lang)})


def header(lang: str, path: str = "/") -> dbc.Navbar:
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand([html.Span("₸", className="brand-mark"), t("app.title", lang)],
                            href=f"/?lang={lang}"),
            html.Span(t("app.tagline", lang), className="navbar-text d-none d-lg-inline tagline"),
            search_box(lang),
            language_switch(lang, path),
        ], fluid=True),
        color="primary", dark=True, className="mb-3")


def footer(lang: str) -> html.Footer:
    return html.Footer(dbc.Container([
        track_box(lang, "track-footer", compact=True),
        html.P(t("footer.money_note", lang), className="mb-1"),
        html.P(t("footer.demo_note", lang), className="mb-1"),
        html.P([t("footer.license", lang), " ",
                html.A(t("map.osm_credit", lang), href="https://www.openstreetmap.org/copyright")]),
        html.P(html.A(t("accounts.login_title", lang), href=f"/login?lang={lang}", id="staff-login-link")),
    ], fluid=True), className="site-footer text-muted small mt-4 py-3")


def page(lang: str, path: str, *children, live: bool = False) -> html.Div:
    """A full page: header, main content, footer; `live` pages redraw when the data changes
    (layouts/live.py)."""
    return html.Div([
        html.A(t("nav.skip", lang), href="#main", className="visually-hidden-focusable"),
        header(lang, path),
        html.Main(dbc.Container(list(children), fluid=True), id="main", lang=lang),
        footer(lang),
        dcc.Store(id="page-lang", data=lang),
        dcc.Store(id=ids.TAB_TITLE),  # set by a page's callbacks when its tab title follows its state
        browser_texts(lang),
        *(poller() if live else []),
    ])
