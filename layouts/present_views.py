"""The slides of presentation mode (pure: query results in, components out).

Each slide is one part of an explorer view (see dashboard/presentation.py); the top-5 lists are
the explorer's own builders (layouts/explorer_views.py), restyled large by assets/present.css.
Every slide carries a QR code of its explorer address, drawn here as SVG by segno.
"""
from __future__ import annotations

import functools

import segno

from dashboard import reference as ref
from dashboard.explorer_state import ExplorerState
from dashboard.i18n import localized, t
from dashboard.i18n.formatting import format_date, format_money, format_number, format_percent, month_name
from dashboard.i18n.periods import period_caption
from dashboard.institution_names import short_name
from dashboard.presentation import Slide
from layouts import explorer_views as views
from layouts.elements import El, el

SECTOR_NAMES = {s[0]: {"en": s[1], "ru": s[2], "kk": s[3]} for s in ref.SECTORS}
EXCERPT = 160  # characters of a question or an answer on the appeals slide


@functools.lru_cache(maxsize=256)
def qr_svg(url: str) -> str:
    """A data: URI of the QR code (SVG) that encodes `url`; medium error correction, so a
    projector's glare or a printed hand-out's fold still scans. Cached: a region's slides share
    one address, and encoding (choosing the mask) costs ~30 ms each."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2, dark="#000", light="#fff")


def place_name(state: ExplorerState, lang: str) -> str:
    """The country, or the region's name."""
    names = views.REGION_NAMES.get(state.region)
    return (names.get(lang) or names["ru"]) if names else t("explorer.country", lang)


def _ratio(paid: int, plan: int) -> float | None:
    return paid / plan if plan else None


def _tiles(items: list[tuple[str, str, str | None]], key: str) -> El:
    """Big figures: (label, value, hint) each."""
    return el("Div", [el("Div", [el("Div", label, className="present-tile-label"),
                                 el("Div", value, className="present-tile-value"),
                                 *([el("Div", hint, className="present-tile-hint")] if hint else [])],
                         className="present-tile")
                      for label, value, hint in items], className=f"present-tiles present-tiles-{key}")


def money_tiles(totals: dict, state: ExplorerState, lang: str, appeals: dict | None = None) -> El:
    """Institutions, adjusted plan, paid and execution (and, for a region, open appeals)."""
    period = period_caption(state.year, state.months, lang)
    items = [
        (t("kpi.planned", lang), format_money(totals["plan_adjusted"], lang), t("honest.kpi.planned_hint", lang, period=period)),
        (t("kpi.paid", lang), format_money(totals["paid"], lang), t("honest.kpi.paid_hint", lang, period=period)),
        (t("kpi.execution", lang), format_percent(_ratio(totals["paid"], totals["plan_adjusted"]), lang),
         t("honest.kpi.execution_hint", lang, period=period)),
        (t("kpi.institutions", lang), format_number(totals["institutions"], lang),
         t("honest.kpi.institutions_hint", lang, year=state.year)),
    ]
    if appeals is not None:
        items.append((t("kpi.appeals", lang), format_number(appeals["open"], lang),
                      f"{t('kpi.appeals_overdue', lang)} {format_number(appeals['overdue'], lang)}"))
    return _tiles(items, "money")


def sector_list(rows: list[dict], state: ExplorerState, lang: str, limit: int = 5) -> list:
    """The explorer's top sectors panel (by adjusted plan) for the slide's place."""
    return views.top_sectors(rows, state, lang, limit=limit)


def institution_list(rows: list[dict], state: ExplorerState, lang: str) -> list:
    """The explorer's top-5 institutions panel."""
    return views.top_institutions(rows, state, lang)


def months_chart(rows: list[dict], state: ExplorerState, lang: str) -> El:
    """Plan and paid per month as columns (plain HTML, like the explorer's bars), each month's
    execution above its columns."""
    by_month = {r["month"]: r for r in rows}
    top = max((max(r["plan_adjusted"], r["paid"]) for r in rows), default=0) or 1
    columns = []
    for month in range(1, 13):
        row = by_month.get(month, {"plan_adjusted": 0, "paid": 0})
        ratio = _ratio(row["paid"], row["plan_adjusted"])
        columns.append(el("Div", [
            el("Div", format_percent(ratio, lang, digits=0) if ratio is not None else "—", className="present-month-rate"),
            el("Div", [el("Span", className="present-month-plan", style={"height": f"{row['plan_adjusted'] / top * 100:.1f}%"},
                          title=f"{t('kpi.planned', lang)}: {format_money(row['plan_adjusted'], lang)}"),
                       el("Span", className="present-month-paid", style={"height": f"{row['paid'] / top * 100:.1f}%"},
                          title=f"{t('kpi.paid', lang)}: {format_money(row['paid'], lang)}")],
               className="present-month-bars"),
            el("Div", month_name(month, lang), className="present-month-name"),
        ], className="present-month", data_month=str(month)))
    legend = el("Div", [el("Span", [el("Span", className="present-swatch present-month-plan"), t("kpi.planned", lang)]),
                        el("Span", [el("Span", className="present-swatch present-month-paid"), t("kpi.paid", lang)]),
                        el("Span", t("present.months.rate", lang), className="present-legend-note")],
                className="present-month-legend")
    total_plan = sum(r["plan_adjusted"] for r in rows)
    total_paid = sum(r["paid"] for r in rows)
    summary = el("P", t("present.months.total", lang, plan=format_money(total_plan, lang),
                        paid=format_money(total_paid, lang),
                        execution=format_percent(_ratio(total_paid, total_plan), lang)), className="present-month-total")
    return el("Div", [legend, el("Div", columns, className="present-months"), summary])


