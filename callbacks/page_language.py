"""One language per page: `<html lang>`, the tab title and Dash's own texts follow the page's language.

Dash renders one index for every address with the app's title, `<html>` without `lang` and an
English "Loading..."; its router then sets `document.title` from the page's `title`, which it
calls with the path variables only (no query string, so no `?lang=`). Here: the index is
written per request (language, title, loading text), every page's title is a function that
finds the language of the address being routed, the explorer's tab follows its drill, and a
clientside piece keeps `<html lang>` right when a page is drawn without a reload.
"""
from __future__ import annotations

import html as html_text
import re
from urllib.parse import parse_qs

import dash
from dash import Input, Output, State
from dash._pages import _path_to_page
from flask import has_request_context, request
from sqlalchemy import Engine

from callbacks.first_view import front_first_view, institution_first_view
from dashboard.appeals.workflow import normalize_code
from dashboard.explorer_state import ExplorerState
from dashboard.i18n import request_language, t
from dashboard.page_titles import explorer_title, page_title
from dashboard.params import lang_param, text_param
from layouts import ids
from queries import titles

_HTML_TAG = re.compile(r"<html(?![^>]*\slang=)", re.IGNORECASE)

def page_language() -> str:
    """The language of the page being served or routed: `?lang=` of its address (inside Dash's
    routing callback, the address is the callback's `search` input), then cookie and header."""
    url_lang = None
    if has_request_context():
        url_lang = request.args.get("lang")
        if url_lang is None:
            try:
                search = dash.callback_context.inputs.get("_pages_location.search") or ""
            except Exception:  # noqa: BLE001 - not inside a callback
                search = ""
            url_lang = (parse_qs(str(search).lstrip("?")).get("lang") or [None])[0]
    return request_language(url_lang)


def _title_function(module: str, engine: Engine, write_engine: Engine):
    def title(**variables) -> str:
        def institution_place(bin_: str):
            with engine.connect() as conn:
                return titles.institution_place(conn, text_param(bin_, 64))

        def appeal_place(code: str):
            # The primary: a tracking page opened right after its appeal was sent names it.
            with write_engine.connect() as conn:
                return titles.appeal_place(conn, text_param(normalize_code(code), 64))

        return page_title(module, variables, page_language(), institution_place, appeal_place)

    return title


def _localized_index(app: dash.Dash, engine: Engine) -> None:
    """The served index in the request's language: `<html lang>`, the tab title, the loading text;
    an institution page's loading text is its server-rendered first view (layouts/first_view.py)."""
    original = app.interpolate_index

    def interpolate_index(**kwargs) -> str:
        lang = page_language()
        page, variables = _path_to_page(app.strip_relative_path(request.path))
        if not page:
            page = dash.page_registry.get("not_found_404", {})
        title = page.get("title")
        if callable(title):
            kwargs["title"] = html_text.escape(title(**(variables or {})), quote=False)
        first = None
        if page.get("module") == "institution":
            first = institution_first_view(engine, (variables or {}).get("bin"), request.args.get("year"), lang)
        elif page.get("module") == "explorer" and set(request.args) <= {"lang"}:
            first = front_first_view(engine, lang)  # a query (?asof=…) may show other numbers
        entry = kwargs.get("app_entry", "").replace("Loading...", t("site.loading", lang))
        if first is not None:
            # Outside React's root: the view stays painted until the Dash page has drawn its own
            # name and KPIs (assets/first_view.js), instead of blinking out when React mounts.
            entry = str(first) + entry
        kwargs["app_entry"] = entry
        return _HTML_TAG.sub(f'<html lang="{lang}"', original(**kwargs), count=1)

    app.interpolate_index = interpolate_index


def register(app: dash.Dash, engine: Engine, write_engine: Engine | None = None) -> None:
    """Call after every page is registered. Reads from `engine` (a replica, maybe); appeals from
    `write_engine` (the primary; default `engine`)."""
    for module, page in dash.page_registry.items():
        page["title"] = _title_function(module, engine, write_engine or engine)
    _localized_index(app, engine)

    # The shell's "page-lang" store holds the language the page was drawn in.
    app.clientside_callback("function (lang) { if (lang) { document.documentElement.lang = lang; } }",
                            Input("page-lang", "data"))
    app.clientside_callback("function (title) { if (title) { document.title = title; } }",
                            Input(ids.TAB_TITLE, "data"))

    @app.callback(Output(ids.TAB_TITLE, "data"), Input(ids.EXPLORER_STATE, "data"), State("page-lang", "data"))
    def explorer_tab_title(stored, lang):
        state = ExplorerState.from_dict(stored)
        with engine.connect() as conn:
            areas = titles.area_names(conn, state.region, state.district)
        return explorer_title(areas, lang_param(lang))
