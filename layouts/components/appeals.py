"""The appeals section of an institution (counts, public appeals, the posting form) and the
pieces that show one appeal. Pure rendering: data comes from callbacks/appeals.py.

Mount with `appeals_section(bin_, lang, year)` anywhere; `callbacks.appeals.register` fills it.
All user text is passed as component children (text nodes), never as HTML.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc

from dashboard.web.auth import csrf_token
from dashboard.params import bin_shaped, whole_number
from dashboard.i18n import localized, t
from dashboard.i18n.formatting import format_date, format_money, format_number, month_name
from dashboard.schema import APPEAL_KINDS
from layouts import fast_html as html
from layouts import ids

ACCEPT = "image/jpeg,image/png,image/webp,video/mp4,video/webm,video/quicktime"
STATUS_COLORS = {"new": "secondary", "in_review": "info", "answered": "success", "resolved": "success",
                 "rejected": "danger"}


def hidden(name: str, value) -> dbc.Input:
    return dbc.Input(type="hidden", name=name, value="" if value is None else str(value))


def file_slot(name: str, input_id: str, accept: str, multiple: bool = False) -> html.Div:
    """Where assets/appeals.js puts an <input type=file> (Dash has no file input that does
    not read the file into the browser as base64)."""
    return html.Div(className="file-slot", **{"data-name": name, "data-id": input_id, "data-accept": accept,
                                               "data-multiple": "1" if multiple else ""})


def csrf_field() -> dbc.Input:
    return hidden("csrf_token", csrf_token())


def error_alert(lang: str, error: str | None, field: str | None = None) -> html.Div | None:
    """The message for an ?error= the form endpoint sent back (unknown keys: a generic one)."""
    if not error:
        return None
    key = f"appeals.error.{error}"
    from dashboard.i18n import catalog

    text = t(key, lang) if key in catalog(lang) else t("appeals.error.generic", lang)
    if field and f"appeals.field.{field}" in catalog(lang):
        text = f"{t(f'appeals.field.{field}', lang)}: {text}"
    return html.Div(text, className="alert alert-danger appeal-error", role="alert")


def appeal_form(bin_: str, lang: str, line: str | None = None, error: str | None = None,
                field: str | None = None, values: dict | None = None, month: int | None = None) -> html.Form:
    """A plain multipart form posting to /appeals/new (works without the Dash callbacks);
    `values`: what was typed before an error (kind, body, author_name, author_contact, line);
    `month`: the month of the grid row the line link came from."""
    values = values or {}
    line = line or values.get("line")
    month = whole_number(month if month is not None else values.get("line_month"), 1, 12) if line else None
    on_line = t("appeals.form.on_line", lang, line=line) if line else ""
    if month:
        on_line += f" · {month_word(month, lang)}"
    kind = values.get("kind") if values.get("kind") in APPEAL_KINDS else APPEAL_KINDS[0]

    def label(key, for_id):
        return html.Label(t(key, lang), htmlFor=for_id, className="form-label")

    return html.Form([
        html.H3(t("appeals.form.title", lang), className="h5"),
        error_alert(lang, error, field),
        csrf_field(), hidden("institution", bin_), hidden("lang", lang),
        *([hidden("line", line), hidden("line_month", month), html.P(on_line, className="small appeal-on-line")]
          if line else []),
        html.Div([label("appeals.form.kind", "appeal-kind"),
                  dbc.Select(options=[{"label": t(f"appeals.kind.{k}", lang), "value": k} for k in APPEAL_KINDS],
                             value=kind, id="appeal-kind", name="kind")], className="mb-2"),
        html.Div([label("appeals.form.body", "appeal-body"),
                  dbc.Textarea(id="appeal-body", name="body", required=True, minLength=10, maxLength=5000,
                               rows=5, value=values.get("body", ""))], className="mb-2"),
        dbc.Row([
            dbc.Col([label("appeals.form.name", "appeal-name"),
                     dbc.Input(id="appeal-name", name="author_name", maxLength=120,
                               value=values.get("author_name", ""))], md=6),
            dbc.Col([label("appeals.form.contact", "appeal-contact"),
                     dbc.Input(id="appeal-contact", name="author_contact", maxLength=200,
                               value=values.get("author_contact", "")),
                     html.Div(t("appeals.form.contact_hint", lang), className="form-text")], md=6),
        ], className="mb-2"),
        html.Div([label("appeals.form.files", "appeal-files"),
                  file_slot("files", "appeal-files", ACCEPT, multiple=True),
                  html.Div(t("appeals.form.files_hint", lang), className="form-text")], className="mb-2"),
        # Honeypot: hidden from people (and from screen readers); bots fill every field.
        html.Div([html.Label("Website", htmlFor="appeal-website"),
                  dbc.Input(id="appeal-website", name="website", tabIndex="-1", autoComplete="off")],
                 className="appeal-hp", **{"aria-hidden": "true"}),
        html.P(t("appeals.form.public_notice", lang), id="appeal-public-notice", className="alert alert-info small"),
        html.Button(t("appeals.form.submit", lang), type="submit", id="appeal-submit", className="btn btn-primary"),
    ], id=ids.APPEAL_FORM, action="/appeals/new", method="POST", encType="multipart/form-data",
        className="appeal-form card card-body mt-3")


def appeals_section(bin_: str, lang: str, year: int | None = None, line: str | None = None,
                    error: str | None = None, field: str | None = None, values: dict | None = None,
                    month: int | None = None) -> html.Section:
    """Counts and public appeals of one institution, and the form to post a new one."""
    return html.Section([
        html.H2(t("appeals.section.title", lang), className="h4"),
        html.Div(id=ids.APPEALS_COUNTS, className="appeal-counts mb-2"),
        dcc.Loading(html.Div(id=ids.APPEALS_LIST), type="dot"),
        appeal_form(bin_, lang, line, error, field, values, month),
        dcc.Store(id=ids.APPEALS_CTX, data={"bin": bin_, "year": year, "lang": lang}),
    ], id=ids.APPEALS_SECTION, className="appeals-section")


def counts_badges(counts: dict, lang: str) -> list:
    return [html.Span([t(f"appeals.count.{key}", lang), " ", html.Strong(format_number(counts[key], lang))],
                      className=f"badge text-bg-{color} me-2", id=f"appeals-count-{key}")
            for key, color in (("open", "secondary"), ("overdue", "danger"), ("answered", "success"))]


def status_badge(status: str, lang: str, overdue: bool = False) -> list:
    badges = [html.Span(t(f"appeals.status.{status}", lang), className=f"badge text-bg-{STATUS_COLORS[status]} me-1",
                        **{"data-status": status})]
    if overdue:
        badges.append(html.Span(t("appeals.overdue", lang), className="badge text-bg-danger me-1"))
    return badges


def file_hash(digest: str | None, lang: str) -> html.Details | None:
    """A stored file's SHA-256: short form (full value in its tooltip); opened, the full value in a
    read-only field to copy (no icon: no SVG in user-facing cards). None for files stored before
    hashes were recorded."""
    if not digest:
        return None
    copy = t("appeals.sha256_copy", lang)
    return html.Details([
        html.Summary([t("appeals.sha256", lang), " ", html.Code(f"{digest[:12]}…", title=digest,
                                                                 className="appeal-sha256-short")]),
        html.Label([html.Span(copy, className="visually-hidden"),
                    dbc.Input(value=digest, readonly=True, size="sm", className="appeal-sha256 font-monospace")],
                   title=copy, className="d-block"),
    ], className="appeal-file-hash small text-muted", **{"data-sha256": digest})


def attachment_list(attachments: list[dict], lang: str, code: str | None = None) -> html.Div | None:
    """The appeal's photos and videos, each with the SHA-256 recorded when it was stored."""
    if not attachments:
        return None
    suffix = f"?code={code}" if code else ""
    items = []
    for a in attachments:
        url = f"/files/appeals/{a['stored_name']}{suffix}"
        media = (html.Img(src=url, alt=t("appeals.photo", lang), className="appeal-photo")
                 if a["kind"] == "photo" else html.Video(src=url, controls=True, preload="metadata",
                                                         className="appeal-video"))
        items.append(html.Div([html.A(media, href=url, target="_blank", rel="noopener"),
                               file_hash(a.get("sha256"), lang)],
                              className="appeal-attachment d-inline-block align-top me-2"))
    return html.Div(items, className="appeal-attachments my-2")


