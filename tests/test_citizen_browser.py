"""Citizen flows in real Chromium: the institution breadcrumb back to the map, an appeal's line
opened on the institution page, and the track-my-appeal box in the footer."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard.appeals.storage import UploadStore
from dashboard.appeals.workflow import AppealDraft, post_appeal
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.schema import budget_lines, institutions
from tests.browser import require_chromium, running_server, visitor_page, wait_for_dash


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_chromium()
    var_dir = tmp_path_factory.mktemp("citizen-browser")
    url = f"sqlite:///{var_dir / 'site.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=12, years=[2024], seed=5, progress=False)
    with engine.connect() as conn:
        inst = conn.execute(select(institutions).order_by(institutions.c.id)).mappings().first()
        line = conn.execute(select(budget_lines).where(budget_lines.c.institution_id == inst["id"],
                                                       budget_lines.c.month == 3)
                            .order_by(budget_lines.c.specific_code.desc())).mappings().first()
    draft = AppealDraft(inst["id"], "question", "Why was this paid in March?", None, None,
                        (line["year"], line["program_code"], line["subprogram_code"], line["specific_code"]), 3)
    code = post_appeal(engine, UploadStore(var_dir / "uploads"), draft, [], 15)
    with running_server(url, str(var_dir)) as base:
        yield {"base": base, "inst": dict(inst), "line": dict(line), "code": code}
    engine.dispose()


@pytest.fixture
def page(browser):
    with visitor_page(browser, 390, 844, "kk-KZ") as page:
        yield page


def test_an_appeal_line_opens_its_row_and_the_breadcrumb_goes_back_to_the_district(site, page):
    page.goto(f"{site['base']}/appeal/{site['code']}?lang=ru")
    link = page.locator(".appeal-line-link")
    link.wait_for()
    assert "март 2024 г." in page.inner_text(".appeal-line") and "₸" in page.inner_text(".appeal-line")
    link.click()
    page.wait_for_url(re.compile(rf"/institution/{site['inst']['bin']}\?year=2024&lang=ru&line=.+&month=3"))
    page.wait_for_selector("#inst-lines-grid .ag-row.asked-line")
    wait_for_dash(page)
    first = page.locator("#inst-lines-grid .ag-center-cols-container .ag-row[row-index='0']")
    assert "asked-line" in first.get_attribute("class")
    # AG Grid draws a row's box before its cells' text: the text is waited for, not read at once.
    expect(first.locator("[col-id=month]")).to_have_text("3")
    expect(first.locator("[col-id=specific]")).to_have_text(re.compile(f"^{site['line']['specific_code']:03d}"))
    # in view once the page settles (charts above still grow after the rows arrive)
    page.wait_for_function("document.getElementById('inst-lines').getBoundingClientRect().top < 844",
                           timeout=15000)

    crumbs = page.locator("#inst-breadcrumb li")
    assert crumbs.count() == 4 and crumbs.nth(3).get_attribute("aria-current") == "page"
    district = crumbs.nth(2).locator("a")
    assert district.get_attribute("href") == (f"/?lang=ru#year=2024&region={site['inst']['region_code']}"
                                              f"&district={site['inst']['district_code']}")
    district.click()
    page.wait_for_selector("#breadcrumb li.active")
    wait_for_dash(page)
    assert page.locator("#breadcrumb li").count() == 3  # country › region › district


def test_the_footer_box_explains_a_wrong_code_and_opens_a_right_one(site, page):
    page.goto(f"{site['base']}/?lang=kk")
    page.fill("#track-footer-code", "AB12-O0")
    page.press("#track-footer-code", "Enter")
    page.wait_for_url(re.compile(r"/appeal\?lang=kk&error=malformed"))
    page.wait_for_selector("#track-page-error")
    assert "16 таңбадан" in page.inner_text("#track-page-error")
    assert page.input_value("#track-page-code") == "AB12-O0"
    page.fill("#track-page-code", site["code"].lower().replace("-", " "))
    page.click("#track-page-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/appeal/{site['code']}\?lang=kk$"))
    page.wait_for_selector(".appeal-card")
    assert page.inner_text("#tracking-code") == site["code"]
