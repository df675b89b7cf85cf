"""Citable views wiring: the "as of" banner, the permalink and the sources, on the explorer and
the institution page (layouts/asof.py draws them, queries/asof.py reads them)."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from dash import Input, Output, State
from flask import request
from sqlalchemy import Engine

from callbacks.explorer import selection
from dashboard.explorer_state import ExplorerState, asof_param, to_hash
from dashboard.params import dict_param, lang_param, text_param, year_param
from layouts import asof as views, ids
from layouts.asof import ASOF_BANNER, ASOF_SHARE_HINT, ASOF_SHARE_URL, ASOF_SOURCES
from dashboard.i18n import t
from queries import asof
from queries.institution import get_institution

INST = "inst-"  # the institution page's prefix of the bar's ids


def register(app, engine: Engine) -> None:
    """Attach the banner/permalink/sources callbacks of both pages to `app`."""

    @app.callback(Output(ASOF_BANNER, "children"), Output(ASOF_SHARE_URL, "value"),
                  Output(ASOF_SHARE_HINT, "children"), Output(ASOF_SOURCES, "children"),
                  Input(ids.EXPLORER_STATE, "data"), State("page-lang", "data"))
    def explorer_bar(stored, lang):
        lang = lang_param(lang)
        state = ExplorerState.from_dict(stored)
        if state.year is None:
            return [], "", "", []
        with engine.connect() as conn:
            pin, publication, since = asof.pinned_view(conn, state.asof)
            shown = state.asof if publication is not None else None
            pubs = asof.sources(conn, selection(state), asof=shown)
        share = f"{request.host_url.rstrip('/')}/?lang={lang}{to_hash(replace(state, asof=pin))}"
        return (views.banner(state.asof, publication, since, to_hash(replace(state, asof=None)), lang),
                share, t("asof.share_hint", lang, id=pin), views.sources(pubs, lang))

    @app.callback(Output(INST + ASOF_BANNER, "children"), Output(INST + ASOF_SHARE_URL, "value"),
                  Output(INST + ASOF_SHARE_HINT, "children"), Output(INST + ASOF_SOURCES, "children"),
                  Input(ids.INST_YEAR, "value"), State(ids.INST_BIN, "data"), State("page-lang", "data"))
    def institution_bar(year, store, lang):
        lang = lang_param(lang)
        store = dict_param(store)
        bin_ = text_param(store.get("bin"))
        year = year_param(year) if type(year) is int else None
        asked = asof_param(str(store.get("asof"))) if store.get("asof") is not None else None
        with engine.connect() as conn:
            inst = get_institution(conn, bin_) if bin_ else None
            if inst is None:
                return [], "", "", []
            pin, publication, since = asof.pinned_view(conn, asked)
            shown = asked if publication is not None else None
            pubs = asof.sources(conn, institution_id=inst["id"], asof=shown)
        query = {"lang": lang, **({"year": year} if year else {})}
        share = f"{request.host_url.rstrip('/')}/institution/{bin_}?{urlencode({**query, 'asof': pin})}"
        return (views.banner(asked, publication, since, f"/institution/{bin_}?{urlencode(query)}", lang),
                share, t("asof.share_hint", lang, id=pin), views.sources(pubs, lang))