def _excerpt(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1].rstrip() + "…"


def appeals_panel(counts: dict, answers: list[dict], lang: str) -> El:
    """Received, answered, awaiting an answer and overdue (public appeals, counted now), and the
    newest answers: institution, date, question and answer, shortened."""
    tiles = _tiles([
        (t("present.appeals.received", lang), format_number(counts["total"], lang), None),
        (t("appeals.count.answered", lang), format_number(counts["answered"], lang), None),
        (t("present.appeals.open", lang), format_number(counts["open"], lang), None),
        (t("appeals.count.overdue", lang), format_number(counts["overdue"], lang), None),
    ], "appeals")
    if answers:
        items = [el("Li", [
            el("Div", [el("Strong", short_name(localized(a, "name", lang))), " · ",
                       format_date(a["answered_at"], lang) if a["answered_at"] else ""], className="present-answer-head"),
            el("Div", _excerpt(a["body"]), className="present-answer-question"),
            el("Div", _excerpt(a["answer"]), className="present-answer-text"),
        ], className="present-answer") for a in answers]
        recent = [el("H3", t("present.appeals.recent", lang), className="present-subheading"),
                  el("Ul", items, className="present-answers list-unstyled")]
    else:
        recent = [el("P", t("present.appeals.none", lang), className="present-empty")]
    return el("Div", [tiles, *recent])


def _subtitle(slide: Slide, lang: str) -> str:
    state = slide.state
    period = period_caption(state.year, state.months, lang)
    return {
        "headline": lambda: t("present.sub.headline", lang, period=period),
        "sectors": lambda: t("present.sub.sectors", lang, period=period),
        "region": lambda: t("present.sub.region", lang, period=period),
        "institutions": lambda: t("top5.institutions", lang, year=state.year),
        "region_sectors": lambda: t("present.sub.region_sectors", lang, period=period),
        "months": lambda: t("present.sub.months", lang, year=state.year),
        "appeals": lambda: t("present.sub.appeals", lang, period=t("honest.period.now", lang)),
    }[slide.kind]()


def sectors_note(state: ExplorerState, lang: str) -> str | None:
    """'Sectors: Education, Health' when the tour is narrowed to some sectors."""
    if not state.sectors:
        return None
    names = [SECTOR_NAMES[s].get(lang) or SECTOR_NAMES[s]["ru"] for s in state.sectors if s in SECTOR_NAMES]
    return t("present.sectors_filter", lang, names=", ".join(names))


def slide(index: int, total: int, slide_: Slide, body, href: str, lang: str, notes: list[str] = ()) -> El:
    """A slide: place and what it shows, the body, notes (the URL's left-out parameters, on
    the first), and the QR code of its explorer view (`href`, absolute)."""
    label = t("present.counter", lang, n=index + 1, total=total)
    heading = el("Header", [
        el("H2", place_name(slide_.state, lang), className="present-place"),
        el("P", _subtitle(slide_, lang), className="present-subtitle"),
        *([el("P", note, className="present-filter")] if (note := sectors_note(slide_.state, lang)) else []),
    ], className="present-slide-head")
    qr = el("Figure", [el("Img", src=qr_svg(href), alt=t("present.qr_alt", lang), className="present-qr-code"),
                       el("Figcaption", t("present.qr", lang), className="present-qr-caption")],
            className="present-qr")
    notes_box = [el("P", n, className="present-note", role="note") for n in notes]
    parts = body if isinstance(body, list) else [body]  # the explorer's panels are lists
    return el("Section", [heading, el("Div", [*parts, *notes_box], className="present-slide-body"), qr],
              className=f"present-slide present-slide-{slide_.kind}" + (" is-current" if index == 0 else ""),
              id=f"present-slide-{index}", data_index=str(index), data_kind=slide_.kind, data_href=href,
              data_region=slide_.state.region or "", role="group", aria_roledescription=t("present.slide", lang),
              aria_label=label)


def ignored_note(ignored: tuple[tuple[str, str], ...], lang: str) -> list[str]:
    """The URL parameters left out, as one sentence (none: empty)."""
    if not ignored:
        return []
    return [t("present.ignored", lang, items=", ".join(f"{name}={value}" for name, value in ignored))]
