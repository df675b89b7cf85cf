"""Turning explorer query results into what the page shows (pure: data in, components out; light
components, layouts/elements.py: these are rebuilt on every filter change)."""
from __future__ import annotations

from dataclasses import replace
from html import escape

from dashboard import reference as ref
from dashboard.explorer_state import ExplorerState, to_hash
from dashboard.i18n import localized, t
from dashboard.i18n.formatting import format_money, format_number, format_percent
from dashboard.reference_districts import DISTRICTS
from dashboard.i18n.periods import period_caption
from dashboard.institution_names import short_name
from dashboard.map_classes import colour_of, scale
from dashboard.metrics import APPEAL_METRICS, NO_DATA, RESPONSIVENESS_METRICS, format_metric, metric_value
from layouts import explorer as components
from layouts.elements import El, el

# The region table's appeal columns: share answered, median working days, overdue now.
RESPONSIVE_COLUMNS = ("appeals_answered", "answer_days", "appeals_overdue")
REGION_NAMES = {r[0]: {"en": r[1], "ru": r[2], "kk": r[3]} for r in ref.REGIONS}
DISTRICT_NAMES = {d[0]: {"ru": d[3], "kk": d[4], "en": d[5]} for d in DISTRICTS}


def _ratio(paid: int, plan: int) -> float | None:
    return paid / plan if plan else None


def period_of(state: ExplorerState, lang: str, metric: str | None = None) -> str:
    """The months and year a panel shows; appeal counts are counted now, whatever the year."""
    if (metric or state.metric) in (*APPEAL_METRICS, *RESPONSIVENESS_METRICS):
        return t("honest.period.now", lang)
    return period_caption(state.year, state.months, lang)


def caption(state: ExplorerState, lang: str, metric: str | None = None) -> str:
    """'Execution · 2025, December': what a panel ranks or colours by, and for which months."""
    metric = metric or state.metric
    return t("honest.caption", lang, metric=t(f"metric.{metric}", lang), period=period_of(state, lang, metric))


def region_hideout(rows: list[dict], state: ExplorerState, lang: str) -> dict:
    """What the browser's style function needs: values, class breaks, colours, tooltips, and the
    scale's legend labels (see dashboard/map_classes.py for the classes of each metric)."""
    values = {r["code"]: metric_value(r, state.metric) for r in rows}
    sc = scale(list(values.values()), state.metric, lang)
    known = [v for v in values.values() if v is not None]
    # Leaflet tooltips take HTML: names are escaped.
    labels = {r["code"]: f"<b>{escape(localized(r, 'name', lang))}</b><br>{t('metric.' + state.metric, lang)}: "
                         f"{format_metric(values[r['code']], state.metric, lang)}" for r in rows}
    return {"values": values, "breaks": sc["breaks"], "colors": sc["colors"], "closed": "lower", "nodata": NO_DATA,
            "legend": sc["labels"], "has_nodata": sc["nodata"],
            "labels": labels, "selected": state.region, "max": max(known) if known else 0}


def map_legend(sc: dict, state: ExplorerState, lang: str) -> list:
    """The legend of a colour scale (regions', or districts' once inside a region): the metric, the
    months it covers, a swatch per class, and "no data" only where a place has none."""
    return components.legend([t(f"metric.{state.metric}", lang),
                              el("Div", period_of(state, lang), className="legend-period")],
                             sc["legend"], sc["colors"], t("explorer.no_data", lang) if sc["has_nodata"] else None)


