"""Live updates wiring (issue 12): the version poll of live pages and "What's new".

The poll runs in the browser: it asks /api/v1/version (one index-only read on the server, none
within DATA_VERSION_TTL) and writes `live-version` only when the answer differs from what the
page holds, so an unchanged version starts no callback and no other query. The pages' data
callbacks take `live-version` as an Input (callbacks/explorer.py, institution.py, present.py).

"What's new" reads its items once per version (`load_whats_new`); the relative times ("5 минут
назад") are redrawn from those items on every tick without a query (`show_whats_new`, `show_ticker`).
"""
from __future__ import annotations

import hashlib

from dash import Input, Output, State, ctx, no_update
from sqlalchemy import Engine

from dashboard.config import Config
from dashboard.params import lang_param
from dashboard.web.dash_json import to_json  # Dash's text, made in C (issue 11)
from layouts import ids, whats_new as view
from layouts.live import CONFIG_KEY, LIVE_TIMER, LIVE_VERSION
from queries.whats_new import whats_new

# `current` is what the page drew from; undefined at load. The first answer is always written
# (the data callbacks wait for it at load); a failed first poll writes null so they still draw.
POLL = """async function (_ticks, current) {
    const loading = current === undefined;
    if (!loading && document.hidden) { return dash_clientside.no_update; }
    try {
        const response = await fetch('/api/v1/version', {cache: 'no-cache', headers: {Accept: 'application/json'}});
        if (!response.ok) { throw new Error(response.status); }
        const version = (await response.json()).version;
        return version === current ? dash_clientside.no_update : version;
    } catch (e) {
        return loading ? null : dash_clientside.no_update;
    }
}"""


def drawn_digest(outputs) -> str:
    """A short fingerprint of a callback's outputs, as the browser receives them."""
    return hashlib.sha256(to_json(outputs).encode()).hexdigest()[:24]


def register(app, engine: Engine, config: Config) -> None:
    """Attach the poll and the What's new callbacks; LIVE_POLL_SECONDS goes to the Flask config,
    where layouts/live.py reads it."""
    app.server.config[CONFIG_KEY] = config.live_poll_seconds
    app.clientside_callback(POLL, Output(LIVE_VERSION, "data"), Input(LIVE_TIMER, "n_intervals"),
                            State(LIVE_VERSION, "data"))

    @app.callback(Output(ids.WHATS_NEW_ITEMS, "data"), Input(LIVE_VERSION, "data"))
    def load_whats_new(_version):
        """The newest public items, read once per data version."""
        with engine.connect() as conn:
            return view.storable(whats_new(conn))

    def redraw(items, build, lang):
        """The view of the page's items; on a tick only the relative times move (no query)."""
        items = view.readable(items)
        if ctx.triggered_id == LIVE_TIMER and not items:
            return no_update
        return build(items, lang_param(lang))

    @app.callback(Output(ids.WHATS_NEW, "children"), Input(ids.WHATS_NEW_ITEMS, "data"),
                  Input(LIVE_TIMER, "n_intervals"), State("page-lang", "data"))
    def show_whats_new(items, _ticks, lang):
        """The explorer's list."""
        return redraw(items, view.panel, lang)

    @app.callback(Output(ids.PRESENT_TICKER, "children"), Input(ids.WHATS_NEW_ITEMS, "data"),
                  Input(LIVE_TIMER, "n_intervals"), State("page-lang", "data"))
    def show_ticker(items, _ticks, lang):
        """The presentation's ticker line, from the same items."""
        return redraw(items, view.ticker, lang)
