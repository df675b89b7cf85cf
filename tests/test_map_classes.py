"""Map colour classes, legend labels and period captions (dashboard/map_classes.py, i18n/periods.py)."""
import pytest

from layouts.explorer_views import caption, kpis, map_legend, region_hideout, top_areas, with_appeals
from dashboard.explorer_state import ExplorerState
from dashboard.i18n.periods import period_caption
from dashboard.institution_names import short_name
from dashboard.map_classes import (
    EXECUTION_BREAKS, EXECUTION_COLOURS, ZERO_COLOUR, class_of, colour_of, count_breaks, money_breaks, scale,
)


def _text(component) -> str:
    """All text inside a Dash component tree."""
    if isinstance(component, str):
        return component
    if isinstance(component, list):
        return " ".join(_text(c) for c in component)
    children = getattr(component, "children", None)
    if children is None:
        return ""
    return " ".join(_text(c) for c in (children if isinstance(children, list) else [children]))


def test_execution_uses_fixed_breaks_whatever_the_values():
    close = scale([0.9538, 0.9539, 0.9541], "execution", "en")
    spread = scale([0.5, 0.99, 1.0], "execution", "en")
    assert close["breaks"] == spread["breaks"] == EXECUTION_BREAKS == [0.80, 0.90, 0.95, 0.99]
    # 95.38 % and 95.41 % are one colour; classes include their lower bound.
    assert len({colour_of(v, close) for v in (0.9538, 0.9539, 0.9541)}) == 1
    assert [class_of(v, EXECUTION_BREAKS) for v in (0.799, 0.80, 0.8999, 0.95, 0.989, 0.99, 1.02)] == [0, 1, 1, 3, 3, 4, 4]
    assert close["colors"] == EXECUTION_COLOURS and close["closed"] == "lower"


@pytest.mark.parametrize("lang, labels", [
    ("en", ["< 80%", "80% – 90%", "90% – 95%", "95% – 99%", "≥ 99%"]),
    ("ru", ["< 80%", "80% – 90%", "90% – 95%", "95% – 99%", "≥ 99%"]),
])
def test_execution_legend_labels(lang, labels):
    assert scale([0.9, None], "execution", lang)["labels"] == labels


def test_execution_legend_labels_kk_are_whole_percents():
    labels = scale([0.9], "execution", "kk")["labels"]
    assert len(labels) == 5 and labels[0].startswith("< 80") and labels[-1].startswith("≥ 99")
    assert all("," not in label for label in labels)


def test_counts_give_zero_its_own_class_and_never_read_zero_bounds():
    values = [0, 0, 0, 0, 0, 1, 1, 2, 3, 7, 12]
    sc = scale(values, "appeals_open", "en")
    assert sc["breaks"][0] == 1 and sc["breaks"] == sorted(set(sc["breaks"]))
    assert colour_of(0, sc) == ZERO_COLOUR and colour_of(1, sc) != ZERO_COLOUR
    assert sc["labels"][0] == "No open appeals" and len(sc["labels"]) == len(sc["colors"]) == len(sc["breaks"]) + 1
    assert sc["labels"][-1].endswith("–12") and not any("0" == label or "≤ 0" in label or "> 0" in label
                                                             for label in sc["labels"])
    assert count_breaks([0, 0, None]) == []


@pytest.mark.parametrize("lang, none", [
    ("kk", "Мерзімі өткен өтініш жоқ"), ("ru", "Нет просроченных обращений"), ("en", "No overdue appeals"),
])
def test_count_legend_labels_per_language(lang, none):
    sc = scale([0, 1, 1, 2, 3, 5, 9], "appeals_overdue", lang)
    assert sc["breaks"] == [1, 3, 5]
    assert sc["labels"] == [none, "1–2", "3–4", "5–9"]
    assert scale([0, 0, 2, 2], "appeals_overdue", lang)["labels"] == [none, "1–2"]
    # A class of one count reads as that number.
    assert scale([0, 1, 4], "appeals_overdue", lang)["labels"][-1] == "4"


def test_money_breaks_are_round_quantiles():
    values = [1_234_567_00 * k for k in range(1, 21)] + [None]
    breaks = money_breaks(values)
    assert len(breaks) == 4 and breaks == sorted(set(breaks))
    assert all(float(f"{b:.2g}") == b for b in breaks)  # two significant digits
    sc = scale(values, "plan", "ru")
    assert sc["labels"][0].startswith("< ") and sc["labels"][-1].startswith("≥ ") and sc["nodata"]
    assert scale([5_00, 5_00], "plan", "en")["labels"] == ["5 ₸"]


def test_regions_without_appeals_are_not_ranked_and_the_panel_says_so():
    rows = with_appeals([{"code": c, "name_ru": c, "plan_adjusted": 5, "paid": 5} for c in
                         ("KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31")],
                        {"KZ-15": {"open": 4, "overdue": 0}, "KZ-31": {"open": 1, "overdue": 0}})
    state = ExplorerState(year=2025, metric="appeals_open")
    panel = top_areas(rows, state, "ru")
    bars = panel[1]
    assert [li.children.children[0].children[0].children for li in bars.children] == ["KZ-15", "KZ-31"]
    assert "только в 2 из них" in _text(panel[2])
    overdue = top_areas(rows, ExplorerState(year=2025, metric="appeals_overdue"), "kk")
    assert _text(overdue[1]) == "Мерзімі өткен өтініш жоқ" and len(overdue) == 2


@pytest.mark.parametrize("lang, december, first_quarter, year", [
    ("kk", "2025, желтоқсан", "2025, қаңтар–наурыз", "2025, бүкіл жыл"),
    ("ru", "2025, декабрь", "2025, январь–март", "2025, весь год"),
    ("en", "2025, December", "2025, January–March", "2025, full year"),
])
def test_period_captions(lang, december, first_quarter, year):
    assert period_caption(2025, (12, 12), lang) == december
    assert period_caption(2025, (1, 3), lang) == first_quarter
    assert period_caption(2025, (1, 12), lang) == year


def test_panels_and_legend_name_their_months():
    state = ExplorerState(year=2025, months=(12, 12), metric="execution")
    assert caption(state, "ru") == "Исполнение · 2025, декабрь"
    rows = [{"code": "KZ-11", "name_ru": "Акмолинская", "plan_adjusted": 100, "paid": 96}]
    legend = map_legend(region_hideout(rows, state, "ru"), state, "ru")
    assert "2025, декабрь" in _text(legend[0]) and "нет данных" not in _text(legend)
    cards = _text(kpis({"plan_adjusted": 100, "paid": 96, "institutions": 3}, state, "kk"))
    assert cards.count("2025, желтоқсан") == 3 and "2025 жылға" in cards
    assert caption(ExplorerState(year=2025, months=(1, 3), metric="appeals_open"), "en") == "Open appeals · as of today"


@pytest.mark.parametrize("name, short", [
    ("ГККП «Колледж № 1» управления образования Аршалынского района", "Колледж № 1"),
    ("Аршалы ауданының білім басқармасының «№ 1 колледжі» МКҚК", "№ 1 колледжі"),
    ("College No. 1, Education Office of Arshaly District", "College No. 1"),
    ("КГУ Средняя школа № 5", "Средняя школа № 5"),
])
def test_short_names_drop_legal_form_and_parent_body(name, short):
    assert short_name(name) == short