def appeal_card(appeal: dict, attachments: list[dict], lang: str, *, code: str | None = None,
                overdue: bool = False, staff: bool = False, actions=None) -> html.Div:
    """One appeal: kind, status, dates, text, attachments, answer (text only, never HTML)."""
    meta = [t(f"appeals.kind.{appeal['kind']}", lang), " · ", format_date(appeal["created_at"], lang)]
    if appeal.get("author_name"):
        meta += [" · ", appeal["author_name"]]
    if staff and appeal.get("author_contact"):
        meta += [" · ", t("appeals.form.contact", lang), ": ", appeal["author_contact"]]
    body = [
        html.Div([*status_badge(appeal["status"], lang, overdue),
                  html.Small(meta, className="text-muted")], className="mb-1"),
        line_reference(appeal, lang),
        html.P(appeal["body"], className="appeal-body"),
        attachment_list(attachments, lang, code),
    ]
    if staff and appeal.get("inst_name_ru"):
        body.insert(0, html.H3([localized({"name_kk": appeal["inst_name_kk"], "name_ru": appeal["inst_name_ru"],
                                           "name_en": appeal["inst_name_en"]}, "name", lang),
                                html.Small(f" · {appeal['bin']}", className="text-muted")], className="h6"))
    if (staff or code) and appeal["status"] != "rejected":  # a rejected appeal awaits no answer
        body.append(html.Div([t("appeals.due", lang), ": ", format_date(appeal["due_at"], lang)],
                             className="small text-muted appeal-due"))
    if appeal.get("answer"):
        body.append(html.Div([html.Strong(t("appeals.answer", lang)),
                              html.Small(f" · {format_date(appeal['answered_at'], lang)}", className="text-muted"),
                              html.P(appeal["answer"], className="appeal-answer mb-0")],
                             className="appeal-answer-box border-start border-success border-3 ps-2 mt-2"))
    if appeal.get("reject_reason") and (staff or code):
        body.append(html.Div([html.Strong(t("appeals.rejected_because", lang)), " ", appeal["reject_reason"]],
                             className="text-danger small appeal-reject-reason"))
    if appeal.get("hidden_reason") and (staff or code):
        body.append(html.Div([html.Strong(t("appeals.hidden_because", lang)), " ", appeal["hidden_reason"]],
                             className="text-danger small appeal-hidden-reason"))
    if actions:
        body.append(actions)
    return html.Div(html.Div(body, className="card-body"), className="card appeal-card mb-2",
                    **{"data-appeal": str(appeal["id"]), "data-status": appeal["status"]})


