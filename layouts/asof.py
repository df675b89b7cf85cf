"""Citable views (issue 14): the "as of" banner, the permalink to share or cite, and the sources.

`asof_bar` is the static frame a page places above its figures; callbacks/asof.py fills it.
"""
from __future__ import annotations

import datetime as dt

from dash import dcc, html

from dashboard.i18n import catalog, t
from dashboard.i18n.formatting import format_datetime, format_number
from layouts.elements import el

ASOF_BANNER = "asof-banner"
ASOF_SHARE_URL = "asof-share-url"
ASOF_SHARE_HINT = "asof-share-hint"
ASOF_SOURCES = "asof-sources"


def asof_bar(lang: str, prefix: str = "") -> html.Div:
    """The banner (empty unless the view is pinned to an older publication), "Share or cite this
    view" and "Source of these numbers", each one click away. `prefix` keeps ids unique per page."""
    return html.Div([
        html.Div(id=prefix + ASOF_BANNER, role="status", **{"aria-live": "polite"}),
        html.Div([
            html.Details([
                html.Summary([html.I(className="bi bi-link-45deg me-1", **{"aria-hidden": "true"}),
                              t("asof.share", lang)]),
                html.Div([
                    html.Label(t("asof.share", lang), htmlFor=prefix + ASOF_SHARE_URL, className="visually-hidden"),
                    dcc.Input(id=prefix + ASOF_SHARE_URL, type="text", readOnly=True,
                              className="form-control form-control-sm asof-share-url"),
                    dcc.Clipboard(target_id=prefix + ASOF_SHARE_URL, title=t("asof.copy", lang),
                                  className="btn btn-outline-secondary btn-sm asof-copy"),
                ], className="d-flex gap-1 align-items-center mt-1"),
                html.P(id=prefix + ASOF_SHARE_HINT, className="small text-muted mb-0 mt-1"),
            ], className="asof-share"),
            html.Details([
                html.Summary([html.I(className="bi bi-info-circle me-1", **{"aria-hidden": "true"}),
                              t("asof.sources", lang)]),
                html.Div(id=prefix + ASOF_SOURCES, className="small mt-1"),
            ], className="asof-sources"),
        ], className="asof-tools d-flex flex-wrap gap-3 small"),
    ], className="asof-bar my-2")


def _time(value: dt.datetime, lang: str) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)  # SQLite stores UTC without a zone
    return format_datetime(value, lang)


def what(p: dict, lang: str) -> str:
    """What a publication was, in the page's language: its source ("Budget import") and, for an
    import, its file name or, for a document, its title (descriptions are stored in English)."""
    key = f"publications.source.{p['source']}"
    label = t(key, lang) if key in catalog(lang) else p["source"]
    if p["source"] in ("import", "upload") and ": " in p["description"]:
        return f"{label}: {p['description'].split(': ', 1)[0]}"
    return f"{label}: {p['description']}" if p["source"] == "documents" else label


def _publication(p: dict, lang: str) -> str:
    return t("asof.publication", lang, id=p["id"], time=_time(p["published_at"], lang),
             who=p.get("published_by") or t("asof.who_unrecorded", lang), lines=format_number(p["lines"], lang))


def banner(pinned: int | None, publication: dict | None, since: list[dict], current_href: str, lang: str) -> list:
    """The "as of" banner: which publication the numbers are as of, what was published since
    (file, time, who, rows) and a link to the current numbers; [] for the current view."""
    if pinned is None or (publication is not None and not since):
        return []
    if publication is None:
        return [el("Div", t("asof.unknown", lang, id=pinned), className="alert alert-warning py-2 asof-banner")]
    items = [el("Li", [el("Strong", what(p, lang)), " — ", _publication(p, lang)]) for p in since]
    # A gap in the ids (queries.asof.pinned_view): said, and the numbers are the publication's before it.
    gap = [el("P", t("asof.gap", lang, asked=pinned, id=publication["id"]), className="mb-1 small asof-gap")
           ] if publication["id"] != pinned else []
    return [el("Div", [
        *gap,
        el("P", [el("I", className="bi bi-clock-history me-1", aria_hidden="true"),
                 t("asof.banner", lang, time=_time(publication["published_at"], lang), id=publication["id"],
                   what=what(publication, lang))], className="mb-1"),
        el("P", t("asof.changed_since", lang, count=format_number(len(since), lang)), className="mb-1 small"),
        el("Ul", items, className="small mb-1 asof-since"),
        # What the history cannot give back (queries/asof.py): said where the numbers are.
        el("P", t("asof.now_parts", lang), className="mb-1 small asof-now-parts"),
        el("A", t("asof.current_link", lang), href=current_href, className="alert-link"),
    ], className="alert alert-info py-2 asof-banner", data_asof=str(publication["id"]))]


def embed_note(pinned: int | None, publication: dict | None, since: list[dict], current_href: str,
               lang: str) -> list:
    """The embed's one-line form of the banner: as of which publication, how many since, and a link
    to the current numbers (a new tab: an embed never navigates the host's frame); [] when current."""
    if pinned is None or (publication is not None and not since):
        return []
    if publication is None:
        return [el("P", t("asof.unknown", lang, id=pinned), className="small text-warning-emphasis mb-1 embed-asof")]
    return [el("P", [el("I", className="bi bi-clock-history me-1", aria_hidden="true"),
                     t("embed.asof", lang, time=_time(publication["published_at"], lang), id=publication["id"],
                       count=format_number(len(since), lang)), " ",
                     el("A", t("asof.current_link", lang), href=current_href, target="_blank", rel="noopener")],
               className="small mb-1 embed-asof", data_asof=str(publication["id"]))]


def sources(pubs: list[dict], lang: str) -> list:
    """The publications whose lines the view adds up, newest first (file, time, who, rows)."""
    if not pubs:
        return [t("asof.no_sources", lang)]
    items = []
    for p in pubs:
        detail = [el("Strong", what(p, lang)), el("Br"), _publication(p, lang)]
        if p.get("view_lines"):
            detail += ["; ", t("asof.view_lines", lang, count=format_number(p["view_lines"], lang))]
        items.append(el("Li", detail, className="mb-1"))
    return [el("P", t("asof.sources_hint", lang), className="mb-1"), el("Ul", items, className="list-unstyled mb-0")]
