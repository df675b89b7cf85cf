"""The overview page in real headless Chromium: loads, changes year, switches language."""
import re

import pytest

from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, running_server, wait_for_dash


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    var_dir = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{var_dir / 'demo.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=120, years=[2024, 2025], seed=11, progress=False)
    engine.dispose()
    with running_server(url, str(var_dir)) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    # A Russian-speaking visitor unless a test asks for another browser locale.
    locale = getattr(request, "param", "ru-RU")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


def test_overview_shows_totals_in_russian(server, page):
    page.goto(server + "/")
    page.wait_for_selector("#kpi-planned")
    wait_for_dash(page)
    assert page.inner_text("#page-title") == "Открытые бюджеты Казахстана"
    assert re.fullmatch(r"[\d,]+\s(млн|млрд|трлн)\s₸", page.inner_text("#kpi-planned"))
    assert page.inner_text("#kpi-institutions") == "120"
    assert page.locator("#region-table tbody tr").count() == 20
    assert page.locator("#sector-chart .bars path").count() > 0


def test_changing_the_year_updates_the_numbers(server, page):
    page.goto(server + "/")
    page.wait_for_selector("#kpi-planned")
    wait_for_dash(page)
    before = page.inner_text("#kpi-paid")
    assert "2025" in page.inner_text("#kpi-cards")
    page.click("#overview-year")
    page.get_by_role("option", name="2024").click()
    page.wait_for_function("() => document.querySelector('#kpi-cards').innerText.includes('2024')")
    wait_for_dash(page)
    assert page.inner_text("#kpi-paid") != before


def test_language_switch_to_kazakh_sticks_across_reloads(server, page):
    page.goto(server + "/")
    page.wait_for_selector("#kpi-planned")
    page.click("#lang-switch >> text=Қазақша")
    page.wait_for_url(re.compile(r"\?lang=kk$"))
    page.wait_for_selector("#kpi-planned")
    wait_for_dash(page)
    assert page.inner_text("#page-title") == "Қазақстанның ашық бюджеттері"
    assert "ЖОСПАРЛАНҒАН" in page.inner_text("#kpi-cards").upper()
    assert re.fullmatch(r"[\d,]+\s(млн|млрд|трлн)\s₸", page.inner_text("#kpi-planned"))
    page.goto(server + "/")  # no ?lang: the cookie keeps Kazakh
    page.wait_for_selector("#kpi-planned")
    assert page.inner_text("#page-title") == "Қазақстанның ашық бюджеттері"


def test_english_uses_english_number_format(server, page):
    page.goto(server + "/?lang=en")
    page.wait_for_selector("#kpi-planned")
    wait_for_dash(page)
    assert page.inner_text("#page-title") == "Open budgets of Kazakhstan"
    assert re.fullmatch(r"[\d.]+[MBT] ₸", page.inner_text("#kpi-planned"))
    assert "%" in page.inner_text("#kpi-execution") and "." in page.inner_text("#kpi-execution")


@pytest.mark.parametrize("page", ["en-US"], indirect=True)
def test_browser_language_is_used_without_url_or_cookie(server, page):
    page.goto(server + "/")
    page.wait_for_selector("#kpi-planned")
    assert page.inner_text("#page-title") == "Open budgets of Kazakhstan"
