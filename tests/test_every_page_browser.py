"""Every page kind in real headless Chromium, kk and ru, laptop and phone, signed out and signed
in with each staff role: axe-core finds no critical or serious violation, and the page speaks one
language (`<html lang>`, a title naming page, place and site, no English: tests/language_scan.py).
The browser itself is set to English, so Chromium's own defaults would show.

One server and one seeded database for the module; each account signs in once for the module,
and per viewport one browser context per account goes page after page in the same tab.
"""
from __future__ import annotations

import pytest

from tests.browser import serve_blank_tiles, wait_for_dash
from tests.language_scan import check, check_drill, check_file_pickers
from tests.site_pages import build_site, open_and_settle, pages, sign_in

VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGS = ("kk", "ru")
BLOCKING = ("critical", "serious")


site = pytest.fixture(scope="module")(build_site)


@pytest.fixture(scope="module")
def sessions(site, browser) -> dict[str, dict]:
    """Each staff account's cookies, signed in once for the module (both viewports use them)."""
    states = {}
    for account in dict.fromkeys(account for account, _, _ in pages(site) if account):
        context = browser.new_context(locale="en-US")
        sign_in(context, site["base"], account)
        states[account] = context.storage_state()
        context.close()
    return states


def audit(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]


def blocking(violations: list[dict], where: str) -> list[str]:
    return [f"{where}: {v['impact']} {v['id']} ({v['help']}) at "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
            for v in violations if v["impact"] in BLOCKING]


def hidden_grids(page, where: str) -> list[str]:
    """ag-grid hides a grid's cells (class ag-delay-render) while it sizes its columns; a grid
    still hidden once the page has settled is a grid the visitor cannot see."""
    ids = page.evaluate("[...document.querySelectorAll('.ag-delay-render')].map(e => e.closest('[id]')?.id)")
    return [f"{where}: grid cells left hidden (ag-delay-render) in #{i}" for i in ids]


def languages(viewport: str, index: int, name: str) -> tuple[str, ...]:
    """The front page (the map, the richest page) in both languages at both widths; every other
    page in kk at one width and ru at the other, so each page is checked in both languages and at
    both widths without doubling the run (what breaks at 390 px is layout, not wording)."""
    if name == "front":
        return LANGS
    return (LANGS[(index + (viewport == "phone")) % 2],)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_accessible_and_in_one_language(site, browser, sessions, viewport):
    found, contexts = [], {}
    try:
        for index, (account, name, path) in enumerate(pages(site)):
            if account not in contexts:
                context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-US",
                                              storage_state=sessions[account] if account else None)
                page = context.new_page()
                serve_blank_tiles(page)
                contexts[account] = (context, page)
            page = contexts[account][1]
            for lang in languages(viewport, index, name):
                sep = "&" if "?" in path else "?"
                open_and_settle(page, f"{site['base']}{path}{sep}lang={lang}")
                where = f"{viewport} {lang} {name}" + (f" as {account}" if account else "")
                found += hidden_grids(page, where) + blocking(audit(page), where)
                found += check(page, lang, where) + check_file_pickers(page, lang, where)
                if name == "front":
                    # Drilled into a region (the district table and circles; the tab names the
                    # region) with a metric that adds a column; then (on the laptop) with the
                    # search suggestions open.
                    found += check_drill(page, lang, where)
                    page.wait_for_selector("#map path.district-point")
                    columns = page.evaluate("document.querySelectorAll('#region-table thead th').length")
                    page.evaluate("location.hash += '&metric=appeals_open'")  # the drawer is shut on phones
                    page.wait_for_function(  # the appeal count column joins the table
                        f"() => document.querySelectorAll('#region-table thead th').length === {columns + 1}")
                    wait_for_dash(page)
                    found += blocking(audit(page), where + " drilled")
                    if viewport == "phone":
                        continue  # the suggestion list is the same markup at any width
                    page.fill("#search-input", "мектеп" if lang == "kk" else "школа")
                    page.wait_for_selector("#search-results a")
                    found += blocking(audit(page), where + " with search suggestions")
    finally:
        for context, _page in contexts.values():
            context.close()
    if found:
        pytest.fail("\n".join(found), pytrace=False)


def test_map_regions_by_keyboard_and_as_a_table(site, browser):
    """Tab reaches the regions, each announced with its name and value; Enter drills in like a
    click; the table under the map holds the same values and is what the map refers to."""
    context = browser.new_context(viewport=VIEWPORTS["laptop"])
    page = context.new_page()
    serve_blank_tiles(page)
    try:
        open_and_settle(page, f"{site['base']}/?lang=ru")
        page.wait_for_selector("#map path.region-shape[tabindex='0']")
        page.wait_for_selector("#region-table tbody tr")
        page.focus("#map")
        for _ in range(20):  # past the zoom buttons to the first region
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('path.region-shape')"):
                break
        label = page.evaluate("document.activeElement.getAttribute('aria-label')")
        code = page.evaluate("[...document.activeElement.classList].find(c => /^region-KZ/.test(c)).slice(7)")
        metric = page.inner_text("#metric-select input:checked + label")  # the plan, at first
        row = page.locator(f"#region-table tr[data-code='{code}'] td")
        name, value = row.nth(0).inner_text(), row.nth(1).inner_text()  # the table's plan column
        assert label.startswith(f"{name}, ") and metric in label and label.endswith(value), label
        assert metric in page.inner_text("#region-table caption")
        assert "таблице под ней" in page.inner_text("#" + page.get_attribute(".map-wrap", "aria-describedby"))
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => location.hash.includes('region={code}')")
        wait_for_dash(page)
        page.wait_for_selector("#map path.district-point[tabindex='0']")
        first = page.locator("#region-table tbody tr").first
        district = first.get_attribute("data-code")
        page.focus(f"#map path.district-{district}")
        assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith(
            first.locator("td").first.inner_text())
        page.keyboard.press(" ")
        page.wait_for_function(f"() => location.hash.includes('district={district}')")
        wait_for_dash(page)  # the districts redrawn for the selection: the focus stays on the district
        page.wait_for_function(f"() => document.activeElement.matches('#map path.district-{district}[role=button]')",
                               timeout=5000)
        page.focus("#region-table")  # a wide table scrolls sideways from the keyboard too
        assert page.evaluate("document.activeElement.id") == "region-table"
    finally:
        context.close()
