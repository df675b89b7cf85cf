"""Every page kind on a 390×844 phone (touch, 3× pixels) in Kazakh and Russian, in real Chromium:
no sideways scrolling, no clipped label or amount, no word broken inside, a map legend that is
closed and off the map until opened, and a visible sign of the explorer's active filters.

Screenshots go to a temporary folder (or PHONE_SHOTS_DIR) to look at.
"""
import os
import re

import pytest
from sqlalchemy import select

from dashboard.accounts import User
from dashboard.account_admin import add_user
from dashboard.appeals.storage import UploadStore
from dashboard.appeals.workflow import AppealDraft, post_appeal, transition
from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.i18n import t
from dashboard.schema import appeals, institutions
from tests.appeals_support import PASSWORD
from tests.browser import record_console_errors, require_chromium, running_server, serve_blank_tiles, wait_for_dash
from tests.conftest import boundaries_path

WIDTH = 390
PHONE = dict(viewport={"width": WIDTH, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True)
LANGS = ["kk", "ru"]

# Runs in the page: what a reader of a phone would see broken. Returns a list of problems.
LAYOUT_PROBLEMS = r"""width => {
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`page scrolls sideways: ${page}px wide on a ${width}px screen`);
  const skip = '.ag-root-wrapper, .leaflet-container, .visually-hidden, script, style, textarea, input, select, ' +
               'option, .appeal-body, .appeal-answer, .search-results, code, pre';
  // checkVisibility also hides what a closed <details> holds (content-visibility).
  const shown = el => { const r = el.getBoundingClientRect();
                        return el.checkVisibility({visibilityProperty: true}) && r.width > 1 && r.height > 1; };
  const textRects = el => {  // where the element's own visible text is drawn
    const rects = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(skip) || !node.textContent.trim()) continue;
      const range = document.createRange(); range.selectNodeContents(node);
      rects.push(...[...range.getClientRects()].filter(r => r.width > 0));
    }
    return rects;
  };
  const name = el => (el.id ? '#' + el.id : el.tagName.toLowerCase() + '.' + [...el.classList].join('.'));
  // Clipped: text wider than its box where the box hides the rest (overflow, ellipsis), or an
  // amount or label running out of its box or off the screen.
  const amounts = '.kpi-value, .kpi-label, .kpi-hint, .bar-value, .legend-row, .legend-title, .filter-chip, ' +
                  '[id^=inst-kpi-], .badge';
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest(skip) || !el.textContent.trim()) continue;
    if (el.matches(amounts) && el.checkVisibility() && el.getBoundingClientRect().width <= 1)
      problems.push(`squeezed to nothing: ${name(el)} "${el.textContent.trim()}"`);
    if (!shown(el)) continue;
    const s = getComputedStyle(el);
    const hides = ['hidden', 'clip'].includes(s.overflowX) || s.textOverflow === 'ellipsis';
    const amount = el.matches(amounts);
    if ((hides || amount) && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
      problems.push(`clipped: ${name(el)} "${el.innerText.trim()}" (${el.scrollWidth} > ${el.clientWidth})`);
    if (amount) {
      const box = (el.closest('.card, .map-legend-box, .bar-link') || el).getBoundingClientRect();
      if (textRects(el).some(r => r.left < Math.max(0, box.left) - 1 || r.right > Math.min(width, box.right) + 1))
        problems.push(`out of its box: ${name(el)} "${el.innerText.trim()}"`);
    }
  }
  // A word broken inside: one word (joined by no-break spaces as amounts are, cut only after a
  // hyphen, dash or slash) whose letters lie on two lines.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skip) || !shown(el)) continue;
    const text = node.textContent;
    const re = /[^ \t\n\r\-‐–—\/]+/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length < 2) continue;
      const range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top);
      if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > 4)
        problems.push(`word broken: "${m[0]}" in ${name(el)}`);
    }
  }
  return [...new Set(problems)];
}"""

# How much of the map the legend covers, and whether a tap on each cluster reaches the cluster.
LEGEND_COVER = r"""() => {
  const map = document.getElementById('map').getBoundingClientRect();
  const box = document.getElementById('map-legend-box').getBoundingClientRect();
  const w = Math.max(0, Math.min(map.right, box.right) - Math.max(map.left, box.left));
  const h = Math.max(0, Math.min(map.bottom, box.bottom) - Math.max(map.top, box.top));
  const blocked = [...document.querySelectorAll('#map .marker-cluster, #map .institution-point')].filter(m => {
    const r = m.getBoundingClientRect(); const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < map.left || x > map.right || y < map.top || y > map.bottom) return false;
    const hit = document.elementFromPoint(x, y);
    return hit && hit.closest('#map-legend-box');
  }).length;
  return {share: (w * h) / (map.width * map.height), blocked};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_chromium()
    var_dir = tmp_path_factory.mktemp("phone")
    url = f"sqlite:///{var_dir / 'site.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=60, years=[2024, 2025], seed=11, progress=False)
    with engine.connect() as conn:
        inst_id, bin_ = conn.execute(select(institutions.c.id, institutions.c.bin)
                                     .where(institutions.c.type_code == "school").order_by(institutions.c.id)).first()
    moderator = add_user(engine, "moderator", "Dana Moderator", PASSWORD, "moderator", [])
    add_user(engine, "analyst", "Aliya Analyst", PASSWORD, "analyst", [])
    draft = AppealDraft(inst_id, "question", "Мектептің шатыры әлі ағып тұр: жөндеу қашан басталады?", None, None, None)
    code = post_appeal(engine, UploadStore(var_dir / "uploads"), draft, [], 15)
    with engine.connect() as conn:
        appeal_id = conn.execute(select(appeals.c.id).where(appeals.c.tracking_code == code)).scalar_one()
    transition(engine, User(moderator, "moderator", "Dana Moderator", "moderator"), appeal_id, "approve", None)
    post_appeal(engine, UploadStore(var_dir / "uploads"), draft, [], 15)  # one waiting in the moderation queue
    geo = boundaries_path()
    shots = os.environ.get("PHONE_SHOTS_DIR") or str(tmp_path_factory.mktemp("phone-shots"))
    os.makedirs(shots, exist_ok=True)
    with running_server(url, str(var_dir), {"BOUNDARIES_PATH": str(geo)} if geo else None) as base:
        yield {"base": base, "bin": bin_, "code": code, "shots": shots}
    engine.dispose()


@pytest.fixture(scope="module")
def signed_in(site, browser):
    """Cookies of a signed-in moderator and analyst (each signs in once for the module)."""
    states = {}
    for role in ("moderator", "analyst"):
        context = browser.new_context(**PHONE)
        context.set_default_timeout(60_000)
        page = context.new_page()
        page.goto(f"{site['base']}/login?lang=ru")
        page.fill("#login-username", role)
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_selector("#signed-in-as")
        states[role] = context.storage_state()
        context.close()
    return states


@pytest.fixture
def phone(browser, signed_in):
    """A phone page factory (`role` signs it in); console errors fail the test."""
    opened = []

    def make(role: str | None = None):
        context = browser.new_context(**PHONE, storage_state=signed_in[role] if role else None)
        context.set_default_timeout(60_000)  # a busy machine; the first page of a fresh server is slow
        page = context.new_page()
        serve_blank_tiles(page)
        page.errors = record_console_errors(page)
        opened.append((context, page))
        return page

    yield make
    for context, page in opened:
        context.close()
        # The 404 page is answered with status 404, which the browser logs.
        errors = [e for e in page.errors if "status of 404" not in e]
        assert errors == [], f"browser console errors: {errors}"


def check(page, site, shot: str) -> None:
    page.screenshot(path=os.path.join(site["shots"], f"{shot}.png"))
    problems = page.evaluate(LAYOUT_PROBLEMS, WIDTH)
    assert problems == [], f"{shot}: {problems}"


def open_explorer(page, url):
    page.goto(url)
    page.wait_for_selector("#kpi-planned")
    page.wait_for_selector("#map .region-shape", state="attached")
    wait_for_dash(page)


@pytest.mark.parametrize("lang", LANGS)
def test_explorer_legend_and_filters_on_a_phone(site, phone, lang):
    page = phone()
    open_explorer(page, f"{site['base']}/?lang={lang}")
    check(page, site, f"front-{lang}")
    # The legend: closed, off the map, taps reach every cluster; its button is named in the language.
    toggle = page.locator("#map-legend-box > summary")
    assert page.locator("#map-legend-box").get_attribute("open") is None
    assert toggle.inner_text() == t("phone.legend.toggle", lang)
    cover = page.evaluate(LEGEND_COVER)
    assert cover["share"] <= 0.15 and cover["blocked"] == 0, cover
    toggle.click()
    assert page.locator("#map-legend .legend-title").is_visible()
    assert page.locator("#map-legend .legend-row").count() >= 2
    check(page, site, f"front-legend-{lang}")
    # No filter on: no filter line, no count. Tick a sector in the drawer: both appear, the sector is marked.
    assert not page.locator("#filter-status").is_visible()
    page.click("#filters-toggle")
    education = {"kk": "Білім беру", "ru": "Образование"}[lang]
    sector = page.locator("#sector-filter .form-check", has_text=education)
    plain = sector.evaluate("e => getComputedStyle(e).backgroundColor")
    sector.locator("label").click()
    page.wait_for_url(re.compile(r"#.*sectors=education"))
    wait_for_dash(page)
    assert sector.evaluate("e => getComputedStyle(e).backgroundColor") != plain
    page.click("#filters-toggle-close")
    status = page.locator("#filter-status")
    status.wait_for()
    assert education in status.inner_text()
    assert page.locator("#filter-count [aria-hidden=true]").inner_text() == "1"
    assert t("phone.filters.count", lang, n=1) in page.locator("#filter-count").text_content()
    check(page, site, f"front-filtered-{lang}")
    # A drill with a month range: the line names it too; its reset link clears both.
    page.goto(f"{site['base']}/?lang={lang}#year=2025&months=12-12&sectors=education&region=KZ-11")
    december = {"kk": "желтоқсан", "ru": "декабрь"}[lang]
    page.wait_for_function("m => document.querySelectorAll('#breadcrumb li').length === 2 && "
                           "document.querySelector('#filter-status').innerText.includes(m)", arg=december)
    wait_for_dash(page)
    assert page.locator("#filter-count [aria-hidden=true]").inner_text() == "2"
    check(page, site, f"drill-filtered-{lang}")
    page.locator("#filter-status a.filter-reset").click()
    page.wait_for_url(re.compile(r"#year=2025&region=KZ-11$"))
    wait_for_dash(page)
    assert not status.is_visible()


PAGES = {  # kind → (path, role signed in, a selector that shows the page is drawn)
    "institution": ("/institution/{bin}", None, "#inst-kpi-budget"),
    "institution-appeals": ("/institution/{bin}/appeals", None, "#main h1"),
    "appeal": ("/appeal/{code}", None, "#main h1"),
    "login": ("/login", None, "#login-username"),
    "not-found": ("/no-such-page", None, "#main h1"),
    "moderation": ("/moderation", "moderator", "#signed-in-as"),
    "analyst": ("/analyst", "analyst", "#analyst-grid"),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(PAGES))
def test_page_fits_a_phone(site, phone, kind, lang):
    path, role, ready = PAGES[kind]
    page = phone(role)
    page.goto(site["base"] + path.format(**site) + f"?lang={lang}")
    page.wait_for_selector(ready)
    wait_for_dash(page)
    if kind == "institution":
        for key in ("budget", "paid"):  # the whole amount, with its unit
            assert re.fullmatch(r"[\d,]+\s(мың|млн|млрд|трлн)\s₸", page.inner_text(f"#inst-kpi-{key}"))
    check(page, site, f"{kind}-{lang}")
