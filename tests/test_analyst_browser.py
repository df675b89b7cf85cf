"""The analysts' workspace in real headless Chromium: filter, select a flag, read its evidence,
open the institution with the flag's lines highlighted, come back, open a case from the flag."""
import csv
import io
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard.account_admin import add_user
from dashboard.anomalies.model import Flag
from dashboard.anomalies.scan import scan_engine
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import anomaly_flags, budget_lines as bl, institutions
from queries.anomalies import store_flags
from tests.appeals_support import PASSWORD
from tests.test_appeals_browser import open_page, sign_in
from tests.browser import require_chromium, running_server, visitor_page, wait_for_dash

YEAR = 2024


def plant_flag(engine) -> dict:
    """A paid-above-plan flag on two real line-months of the first school (on top of whatever
    the scan found), so the test knows exactly which rows must light up."""
    with engine.begin() as conn:
        iid, bin_ = conn.execute(select(institutions.c.id, institutions.c.bin).where(institutions.c.type_code == "school")
                                 .order_by(institutions.c.id)).first()
        line = conn.execute(select(bl.c.program_code, bl.c.subprogram_code, bl.c.specific_code)
                            .where(bl.c.institution_id == iid, bl.c.year == YEAR, bl.c.specific_code == 111)
                            .order_by(bl.c.program_code, bl.c.subprogram_code)).first()
        ref = {"program": line[0], "subprogram": line[1], "specific": int(line[2]), "months": [11, 12]}
        flag = Flag(iid, YEAR, "paid_above_plan", 0.99, {
            "month": 12, "paid": 250_000_000, "plan": 100_000_000, "excess": 150_000_000, "ratio": 2.5,
            "cumulative_paid": 900_000_000, "cumulative_plan": 800_000_000, "line_year_paid": 1_200_000_000,
            "line_year_plan": 1_100_000_000, "year_paid": 9_000_000_000, "year_plan": 9_500_000_000,
            "year_over_plan": False, "lines_over_plan": 1, "min_excess": 1_000_000, "min_ratio": 1.02}, [ref])
        store_flags(conn, [flag], {(iid, YEAR)}, [YEAR], ["paid_above_plan"])
        flag_id = conn.execute(select(anomaly_flags.c.id).where(
            anomaly_flags.c.institution_id == iid, anomaly_flags.c.year == YEAR,
            anomaly_flags.c.detector == "paid_above_plan")).scalar_one()
    return {"bin": bin_, "line": ref, "flag_id": flag_id}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_chromium()
    var_dir = tmp_path_factory.mktemp("analyst-browser")
    url = f"sqlite:///{var_dir / 'site.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=120, years=[2023, YEAR], seed=11, progress=False)
    scan_engine(engine)  # real flags around the planted one the test follows
    planted = plant_flag(engine)
    add_user(engine, "analyst", "Aliya Analyst", PASSWORD, "analyst", [])
    with running_server(url, str(var_dir)) as base:
        yield {"base": base, **planted}
    engine.dispose()


@pytest.fixture
def page(browser):
    with visitor_page(browser, 1366, 1000, "ru-RU") as page:
        yield page


def shown(page, col: str) -> list[str]:
    return page.evaluate("""col => [...document.querySelectorAll('#analyst-grid .ag-center-cols-container .ag-row')]
        .sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'))
        .map(r => r.querySelector(`[col-id=${col}]`).innerText)""", col)


def test_anonymous_visitor_is_asked_to_sign_in(site, page):
    open_page(page, f"{site['base']}/analyst?lang=ru")
    assert page.locator("a[href^='/login?next=/analyst']").count() == 1
    assert page.locator("#analyst-grid").count() == 0


def open_workspace(page, site, query=""):
    """Sign in as the analyst and open the workspace on the year (in Russian)."""
    sign_in(page, site, "analyst")
    open_page(page, f"{site['base']}/analyst?lang=ru&year={YEAR}{query}")
    page.wait_for_selector("#analyst-grid .ag-row")


def select_planted(page, site):
    page.locator("#analyst-grid .ag-center-cols-container .ag-row", has_text=site["bin"]).locator(
        "[col-id=sentence]").click()
    page.wait_for_selector("#analyst-sentence")
    wait_for_dash(page)


def test_dismiss_with_a_reason_then_restore(site, page):
    open_workspace(page, site, "&detector=paid_above_plan")
    select_planted(page, site)
    page.fill("#analyst-dismiss-reason", "Оплата по решению суда")
    page.click("#analyst-dismiss")
    page.wait_for_url(re.compile(r"/analyst\?.*saved=1"))
    page.wait_for_selector("#analyst-grid .ag-row")
    wait_for_dash(page)
    assert "detector=paid_above_plan" in page.url  # back to the same view
    row = page.locator("#analyst-grid .ag-center-cols-container .ag-row", has_text=site["bin"])
    expect(row.locator("[col-id=status]")).to_have_text("отклонён")  # AG Grid fills a row's cells after it
    select_planted(page, site)
    page.click("#analyst-restore")
    page.wait_for_url(re.compile(r"/analyst\?.*saved=1"))
    page.wait_for_selector("#analyst-grid .ag-row")
    wait_for_dash(page)
    expect(page.locator("#analyst-grid .ag-center-cols-container .ag-row", has_text=site["bin"]).locator(
        "[col-id=status]")).to_have_text("новый")