def district_points(rows: list[dict], state: ExplorerState, lang: str) -> tuple[dict, dict]:
    """District centres as GeoJSON points, sized and coloured by the metric, with tooltips;
    and their colour scale ({breaks, colors, max}) for the legend."""
    values = [metric_value(r, state.metric) for r in rows]
    sc = scale(values, state.metric, lang)
    top = max((v for v in values if v is not None), default=0)
    features = []
    for r, v in zip(rows, values):
        colour = colour_of(v, sc)
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["center_lon"], r["center_lat"]]},
                         "properties": {"id": r["code"], "code": r["code"], "color": colour,
                                        "size": (v / top) ** 0.5 if v and top else 0,
                                        "selected": r["code"] == state.district,
                                        "tooltip": f"<b>{escape(localized(r, 'name', lang))}</b><br>"
                                                   f"{format_metric(v, state.metric, lang)}"}})
    return {"type": "FeatureCollection", "features": features}, {
        "breaks": sc["breaks"], "colors": sc["colors"], "legend": sc["labels"], "has_nodata": sc["nodata"], "max": top}


def with_appeals(rows: list[dict], counts: dict[str, dict]) -> list[dict]:
    """Region or district rows with their open and overdue appeal counts under the metric names."""
    return [{**r, "appeals_open": counts.get(r["code"], {}).get("open", 0),
             "appeals_overdue": counts.get(r["code"], {}).get("overdue", 0)} for r in rows]


def with_responsiveness(rows: list[dict], stats: dict[str, dict]) -> list[dict]:
    """Region or district rows with how they answer public appeals (queries/responsiveness.py):
    `appeals_answered` (share), `answer_days` (median working days), `appeals_overdue` (now)."""
    empty = {"answered_share": None, "median_days": None, "overdue": 0, "received": 0}
    return [{**r, "appeals_answered": stats.get(r["code"], empty)["answered_share"],
             "answer_days": stats.get(r["code"], empty)["median_days"],
             "appeals_overdue": stats.get(r["code"], empty)["overdue"],
             "appeals_received": stats.get(r["code"], empty)["received"]} for r in rows]


def appeals_kpi(counts: dict, lang: str) -> tuple:
    """The open appeals card: how many await an answer now, and how many of them are overdue."""
    return ("appeals", t("kpi.appeals", lang), format_number(counts["open"], lang),
            [t("kpi.appeals_overdue", lang), " ",
             el("Strong", format_number(counts["overdue"], lang), id="kpi-appeals-overdue",
                className="text-danger" if counts["overdue"] else None)])


def kpis(totals: dict, state: ExplorerState, lang: str, appeals: dict | None = None) -> list:
    """The KPI cards, each hint naming the months and year it sums (the institution count is per
    year: who published a budget for it); `appeals` ({'open', 'overdue'}) adds the open appeals card."""
    return components.kpi_cards([*budget_kpis(totals, state, lang),
                                 *([appeals_kpi(appeals, lang)] if appeals is not None else [])])


def budget_kpis(totals: dict, state: ExplorerState, lang: str) -> list[tuple[str, str, str, str]]:
    """(key, label, value, hint) of the budget KPI cards: the Dash panels and the server-rendered
    first view of the front page (layouts/first_view.py) show the same texts."""
    period = period_caption(state.year, state.months, lang)
    return [
        ("planned", t("kpi.planned", lang), format_money(totals["plan_adjusted"], lang),
         t("honest.kpi.planned_hint", lang, period=period)),
        ("paid", t("kpi.paid", lang), format_money(totals["paid"], lang), t("honest.kpi.paid_hint", lang, period=period)),
        ("execution", t("kpi.execution", lang), format_percent(_ratio(totals["paid"], totals["plan_adjusted"]), lang),
         t("honest.kpi.execution_hint", lang, period=period)),
        ("institutions", t("kpi.institutions", lang), format_number(totals["institutions"], lang),
         t("honest.kpi.institutions_hint", lang, year=state.year)),
    ]


def popup_appeals(counts: dict, bin_: str, lang: str) -> tuple[list[tuple[str, str]], tuple[str, str]]:
    """The popup's appeal rows (open, overdue: public appeals) and the link to the institution's appeals."""
    return ([(t("popup.appeals_open", lang), format_number(counts["open"], lang)),
             (t("popup.appeals_overdue", lang), format_number(counts["overdue"], lang))],
            (t("popup.appeals_link", lang), f"/institution/{bin_}/appeals?lang={lang}"))


