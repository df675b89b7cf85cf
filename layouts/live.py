"""Live pages: a timer and the data version the page was drawn from (issue 12).

Every LIVE_POLL_SECONDS the browser asks /api/v1/version (callbacks/live.py); the store
`live-version` changes only when the answer does, and the page's data callbacks take it as an
Input, so they run again (and query) only after the data changed. The first answer, at load,
sets the version before those callbacks draw the page the first time: Dash waits for it, so a
page never shows data older than the version it will compare against."""
from __future__ import annotations

from dash import dcc
from flask import current_app, has_app_context

LIVE_VERSION = "live-version"
LIVE_TIMER = "live-timer"
CONFIG_KEY = "LIVE_POLL_SECONDS"
DEFAULT_SECONDS = 60


def poll_seconds() -> int:
    """The configured interval (callbacks/live.py puts LIVE_POLL_SECONDS in the Flask config)."""
    return current_app.config.get(CONFIG_KEY, DEFAULT_SECONDS) if has_app_context() else DEFAULT_SECONDS


def poller() -> list:
    """The timer and the version store, for the page shell of a live page."""
    return [dcc.Interval(id=LIVE_TIMER, interval=poll_seconds() * 1000),
            dcc.Store(id=LIVE_VERSION)]
