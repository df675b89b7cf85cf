"""The floor: a bare Dash app (one page, one callback returning a small dict), served by the same
gunicorn command as the real app (`gunicorn bench.load.bare_app:server`)."""
from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

app = dash.Dash(__name__, title="bare")
app.layout = html.Div([html.H1("bare"), dcc.Store(id="seed", data={"n": 1}), dcc.Store(id="out")])


@app.callback(Output("out", "data"), Input("seed", "data"))
def answer(seed):
    """A small dict, no database: what Dash itself costs per callback."""
    return {"ok": True, "n": seed["n"], "items": [1, 2, 3]}


server = app.server
# As the real app does (dashboard/web/static_cache.py register_component_paths): otherwise a
# worker whose first request is a script of a page another worker served answers 500.
with server.test_request_context("/"):
    app._generate_scripts_html()  # noqa: SLF001
    app._generate_css_dist_html()  # noqa: SLF001
# Modules a first request imports lazily (plotly's JSON encoder pulls in numpy) are imported here,
# before gunicorn forks, as the real app's imports do: a worker whose concurrent first requests
# imported numpy in several threads at once died of SIGILL (hundreds of times per run).
import numpy  # noqa: E402,F401
with server.test_client() as client:
    for path in ("/", "/_dash-layout", "/_dash-dependencies"):
        client.get(path)