def _sorted_by_metric(rows: list[dict], metric: str) -> list[tuple[dict, float]]:
    """Rows with a value, largest first; for counts only non-zero ones (a place without appeals
    is not "fifth by appeals")."""
    scored = [(r, metric_value(r, metric)) for r in rows]
    keep = (lambda v: bool(v)) if metric in APPEAL_METRICS else (lambda v: v is not None)
    return sorted([(r, v) for r, v in scored if keep(v)], key=lambda x: -x[1])


def _panel(state: ExplorerState, lang: str, metric: str, bars, note: str | None = None) -> list:
    """A top-5 panel: its caption (metric, months, year), the bars, and a note when it has fewer."""
    return [el("P", caption(state, lang, metric), className="panel-caption text-muted small mb-1"), bars,
            *([el("P", note, className="panel-note text-muted small mt-1 mb-0")] if note else [])]


def _bars(scored: list[tuple[dict, float]], metric: str, colour, href, lang: str) -> list[dict]:
    top = max((v for _, v in scored), default=0) or 1
    return [{"key": r["code"], "label": localized(r, "name", lang), "value": format_metric(v, metric, lang),
             "share": v / top, "colour": colour(r), "href": href(r)} for r, v in scored]


def top_areas(rows: list[dict], state: ExplorerState, lang: str, limit: int = 5):
    """Top regions (or the region's districts) by the chosen metric; each bar drills in."""
    ranked = _sorted_by_metric(rows, state.metric)
    best = ranked[:limit]
    drill = (lambda r: to_hash(state.drill(state.region, r["code"]))) if state.region else \
        (lambda r: to_hash(state.drill(r["code"])))
    counts = state.metric in APPEAL_METRICS
    empty = t(f"honest.legend.none.{state.metric}", lang) if counts else t("explorer.no_data", lang)
    note = (t(f"honest.top5.fewer.{state.metric}", lang, count=format_number(len(ranked), lang))
            if counts and 0 < len(ranked) < min(limit, len(rows)) else None)
    return _panel(state, lang, state.metric,
                  components.top_bars(_bars(best, state.metric, lambda r: "#3182bd", drill, lang), empty), note)


def top_sectors(rows: list[dict], state: ExplorerState, lang: str, limit: int = 5):
    """Top sectors by the chosen metric (per inhabitant and appeal counts are not kept per sector:
    plan is used); each bar narrows the view to that sector."""
    metric = "plan" if state.metric in ("per_capita", *APPEAL_METRICS, *RESPONSIVENESS_METRICS) else state.metric
    best = _sorted_by_metric(rows, metric)[:limit]
    return _panel(state, lang, metric, components.top_bars(
        _bars(best, metric, lambda r: r["color"], lambda r: to_hash(replace(state, sectors=(r["code"],))), lang),
        t("explorer.no_data", lang)))


def _place(district_code: str | None, lang: str) -> str:
    names = DISTRICT_NAMES.get(district_code) or {}
    return names.get(lang) or names.get("ru") or ""


def top_institutions(rows: list[dict], state: ExplorerState, lang: str):
    """Top institutions by adjusted plan for the selected months; each bar shows a short name and
    its district (many share a name: "Колледж № 1"), the full name on hover, and opens its page."""
    colours = {s[0]: s[4] for s in ref.SECTORS}
    top = max((r["plan_adjusted"] for r in rows), default=0) or 1
    return _panel(state, lang, "plan", components.top_bars([{
        "key": r["bin"], "label": short_name(localized(r, "name", lang)), "place": _place(r.get("district_code"), lang),
        "title": localized(r, "name", lang), "share": r["plan_adjusted"] / top,
        "value": f"{format_money(r['plan_adjusted'], lang)} · {format_percent(_ratio(r['paid'], r['plan_adjusted']), lang)}",
        "colour": colours.get(r["sector_code"], "#888"),
        "href": institution_href(r["bin"], state.year, lang, state.asof),
    } for r in rows], t("explorer.no_data", lang)))


