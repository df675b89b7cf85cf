"""Chart labels on the institution page: exact money formatted for the language, never '1,234.56' in Russian."""
from layouts.institution_parts import monthly_figure, programs_figure

MONTHS = [{"month": 1, "plan_adjusted": 123_456_789, "paid": 100_000_050}, {"month": 2, "plan_adjusted": 1, "paid": 0}]


def test_monthly_hover_labels_are_exact_and_localised():
    ru = monthly_figure(MONTHS, "ru", cumulative=True)
    assert ru.data[0].customdata == ("1\xa0234\xa0567,89\xa0₸", "1\xa0234\xa0567,90\xa0₸")
    assert ru.layout.separators == ", "
    en = monthly_figure(MONTHS, "en", cumulative=False)
    assert en.data[1].customdata[0] == "1,000,000.50 ₸"
    assert "%{customdata}" in en.data[0].hovertemplate


def test_program_treemap_sums_exactly_in_tiyn():
    rows = [{"program_code": "464-003", "program_name_kk": "Жалпы", "subprogram_code": code,
             "subprogram_name_kk": code, "plan_adjusted": amount} for code, amount in (("015", 10), ("011", 20))]
    fig = programs_figure(rows, "kk")
    assert fig.data[0].customdata[0] == "0,30\xa0₸"
