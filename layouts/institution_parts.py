"""Pieces of the institution page built from query results: figures, tables, grid columns."""
from __future__ import annotations

import plotly.io as pio

from dashboard.i18n import localized, t
from dashboard.i18n.formatting import format_money, format_number, format_percent, month_name, tenge
from queries.documents import document_url
from layouts import fast_html as html

MONEY = ("plan", "plan_adjusted", "obligations", "paid")
_FIG = dict(margin=dict(l=10, r=10, t=10, b=10), height=320, plot_bgcolor="white",
            legend=dict(orientation="h", y=-0.15))


def _template(name: str, traces: tuple[str, ...]) -> dict:
    """Plotly's template as go.Figure would embed it, cut to what these charts use: its page-wide
    layout (fonts, colours, axes) and the defaults of their trace types. The figures below are
    plain dicts: go.Figure validates every property and embeds the whole 7 KB template, which
    was most of a monthly chart's time (issue 11)."""
    full = pio.templates[name].to_plotly_json()
    unused = {"geo", "ternary", "polar", "scene", "mapbox", "coloraxis", "colorscale", "annotationdefaults",
              "shapedefaults"}
    return {"data": {k: v for k, v in full["data"].items() if k in traces},
            "layout": {k: v for k, v in full["layout"].items() if k not in unused}}


_TEMPLATE = _template("plotly", ("bar", "scatter", "treemap"))


def _figure(data: list[dict], **layout) -> dict:
    return {"data": data, "layout": {"template": _TEMPLATE, **layout}}


def grid_columns(lang: str, bin_: str = "") -> list[dict]:
    """ag-grid columns: money held as integer tiyn, shown as exact tenge; with `bin_`, a last
    column linking each row to the appeal form about its line (not exported: it has no field).
    Fixed widths, no `flex`: ag-grid 35 hides the cells of a grid with flex columns until it has
    sized them, and on a phone that reveal sometimes never came (an invisible grid)."""
    money = [{"field": c, "headerName": f"{t('inst.' + c, lang)}, ₸", "type": "rightAligned",
              "valueFormatter": {"function": f"tiynToTenge(params.value, '{lang}')"},
              "filter": "agNumberColumnFilter",
              # Filters compare tenge as typed by people, not tiyn.
              "filterValueGetter": {"function": f"params.data.{c} / 100"}} for c in MONEY]
    return [
        {"field": "month", "headerName": t("inst.lines.month", lang), "filter": "agNumberColumnFilter",
         "cellDataType": False, "width": 110},
        {"field": "program", "headerName": t("inst.lines.program", lang), "filter": "agTextColumnFilter",
         "width": 320, "minWidth": 220, "tooltipField": "program"},
        {"field": "subprogram_code", "headerName": t("inst.lines.subprogram", lang), "width": 150},
        {"field": "specific", "headerName": t("inst.lines.specific", lang), "filter": "agTextColumnFilter",
         "width": 320, "minWidth": 220, "tooltipField": "specific"},
        *money,
        *([{"colId": "ask", "headerName": "", "sortable": False, "filter": False, "suppressHeaderMenuButton": True,
            "cellRenderer": "AskAboutLine", "width": 200,
            "cellRendererParams": {"bin": bin_, "lang": lang, "label": t("institution.lines.ask", lang)}}]
          if bin_ else []),
    ]


def export_fields(columns: list[dict]) -> list[str]:
    """The grid columns that go into CSV and XLSX files (data columns, not row actions)."""
    return [c["field"] for c in columns if c.get("field")]


def grid_locale_text(lang: str) -> dict[str, str]:
    """ag-grid's own interface strings (paging, filters) in the page language."""
    from dashboard.i18n import catalog

    return {key[len("grid."):]: t(key, lang) for key in catalog("ru") if key.startswith("grid.")}


def grid_rows(lines: list[dict], lang: str) -> list[dict]:
    return [{"month": r["month"], "program": f"{r['program_code']} {localized(r, 'program_name', lang)}",
             "subprogram_code": r["subprogram_code"],
             "specific": f"{r['specific_code']} {localized(r, 'specific_name', lang)}",
             # The line an appeal can be about (year/program/subprogram/specific, as in ?line=).
             "line": f"{r['year']}/{r['program_code']}/{r['subprogram_code']}/{r['specific_code']:03d}",
             **{c: r[c] for c in MONEY}} for r in lines]