def institution_href(bin_: str, year: int, lang: str, asof: int | None = None) -> str:
    """The institution page for a year, in the current language (pinned to publication `asof`
    when the explorer is: a reader who follows the link stays in the view as of then)."""
    return f"/institution/{bin_}?year={year}&lang={lang}" + (f"&asof={asof}" if asof is not None else "")


def crumbs(state: ExplorerState, lang: str) -> list[tuple[str, str | None]]:
    """Breadcrumb entries from the country down to the current place (last one not a link)."""
    path = [(t("explorer.country", lang), replace(state, region=None, district=None))]
    if state.region in REGION_NAMES:  # a Store may hold an unknown code: no crumb for it
        path.append((REGION_NAMES[state.region].get(lang) or REGION_NAMES[state.region]["ru"],
                     replace(state, district=None)))
    if state.district in DISTRICT_NAMES:
        path.append((DISTRICT_NAMES[state.district].get(lang) or DISTRICT_NAMES[state.district]["ru"], state))
    return [(label, None if i == len(path) - 1 else to_hash(s)) for i, (label, s) in enumerate(path)]


def area_title(state: ExplorerState, lang: str) -> list:
    """The region/district table's heading with the months and year its sums cover."""
    return [t("explorer.districts" if state.region else "regions.title", lang),
            el("Span", period_caption(state.year, state.months, lang), className="panel-period text-muted small fw-normal ms-2")]


def area_table(rows: list[dict], state: ExplorerState, lang: str) -> El:
    """All regions (or the region's districts), each name a link that drills into it; with the
    map's metric (a caption names it, appeal counts get their own column) it is the map's text
    alternative. How each place answers public appeals (answered share, median working days,
    overdue now) has its own columns whatever the metric (rows from with_responsiveness)."""
    counts = state.metric == "appeals_open"
    responsive = "appeals_answered" in (rows[0] if rows else {})
    head = el("Thead", el("Tr", [el("Th", t("regions.region" if not state.region else "explorer.district", lang)),
                                 el("Th", t("kpi.planned", lang)), el("Th", t("kpi.paid", lang)),
                                 el("Th", t("kpi.execution", lang)), el("Th", t("regions.per_capita", lang)),
                                 # The map's text alternative: the counts it colours by get a column too.
                                 *([el("Th", t(f"metric.{state.metric}", lang))] if counts else []),
                                 *([el("Th", t(f"responsiveness.col.{m}", lang), title=t(f"metric.{m}", lang))
                                    for m in RESPONSIVE_COLUMNS] if responsive else [])]))
    body = []
    for r in rows:
        target = replace(state, district=r["code"]) if state.region else replace(state, region=r["code"], district=None)
        body.append(el("Tr", [
            el("Td", el("A", localized(r, "name", lang), href=to_hash(target))),
            el("Td", format_money(r["plan_adjusted"], lang), className="text-end"),
            el("Td", format_money(r["paid"], lang), className="text-end"),
            el("Td", format_percent(_ratio(r["paid"], r["plan_adjusted"]), lang), className="text-end"),
            el("Td", format_money(r["plan_adjusted"] // r["population"], lang, whole=True)
               if r["population"] else "—", className="text-end"),
            *([el("Td", format_metric(metric_value(r, state.metric), state.metric, lang), className="text-end")]
              if counts else []),
            *([el("Td", format_metric(r[m], m, lang), className="text-end") for m in RESPONSIVE_COLUMNS]
              if responsive else []),
        ], className="table-active" if r["code"] == state.district else None, data_code=r["code"]))
    caption = el("Caption", t("a11y.table.caption", lang, metric=t(f"metric.{state.metric}", lang)),
                 className="caption-top small")
    return el("Table", [caption, head, el("Tbody", body)], className="table table-sm table-hover align-middle")
