"""/embed: one panel of the site without its header and footer, for other sites' frames (issue 14).

    /embed?panel=map&lang=kk&year=2025&metric=execution&region=KZ-11
    /embed?panel=institutions|sectors|areas&…   (the explorer's 5 largest, same parameters as its
                                                 URL fragment: year, months, sectors, metric, region,
                                                 district, asof)
    /embed?panel=monthly&bin=050340011516&year=2025[&mode=cumulative]

The frame here holds no data: callbacks/embed.py draws the panel, its title, the link back to the
full view (a new tab: an embed never navigates inside the host's frame) and the attribution.
Framing is allowed from any site (dashboard/web/frame_guard.py: `frame-ancestors *`).
"""
from __future__ import annotations

from dash import dcc, html

from dashboard.i18n import request_language, t
from dashboard.params import text_param
from layouts.embed import EMBED_BODY, EMBED_LINK, EMBED_QUERY, EMBED_TITLE, PANELS, STATE_KEYS

PATH = "/embed"
MODULE = "embed"


def layout(panel: str | None = None, lang: str | None = None, bin: str | None = None,  # noqa: A002
           mode: str | None = None, **query) -> html.Div:
    """The frame of one panel; its content comes from callbacks/embed.py."""
    lang = request_language(lang)
    panel = panel if panel in PANELS else None
    state = {k: text_param(v, 200) for k, v in query.items() if k in STATE_KEYS and isinstance(v, str)}
    return html.Main([  # the one landmark: an embed has no header or footer of the site
        html.Div(id=EMBED_TITLE, className="embed-title"),
        html.Div(id=EMBED_BODY, className=f"embed-body embed-panel-{panel or 'none'}",
                 children=None if panel else html.P(t("embed.unknown", lang), className="text-muted")),
        html.Div([html.A(t("embed.full_view", lang), id=EMBED_LINK, href=f"/?lang={lang}", target="_blank",
                         rel="noopener"), " · ",
                  t("embed.source", lang, site=t("app.title", lang)),
                  *([" · ", html.A(t("map.osm_credit", lang), href="https://www.openstreetmap.org/copyright",
                                   target="_blank", rel="noopener")] if panel == "map" else [])],
                 className="embed-foot small text-muted"),
        dcc.Store(id=EMBED_QUERY, data={"panel": panel, "state": state, "bin": text_param(bin or "", 20),
                                        "mode": "cumulative" if mode == "cumulative" else "monthly"}
                  if panel else None),
        dcc.Store(id="page-lang", data=lang),
    ], id="main", className="embed-page", lang=lang)

