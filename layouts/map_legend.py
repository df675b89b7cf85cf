"""The map legend's collapsible container (the legend rows come from layouts/explorer.py:legend).

A native <details>: its <summary> is a real button with an expanded state for screen readers and
the keyboard, with no JavaScript. Closed by default; callbacks/map_legend.py opens it on screens
wider than a phone. On phones it sits under the map rather than over it, so neither the closed
button nor the open legend hides cluster markers or swallows taps on them.
"""
from __future__ import annotations

from dash import html

from dashboard.i18n import t

PHONE_QUERY = "(max-width: 575.98px)"  # Bootstrap's xs; the same edge as the @media rules in app.css


def legend_box(box_id: str, legend_id: str, lang: str) -> html.Details:
    """The legend (`legend_id`, filled by a callback) inside a disclosure whose button names it."""
    return html.Details([
        html.Summary(t("phone.legend.toggle", lang), className="legend-toggle"),
        html.Div(id=legend_id, className="map-legend"),
    ], id=box_id, open=False, className="map-legend-box")
