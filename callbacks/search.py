"""Header search box: suggestions as you type (every page)."""
from __future__ import annotations

from dash import Input, Output, State
from sqlalchemy import Engine

from dashboard.params import text_param
from layouts import ids
from layouts.search import suggestion_items
from queries.search import search_institutions


def register(app, engine: Engine) -> None:
    @app.callback(Output(ids.SEARCH_RESULTS, "children"), Input(ids.SEARCH_INPUT, "value"),
                  State("page-lang", "data"), prevent_initial_call=True)
    def suggest(query, lang):
        query = text_param(query)
        if not query.strip():
            return []
        with engine.connect() as conn:
            rows = search_institutions(conn, query, limit=8)
        return suggestion_items(rows, lang, query)
