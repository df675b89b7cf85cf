"""The front page's counters (issue 14): read at most once a minute per process.

Not a cached public answer (dashboard/web/response_cache.py): page views change without the data
version changing, and they must not change it (every cached page would be dropped at each view).
A minute-old count costs nothing under load and is as good as a fresh one for a counter."""
from __future__ import annotations

import threading
import time

from dash import Input, Output
from sqlalchemy import Engine

from dashboard.params import lang_param
from layouts.counters import COUNTERS, COUNTERS_LANG, counter_items
from queries.counters import appeal_counters, published_totals, view_totals

TTL_SECONDS = 60


class CounterValues:
    """The counters' numbers, reread when older than TTL_SECONDS (one reader at a time)."""

    def __init__(self, engine: Engine, views_engine: Engine):
        self.engine, self.views_engine = engine, views_engine
        self._lock = threading.Lock()
        self._value: tuple[float, tuple] | None = None

    def __call__(self) -> tuple[dict, dict, dict]:
        value = self._value
        if value and time.monotonic() - value[0] < TTL_SECONDS:
            return value[1]
        with self._lock:
            value = self._value
            if value and time.monotonic() - value[0] < TTL_SECONDS:
                return value[1]
            with self.engine.connect() as conn:
                published, appeals = published_totals(conn), appeal_counters(conn)
            with self.views_engine.connect() as conn:  # the primary: views are written there
                views = view_totals(conn)
            self._value = (time.monotonic(), (published, views, appeals))
            return self._value[1]


def register(app, engine: Engine, write_engine: Engine | None = None) -> CounterValues:
    """Fill the front page's counters from `engine` (views from `write_engine`)."""
    values = CounterValues(engine, write_engine or engine)

    @app.callback(Output(COUNTERS, "children"), Input(COUNTERS_LANG, "data"))
    def show_counters(lang):
        return counter_items(*values(), lang_param(lang))

    return values
