"""The institution page and header search in real headless Chromium."""
import csv
import io
import json
import re
import time
import urllib.request
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from tests.browser import (
    record_console_errors, require_chromium, running_server, serve_blank_tiles, wait_for_dash,
)

YEARS = [2024, 2025]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    var_dir = tmp_path_factory.mktemp("inst-browser")
    url = f"sqlite:///{var_dir / 'demo.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=120, years=YEARS, seed=11, progress=False)
    engine.dispose()
    with running_server(url, str(var_dir)) as base:
        yield base


def api(base, path):
    with urllib.request.urlopen(base + path) as response:
        return response.read().decode()


@pytest.fixture(scope="module")
def school(server):
    return json.loads(api(server, "/api/v1/institutions?type=school&limit=1"))["data"][0]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="ru-RU", accept_downloads=True)
    page = context.new_page()
    serve_blank_tiles(page)
    errors = record_console_errors(page)
    page.expected_errors = []  # a test that opens a 404 address expects the browser to log it
    yield page
    context.close()
    errors = [e for e in errors if e not in page.expected_errors]
    assert errors == [], f"browser console errors: {errors}"


def open_school(page, server, school, query=""):
    page.goto(f"{server}/institution/{school['bin']}{query}")
    page.wait_for_selector("#inst-kpi-budget")
    page.wait_for_selector("#inst-lines-grid .ag-row")
    wait_for_dash(page)


def tenge(text: str) -> Decimal:
    """'1 234 567,89' as shown in the Russian grid → Decimal."""
    return Decimal(text.replace("\xa0", "").replace(" ", "").replace(",", "."))


def shown_column(page, col_id: str) -> list[str]:
    """Cell texts of a column in display order (the grid positions rows, DOM order differs)."""
    return page.evaluate(
        """col => [...document.querySelectorAll('#inst-lines-grid .ag-center-cols-container .ag-row')]
                  .sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'))
                  .map(r => r.querySelector(`[col-id=${col}]`).innerText)""", col_id)


def test_school_page_shows_identity_budget_and_counts_views(server, page, school):
    open_school(page, server, school)
    assert page.inner_text("#inst-title") == school["name_ru"]
    assert school["bin"] in page.inner_text("#inst-header")
    assert re.fullmatch(r"[\d,]+\s(млн|млрд)\s₸", page.inner_text("#inst-kpi-budget"))
    assert page.locator("#inst-year").inner_text().strip() == str(YEARS[-1])
    assert page.locator("#inst-specifics .bars path").count() > 0
    assert "Документы не опубликованы" in page.inner_text("#inst-documents")
    first = int(re.search(r"Просмотров страницы: (\d+)", page.inner_text("#inst-views")).group(1))
    assert first >= 1
    open_school(page, server, school)  # the same visitor again at once: not a new view
    assert int(re.search(r"Просмотров страницы: (\d+)", page.inner_text("#inst-views")).group(1)) == first


def test_year_from_the_url_and_changing_the_year(server, page, school):
    open_school(page, server, school, f"?year={YEARS[0]}&lang=en")
    assert page.locator("#inst-year").inner_text().strip() == str(YEARS[0])
    before = page.inner_text("#inst-kpi-paid")
    page.click("#inst-year")
    page.get_by_role("option", name=str(YEARS[1])).click()
    page.wait_for_function(f"() => document.querySelector('#inst-api-link').href.endsWith('year={YEARS[1]}')")
    wait_for_dash(page)
    assert page.inner_text("#inst-kpi-paid") != before
    assert "Year over year" in page.inner_text("#main") and page.locator("#inst-yoy tbody tr").count() > 0
    assert f"year={YEARS[1]}" in page.url and "lang=en" in page.url  # the address follows the year
    page.reload()
    page.wait_for_selector("#inst-kpi-budget")
    wait_for_dash(page)
    assert page.locator("#inst-year").inner_text().strip() == str(YEARS[1])
    page.click("#lang-kk")  # switching language keeps the year
    page.wait_for_url(re.compile(r"lang=kk"))
    page.wait_for_selector("#inst-kpi-budget")
    wait_for_dash(page)
    assert f"year={YEARS[1]}" in page.url and page.locator("#inst-year").inner_text().strip() == str(YEARS[1])


