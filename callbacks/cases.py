"""Wiring of the case pages: the case list and one case. Each callback checks the analyst role
on the server (403 otherwise), whatever the page showed."""
from __future__ import annotations

from dash import Input, Output, html
from sqlalchemy import Engine

from dashboard.i18n import t
from dashboard.schema import CASE_STATUSES
from dashboard.web.guard import require_analyst
from layouts import case_forms as forms, case_views as views, ids
from queries import appeals as appeal_queries, cases as q


def case_page(engine: Engine, case_id: int, lang: str) -> list:
    """Everything about one case, with the forms that change it."""
    with engine.connect() as conn:
        case = q.case_by_id(conn, case_id) if case_id else None
        if case is None:
            return [html.P(t("cases.not_found", lang), className="text-muted", id="case-not-found")]
        links = q.case_links_of(conn, case_id)
        linked = appeal_queries.with_line_details(conn, q.linked_appeals(conn, case_id))
        # Analysts read every appeal of the institution, unpublished ones too (read-only).
        others = appeal_queries.with_line_details(conn, [
            a for a in appeal_queries.appeals_for_institutions(conn, [case["institution_id"]])
            if a["id"] not in {b["id"] for b in linked}])
        files = appeal_queries.attachments_for(conn, [a["id"] for a in (*linked, *others)])
        events = q.case_events_of(conn, case_id)
        documents = q.case_documents_of(conn, case_id)
    closed = case["status"] in forms.FINAL
    link_action = None if closed else (lambda a: forms.link_appeal_form(case_id, a["id"], lang))

    def section(key, *children):
        return html.Section([html.H2(t(key, lang), className="h5 mt-4"), *children])

    flags = [views.flag_snapshot(link, lang) for link in links if link["kind"] == "flag"]
    return [
        views.case_header(case, lang),
        forms.status_form(case_id, case["status"], lang),
        section("cases.section.flags", *(flags or [html.P(t("cases.flags.empty", lang), className="text-muted")])),
        section("cases.section.appeals", *(views.appeal_list(linked, files, lang)
                                           or [html.P(t("cases.appeals.empty", lang), className="text-muted")])),
        None if closed else section("cases.section.link", forms.link_flags_form(case_id, lang)),
        section("cases.section.log", views.event_log(events, lang), forms.note_form(case_id, lang)),
        section("cases.section.documents", views.document_table(case_id, documents, lang),
                forms.document_form(case_id, lang)),
        section("cases.section.other_appeals", *views.appeal_list(others, files, lang, link_action))
        if others else None,
    ]


def register(app, engine: Engine) -> None:
    """Attach the case page callbacks; each one authorizes the session on the server."""

    @app.callback(Output(ids.CASE_LIST, "children"), Input(ids.CASES_CTX, "data"))
    def fill_case_list(ctx):
        require_analyst()
        ctx = ctx or {}
        status = ctx.get("status") if ctx.get("status") in CASE_STATUSES else None
        with engine.connect() as conn:
            rows = q.list_cases(conn, status=status)
        return views.case_table(rows, ctx.get("lang", "ru"))

    @app.callback(Output(ids.CASE_DETAIL, "children"), Input(ids.CASES_CTX, "data"))
    def fill_case(ctx):
        require_analyst()
        ctx = ctx or {}
        case_id = ctx.get("case_id")
        return case_page(engine, case_id if isinstance(case_id, int) else 0, ctx.get("lang", "ru"))
