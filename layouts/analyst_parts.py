"""Pieces of the analysts' workspace built from query results (no data access): the flags grid's
columns and rows, the per-detector counts, the map's colours, the selected flag's detail panel."""
from __future__ import annotations

from html import escape

import dash_bootstrap_components as dbc
from dash import html

from dashboard import reference as ref
from dashboard.anomalies.explain import sentence as explain
from dashboard.i18n import catalog, localized, t
from dashboard.i18n.formatting import format_number, format_percent
from dashboard.metrics import NO_DATA, class_breaks, colours_for
from layouts.analyst_evidence import evidence_table
from layouts.components.appeals import csrf_field, hidden

AMOUNT_KEYS = ("excess", "december_paid", "paid", "amount", "year_paid")  # the flag's headline sum


def detector_name(name: str, lang: str) -> str:
    key = f"anomaly.detector.{name}"
    return t(key, lang) if key in catalog(lang) else name.replace("_", " ")


def sentence(flag: dict, lang: str) -> str:
    """The flag in words (dashboard.anomalies.explain); a plain fallback for evidence it cannot
    read (a flag stored by an older version of a detector)."""
    try:
        return explain(flag["detector"], flag["evidence"], lang, flag.get("lines"))
    except (KeyError, TypeError, ValueError):
        return t("analyst.sentence_fallback", lang, detector=detector_name(flag["detector"], lang),
                 score=format_number(round(flag["score"], 2), lang))


def amount(evidence: dict) -> int | None:
    return next((int(evidence[k]) for k in AMOUNT_KEYS if isinstance(evidence.get(k), int)), None)


def grid_rows(flags: list[dict], lang: str) -> list[dict]:
    """One row per flag, holding the values shown (the export sorts and writes the same)."""
    return [{"id": f["id"], "key": str(f["id"]), "institution_id": f["institution_id"], "institution": localized(f, "name", lang),
             "bin": f["bin"], "region": localized(f, "region_name", lang), "district": localized(f, "district_name", lang),
             "type": localized(f, "type_name", lang), "year": f["year"], "detector": detector_name(f["detector"], lang),
             "score": round(f["score"], 3), "amount": amount(f["evidence"]), "sentence": sentence(f, lang),
             "status": t(f"analyst.status.{f['status']}", lang), "status_code": f["status"]} for f in flags]


def grid_columns(lang: str) -> list[dict]:
    """ag-grid columns (field = export column, headerName = its heading in both); fixed widths,
    no `flex` (see layouts.institution_parts.grid_columns)."""
    def col(field, key, **kw):
        return {"field": field, "headerName": t(f"analyst.col.{key}", lang), **kw}

    return [
        col("institution", "institution", cellRenderer="AnalystInstitution", width=280, minWidth=240,
            cellRendererParams={"lang": lang}),
        col("detector", "detector", width=160),
        col("year", "year", width=80, filter="agNumberColumnFilter"),
        col("score", "score", width=110, type="rightAligned", filter="agNumberColumnFilter",
            valueFormatter={"function": f"ashyqScore(params.value, '{lang}')"}),
        col("sentence", "sentence", width=420, minWidth=300, wrapText=True, tooltipField="sentence",
            cellClass="analyst-sentence-cell"),
        col("status", "status", width=120),
        col("amount", "amount", width=170, type="rightAligned",
            valueFormatter={"function": f"tiynToTenge(params.value, '{lang}')"}),
        col("region", "region", width=170), col("district", "district", width=170), col("type", "type", width=140),
        # The BIN shows under the name; its own column is for the files (spreadsheets filter by it).
        col("bin", "bin", width=130, hide=True),
    ]


