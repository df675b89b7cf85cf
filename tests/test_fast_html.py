"""layouts.fast_html makes the very objects dash.html makes, and still refuses wrong props."""
from __future__ import annotations

import pytest
from dash import html

from layouts import fast_html


@pytest.mark.parametrize("name", ["Td", "Tr", "Th", "Table", "Div", "Span", "A", "P", "Ul", "Li", "Button"])
def test_the_same_component_as_dash_html(name):
    kwargs = {"className": "text-end", "data-specific": "12", "aria-label": "x", "id": {"k": "v"}}
    made, real = getattr(fast_html, name)("12 %", **kwargs), getattr(html, name)("12 %", **kwargs)
    assert type(made) is type(real) and made.__dict__ == real.__dict__
    assert made.to_plotly_json() == real.to_plotly_json()
    bare, real_bare = getattr(fast_html, name)(), getattr(html, name)()
    assert bare.__dict__ == real_bare.__dict__
    assert getattr(fast_html, name)(children=["a"]).children == ["a"]


def test_wrong_props_are_refused():
    with pytest.raises(TypeError, match="unexpected keyword argument: `colour`"):
        fast_html.Td("x", colour="red")
    with pytest.raises(TypeError):
        fast_html.Div(id=5)
    with pytest.raises(TypeError):
        fast_html.Div(title=html.Span("not a prop value"))
    with pytest.raises(TypeError):
        fast_html.Div(id={1: "x"})
    with pytest.raises(TypeError):
        fast_html.Div(id={"a": [1]})
    for name in ("NoSuchElement", "__path__", "_js_dist", "__version__"):
        assert not hasattr(fast_html, name)
