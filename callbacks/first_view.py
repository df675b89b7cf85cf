"""Reads what the server-rendered first view of a page needs (see layouts/first_view.py)."""
from __future__ import annotations

from flask import g
from markupsafe import Markup
from sqlalchemy import Engine

from callbacks.institution import shown_year
from callbacks.explorer import DISTRICT_REGION, REGION_CODES, SECTOR_CODES, selection
from dashboard.explorer_state import parse_hash
from dashboard.i18n import t
from dashboard.params import text_param, year_param
from layouts import explorer_views as views
from layouts import first_view
from queries import explorer
from queries import institution as q


def institution_first_view(engine: Engine, bin_, asked_year, lang: str) -> Markup | None:
    """The first view of /institution/<bin>?year= (the year the Dash page will show), or None for
    an unknown BIN. Two cheap queries per page request: the identity (a BIN index lookup joined
    to four small name tables) and the institution's yearly rollup rows (one per year); issue 11
    is to cache them by data version."""
    bin_ = text_param(bin_, 64)
    with engine.connect() as conn:
        inst = q.get_institution(conn, bin_)
        g.institution_lookup = (bin_, inst is not None)  # the 404 check of this request reads it (app.py)
        if inst is None:
            return None
        totals = q.yearly_totals(conn, inst["id"])
    year = shown_year(year_param(asked_year), [row["year"] for row in totals])
    total = next((row for row in totals if row["year"] == year), None)
    return first_view.institution(inst, year, total, lang)


def front_first_view(engine: Engine, lang: str) -> Markup | None:
    """The first view of the front page opened without a fragment: the explorer's default state
    (the country, the latest year, every sector and month) and its budget KPIs, read with the
    explorer's own queries; None when nothing is published yet. The page's HTML is cached by data
    version (dashboard/web/response_cache.py), so this runs once per version and language."""
    with engine.connect() as conn:
        years = explorer.available_years(conn)
        state = parse_hash("", years=years, sectors=SECTOR_CODES, regions=REGION_CODES, districts=DISTRICT_REGION)
        if state.year is None:
            return None
        totals = explorer.totals(conn, selection(state))
    return first_view.front(t("explorer.title", lang), t("explorer.country", lang),
                            views.budget_kpis(totals, state, lang), lang)
