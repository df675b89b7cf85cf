"""How cases look: the list table and the parts of one case (header, flags, appeals, log,
documents). Pure rendering from query rows; user text is always a text node, never HTML."""
from __future__ import annotations


from dash import html

from dashboard.i18n import localized, t
from dashboard.i18n.formatting import format_datetime, format_number
from layouts.analyst_evidence import evidence_table
from layouts.analyst_parts import detector_name, lines_list, sentence
from layouts.components.appeals import appeal_card

STATUS_COLORS = {"open": "secondary", "checking": "info", "confirmed": "danger", "no_violation": "success"}


def status_badge(status: str, lang: str) -> html.Span:
    return html.Span(t(f"cases.status.{status}", lang), className=f"badge text-bg-{STATUS_COLORS[status]}",
                     **{"data-status": status})


def case_table(rows: list[dict], lang: str) -> html.Div | html.P:
    """The case list: institution, title, status, opened, updated, who opened it."""
    if not rows:
        return html.P(t("cases.list.empty", lang), className="text-muted", id="cases-empty")
    head = html.Thead(html.Tr([html.Th(t(f"cases.col.{c}", lang)) for c in
                               ("institution", "title", "status", "opened", "updated", "who")]))
    body = html.Tbody([html.Tr([
        html.Td([localized(r, "name", lang), html.Small(f" {r['bin']}", className="text-muted")]),
        html.Td(html.A(r["title"], href=f"/analyst/cases/{r['id']}?lang={lang}")),
        html.Td(status_badge(r["status"], lang)),
        html.Td(format_datetime(r["opened_at"], lang)), html.Td(format_datetime(r["updated_at"], lang)),
        html.Td(r["opened_by_name"]),
    ], **{"data-case": str(r["id"])}) for r in rows])
    return html.Div(html.Table([head, body], className="table table-sm", id="cases-table"),
                    className="table-responsive")


def case_header(case: dict, lang: str) -> html.Div:
    """Title, status, the institution (linked to its page), who opened it and when, the closing reason."""
    parts = [html.H2([case["title"], " ", status_badge(case["status"], lang)], className="h4", id="case-title"),
             html.P([t("cases.col.institution", lang), ": ",
                     html.A(localized(case, "name", lang), href=f"/institution/{case['bin']}?lang={lang}",
                            id="case-institution"), html.Small(f" {case['bin']}", className="text-muted")]),
             html.P([t("cases.opened_by", lang, name=case["opened_by_name"]), " · ",
                     format_datetime(case["opened_at"], lang)], className="small text-muted")]
    if case["closed_reason"]:
        parts.append(html.P([html.Strong(t("cases.closed_reason", lang)), " ", case["closed_reason"]],
                            id="case-closed-reason"))
    return html.Div(parts)


def flag_snapshot(link: dict, lang: str) -> html.Div:
    """A linked flag as it was when linked: detector, year, score, its sentence, the evidence
    (as the workspace shows it), the lines and the fingerprint."""
    snap = {**(link["snapshot"] or {}), "detector": link["detector"]}
    return html.Div(html.Div([
        html.H3([detector_name(link["detector"], lang), f" · {link['year']} · ",
                 t("cases.score", lang), f" {format_number(snap.get('score', 0), lang)}"], className="h6"),
        html.P(sentence({**snap, "evidence": snap.get("evidence") or {}}, lang), className="small mb-1"),
        evidence_table(snap.get("evidence") or {}, lang), lines_list(snap, lang),
        html.Small(f"{t('cases.fingerprint', lang)}: {snap.get('fingerprint', '')}", className="text-muted"),
    ], className="card-body"), className="card mb-2 case-flag", **{"data-flag-key": f"{link['year']}/{link['detector']}"})


def appeal_list(appeals: list[dict], files: dict, lang: str, actions=None) -> list:
    """Appeals as staff see them (text, status, attachments), without the citizen's contact: that
    is for the moderator and the answering institution, not for the agency's case file."""
    return [appeal_card({**a, "author_contact": None}, files.get(a["id"], []), lang, staff=True,
                        actions=actions(a) if actions else None)
            for a in appeals]


def event_log(events: list[dict], lang: str) -> html.Ol:
    """Every event of the case, oldest first: when, who, what, status change, note."""
    items = []
    for e in events:
        change = ""
        if e["action"] == "status":
            change = " " + " → ".join(t("cases.status." + s, lang) for s in (e["from_status"], e["to_status"]))
        items.append(html.Li([html.Small(f"{format_datetime(e['at'], lang)} · {e['display_name']} · ",
                                         className="text-muted"),
                              html.Strong(t(f"cases.event.{e['action']}", lang) + change),
                              html.Div(e["note"], className="case-note") if e["note"] else None],
                             className="mb-2", **{"data-event": e["action"]}))
    return html.Ol(items, id="case-events", className="case-events")


def document_table(case_id: int, documents: list[dict], lang: str) -> html.Div | html.P:
    """Attached documents with size, SHA-256 and a download link."""
    if not documents:
        return html.P(t("cases.documents.empty", lang), className="text-muted")
    head = html.Thead(html.Tr([html.Th(t(f"cases.doc.{c}", lang)) for c in ("file", "size", "sha256", "uploaded")]))
    body = html.Tbody([html.Tr([
        html.Td(html.A(d["filename"], href=f"/analyst/cases/{case_id}/documents/{d['id']}")),
        html.Td(format_number(d["size_bytes"], lang)), html.Td(html.Code(d["sha256"], className="small")),
        html.Td(f"{format_datetime(d['uploaded_at'], lang)} · {d['display_name']}"),
    ], **{"data-document": str(d["id"])}) for d in documents])
    return html.Div(html.Table([head, body], className="table table-sm", id="case-documents"),
                    className="table-responsive")