def counts_table(rows: list[dict], lang: str) -> html.Div:
    """Flagged institution-years per detector; a rule flagging > 10 % gets a visible warning."""
    if not rows:
        return html.P(t("analyst.counts.none", lang), className="text-muted small")
    body = [html.Tr([
        html.Td(detector_name(r["detector"], lang)),
        html.Td(format_number(r["flagged"], lang), className="text-end"),
        html.Td(format_number(r["total"], lang), className="text-end d-none d-md-table-cell"),
        html.Td(format_percent(r["share"], lang), className="text-end"),
        html.Td(html.Span([html.I(className="bi bi-exclamation-triangle-fill me-1"), t("analyst.counts.warn", lang)],
                          className="badge text-bg-warning text-wrap detector-warning") if r["warn"] else ""),
    ], className="table-warning" if r["warn"] else None, **{"data-detector": r["detector"]}) for r in rows]
    head = html.Thead(html.Tr([html.Th(t(f"analyst.counts.{k}", lang), className=c) for k, c in (
        ("detector", ""), ("flagged", "text-end"), ("total", "text-end d-none d-md-table-cell"), ("share", "text-end"),
        ("note", ""))]))
    return html.Div(html.Table([head, html.Tbody(body)], className="table table-sm small align-middle mb-0"),
                    className="table-responsive")


def map_hideout(rows: list[dict], region: str | None, lang: str) -> dict:
    """For assets/explorer.js's region style: each region's flagged share, class breaks, tooltips."""
    names = {r[0]: {"en": r[1], "ru": r[2], "kk": r[3]} for r in ref.REGIONS}
    values = {r["region_code"]: r["share"] if r["institutions"] else None for r in rows}
    breaks = class_breaks(list(values.values()))

    def tooltip(r: dict) -> str:  # Leaflet tooltips take HTML: every text is escaped
        counts = t("analyst.map.tooltip", lang, flagged=format_number(r["flagged"], lang),
                   institutions=format_number(r["institutions"], lang), share=format_percent(r["share"], lang))
        return f"<b>{escape(names.get(r['region_code'], {}).get(lang, r['region_code']))}</b><br>{escape(counts)}"

    labels = {r["region_code"]: tooltip(r) for r in rows}
    known = [v for v in values.values() if v is not None]
    return {"values": values, "breaks": breaks, "colors": colours_for(breaks), "nodata": NO_DATA,
            "labels": labels, "selected": region, "max": max(known) if known else 0}


def map_legend(hideout: dict, lang: str) -> list:
    from layouts.explorer import legend

    edges = [0, *hideout["breaks"], hideout["max"]]
    labels = [f"{format_percent(a, lang)} – {format_percent(b, lang)}" for a, b in zip(edges, edges[1:])]
    if not hideout["breaks"] and hideout["max"]:
        labels = [format_percent(hideout["max"], lang)]
    return legend(t("analyst.map.legend", lang), labels, hideout["colors"], t("explorer.no_data", lang))


def lines_list(flag: dict, lang: str) -> html.Ul:
    """The expenditure lines a flag rests on (program / subprogram / specific, months)."""
    items = [html.Li(t("analyst.detail.line", lang, program=line.get("program", ""), subprogram=line.get("subprogram", ""),
                       specific=f"{int(line['specific']):03d}" if str(line.get("specific", "")).isdigit() else "",
                       months=", ".join(str(m) for m in line.get("months") or []) or "1–12"),
                     className="flag-line-ref") for line in flag.get("lines") or []]
    return html.Ul(items or [html.Li(t("analyst.detail.no_lines", lang))], className="small mb-2")


def _hidden_label(control_id: str, key: str, lang: str) -> html.Label:
    return html.Label(t(key, lang), htmlFor=control_id, className="visually-hidden")


def _review_form(flag: dict, lang: str, back: str) -> html.Form:
    dismissed = flag["status"] == "dismissed"
    action = "restore" if dismissed else "dismiss"
    fields = [csrf_field(), hidden("next", back), hidden("lang", lang)]
    if not dismissed:
        fields += [_hidden_label("analyst-dismiss-reason", "analyst.detail.reason", lang),
                   dbc.Textarea(name="reason", id="analyst-dismiss-reason", required=True, rows=2, maxLength=2000,
                                placeholder=t("analyst.detail.reason", lang), className="form-control-sm mb-1")]
    fields.append(html.Button(t(f"analyst.detail.{action}", lang), type="submit", id=f"analyst-{action}",
                              className="btn btn-sm btn-outline-secondary"))
    return html.Form(fields, action=f"/analyst/flags/{flag['id']}/{action}", method="POST", className="mb-3")


