"""Wiring of the explorer's active-filter line and the count on its Filters button."""
from __future__ import annotations

from dataclasses import replace

from dash import Input, Output, State

from dashboard import reference as ref
from dashboard.explorer_state import ALL_MONTHS, ExplorerState, to_hash
from dashboard.i18n.periods import period_caption
from dashboard.params import lang_param
from layouts import ids
from layouts.filter_status import filter_count, filter_status

_NAME_COLUMN = {"en": 1, "ru": 2, "kk": 3}
SECTOR_NAMES = {s[0]: s for s in ref.SECTORS}


def active_filters(state: ExplorerState, lang: str) -> list[str]:
    """The filters that narrow the numbers, in words: the chosen sectors, then the months (the
    year alone is not a filter: there is always one, and every panel names it)."""
    parts = [SECTOR_NAMES[s][_NAME_COLUMN[lang]] for s in state.sectors if s in SECTOR_NAMES]
    if state.year is not None and tuple(state.months) != ALL_MONTHS:
        parts.append(period_caption(state.year, state.months, lang))
    return parts


def show_filters(stored, lang) -> tuple[list, list]:
    """The filter line (reset link: the same place, year and metric without filters) and the count."""
    lang = lang_param(lang)
    state = ExplorerState.from_dict(stored)
    parts = active_filters(state, lang)
    cleared = replace(state, sectors=(), months=ALL_MONTHS)
    return filter_status(parts, to_hash(cleared), lang), filter_count(len(parts), lang)


def register(app) -> None:
    app.callback(Output(ids.FILTER_STATUS, "children"), Output(ids.FILTER_COUNT, "children"),
                 Input(ids.EXPLORER_STATE, "data"), State("page-lang", "data"))(show_filters)
