"""Odd numbers in URLs and forms ('²', '٣', 20 digits) are refused or ignored, never a 500."""
import pytest

from dashboard.explorer_state import parse_hash
from dashboard.params import bin_shaped, whole_number, year_param

ODD = ["²", "٢٠٢٤", "99999999999999999999999", "-1", "20 24", "", None, "2024.0", "１２"]


@pytest.mark.parametrize("value", ODD)
def test_odd_values_are_not_years(value):
    assert year_param(value) is None


def test_plain_years_and_bounds():
    assert year_param("2024") == 2024 and year_param(" 2000 ") == 2000
    assert year_param("1999") is None and year_param("2101") is None
    assert whole_number("12", 1, 12) == 12 and whole_number("13", 1, 12) is None
    assert bin_shaped("210340000013") and not bin_shaped("２１0340000013") and not bin_shaped("²" * 12)


@pytest.mark.parametrize("fragment", ["year=²", "year=99999999999999999999&months=²-١٢", "months=3-²"])
def test_explorer_state_ignores_odd_numbers(fragment):
    state = parse_hash(fragment, years=[2024, 2025], sectors=["education"], regions=["KZ-11"], districts={})
    assert state.year == 2025 and state.months == (1, 12)


@pytest.mark.parametrize("year", ["%C2%B2", "99999999999999999999999", "1999", "abc"])
def test_map_points_answer_400_to_odd_years(demo_engine, tmp_path, year):
    from app import create_app
    from dashboard.config import load_config

    url = demo_engine.url.render_as_string(hide_password=False)
    app = create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path)}))
    response = app.server.test_client().get(f"/api/map/points?year={year}")
    assert response.status_code == 400 and "year" in response.json["error"]


@pytest.mark.parametrize("year", ["²", "99999999999999999999", "٢٠٢٤"])
def test_pages_with_odd_years_render(demo_engine, tmp_path, year):
    from sqlalchemy import select

    from app import create_app
    from dashboard.config import load_config
    from dashboard.schema import institutions
    from layouts.pages import appeals, institution

    with demo_engine.connect() as conn:
        bin_ = conn.execute(select(institutions.c.bin).limit(1)).scalar_one()
    url = demo_engine.url.render_as_string(hide_password=False)
    app = create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": str(tmp_path)}))
    with app.server.test_request_context(f"/institution/{bin_}"):
        assert institution.layout(bin=bin_, year=year, lang="en") is not None
        assert appeals.institution_layout(bin=bin_, year=year, lang="en") is not None
        assert appeals.institution_layout(bin="²" * 12, year=year, lang="en") is not None
