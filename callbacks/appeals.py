"""Appeals wiring: the institution's appeals section and the tracking-code page."""
from __future__ import annotations

from dash import Input, Output, html
from sqlalchemy import Engine

from dashboard.i18n import localized, t
from dashboard.params import dict_param, text_param
from dashboard.web.guard import is_analyst
from layouts import ids
from layouts.components.appeals import appeal_card, counts_badges, status_history
from layouts.responsiveness import responsiveness_line
from queries import appeals as q
from queries.appeals import utcnow
from queries.responsiveness import institution_responsiveness


def institution_title(engine: Engine, bin_: str, lang: str) -> str:
    with engine.connect() as conn:
        institution = q.institution_by_bin(conn, bin_ or "")
    return localized(institution, "name", lang) if institution else t("appeals.unknown_institution", lang)


def section_content(engine: Engine, bin_: str, lang: str) -> tuple:
    """(count badges, list of appeals) for an institution BIN: the public ones, or for a signed-in
    analyst every appeal not hidden as abusive, unpublished ones too (never the citizen's contact)."""
    analyst = is_analyst()
    with engine.connect() as conn:
        institution = q.institution_by_bin(conn, bin_ or "")
        if institution is None:
            return None, html.P(t("appeals.unknown_institution", lang), className="text-muted")
        counts = q.appeal_counts_for_institution(conn, institution["id"])
        stats = institution_responsiveness(conn, institution["id"])  # public appeals only, for everyone
        rows = q.with_line_details(conn, q.appeals_for_institutions(conn, [institution["id"]]) if analyst
                                   else q.public_appeals(conn, institution["id"]))
        files = q.attachments_for(conn, [r["id"] for r in rows])
    now = utcnow()
    cards = [appeal_card({**r, "author_contact": None}, files[r["id"]], lang, staff=analyst,
                         overdue=r["status"] in ("new", "in_review") and r["due_at"] < now)
             for r in rows]
    listing = cards or html.P(t("appeals.none_yet", lang), className="text-muted", id="appeals-empty")
    if analyst:
        listing = [html.P(t("appeals.analyst_view", lang), className="small text-muted", id="appeals-analyst-view"),
                   *(listing if isinstance(listing, list) else [listing])]
    return [*counts_badges(counts, lang), responsiveness_line(stats, lang)], listing


def track_content(engine: Engine, code: str, lang: str):
    """The appeal behind a tracking code as its author sees it (status, answer, reasons)."""
    from dashboard.appeals.workflow import normalize_code

    with engine.connect() as conn:
        appeal = q.appeal_by_code(conn, normalize_code(code))
        appeal = q.with_line_details(conn, [appeal])[0] if appeal else None
        files = q.attachments_for(conn, [appeal["id"]]) if appeal else {}
        history = q.events_for(conn, appeal["id"]) if appeal else []
    if appeal is None:
        return html.P(t("appeals.track.not_found", lang), className="alert alert-warning", id="track-not-found")
    name = localized({"name_kk": appeal["inst_name_kk"], "name_ru": appeal["inst_name_ru"],
                      "name_en": appeal["inst_name_en"]}, "name", lang)
    overdue = appeal["status"] in ("new", "in_review") and appeal["due_at"] < utcnow()
    return html.Div([
        html.P([t("appeals.track.institution", lang), " ",
                html.A(name, href=f"/institution/{appeal['bin']}/appeals?lang={lang}")]),
        html.P(t("appeals.track.public" if appeal["published"] and not appeal["hidden_reason"]
                 else "appeals.track.not_public", lang), className="small text-muted"),
        appeal_card(appeal, files[appeal["id"]], lang, code=appeal["tracking_code"], overdue=overdue),
        status_history(history, lang),
    ])


def register(app, engine: Engine) -> None:
    """Attach the appeals callbacks (public data only: approved appeals, or the holder's code)."""

    @app.callback(Output(ids.APPEALS_COUNTS, "children"), Output(ids.APPEALS_LIST, "children"),
                  Input(ids.APPEALS_CTX, "data"))
    def fill_section(ctx):
        ctx = dict_param(ctx)
        return section_content(engine, text_param(ctx.get("bin")), ctx.get("lang"))

    # Only on /institution/<bin>/appeals (the institution page has its own title).
    @app.callback(Output(ids.APPEALS_INSTITUTION, "children"), Input(ids.APPEALS_CTX, "data"))
    def fill_title(ctx):
        ctx = dict_param(ctx)
        return institution_title(engine, text_param(ctx.get("bin")), ctx.get("lang"))

    @app.callback(Output(ids.TRACK_VIEW, "children"), Input(ids.TRACK_CTX, "data"))
    def fill_track(ctx):
        ctx = dict_param(ctx)
        return track_content(engine, text_param(ctx.get("code")), ctx.get("lang"))
