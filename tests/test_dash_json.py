"""Dash answers encoded by orjson in C (dashboard/web/dash_json.py) are the very text plotly's
encoder made: for the explorer's and the institution page's real answers on both databases, and
for the value types plotly knows (numpy, pandas, Decimal, dates, figures, NaN, unsafe characters)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dash._callback
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import dcc, html
from dash.development.base_component import Component
from plotly.io.json import to_json_plotly
from sqlalchemy import select

from dashboard.schema import institutions
from dashboard.web import dash_json
from tests.conftest import DEMO_YEARS
from tests.dash_requests import body_for

VALUES = {
    "decimal": Decimal("1234.50"), "date": dt.date(2024, 1, 2),
    "aware": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), "nan": float("nan"), "inf": float("-inf"),
    "int64": np.int64(2**40), "float64": np.float64(0.1), "bool_": np.bool_(True), "array": np.array([1.5, np.nan]),
    "int_array": np.arange(3), "object_array": np.array([1, "a", None], dtype=object),
    "series": pd.Series([1, 2]), "dates": pd.Series(pd.to_datetime(["2024-01-01"])), "nat": pd.NaT, "na": pd.NA,
    "timestamp": pd.Timestamp("2024-01-02 03:04:05"), "tuple": (1, (2, 3)), "int_keys": {1: "a", 2: [None]},
    "unsafe": "</script><b>\u2028\u2029 ₸ «школ»", "big": 2**62, "empty": [], "nested": {"a": {"b": [{"c": ()}]}},
    "figure": go.Figure(go.Bar(x=["a", "b"], y=np.array([3, 4]), customdata=["1 ₸", "2 ₸"])),
    "figure_dict": {"data": [{"type": "bar", "x": [1, 2], "y": [Decimal("0.5"), 2]}], "layout": {"height": 300}},
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_same_text_as_plotly_plain_and_inside_components(name):
    value = VALUES[name]
    for wrapped in ({"response": {"x": {"children": value}}},
                    {"response": {"x": {"children": html.Div([html.Span(value if name != "figure" else "f"),
                                                              dcc.Graph(figure=value if "figure" in name else {})],
                                                             title="«t»", style={"width": 1}), "y": value}}}):
        assert dash_json.to_json(wrapped) == to_json_plotly(wrapped)


def component_classes():
    import inspect

    import dash_ag_grid
    import dash_leaflet

    for module in (html, dcc, dash_leaflet, dash_ag_grid):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Component) and cls is not Component:
                yield cls


def test_every_component_class_gives_dashs_props_in_dashs_order():
    checked = 0
    for cls in component_classes():
        try:
            obj = cls(id="x", **{"data-k": 1, "aria-label": "a"})
        except TypeError:  # no wildcards, or required props: with what it takes alone
            try:
                obj = cls(id="x")
            except TypeError:
                continue
        expected = obj.to_plotly_json()
        layout = dash_json._layout(obj)
        assert layout is not None, cls
        ours = dash_json._component(obj, layout)
        assert ours == expected and list(ours["props"]) == list(expected["props"]), cls
        checked += 1
    assert checked > 150


def test_a_value_nothing_can_encode_is_still_a_type_error():
    with pytest.raises(TypeError):
        dash_json.to_json({"x": html.Div(object())})


def test_installed_into_dash():
    dash_json.install()
    assert dash._callback.to_json is dash_json.to_json and dash.dash.to_json is dash_json.to_json


def test_real_answers_are_plotlys_text(demo_engine, tmp_path, monkeypatch):
    from app import create_app
    from dashboard.config import load_config

    url = demo_engine.url.render_as_string(hide_password=False)
    app = create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path), "CACHE_MAX_MB": "0"}))
    seen = []

    def both(value):
        ours, plotlys = dash_json.to_json(value), to_json_plotly(value)
        seen.append(ours == plotlys)
        return ours

    monkeypatch.setattr(dash._callback, "to_json", both)
    with demo_engine.connect() as conn:
        inst_id, bin_ = conn.execute(select(institutions.c.id, institutions.c.bin).where(
            institutions.c.capacity.is_not(None)).order_by(institutions.c.id).limit(1)).one()
    year = DEMO_YEARS[-1]
    client = app.server.test_client()
    for lang in ("kk", "ru", "en"):
        state = {"year": year, "months": [2, 11], "sectors": [], "metric": "plan_adjusted", "region": None,
                 "district": None}
        region = {**state, "region": "KZ-11", "months": [1, 12]}
        bodies = [
            body_for(app, "show_year", [year, None], [{"bin": bin_}, None, lang]),
            body_for(app, "show_monthly", [year, "cumulative", None], [{"bin": bin_}, lang]),
            body_for(app, "open_page", [{"bin": bin_}], [lang]),
            body_for(app, "draw_map", [state, None], [lang]),
            body_for(app, "draw_panels", [state, None], [lang]),
            body_for(app, "draw_panels", [region, None], [lang]),
            body_for(app, "show_popup", [1, region], [{"properties": {"id": inst_id}}, lang]),
        ]
        for body in bodies:
            response = client.post("/_dash-update-component", json=body)
            assert response.status_code == 200, (body["output"], response.data[:300])
    assert len(seen) == 21 and all(seen)