def case_form(flags: list[dict], lang: str) -> html.Form | html.P:
    """Open a case from the selected flags of one institution (the first selected one's)."""
    if not flags:
        return html.P(t("analyst.case.pick", lang), className="text-muted small")
    first = flags[0]
    mine = [f for f in flags if f["institution_id"] == first["institution_id"]]
    note = t("analyst.case.others", lang) if len(mine) < len(flags) else None
    default_title = f"{localized(first, 'name', lang)} — {first['year']}"
    return html.Form([
        csrf_field(), hidden("lang", lang), hidden("institution_id", str(first["institution_id"])),
        *[hidden("flag_ids", str(f["id"])) for f in mine],
        html.P(t("analyst.case.count", lang, count=format_number(len(mine), lang)), className="small mb-1"),
        html.P(note, className="small text-warning mb-1") if note else None,
        _hidden_label("analyst-case-title", "analyst.case.title", lang),
        dbc.Input(name="title", id="analyst-case-title", value=default_title, required=True, maxLength=300,
                  className="form-control-sm mb-1"),
        _hidden_label("analyst-case-note", "analyst.case.note", lang),
        dbc.Textarea(name="note", id="analyst-case-note", rows=2, maxLength=10000, className="form-control-sm mb-1",
                     placeholder=t("analyst.case.note", lang)),
        html.Button(t("analyst.case.open", lang), type="submit", id="analyst-open-case", className="btn btn-sm btn-primary"),
    ], action="/analyst/cases", method="POST", id="analyst-case")


def flag_detail(flag: dict, lang: str, back: str) -> tuple[list, list]:
    """The selected flag: (heading and sentence; evidence numbers, lines, links, review actions),
    drawn above and below its chart."""
    href = f"/institution/{flag['bin']}?year={flag['year']}&flag={flag['id']}&lang={lang}"
    case = (html.A(t("analyst.detail.case", lang, id=flag["case_id"]), href=f"/analyst/cases/{flag['case_id']}",
                   className="d-block small mb-2") if flag.get("case_id") else None)
    return [
        html.H2([localized(flag, "name", lang), html.Small(f" {flag['bin']}", className="text-muted")], className="h6"),
        html.Div([html.Span(detector_name(flag["detector"], lang), className="badge text-bg-secondary me-1"),
                  html.Span(str(flag["year"]), className="badge text-bg-light me-1"),
                  html.Span(t(f"analyst.status.{flag['status']}", lang), className="badge text-bg-info")], className="mb-2"),
        html.P(sentence(flag, lang), id="analyst-sentence", className="flag-sentence"),
    ], [
        evidence_table(flag.get("evidence") or {}, lang),
        html.H3(t("analyst.detail.lines", lang), className="h6"), lines_list(flag, lang),
        html.A([html.I(className="bi bi-box-arrow-up-right me-1"), t("analyst.detail.open", lang)], href=href,
               id="analyst-open-institution", className="d-block mb-2"),
        case, _review_form(flag, lang, back),
    ]


def flag_banner(flag: dict, highlighted: int, lang: str) -> html.Div:
    """Above an institution's lines grid, for an analyst who came from a flag."""
    return dbc.Alert([
        html.Strong(t("analyst.banner.title", lang, detector=detector_name(flag["detector"], lang), year=flag["year"])),
        html.P(sentence(flag, lang), className="mb-1 flag-sentence"),
        html.Small([t("analyst.banner.lines", lang, count=format_number(highlighted, lang)), " · ",
                    html.A(t("analyst.banner.back", lang), href=f"/analyst?year={flag['year']}&lang={lang}")]),
    ], color="warning", id="inst-flag-banner-alert", className="small")
