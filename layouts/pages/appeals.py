"""Appeals pages: an institution's appeals (/institution/<bin>/appeals), following one appeal by
its tracking code (/appeal/<code>) and the box to type a code (/appeal)."""
from __future__ import annotations

from dash import dcc, html

from dashboard.appeals.drafts import take_draft
from dashboard.params import bin_shaped, whole_number, year_param
from dashboard.i18n import request_language, t
from layouts import ids
from layouts.components.appeals import appeals_section
from layouts.components.track import track_box
from layouts.shell import page

INSTITUTION_PATH = "/institution/<bin>/appeals"
TRACK_PATH = "/appeal/<code>"
FIND_PATH = "/appeal"


def _year(value) -> int | None:
    return year_param(value)


def institution_layout(bin: str = "", lang: str | None = None, year: str | None = None, line: str | None = None,
                       error: str | None = None, field: str | None = None, draft: str | None = None,
                       month: str | None = None, **_query) -> html.Div:
    """The institution's name (filled by a callback) above its appeals section; after an error
    the form comes back with what this browser typed (`draft`, read once)."""
    lang = request_language(lang)
    bin_ = bin if bin_shaped(bin) else ""
    return page(lang, f"/institution/{bin_}/appeals",
                html.H1(id=ids.APPEALS_INSTITUTION, className="h3"),
                appeals_section(bin_, lang, _year(year), line, error, field, take_draft(draft) if error else {},
                                whole_number(month, 1, 12)),
                html.Div(track_box(lang, "track-page"), className="track-page-box mt-3"))


def track_layout(code: str = "", lang: str | None = None, posted: str | None = None, **_query) -> html.Div:
    """One appeal as its author follows it (no account: the code is the key)."""
    lang = request_language(lang)
    return page(lang, f"/appeal/{code}",
                html.H1(t("appeals.track.title", lang), className="h3"),
                html.Div(t("appeals.track.posted", lang, code=code), className="alert alert-success",
                         id="appeal-posted", role="status") if posted else None,
                html.P([t("appeals.track.code", lang), " ", html.Code(code, id="tracking-code")]),
                html.P(t("appeals.track.keep", lang), className="small text-muted"),
                dcc.Loading(html.Div(id=ids.TRACK_VIEW), type="dot"),
                dcc.Store(id=ids.TRACK_CTX, data={"code": code, "lang": lang}),
                html.Div(track_box(lang, "track-page"), className="track-page-box mt-4"))


def find_layout(lang: str | None = None, code: str | None = None, error: str | None = None,
                **_query) -> html.Div:
    """The box on its own page; after /appeal/find refused a code, with what was typed and why."""
    lang = request_language(lang)
    typed = code[:40] if isinstance(code, str) else ""
    return page(lang, FIND_PATH,
                html.H1(t("appeals.track.title", lang), className="h3"),
                html.P(t("citizen.track.intro", lang), className="text-muted"),
                html.Div(track_box(lang, "track-page", typed, error=error),
                         className="track-page-box"))
