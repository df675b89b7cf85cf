"""Plain POST forms (with the CSRF field) for the case endpoints in dashboard/web/cases.py.

Also usable from the analysts' workspace: `open_case_form`.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.case_files import ACCEPT
from dashboard.cases import FINAL, NEXT, NOTE_MAX, TITLE_MAX
from dashboard.i18n import t
from layouts.components.appeals import csrf_field, file_slot, hidden


def _label(key: str, for_id: str, lang: str) -> html.Label:
    return html.Label(t(key, lang), htmlFor=for_id, className="form-label small")


def _submit(key: str, lang: str, color: str = "primary") -> html.Button:
    return html.Button(t(key, lang), type="submit", className=f"btn btn-sm btn-{color}")


def _form(action: str, lang: str, *fields, multipart: bool = False, form_id: str | None = None, **extra) -> html.Form:
    return html.Form([csrf_field(), hidden("lang", lang), *fields], action=action, method="POST",
                     className="case-form mb-3", **({"encType": "multipart/form-data"} if multipart else {}),
                     **({"id": form_id} if form_id else {}), **extra)


def open_case_form(lang: str, institution: str = "", flag_ids=(), appeal_ids=(), form_id: str = "case-new") -> html.Form:
    """Open a case on an institution (BIN or id), optionally resting on flags and appeals."""
    return _form("/analyst/cases", lang,
                 *[hidden("flag_ids", i) for i in flag_ids], *[hidden("appeal_ids", i) for i in appeal_ids],
                 dbc.Row([
                     dbc.Col([_label("cases.form.institution", f"{form_id}-institution", lang),
                              dbc.Input(id=f"{form_id}-institution", name="institution", value=institution,
                                        required=not (flag_ids or appeal_ids), maxLength=12)], md=3),
                     dbc.Col([_label("cases.form.title", f"{form_id}-title", lang),
                              dbc.Input(id=f"{form_id}-title", name="title", required=True, maxLength=TITLE_MAX)], md=5),
                 ], className="mb-2"),
                 _label("cases.form.note", f"{form_id}-note", lang),
                 dbc.Textarea(id=f"{form_id}-note", name="note", rows=2, maxLength=NOTE_MAX, className="mb-2"),
                 _submit("cases.form.open", lang), form_id=form_id)


def note_form(case_id: int, lang: str) -> html.Form:
    return _form(f"/analyst/cases/{case_id}/note", lang, _label("cases.form.note", "case-note-text", lang),
                 dbc.Textarea(id="case-note-text", name="note", rows=3, required=True, maxLength=NOTE_MAX,
                              className="mb-2"),
                 _submit("cases.form.add_note", lang), form_id="case-note-form")


def document_form(case_id: int, lang: str) -> html.Form:
    return _form(f"/analyst/cases/{case_id}/documents", lang, _label("cases.form.file", "case-file", lang),
                 file_slot("file", "case-file", ACCEPT), html.Small(t("cases.form.file_hint", lang),
                                                                    className="text-muted d-block mb-2"),
                 _submit("cases.form.attach", lang), multipart=True, form_id="case-document-form")


def status_form(case_id: int, status: str, lang: str) -> html.Form | None:
    """Move to the next status (a reason is required to close); none once the case is closed."""
    if status in FINAL:
        return None
    options = [{"label": t(f"cases.status.{s}", lang), "value": s} for s in NEXT[status]]
    return _form(f"/analyst/cases/{case_id}/status", lang,
                 dbc.Row([
                     dbc.Col([_label("cases.form.to", "case-status-to", lang),
                              dbc.Select(id="case-status-to", name="to", options=options, value=options[0]["value"])],
                             md=3),
                     dbc.Col([_label("cases.form.reason", "case-status-reason", lang),
                              dbc.Input(id="case-status-reason", name="reason", maxLength=NOTE_MAX)], md=7),
                 ], className="mb-2"),
                 _submit("cases.form.move", lang), form_id="case-status-form")


def link_appeal_form(case_id: int, appeal_id: int, lang: str) -> html.Form:
    return _form(f"/analyst/cases/{case_id}/links", lang, hidden("appeal_ids", appeal_id),
                 _submit("cases.form.link_appeal", lang, "outline-primary"))


def link_flags_form(case_id: int, lang: str) -> html.Form:
    """Link more flags or appeals by id (comma-free: one id per field is what the endpoint reads)."""
    return _form(f"/analyst/cases/{case_id}/links", lang,
                 dbc.Row([dbc.Col([_label("cases.form.flag_id", "case-link-flag", lang),
                                   dbc.Input(id="case-link-flag", name="flag_ids", inputMode="numeric",
                                             pattern="[0-9]+")], md=3),
                          dbc.Col([_label("cases.form.appeal_id", "case-link-appeal", lang),
                                   dbc.Input(id="case-link-appeal", name="appeal_ids", inputMode="numeric",
                                             pattern="[0-9]+")], md=3)], className="mb-2"),
                 _submit("cases.form.link", lang), form_id="case-link-form")
