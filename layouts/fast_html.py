"""`dash.html` components made without Dash's per-call work (issue 11): a drop-in for the modules
that build hundreds of them per answer (`from layouts import fast_html as html`).

Dash's generated `__init__` rebuilds two lists of prop names, a `locals()` dict and, per prop, an
error prefix with the package version: ~23 µs for a table cell on the load-test machine. Here each
class is made once the normal way; later instances copy that instance's attributes and set their
props: ~2 µs, the same object (class, attributes, `to_plotly_json()`). Unknown prop names, a
component in a prop other than children and ids Dash would refuse are still refused.
"""
from __future__ import annotations

from dash import html as _html
from dash.development.base_component import Component


def _valid_id(value) -> bool:
    """Dash's rule: a string, or a dict of string keys to strings, numbers or booleans."""
    if isinstance(value, str):
        return True
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, (str, int, float, bool))
                                           for k, v in value.items())


def builder(cls: type[Component]):
    """A function making `cls(children, **props)` as Dash does, minus the repeated checks."""
    proto = cls().__dict__
    names = frozenset(proto["_prop_names"])
    wildcards = tuple(proto["_valid_wildcard_attributes"])
    new = cls.__new__

    def make(children=None, **props):
        for name, value in props.items():
            if name not in names and not name.startswith(wildcards):
                raise TypeError(f"{cls.__name__} received an unexpected keyword argument: `{name}`")
            if isinstance(value, Component) or (name == "id" and not _valid_id(value)):
                raise TypeError(f"{cls.__name__}: prop `{name}` cannot be {value!r}")
        obj = new(cls)
        attributes = obj.__dict__
        attributes.update(proto)
        attributes["children"] = children
        attributes.update(props)
        return obj

    make.__name__ = make.__qualname__ = cls.__name__
    make.__doc__ = cls.__doc__
    return make


def __getattr__(name: str):
    cls = getattr(_html, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Component)):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")  # e.g. __path__, _js_dist
    made = globals()[name] = builder(cls)
    return made
