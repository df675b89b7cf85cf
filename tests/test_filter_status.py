"""The explorer's active-filter line in words, and its reset link (no browser: plain functions)."""
from dashboard.explorer_state import ExplorerState
from callbacks.filter_status import active_filters, show_filters
from layouts.filter_status import filter_count, filter_status


def test_no_filter_means_no_line_and_no_count():
    state = ExplorerState(year=2025, region="KZ-11", metric="paid")
    assert active_filters(state, "kk") == []
    assert filter_status([], "#year=2025", "kk") == [] and filter_count(0, "kk") == []


def test_sectors_then_months_in_each_language():
    state = ExplorerState(year=2025, months=(12, 12), sectors=("education", "health"))
    assert active_filters(state, "kk") == ["Білім беру", "Денсаулық сақтау", "2025, желтоқсан"]
    assert active_filters(state, "ru") == ["Образование", "Здравоохранение", "2025, декабрь"]
    assert active_filters(state, "en")[:2] == ["Education", "Health care"]


def test_reset_link_keeps_the_place_year_and_metric():
    from dash import html

    state = ExplorerState(year=2024, months=(1, 3), sectors=("education",), metric="paid", region="KZ-11")
    line, count = show_filters(state.to_dict(), "ru")
    reset = [c for c in line if isinstance(c, html.A)][0]
    assert reset.href == "#year=2024&metric=paid&region=KZ-11"
    assert [c.children for c in line if c.className == "filter-chip"] == ["Образование", "2024, январь–март"]
    assert count[0].children == "2" and count[1].children == "Включено фильтров: 2"
