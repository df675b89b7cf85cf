"""Dash's JSON encoding in C (issue 11): the same text as plotly's encoder, without its Python walk.

Dash encodes every callback answer and page layout with plotly.io.json.to_json_plotly. With
orjson installed, that tries orjson once, fails on the first Dash component (orjson does not
know them), and then rebuilds the whole answer in Python (clean_to_json_compatible) before
trying again: ~13 ms for a big answer. Here orjson walks the answer itself and calls back only
for what it does not know: a component or figure gives its `to_plotly_json()` dict (walked in C
in turn), anything else goes through plotly's own cleaning (numpy, pandas, Decimal, dates...).
The options and the escaping of `<`, `>`, `/`, U+2028, U+2029 are plotly's, so the text is the same.
"""
from __future__ import annotations

import orjson
from plotly.io import _json as plotly_json

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
_SWAP = tuple(plotly_json._swap_orjson)


def _modules() -> dict:
    # What plotly's own call passes: modules already imported, none loaded for this.
    from _plotly_utils.optional_imports import get_module

    return {"sage_all": get_module("sage.all", should_load=False), "np": get_module("numpy", should_load=False),
            "pd": get_module("pandas", should_load=False), "image": get_module("PIL.Image", should_load=False)}


# Component class -> (prop name -> its place in _prop_names, wildcard prefixes), or None when
# Dash's own to_plotly_json must run (see _layout).
_LAYOUTS: dict[type, tuple[dict[str, int], tuple[str, ...]] | None] = {}


def _layout(obj) -> tuple[dict[str, int], tuple[str, ...]] | None:
    """How Component.to_plotly_json lays out `obj`'s class, when reading the instance's __dict__
    gives the very same props in the same order: the method is not overridden, there is no
    attribute hook, and no class attribute is named like a prop (hasattr would find it). Dash's
    generated classes set _prop_names and the wildcards per instance, from the same literals."""
    from dash.development.base_component import Component

    cls = type(obj)
    if cls not in _LAYOUTS:
        plain = (isinstance(obj, Component) and cls.to_plotly_json is Component.to_plotly_json
                 and cls.__getattribute__ is object.__getattribute__ and not hasattr(cls, "__getattr__")
                 and not any(hasattr(cls, p) for p in obj._prop_names))
        _LAYOUTS[cls] = ({p: i for i, p in enumerate(obj._prop_names)}, tuple(obj._valid_wildcard_attributes)) \
            if plain else None
    return _LAYOUTS[cls]


def _component(obj, layout: tuple[dict[str, int], tuple[str, ...]]) -> dict:
    """Component.to_plotly_json without a hasattr per possible prop and an any() per attribute:
    Dash's own took ~11 µs a table cell here, this ~4 µs, and a page's answer holds hundreds."""
    order, wildcards = layout
    values = obj.__dict__
    names = [k for k in values if k in order]
    names.sort(key=order.__getitem__)
    props = {k: values[k] for k in names}
    if wildcards:
        props.update({k: v for k, v in values.items() if k.startswith(wildcards)})
    return {"props": props, "type": obj._type, "namespace": obj._namespace}


def _default(obj):
    layout = _LAYOUTS.get(type(obj)) or (_layout(obj) if hasattr(obj, "_prop_names") else None)
    if layout is not None:
        return _component(obj, layout)
    to_plotly_json = getattr(obj, "to_plotly_json", None)
    if to_plotly_json is not None and not hasattr(obj, "tolist"):  # plotly tries tolist first
        return to_plotly_json()
    return plotly_json.clean_to_json_compatible(obj, numpy_allowed=True, datetime_allowed=True, modules=_modules())


def to_json(value) -> str:
    """`value` (dicts, lists, Dash components, figures, numpy, pandas...) as Dash's JSON text."""
    try:
        value = value.to_plotly_json()
    except AttributeError:
        pass
    text = orjson.dumps(value, default=_default, option=_OPTIONS).decode("utf8")
    for unsafe, safe in _SWAP:
        if unsafe in text:
            text = text.replace(unsafe, safe)
    return text


def install() -> None:
    """Make Dash encode answers and layouts with to_json (process-wide; idempotent). Dash imports
    its encoder by name into the modules that use it, so each of those names is replaced."""
    import dash._callback
    import dash._utils
    import dash._validate
    import dash.dash

    for module in (dash._callback, dash._utils, dash._validate, dash.dash):
        if getattr(module, "to_json", None) is not to_json:
            module.to_json = to_json
