"""Explorer state in the URL fragment, drill transitions, and metric colour classes."""
from callbacks.explorer import map_bounds, next_state
from dashboard.explorer_state import ExplorerState, parse_hash, to_hash
from dashboard.metrics import class_breaks, format_metric, metric_value
from layouts import ids

KNOWN = dict(years=[2024, 2025], sectors=["education", "health", "social"], regions=["KZ-11", "KZ-75"],
             districts={"KZ-11-01": "KZ-11", "KZ-75-01": "KZ-75"})


def test_fragment_round_trip():
    state = ExplorerState(year=2024, months=(3, 9), sectors=("education", "health"), metric="paid",
                          region="KZ-11", district="KZ-11-01")
    fragment = to_hash(state)
    assert fragment == "#year=2024&months=3-9&sectors=education,health&metric=paid&region=KZ-11&district=KZ-11-01"
    assert parse_hash(fragment, **KNOWN) == state


def test_empty_or_broken_fragment_falls_back_to_defaults():
    assert parse_hash("", **KNOWN) == ExplorerState(year=2025)
    state = parse_hash("#year=1999&months=9-3&sectors=space,health&metric=colour&region=KZ-99", **KNOWN)
    assert state == ExplorerState(year=2025, sectors=("health",))


def test_district_outside_its_region_is_dropped():
    assert parse_hash("#region=KZ-11&district=KZ-75-01", **KNOWN).district is None
    assert parse_hash("#district=KZ-11-01", **KNOWN).district is None  # no region chosen


def test_drill_transitions():
    country = ExplorerState(year=2025, sectors=("health",))
    region = next_state(country, ids.REGION_LAYER, {"region_click": {"properties": {"code": "KZ-11"}}})
    assert (region.region, region.district, region.sectors) == ("KZ-11", None, ("health",))
    district = next_state(region, ids.DISTRICT_LAYER, {"district_click": {"properties": {"code": "KZ-11-01"}}})
    assert district.district == "KZ-11-01"
    # A district of another region, or a click without a code, changes nothing.
    assert next_state(country, ids.DISTRICT_LAYER, {"district_click": {"properties": {"code": "KZ-11-01"}}}) == country
    assert next_state(region, ids.REGION_LAYER, {"region_click": {"properties": {"cluster": True}}}) == region
    picked = next_state(country, ids.SECTOR_FILTER, {"sectors": ["social", "education", "space"]})
    assert picked.sectors == ("education", "social")  # reference order, unknown codes dropped


def test_map_bounds_without_shapes_cover_the_regions_districts():
    (south, west), (north, east) = map_bounds(ExplorerState(year=2025, region="KZ-75"), None)
    assert south < 43.24 < north and west < 76.88 < east


def test_metrics():
    row = {"plan_adjusted": 2_000_00, "paid": 1_500_00, "population": 4}
    assert metric_value(row, "plan") == 2_000_00 and metric_value(row, "execution") == 0.75
    assert metric_value(row, "per_capita") == 500_00
    assert metric_value({"plan_adjusted": 0, "paid": 0}, "execution") is None
    assert format_metric(0.75, "execution", "en") == "75.0%"
    assert format_metric(None, "plan", "ru") == "—"


def test_class_breaks_split_values_into_ordered_classes():
    values = list(range(1, 21)) + [None]
    breaks = class_breaks(values)
    assert breaks == sorted(set(breaks)) and len(breaks) == 4
    assert sum(1 for b in breaks if 1 > b) == 0 and sum(1 for b in breaks if 20 > b) == 4
    assert class_breaks([5, 5, 5]) == [] and class_breaks([None]) == []


def test_appeal_metrics_are_counts_where_zero_is_a_value():
    from layouts.explorer_views import map_legend, region_hideout, with_appeals

    rows = with_appeals([{"code": "KZ-11", "name_ru": "Акмолинская", "plan_adjusted": 5, "paid": 5},
                         {"code": "KZ-75", "name_ru": "Алматы", "plan_adjusted": 5, "paid": 5}],
                        {"KZ-75": {"open": 12345, "overdue": 3}})
    assert [metric_value(r, "appeals_open") for r in rows] == [0, 12345]
    assert format_metric(12345, "appeals_open", "ru") == "12\xa0345" and format_metric(3, "appeals_overdue", "en") == "3"
    assert parse_hash("#metric=appeals_overdue", **KNOWN).metric == "appeals_overdue"
    state = ExplorerState(year=2025, metric="appeals_overdue")
    hideout = region_hideout(rows, state, "ru")
    assert hideout["values"] == {"KZ-11": 0, "KZ-75": 3}
    assert hideout["labels"]["KZ-11"] == "<b>Акмолинская</b><br>Просроченные обращения: 0"
    # No open appeals anywhere: the legend shows the zero class in words, and no "no data" row.
    nothing = region_hideout(with_appeals(rows, {}), state, "en")
    assert [r.children[-1] for r in map_legend(nothing, state, "en")[1:]] == ["No overdue appeals"]
