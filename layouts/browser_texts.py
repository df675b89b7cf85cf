"""Texts that assets/page_language.js writes into the page (Leaflet's zoom buttons, the file
picker, the range slider's handles): one hidden element per page holds them, so the script
needs no catalog of its own."""
from __future__ import annotations

from dash import html

from dashboard.i18n import t

BROWSER_TEXTS = "browser-texts"
KEYS = {"zoom-in": "map.zoom_in", "zoom-out": "map.zoom_out", "file-choose": "file.choose",
        "file-choose-many": "file.choose_many", "file-none": "file.none", "file-chosen": "file.chosen",
        "range-from": "range.from", "range-to": "range.to"}


def browser_texts(lang: str) -> html.Div:
    # t() without parameters leaves "{count}" for the script to fill.
    return html.Div(id=BROWSER_TEXTS, hidden=True, **{f"data-{name}": t(key, lang) for name, key in KEYS.items()})