def mark_flag_lines(rows: list[dict], flag: dict | None) -> list[dict]:
    """Rows with `flag_line` set on the lines (and months) an analyst's flag names, those first."""
    if not flag:
        return rows
    named = {f"{flag['year']}/{line.get('program')}/{line.get('subprogram')}/{int(line.get('specific', 0)):03d}":
             set(line.get("months") or range(1, 13)) for line in flag.get("lines") or []}
    marked = [{**r, "flag_line": r["month"] in named.get(r["line"], ())} for r in rows]
    return [r for r in marked if r["flag_line"]] + [r for r in marked if not r["flag_line"]]


def explorer_href(lang: str, year: int | None = None, region: str | None = None, district: str | None = None,
                  asof: int | None = None) -> str:
    """The map explorer drilled to a place (its state lives in the URL fragment), in `lang`, as of
    publication `asof` when the page is pinned to one."""
    from dashboard.explorer_state import ExplorerState, to_hash

    fragment = to_hash(ExplorerState(year=year, region=region, district=district if region else None, asof=asof))
    return f"/?lang={lang}" + (fragment if fragment != "#" else "")


def breadcrumb(inst: dict, lang: str, year: int | None = None, asof: int | None = None) -> html.Ol:
    """Kazakhstan › region › district › the institution; each place opens the map explorer
    drilled to it (for the year shown, when there is one; as of publication `asof`, if pinned)."""
    places = [(t("explorer.country", lang), explorer_href(lang, year, asof=asof)),
              (localized(inst, "region_name", lang), explorer_href(lang, year, inst["region_code"], asof=asof)),
              (localized(inst, "district_name", lang),
               explorer_href(lang, year, inst["region_code"], inst["district_code"], asof))]
    items = [html.Li(html.A(label, href=href), className="breadcrumb-item") for label, href in places]
    items.append(html.Li(localized(inst, "name", lang), className="breadcrumb-item active",
                         **{"aria-current": "page"}))
    return html.Ol(items, className="breadcrumb small mb-1")


def mark_asked_line(rows: list[dict], line: str | None, month: int | None) -> list[dict]:
    """Rows with `asked_line` set on the line an appeal is about (its month, or every month),
    those first, so a link from the appeal lands on them."""
    if not line:
        return rows
    marked = [{**r, "asked_line": r["line"] == line and (month is None or r["month"] == month)} for r in rows]
    return [r for r in marked if r["asked_line"]] + [r for r in marked if not r["asked_line"]]


def localized_address(inst: dict, lang: str) -> str:
    """The Kazakh address on a Kazakh page where there is one, else the published (Russian) one."""
    return (inst.get("address_kk") if lang == "kk" else None) or inst["address"]


def place(inst: dict, lang: str) -> str:
    """Region › district, as the header shows it."""
    return f"{localized(inst, 'region_name', lang)} › {localized(inst, 'district_name', lang)}"


def header(inst: dict, lang: str) -> html.Dl:
    items = [("inst.type", localized(inst, "type_name", lang)), ("inst.sector", localized(inst, "sector_name", lang)),
             ("inst.place", place(inst, lang)), ("inst.address", localized_address(inst, lang)), ("inst.bin", inst["bin"])]
    if inst["capacity"]:  # "Pupils: 291" needs no plural forms in any of the three languages
        items.append((f"inst.capacity_of.{inst['capacity_unit']}", format_number(inst["capacity"], lang)))
    return html.Dl([part for key, value in items
                    for part in (html.Dt(t(key, lang), className="col-sm-3"),
                                 html.Dd(value, className="col-sm-9 mb-1", **{"data-field": key}))],
                   className="row small mb-0")


def kpi_values(total: dict, lang: str) -> list[tuple[str, str]]:
    """(key, shown value) of the year's KPI cards; also the server-rendered first view's."""
    ratio = total["paid"] / total["plan_adjusted"] if total["plan_adjusted"] else None
    return [("budget", format_money(total["plan_adjusted"], lang)), ("paid", format_money(total["paid"], lang)),
            ("execution", format_percent(ratio, lang))]