def test_sort_filter_and_download_csv_equal_to_the_api(server, page, school):
    open_school(page, server, school)
    grid = page.locator("#inst-lines-grid")
    # Filter: specific 111 (wages), typed into the column's filter box.
    grid.get_by_label("Специфика экономической классификации Фильтр").fill("111")
    page.wait_for_function("() => [...document.querySelectorAll('#inst-lines-grid .ag-center-cols-container "
                           "[col-id=specific]')].every(c => c.innerText.startsWith('111'))")
    # Sort by paid, largest first (two clicks on the header).
    header = grid.locator(".ag-header-cell[col-id=paid] .ag-header-cell-label")
    header.click()
    header.click()
    page.wait_for_selector("#inst-lines-grid .ag-header-cell[col-id=paid][aria-sort=descending]")
    # Rows are redrawn on the next frame: poll until the screen shows the sorted order.
    deadline = time.monotonic() + 5
    while True:
        shown = [tenge(t) for t in shown_column(page, "paid")]
        if shown == sorted(shown, reverse=True) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(100)
    assert shown == sorted(shown, reverse=True) and len(shown) > 1

    with page.expect_download() as info:
        page.click("#inst-csv")
    assert info.value.suggested_filename == f"{school['bin']}-{YEARS[-1]}.csv"
    raw = open(info.value.path(), "rb").read()
    assert not raw.startswith(b"\xef\xbb\xbf")  # plain UTF-8 for programs
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    header_row, body = rows[0], rows[1:]
    # Field names (the same in every language), the shown columns only, no totals row.
    assert header_row == ["month", "program", "subprogram_code", "specific",
                          "plan", "plan_adjusted", "obligations", "paid"]
    assert all(re.fullmatch(r"-?\d+\.\d\d", r[header_row.index(c)]) for r in body
               for c in ("plan", "plan_adjusted", "obligations", "paid"))
    paid = header_row.index("paid")
    api_rows = list(csv.DictReader(io.StringIO(
        api(server, f"/api/v1/institutions/{school['bin']}/lines?year={YEARS[-1]}&specific=111&format=csv"))))
    assert sorted(Decimal(r[paid]) for r in body) == sorted(Decimal(r["paid"]) for r in api_rows)
    assert len(body) == len(api_rows) > len(shown)  # every filtered row, not only the first grid page
    assert [Decimal(r[paid]) for r in body][:len(shown)] == shown  # same order as on screen
    assert all(r[header_row.index("specific")].startswith("111 ") for r in body)


def test_xlsx_download_has_the_rows_shown(server, page, school):
    from openpyxl import load_workbook

    open_school(page, server, school)
    page.locator("#inst-lines-grid").get_by_label("Специфика экономической классификации Фильтр").fill("151")
    page.wait_for_function("() => [...document.querySelectorAll('#inst-lines-grid .ag-center-cols-container "
                           "[col-id=specific]')].every(c => c.innerText.startsWith('151'))")
    wait_for_dash(page)
    with page.expect_download() as info:
        page.click("#inst-xlsx")
    assert info.value.suggested_filename == f"{school['bin']}-{YEARS[-1]}.xlsx"
    sheet = load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Месяц" and values[-1][1] == "Итого" and len(values[0]) == 8  # no action column
    api_rows = json.loads(api(server, f"/api/v1/institutions/{school['bin']}/lines?year={YEARS[-1]}&specific=151"))
    paid = values[0].index("Оплачено, ₸")
    assert sorted(Decimal(str(r[paid])) for r in values[1:-1]) == sorted(Decimal(r["paid"]) for r in api_rows["data"])


def test_a_row_links_to_an_appeal_about_its_line(server, page, school):
    open_school(page, server, school, "?lang=en")
    first = page.locator("#inst-lines-grid .ag-center-cols-container .ag-row[row-index='0']")
    for c in ("program", "subprogram_code", "specific"):  # AG Grid fills a row's cells after drawing it
        expect(first.locator(f"[col-id={c}]")).to_have_text(re.compile(r"\S"))
    program, subprogram, specific = (first.locator(f"[col-id={c}]").inner_text().split(" ")[0]
                                     for c in ("program", "subprogram_code", "specific"))
    line = f"{YEARS[-1]}/{program}/{subprogram}/{specific}"
    link = first.locator("[col-id=ask] a")
    assert link.inner_text() == "Ask about this line"
    assert page.locator("#inst-lines-grid .ag-floating-bottom [col-id=ask] a").count() == 0  # not on totals
    link.click()
    page.wait_for_url(re.compile(rf"/institution/{school['bin']}/appeals\?line=.+&lang=en#appeal-form$"))
    page.wait_for_selector("#appeal-form")
    assert f"About expenditure line: {line}" in page.inner_text("#appeal-form")
    assert page.locator("#appeal-form input[name=line]").input_value() == line


def test_header_search_suggests_and_opens_the_institution(server, page, school):
    page.goto(server + "/")
    page.wait_for_selector("#kpi-planned")
    place = school["name_ru"].split()[-1]
    page.fill("#search-input", f"ШКОЛ {place[:5]}")
    link = page.locator("#search-results a", has_text=school["name_ru"])
    link.wait_for()
    link.click()
    page.wait_for_url(re.compile(rf"/institution/{school['bin']}"))
    page.wait_for_selector("#inst-kpi-budget")
    assert page.inner_text("#inst-title") == school["name_ru"]


def test_header_search_works_from_the_keyboard(server, page, school):
    page.goto(server + "/?lang=ru")
    page.wait_for_selector("#kpi-planned")
    page.fill("#search-input", school["bin"])
    page.locator("#search-results a").first.wait_for()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('#search-results') !== null")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/institution/{school['bin']}"))
    page.wait_for_selector("#inst-kpi-budget")


def test_unknown_bin_says_so(server, page):
    page.expected_errors.append("Failed to load resource: the server responded with a status of 404 (NOT FOUND)")
    page.goto(f"{server}/institution/000000000000")
    page.wait_for_function("() => (document.querySelector('#inst-title')?.innerText || '').length > 0")
    assert page.inner_text("#inst-title") == "Учреждение не найдено"
    assert not page.locator("#inst-body").is_visible()
