"""Presentation mode in Chromium (one server for the module, SQLite): the tour advances on its
interval and by keys, pauses, goes home, leaves with Esc for the slide's explorer view, which its
QR code encodes; it needs nothing outside the site (every other address is refused) and logs no
console error; no slide's text overflows at 1920×1080 or 1280×720 and none shows English on a kk
or ru page; the print view makes one PDF page per slide."""
from __future__ import annotations

import io
import re

import pytest

from dashboard.presentation import REGION_KINDS
from tests.browser import record_console_errors, running_server, wait_for_dash
from tests.conftest import boundaries_path
from tests.language_scan import check
from tests.present_support import YEAR, seed_site

SLIDES = 2 + len(REGION_KINDS)  # the country's two, then the region's

# Text boxes that spill: wider content than their box, or outside the window (the current slide
# and the bar; hidden slides have no box).
OVERFLOW_JS = """() => {
  const bad = [];
  const scope = [...document.querySelectorAll('.present-slide.is-current *, .present-bar *')];
  for (const el of scope) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (el.clientWidth && el.scrollWidth > el.clientWidth + 1)  // cut off, or spilling into its neighbour
      bad.push('scroll ' + el.className + ': ' + el.textContent.slice(0, 40));
    if (text && (r.right > innerWidth + 1 || r.bottom > innerHeight + 1 || r.left < -1 || r.top < -1))
      bad.push('outside ' + el.className + ': ' + el.textContent.slice(0, 40));
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from dashboard.db import make_engine, upgrade

    var_dir = tmp_path_factory.mktemp("present")
    url = f"sqlite:///{var_dir / 'site.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    info = seed_site(engine, var_dir / "uploads")
    engine.dispose()
    geo = boundaries_path()
    with running_server(url, str(var_dir), {"BOUNDARIES_PATH": str(geo)} if geo else None) as base:
        yield {"base": base, **info}


def _offline_page(browser, site, width: int, height: int, locale: str):
    """A page that can reach only the site: tiles, fonts or anything else outside it fail."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    outside: list[str] = []

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!" + re.escape(site["base"]) + r")"), refuse)
    return context, page, outside, record_console_errors(page)


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".present-slide.is-current[data-href]")
    wait_for_dash(page, 60_000)
    # The first slide arrives marked current; assets/present.js starts the tour (and fills the
    # counter) on its next 200 ms tick: wait for that rather than race it.
    page.wait_for_function("() => document.getElementById('present-counter')?.textContent !== ''")


def _index(page) -> int:
    return int(page.get_attribute("#present-root", "data-index"))


def _wait_index(page, index: int, timeout: float = 10_000) -> None:
    page.wait_for_function(f"() => document.getElementById('present-root').dataset.index === '{index}'",
                           timeout=timeout)


def test_tour_interval_keys_qr_and_escape(browser, site):
    import zxingcpp
    from PIL import Image

    context, page, outside, errors = _offline_page(browser, site, 1920, 1080, "kk-KZ")
    region = site["region"]
    _open(page, f"{site['base']}/present?region={region}&year={YEAR}&lang=kk&interval=2")
    assert page.text_content("#present-counter") == f"1 / {SLIDES}"
    _wait_index(page, 1, timeout=8_000)  # the interval moves it on (2 s)
    page.keyboard.press("Space")  # pause
    assert page.get_attribute("#present-root", "data-paused") == "true"
    assert page.text_content("#present-status") == "Кідіртілді"
    page.wait_for_timeout(2_600)  # longer than the interval: still there
    assert _index(page) == 1
    page.keyboard.press("ArrowRight")
    _wait_index(page, 2)
    page.keyboard.press("PageDown")
    _wait_index(page, 3)
    page.keyboard.press("PageUp")
    page.keyboard.press("ArrowLeft")
    _wait_index(page, 1)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # before the first is the last: the tour loops
    _wait_index(page, SLIDES - 1)
    page.keyboard.press("Home")
    _wait_index(page, 0)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    _wait_index(page, 2)  # the region's first slide: the map outlines the region
    page.wait_for_selector(f"path.region-{region}[stroke='#111']")
    assert page.get_attribute("#present-root", "data-paused") == "true"  # keys do not resume

    expected = f"{site['base']}/?lang=kk#year={YEAR}&region={region}"
    slide = page.locator(".present-slide.is-current")
    assert slide.get_attribute("data-href") == expected
    png = slide.locator("img.present-qr-code").screenshot()
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert decoded == [expected]

    assert outside == [], f"the presentation asked for addresses outside the site: {outside}"
    assert errors == [], f"browser console errors: {errors}"

    page.keyboard.press("Escape")  # (the explorer it opens asks for base-map tiles: refused here)
    page.wait_for_url(expected)
    context.close()


@pytest.mark.parametrize("width,height,lang", [(1920, 1080, "kk"), (1280, 720, "ru")])
def test_no_slide_overflows_and_nothing_outside_the_site(browser, site, width, height, lang, tmp_path):
    context, page, outside, errors = _offline_page(browser, site, width, height, lang)
    _open(page, f"{site['base']}/present?region={site['region']}&year={YEAR}&lang={lang}&interval=600")
    problems = {}
    for i in range(SLIDES):
        if i:
            page.keyboard.press("ArrowRight")
            _wait_index(page, i)
        found = page.evaluate(OVERFLOW_JS) + check(page, lang, f"slide {i}")  # and one language
        if found:
            problems[i] = found
        page.screenshot(path=str(tmp_path / f"present-{lang}-{width}-{i}.png"))
    context.close()
    assert problems == {}, problems
    assert outside == [], f"the presentation asked for addresses outside the site: {outside}"
    assert errors == [], f"browser console errors: {errors}"


def test_print_view_is_one_pdf_page_per_slide(browser, site):
    context, page, outside, errors = _offline_page(browser, site, 1280, 720, "ru")
    page.goto(f"{site['base']}/present/print?region={site['region']}&year={YEAR}&lang=ru")
    page.wait_for_selector(".present-slide[data-href]")
    wait_for_dash(page, 60_000)
    assert page.locator(".present-slide").count() == SLIDES
    assert page.text_content("#present-print-button").strip() == "Сохранить в PDF или распечатать"
    back = page.get_attribute("#present-switch", "href")
    assert back == f"/present?lang=ru&year={YEAR}&region={site['region']}"
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    context.close()
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages == SLIDES
    assert outside == [] and errors == [], (outside, errors)
