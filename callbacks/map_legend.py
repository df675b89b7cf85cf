"""Opens the map legends on screens wider than a phone once the page is drawn (in the browser:
only the browser knows its width); on phones they stay closed until the visitor opens them."""
from __future__ import annotations

from dash import Input, Output

from layouts import ids
from layouts.map_legend import PHONE_QUERY

_OPEN_UNLESS_PHONE = f"function(_id) {{ return !window.matchMedia('{PHONE_QUERY}').matches; }}"


def register(app) -> None:
    for box in (ids.MAP_LEGEND_BOX, ids.ANALYST_MAP_LEGEND_BOX):
        app.clientside_callback(_OPEN_UNLESS_PHONE, Output(box, "open"), Input(box, "id"))