def test_flag_to_highlighted_lines_and_back_to_a_case(site, page):
    open_workspace(page, site)
    page.check("#analyst-detectors input[value=paid_above_plan]")
    page.wait_for_function("() => new URL(location.href).searchParams.get('detector') === 'paid_above_plan'")
    wait_for_dash(page)
    assert set(shown(page, "detector")) == {"Оплата сверх плана"}
    assert "detector=paid_above_plan" in page.get_attribute("#analyst-csv", "href")

    row = page.locator("#analyst-grid .ag-center-cols-container .ag-row", has_text=site["bin"])
    row.locator("[col-id=sentence]").click()
    page.wait_for_selector("#analyst-sentence")
    wait_for_dash(page)
    sentence = page.inner_text("#analyst-sentence")
    assert sentence
    expect(row.locator("[col-id=sentence]")).to_have_text(sentence)
    assert page.locator("#analyst-evidence .main-svg .bars path").count() >= 2  # plan vs paid bars
    assert "1\xa0500\xa0000,00\xa0₸" in page.inner_text("#analyst-detail-more")  # the excess, exact tenge

    page.click("#analyst-open-institution")
    page.wait_for_url(re.compile(rf"/institution/{site['bin']}\?year={YEAR}&flag=\d+"))
    page.wait_for_selector("#inst-lines-grid .ag-row.flag-line")
    wait_for_dash(page)
    assert sentence in page.inner_text("#inst-flag-banner")
    line = site["line"]
    marked = page.evaluate("""() => [...document.querySelectorAll('#inst-lines-grid .ag-center-cols-container .ag-row.flag-line')]
        .map(r => ['month', 'program', 'subprogram_code', 'specific']
             .map(c => r.querySelector(`[col-id=${c}]`).innerText.split(' ')[0]).join('/'))""")
    assert sorted(marked) == sorted(f"{m}/{line['program']}/{line['subprogram']}/{line['specific']:03d}"
                                    for m in line["months"])
    first_rows = page.evaluate("""() => [...document.querySelectorAll('#inst-lines-grid .ag-center-cols-container .ag-row')]
        .filter(r => +r.getAttribute('row-index') < 2).map(r => r.classList.contains('flag-line'))""")
    assert first_rows == [True, True]  # the flagged lines come first

    page.go_back()
    page.wait_for_selector("#analyst-grid .ag-row")
    wait_for_dash(page)
    assert "detector=paid_above_plan" in page.url
    page.locator("#analyst-grid .ag-center-cols-container .ag-row", has_text=site["bin"]).locator(
        "[col-id=sentence]").click()
    page.wait_for_selector("#analyst-case")
    page.fill("#analyst-case-title", "Оплата сверх плана, проверка")
    page.click("#analyst-open-case")
    page.wait_for_url(re.compile(r"/analyst/cases/\d+"))
    page.wait_for_selector("#main")
    wait_for_dash(page)
    # The case page draws its body in a callback after the page's own layout: wait for its title.
    page.wait_for_function("t => document.querySelector('#main').innerText.includes(t)",
                           arg="Оплата сверх плана, проверка", timeout=30000)


def test_flag_parameter_is_ignored_for_visitors(site, page):
    # The planted flag's own id, institution and year: only the visitor's role hides it.
    open_page(page, f"{site['base']}/institution/{site['bin']}?year={YEAR}&flag={site['flag_id']}")
    page.wait_for_selector("#inst-lines-grid .ag-row")
    wait_for_dash(page)
    assert page.locator("#inst-lines-grid .flag-line").count() == 0
    assert page.inner_text("#inst-flag-banner") == ""


def test_export_is_the_grid_as_sorted_on_screen(site, page):
    open_workspace(page, site)
    page.click("#analyst-grid .ag-header-cell[col-id=amount] .ag-header-cell-label")
    page.wait_for_selector("#analyst-grid .ag-header-cell[col-id=amount][aria-sort=ascending]")
    page.wait_for_function("() => document.querySelector('#analyst-csv').href.includes('sort=amount%3Aasc')")
    assert "sort=amount%3Aasc" in page.url  # the sort is in the address too
    on_screen = shown(page, "sentence")
    response = page.request.get(site["base"] + page.get_attribute("#analyst-csv", "href"))  # same cookies
    assert response.status == 200
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig"))))
    sentence = rows[0].index("Что найдено")
    assert [r[sentence] for r in rows[1:len(on_screen) + 1]] == on_screen and len(on_screen) > 1
