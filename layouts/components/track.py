"""The "follow my appeal" box: a tracking code typed by its author opens /appeal/<code>.

A plain GET form (works without the Dash callbacks) to /appeal/find, which only checks the
code's shape and redirects; whether the appeal exists is told by /appeal/<code> alone.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc

from dashboard.i18n import t
from layouts import fast_html as html

FIND_PATH = "/appeal/find"


ERRORS = ("malformed", "empty")


def track_box(lang: str, prefix: str, value: str = "", error: str | None = None, compact: bool = False) -> html.Form:
    """The box; `prefix` keeps element ids unique when a page shows it twice (footer and body);
    `error`: why /appeal/find sent the code back (one of ERRORS)."""
    error = error if error in ERRORS else None
    input_id, error_id = f"{prefix}-code", f"{prefix}-error"
    field = dbc.Input(id=input_id, name="code", value=value, maxLength=40, autoComplete="off",
                      placeholder="ABCD-EFGH-JKLM-NPQR",
                      invalid=bool(error), size="sm" if compact else None, className="track-code font-monospace")
    return html.Form([
        html.Label(t("citizen.track.label", lang), htmlFor=input_id, className="form-label mb-1"),
        dbc.InputGroup([field, html.Button(t("citizen.track.submit", lang), type="submit",
                                           className="btn btn-primary" + (" btn-sm" if compact else ""))],
                       className="track-group"),
        html.Div(t(f"citizen.track.{error}", lang), id=error_id, className="invalid-feedback d-block", role="alert")
        if error else html.Div(t("citizen.track.hint", lang), className="form-text"),
        dbc.Input(type="hidden", name="lang", value=lang),
    ], action=FIND_PATH, method="GET", className="track-box" + (" track-box-compact" if compact else ""),
        id=f"{prefix}-form", role="search", **{"aria-label": t("citizen.track.label", lang)})
