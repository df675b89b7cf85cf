"""The page for addresses that lead nowhere (Dash shows it for any unknown path)."""
from __future__ import annotations

from dash import html

from dashboard.i18n import request_language, t
from layouts.shell import page

MODULE = "not_found_404"  # the name Dash looks for


def layout(lang: str | None = None, **_query) -> html.Div:
    lang = request_language(lang)
    return page(lang, "/", html.H1(t("notfound.title", lang), className="h3", id="not-found"),
                html.P(t("notfound.text", lang)),
                html.A(t("notfound.home", lang), href=f"/?lang={lang}", className="btn btn-primary"))
