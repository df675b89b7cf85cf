"""The server-rendered first view of the front page and of an institution page: plain HTML sent
in the index.

On a slow network Dash shows nothing until all its JS has arrived and the callbacks have run.
This view (the heading, the place, the KPIs, in the page language) is what the browser paints
meanwhile; it sits before `#react-entry-point`, over the page, until the Dash page has drawn its
own KPIs (assets/first_view.js removes it then).
It is built from the same values as the Dash page (`institution_parts`, `explorer_views`), as a
string with every database text escaped.
"""
from __future__ import annotations

from markupsafe import Markup

from dashboard.i18n import localized, t
from layouts.institution_parts import kpi_values, place


def institution(inst: dict, year: int | None, total: dict | None, lang: str) -> Markup:
    """Name (h1), place, and the KPI cards of `year` (`total`: its yearly totals, None: no budget)."""
    if year is None or total is None:
        figures = Markup('<p class="text-muted">{}</p>').format(t("inst.no_budget", lang))
    else:
        cards = Markup("").join(
            Markup('<div class="col-12 col-sm-4"><div class="card h-100 kpi-card"><div class="card-body">'
                   '<div class="kpi-label">{}</div><div class="kpi-value" data-kpi="{}">{}</div>'
                   '</div></div></div>').format(t(f"inst.{key}", lang), key, value)
            for key, value in kpi_values(total, lang))
        figures = Markup('<p class="small mb-2">{}: {}</p><div class="row g-3">{}</div>').format(
            t("inst.year", lang), year, cards)
    return Markup(
        '<main id="first-view" class="container-fluid py-3" lang="{lang}" aria-busy="true">'
        '<h1 class="h3" data-first-view="name">{name}</h1>'
        '<p class="small text-muted mb-2">{place_label}: {place}</p>{figures}'
        '<p class="small text-muted mt-3">{loading}</p></main>'
    ).format(lang=lang, name=localized(inst, "name", lang), place_label=t("inst.place", lang),
             place=place(inst, lang), figures=figures, loading=t("site.loading", lang))


# A link to the map with a state in its fragment (#region=…) shows another view than the one
# rendered here, and the server never sees the fragment: such a page drops the first view before
# the first paint and waits for Dash.
_FRONT_GUARD = Markup('<script>if (location.hash.length > 1) { document.getElementById("first-view").remove(); }'
                      '</script>')


def front(title: str, place: str, kpis: list[tuple[str, str, str, str]], lang: str) -> Markup:
    """The front page's heading, the place ("Kazakhstan") and its KPI cards as the explorer draws
    them for a link without a fragment; `kpis` are (key, label, value, hint) tuples."""
    cards = Markup("").join(
        Markup('<div class="col-12 col-sm-6 col-md-4 col-xl"><div class="card h-100 kpi-card"><div class="card-body">'
               '<div class="kpi-label">{}</div><div class="kpi-value" data-kpi="{}">{}</div>'
               '<div class="kpi-hint text-muted small">{}</div></div></div></div>').format(label, key, value, hint)
        for key, label, value, hint in kpis)
    return Markup(
        '<main id="first-view" class="container-fluid py-3" lang="{lang}" aria-busy="true">'
        '<h1 class="h4 mb-1" data-first-view="name">{title}</h1><p class="small text-muted mb-2">{place}</p>'
        '<div class="row g-3">{cards}</div><p class="small text-muted mt-3">{loading}</p></main>{guard}'
    ).format(lang=lang, title=title, place=place, cards=cards, loading=t("site.loading", lang), guard=_FRONT_GUARD)