def month_word(month: int, lang: str) -> str:
    """The month's full name as written inside a sentence ('наурыз', 'март', 'March')."""
    name = month_name(month, lang, "wide")
    return name if lang == "en" else name.lower()


def line_href(detail: dict, lang: str) -> str:
    """The institution page at the line's year with that line (and month) picked out in the grid."""
    line = (f"{detail['year']}/{detail['program_code']}/{detail['subprogram_code']}/"
            f"{int(detail['specific_code']):03d}")
    month = f"&month={detail['month']}" if detail.get("month") else ""
    return f"/institution/{detail['bin']}?year={detail['year']}&lang={lang}&line={line}{month}#inst-lines"


def line_reference(appeal: dict, lang: str) -> html.Div | None:
    """What the appeal is about when it names an expenditure line: program, subprogram and specific
    by name, the month (or the year), adjusted plan and paid, and a link to the row; the bare
    code when the line's data is not there (`line_detail` from queries.appeals.with_line_details)."""
    if not appeal.get("line_year"):
        return None
    code = (f"{appeal['line_year']}/{appeal['line_program_code']}/{appeal['line_subprogram_code']}/"
            f"{int(appeal['line_specific_code']):03d}")
    detail = appeal.get("line_detail")
    if not detail:
        return html.Div([t("citizen.line.about", lang), " ", html.Code(code)], className="small appeal-line")
    when = (t("citizen.line.month_year", lang, month=month_word(detail["month"], lang), year=detail["year"])
            if detail.get("month") else t("citizen.line.whole_year", lang, year=detail["year"]))
    names = [f"{detail['program_code']} {localized(detail, 'program_name', lang)}",
             f"{detail['subprogram_code']} {localized(detail, 'subprogram_name', lang)}",
             f"{int(detail['specific_code']):03d} {localized(detail, 'specific_name', lang)}"]
    return html.Div([
        html.Div([html.Strong(t("citizen.line.about", lang)), " ", when]),
        html.Ul([html.Li(n) for n in names], className="list-unstyled mb-1 ms-2 appeal-line-names"),
        html.Div([t("inst.plan_adjusted", lang), ": ",
                  html.Span(format_money(detail["plan_adjusted"], lang, compact=False), className="appeal-line-plan"),
                  " · ", t("inst.paid", lang), ": ",
                  html.Span(format_money(detail["paid"], lang, compact=False), className="appeal-line-paid")]),
        html.A(t("citizen.line.open", lang), href=line_href(detail, lang), className="appeal-line-link"),
    ], className="small appeal-line border rounded p-2 my-1", **{"data-line": code})


HISTORY_ACTIONS = ("created", "approve", "reject", "hide", "answer", "resolve")


def history_text(event: dict, lang: str) -> str:
    """What an audit entry did, in words ("Published by a moderator"), not as a status arrow: a
    moderator approving an already answered appeal changes no status but publishes the answer."""
    action = event.get("action")
    if action == "approve" and event.get("from_status") in ("answered", "resolved"):
        return t("citizen.history.approve_answered", lang)
    if action in HISTORY_ACTIONS:
        return t(f"citizen.history.{action}", lang)
    before = t(f"appeals.status.{event['from_status']}", lang) + " → " if event.get("from_status") else ""
    return before + t(f"appeals.status.{event['to_status']}", lang)


def status_history(events: list[dict], lang: str) -> html.Div:
    """The audit log as the author sees it: what happened when (no staff names or notes)."""
    items = [html.Li([format_date(e["at"], lang), " — ", history_text(e, lang)],
                     **{"data-action": str(e.get("action") or "")}) for e in events]
    return html.Div([html.H2(t("appeals.history", lang), className="h6 mt-3"),
                     html.Ol(items, className="small", id="appeal-history")])


def institution_page_section(lang: str, bin_: str = "", year: int | None = None, **_page) -> html.Section | None:
    """The appeals section as a section of the institution page (`/institution/<bin>`)."""
    if not bin_shaped(bin_):
        return None
    return appeals_section(bin_, lang, year)
