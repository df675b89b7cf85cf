"""Views of the account pages: the moderation queue and overdue list, an official's desk, the
users table, and the small POST forms they carry (data in, components out: callbacks/staff.py
reads the data and authorizes)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.i18n import localized, t
from dashboard.i18n.formatting import format_date
from layouts.components.appeals import appeal_card, csrf_field, file_slot, hidden
from queries.documents import DOCUMENT_KINDS, document_url


def action_form(appeal_id: int, action: str, lang: str, next_path: str, text_name: str | None = None,
                required: bool = False, rows: int = 1) -> html.Form:
    """A small POST form for one action on one appeal."""
    fields = [csrf_field(), hidden("next", next_path)]
    if text_name:
        label_id = f"{action}-{appeal_id}-text"
        fields += [html.Label(t(f"staff.placeholder.{action}", lang), htmlFor=label_id, className="visually-hidden"),
                   dbc.Textarea(id=label_id, name=text_name, required=required, rows=rows, maxLength=10000,
                                placeholder=t(f"staff.placeholder.{action}", lang), className="form-control-sm mb-1")]
    fields.append(html.Button(t(f"staff.action.{action}", lang), type="submit",
                              className=f"btn btn-sm btn-{'danger' if action in ('reject', 'hide') else 'primary'}",
                              **{"data-action": action}))
    return html.Form(fields, action=f"/appeals/{appeal_id}/{action}", method="POST",
                     className="staff-action me-2 mb-1")


def _is_overdue(row, now) -> bool:
    return row["status"] in ("new", "in_review") and row["due_at"] < now


def moderation_cards(rows, files, lang, now) -> list:
    """The moderation queue: each appeal's card with approve/reject/hide forms."""
    cards = []
    for r in rows:
        actions = [action_form(r["id"], "approve", lang, "/moderation"),
                   action_form(r["id"], "reject", lang, "/moderation", "note", True),
                   action_form(r["id"], "hide", lang, "/moderation", "note", True)]
        cards.append(appeal_card(r, files[r["id"]], lang, staff=True, overdue=_is_overdue(r, now),
                                 actions=html.Div(actions, className="d-flex flex-wrap align-items-start")))
    return cards or [html.P(t("moderation.empty", lang), className="text-muted", id="moderation-empty")]


def overdue_table(rows, lang) -> html.Table | html.P:
    """Appeals past their answer deadline."""
    if not rows:
        return html.P(t("moderation.no_overdue", lang), className="text-muted")
    head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in
                               ("staff.col.institution", "staff.col.status", "staff.col.created", "appeals.due")]))
    body = html.Tbody([html.Tr([
        html.Td([localized({"name_kk": r["inst_name_kk"], "name_ru": r["inst_name_ru"], "name_en": r["inst_name_en"]},
                           "name", lang), html.Small(f" {r['bin']}", className="text-muted")]),
        html.Td(t(f"appeals.status.{r['status']}", lang)),
        html.Td(format_date(r["created_at"], lang)), html.Td(format_date(r["due_at"], lang)),
    ], **{"data-appeal": str(r["id"])}) for r in rows])
    return html.Table([head, body], className="table table-sm", id="overdue-table")


def official_desk(rows, files, institutions, docs, lang: str, now) -> list:
    """An official's desk: their institutions' appeals with answer/resolve forms, the document
    upload form and their latest documents."""
    cards = []
    for r in rows:
        actions = None
        if r["status"] in ("new", "in_review"):
            actions = action_form(r["id"], "answer", lang, "/official", "answer", True, rows=3)
        elif r["status"] == "answered":
            actions = action_form(r["id"], "resolve", lang, "/official")
        cards.append(appeal_card(r, files[r["id"]], lang, staff=True, overdue=_is_overdue(r, now), actions=actions))

    def labelled(key, control_id, control):
        return dbc.Col([html.Label(t(key, lang), htmlFor=control_id, className="form-label small"), control], md=3)

    doc_form = html.Form([
        csrf_field(),
        dbc.Row([
            labelled("staff.col.institution", "doc-institution", dbc.Select(
                id="doc-institution", name="institution", value=institutions[0]["bin"] if institutions else None,
                options=[{"label": f"{localized(i, 'name', lang)} ({i['bin']})", "value": i["bin"]}
                         for i in institutions])),
            labelled("official.doc_title", "doc-title", dbc.Input(id="doc-title", name="title", required=True,
                                                                  maxLength=300)),
            labelled("official.doc_year", "doc-year", dbc.Input(id="doc-year", name="year", type="number", min=2000,
                                                                max=2100, required=True, value=now.year)),
            labelled("official.doc_kind", "doc-kind", dbc.Select(
                id="doc-kind", name="kind", value=DOCUMENT_KINDS[0],
                options=[{"label": t(f"official.doc_kind.{k}", lang), "value": k} for k in DOCUMENT_KINDS])),
        ], className="mb-1"),
        html.Label(t("official.doc_file", lang), htmlFor="doc-file", className="form-label small"),
        file_slot("file", "doc-file", "application/pdf"),
        html.Button(t("official.doc_upload", lang), type="submit", className="btn btn-primary btn-sm"),
    ], action="/documents/new", method="POST", encType="multipart/form-data", className="card card-body mb-3")
    doc_list = html.Ul([html.Li([html.A(d["title"], href=document_url(d)),
                                 f" · {d['year']} · {t('official.doc_kind.' + d['kind'], lang)}"]) for d in docs
                        if document_url(d)], className="small")
    return [html.H2(t("official.appeals", lang), className="h5"),
            *(cards or [html.P(t("official.empty", lang), className="text-muted")]),
            html.H2(t("official.documents", lang), className="h5 mt-4"), doc_form, doc_list]


def users_table(rows, own_username: str, lang: str) -> html.Div:
    """The accounts table with an enable/disable form per account (not one's own)."""
    body = []
    for r in rows:
        toggle = None if r["username"] == own_username else html.Form(  # no self-disabling
            [csrf_field(), hidden("active", "0" if r["active"] else "1"),
             html.Button(t("admin.disable" if r["active"] else "admin.enable", lang), type="submit",
                         className="btn btn-sm btn-outline-secondary")],
            action=f"/admin/users/{r['username']}/active", method="POST")
        body.append(html.Tr([html.Td(r["username"]), html.Td(r["display_name"]),
                             html.Td(t(f"accounts.role.{r['role']}", lang)), html.Td(" ".join(r["bins"])),
                             html.Td(t("admin.active" if r["active"] else "admin.disabled", lang)), html.Td(toggle)],
                            **{"data-user": r["username"]}))
    head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("accounts.username", "accounts.display_name",
                                                             "accounts.role", "accounts.bins", "admin.state", "admin.action")]))
    return html.Div(html.Table([head, html.Tbody(body)], className="table table-sm", id="users-table"),
                    className="table-responsive")
