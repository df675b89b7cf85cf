"""Light components for callback outputs that are rebuilt on every filter change.

A Dash component validates its arguments when it is made (~40 µs each; the explorer's panels hold
~200 of them per answer), then is turned into {type, namespace, props} for the browser. `El` is
that JSON form made directly: a dict, so Dash encodes it as is, with attribute access to its
props (`el.children`, `el.href`) like a component. Use the real classes for layouts, where
validation catches mistakes once at start-up; a layout or table made on every request takes them
from `layouts.fast_html` (the same classes, made without the per-call checks).
"""
from __future__ import annotations

HTML = "dash_html_components"
BOOTSTRAP = "dash_bootstrap_components"


class El(dict):
    """A component as the browser receives it; `el.<prop>` reads a prop (None when unset)."""

    __slots__ = ()

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self["props"].get(name)


def el(tag: str, children=None, namespace: str = HTML, **props) -> El:
    """`el("Td", "12 %", className="text-end")` is html.Td("12 %", className="text-end");
    props that are None are left out, and a `data_x`/`aria_x` keyword becomes `data-x`/`aria-x`."""
    out = {k.replace("_", "-") if k.startswith(("data_", "aria_")) else k: v
           for k, v in props.items() if v is not None}
    if children is not None:
        out["children"] = children
    return El(type=tag, namespace=namespace, props=out)
