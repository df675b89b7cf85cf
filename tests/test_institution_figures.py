"""Chart labels on the institution page: exact money formatted for the language, never '1,234.56' in Russian."""
from layouts.institution_parts import monthly_figure, programs_figure

MONTHS = [{"month": 1, "plan_adjusted": 123_456_789, "paid": 100_000_050}, {"month": 2, "plan_adjusted": 1, "paid": 0}]


def test_monthly_hover_labels_are_exact_and_localised():
    ru = monthly_figure(MONTHS, "ru", cumulative=True)
    assert ru["data"][0]["customdata"] == ["1\xa0234\xa0567,89\xa0₸", "1\xa0234\xa0567,90\xa0₸"]
    assert ru["layout"]["separators"] == ", "
    en = monthly_figure(MONTHS, "en", cumulative=False)
    assert en["data"][1]["customdata"][0] == "1,000,000.50 ₸"
    assert "%{customdata}" in en["data"][0]["hovertemplate"]


def test_program_treemap_sums_exactly_in_tiyn():
    rows = [{"program_code": "464-003", "program_name_kk": "Жалпы", "subprogram_code": code,
             "subprogram_name_kk": code, "plan_adjusted": amount} for code, amount in (("015", 10), ("011", 20))]
    fig = programs_figure(rows, "kk")
    assert fig["data"][0]["customdata"][0] == "0,30\xa0₸"


def test_capacity_reads_naturally_in_every_language():
    from layouts.institution_parts import header

    inst = {"region_name_ru": "Акмолинская область", "district_name_ru": "г. Кокшетау", "type_name_ru": "Школа",
            "sector_name_ru": "Образование", "address": "ул. Абая, 1", "bin": "210340000013", "capacity": 21,
            "capacity_unit": "pupils"}
    for lang, text in (("ru", "Учащихся"), ("en", "Pupils"), ("kk", "Оқушылар саны")):
        shown = str(header({**inst, **{k.replace("_ru", f"_{lang}"): v for k, v in inst.items()}}, lang))
        assert text in shown and "'21'" in shown


def test_money_axes_are_labelled_per_language():
    fig = monthly_figure(MONTHS, "ru", cumulative=False)
    assert fig["layout"]["yaxis"]["ticktext"] == ["0\xa0₸", "500\xa0тыс.\xa0₸", "1\xa0млн\xa0₸", "1,5\xa0млн\xa0₸"]
    assert fig["layout"]["yaxis"]["tickvals"] == [0, 500_000, 1_000_000, 1_500_000]
    assert monthly_figure(MONTHS, "en", cumulative=True)["layout"]["yaxis"]["ticktext"][2] == "1M ₸"


def test_plain_figures_are_what_plotly_would_build():
    """The charts are plain dicts (no go.Figure per request): each must still be a valid figure
    whose traces and layout equal go.Figure's, and whose template is plotly's, cut to its parts."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from layouts.institution_parts import specifics_figure

    specific = [{"code": 111, "name_ru": "Оплата труда", "plan_adjusted": 5_000_00}]
    programs = [{"program_code": "464-003", "program_name_ru": "Общее", "subprogram_code": "015",
                 "subprogram_name_ru": "Местный", "plan_adjusted": 10}]
    full = pio.templates["plotly"].to_plotly_json()
    for fig in (monthly_figure(MONTHS, "ru", cumulative=True), monthly_figure(MONTHS, "ru", cumulative=False),
                specifics_figure(specific, "ru"), programs_figure(programs, "ru")):
        built = go.Figure(fig).to_plotly_json()  # validates every property: a misspelt key raises
        template = fig["layout"]["template"]
        assert {k: v for k, v in built["layout"].items() if k != "template"} == \
            {k: v for k, v in fig["layout"].items() if k != "template"}
        assert [{k: list(v) if isinstance(v, tuple) else v for k, v in trace.items()} for trace in built["data"]] == \
            fig["data"]
        assert all(full["layout"][k] == v for k, v in template["layout"].items())
        assert {k: full["data"][k] for k in ("bar", "scatter") if k in full["data"]} == \
            {k: v for k, v in template["data"].items() if k in ("bar", "scatter")}
        assert {trace["type"] for trace in fig["data"]} <= set(template["data"]) | {"treemap"}