def kpis(total: dict | None, lang: str, asof: int | None = None) -> list:
    """The year's KPI cards; without a total, why there are none (on a page pinned to publication
    `asof`: the institution had published no budget by then)."""
    if total is None:
        return [html.P(t("inst.no_budget_asof", lang, id=asof) if asof else t("inst.no_budget", lang),
                       className="text-muted")]
    cards = kpi_values(total, lang)
    return [html.Div(html.Div(html.Div([html.Div(t(f"inst.{k}", lang), className="kpi-label"),
                                        html.Div(v, className="kpi-value", id=f"inst-kpi-{k}")],
                                       className="card-body"), className="card h-100 kpi-card"), className="col-12 col-sm-4")
            for k, v in cards]


def _separators(lang: str) -> str:
    """Plotly's decimal and thousands separators for the language (axis ticks)."""
    return ".," if lang == "en" else ", "


def _money_axis(largest_tiyn: int, lang: str) -> dict:
    """Axis ticks at round amounts, labelled like every other amount ('5 млн ₸', '5M ₸')."""
    if largest_tiyn <= 0:
        return {}
    raw = largest_tiyn / 4
    magnitude = 10 ** (len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    ticks = list(range(0, largest_tiyn + step, step))
    return dict(tickvals=[float(tenge(v)) for v in ticks], ticktext=[format_money(v, lang) for v in ticks])


def empty_figure(lang: str) -> dict:
    """A chart's place when the institution has no budget to draw: a short "no data" line, not an
    empty frame of axes and grid."""
    hidden = dict(visible=False)
    return _figure([], **{**_FIG, "height": 80}, xaxis=hidden, yaxis=hidden, annotations=[dict(
        text=t("explorer.no_data", lang), showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
        font=dict(color="#6c757d"))])


def monthly_figure(months: list[dict], lang: str, cumulative: bool) -> dict:
    x = [month_name(m["month"], lang) for m in months]
    data = []
    for key, color in (("plan_adjusted", "#9ecae1"), ("paid", "#1f77b4")):
        values, labels, running = [], [], 0
        for m in months:
            running = running + m[key] if cumulative else m[key]
            values.append(float(tenge(running)))  # bar heights only; the labels are exact
            labels.append(format_money(running, lang, compact=False))
        trace = dict(type="scatter", x=x, y=values, mode="lines+markers", line=dict(color=color)) if cumulative \
            else dict(type="bar", x=x, y=values, marker=dict(color=color))
        data.append({**trace, "name": t(f"inst.{key}", lang), "customdata": labels,
                     "hovertemplate": "%{x}: %{customdata}<extra></extra>"})
    largest = max([0, *[sum(m[k] for m in months) if cumulative else max(m[k] for m in months)
                         for k in ("plan_adjusted", "paid")]]) if months else 0
    return _figure(data, **_FIG, barmode="group", separators=_separators(lang),
                   yaxis=dict(gridcolor="#eee", **_money_axis(largest, lang)))


def specifics_figure(rows: list[dict], lang: str) -> dict:
    rows = rows[:12][::-1]
    bar = dict(type="bar", y=[f"{r['code']} {localized(r, 'name', lang)}"[:48] for r in rows],
               x=[float(tenge(r["plan_adjusted"])) for r in rows], orientation="h", marker=dict(color="#1f77b4"),
               customdata=[format_money(r["plan_adjusted"], lang) for r in rows],
               hovertemplate="%{y}: %{customdata}<extra></extra>")
    return _figure([bar], **{**_FIG, "height": 360}, separators=_separators(lang),
                   xaxis=dict(gridcolor="#eee", **_money_axis(max([0, *(r["plan_adjusted"] for r in rows)]), lang)))


def programs_figure(rows: list[dict], lang: str) -> dict:
    ids_, labels, parents, tiyn = [], [], [], []
    index: dict[str, int] = {}
    for r in rows:
        pid = r["program_code"]
        if pid not in index:
            index[pid] = len(ids_)
            ids_.append(pid)
            labels.append(f"{pid} {localized(r, 'program_name', lang)}")
            parents.append("")
            tiyn.append(0)
        ids_.append(f"{pid}/{r['subprogram_code']}")
        labels.append(f"{r['subprogram_code']} {localized(r, 'subprogram_name', lang)}")
        parents.append(pid)
        tiyn.append(r["plan_adjusted"])
        tiyn[index[pid]] += r["plan_adjusted"]  # exact integer sums; floats only for areas
    treemap = dict(type="treemap", ids=ids_, labels=labels, parents=parents, values=[float(tenge(v)) for v in tiyn],
                   branchvalues="total", customdata=[format_money(v, lang, compact=False) for v in tiyn],
                   hovertemplate="%{label}: %{customdata}<extra></extra>")
    return _figure([treemap], **{**_FIG, "height": 360})


def yoy_table(rows: list[dict], names: dict[int, dict], year: int, lang: str):
    if not any(r["prev_plan_adjusted"] for r in rows):
        return html.P(t("inst.yoy.none", lang), className="text-muted small")
    head = html.Thead(html.Tr([html.Th(t("inst.lines.specific", lang)),
                               html.Th(t("inst.yoy.previous", lang, year=year - 1), className="text-end"),
                               html.Th(t("inst.yoy.previous", lang, year=year), className="text-end"),
                               html.Th(t("inst.yoy.change", lang), className="text-end")]))
    body = html.Tbody([html.Tr([
        html.Td(f"{r['specific_code']} {localized(names[r['specific_code']], 'name', lang)}"),
        html.Td(format_money(r["prev_plan_adjusted"], lang), className="text-end"),
        html.Td(format_money(r["plan_adjusted"], lang), className="text-end"),
        html.Td(("+" if (r["change"] or 0) > 0 else "") + format_percent(r["change"], lang),
                className="text-end " + ("text-danger" if (r["change"] or 0) > 0.25 else "")),
    ], **{"data-specific": str(r["specific_code"])}) for r in rows])
    return html.Table([head, body], className="table table-sm align-middle")


def peers_table(stats: list[dict], names: dict[int, dict], unit: str | None, lang: str):
    if not stats or max(s["peers"] for s in stats) < 2:
        return html.P(t("inst.peers.none", lang), className="text-muted small")
    unit_label = t(f"unit.{unit}", lang) if unit else None
    cols = ["inst.lines.specific", "inst.peers.count", "inst.peers.this", "inst.peers.median", "inst.peers.iqr",
            "inst.peers.position"]
    heads = [html.Th(t(c, lang)) for c in cols]
    if unit_label:
        heads += [html.Th(t("inst.peers.per_unit", lang, unit=unit_label)),
                  html.Th(t("inst.peers.per_unit_median", lang))]

    def money(v):
        return "—" if v is None else format_money(round(v), lang)

    body = []
    for s in stats:
        position = "—" if s["position"] is None else t("inst.peers.position_value", lang,
                                                        share=format_percent(s["position"], lang, digits=0))
        cells = [f"{s['specific_code']} {localized(names[s['specific_code']], 'name', lang)}",
                 format_number(s["peers"], lang), money(s["value"]), money(s["median"]),
                 f"{money(s['q1'])} – {money(s['q3'])}", position]
        if unit_label:
            cells += [money(s["per_unit"]) if s["per_unit"] is not None else "—",
                      money(s["per_unit_median"])]
        body.append(html.Tr([html.Td(c) for c in cells], **{"data-specific": str(s["specific_code"])}))
    return html.Table([html.Thead(html.Tr(heads)), html.Tbody(body)], className="table table-sm small align-middle")


def documents_list(docs: list[dict], lang: str):
    if not docs:
        return html.P(t("inst.documents.none", lang), className="text-muted small")
    items = []
    for d in docs:
        url = document_url(d)
        title = html.A(d["title"], href=url, target="_blank", rel="noopener") if url else html.Span(d["title"])
        items.append(html.Li([title, html.Span(f" · {d['year']} · {t('official.doc_kind.' + d['kind'], lang)}",
                                               className="text-muted small")], **{"data-document": str(d["id"])}))
    return html.Ul(items, className="list-unstyled")
