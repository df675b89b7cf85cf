"""The map explorer (front page) in real headless Chromium, driven like a visitor would."""
import datetime as dt
import re

import pytest
from sqlalchemy import select

from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.i18n import t
from dashboard.schema import institutions
from layouts.explorer import SECTOR_COLOURS
from queries.appeals import insert_appeal, utcnow
from tests.browser import require_chromium, running_server, visitor_page, wait_for_dash

MONEY_RU = re.compile(r"[\d,]+\s(млн|млрд|трлн)\s₸")


def seed_appeals(engine) -> dict:
    """Appeals on every institution: 1–3 public open ones (some overdue), plus one waiting for
    moderation, one answered and one hidden, which the public counts leave out.
    Returns the expected public {'open', 'overdue'} per BIN, per region and for the country."""
    now = utcnow()
    expected = {"bins": {}, "regions": {}, "sectors": {}}
    with engine.begin() as conn:
        found = conn.execute(select(institutions.c.id, institutions.c.bin, institutions.c.region_code,
                                    institutions.c.sector_code).order_by(institutions.c.id)).all()
        for j, (inst_id, bin_, region, sector) in enumerate(found):
            expected["sectors"][bin_] = sector
            public_open, overdue = 1 + j % 3, j % 2
            kinds = [("in_review", True, None, i < overdue) for i in range(public_open)] + [
                ("new", False, None, True), ("answered", True, None, True), ("in_review", True, "abusive", True)]
            for k, (status, published, hidden, late) in enumerate(kinds):
                created = now - dt.timedelta(days=30 if late else 2)
                insert_appeal(conn, dict(tracking_code=f"B{inst_id:08d}{k:02d}", institution_id=inst_id,
                                         kind="question", body="the roof still leaks", status=status,
                                         published=published, hidden_reason=hidden, created_at=created,
                                         due_at=created + dt.timedelta(days=21)))
            expected["bins"][bin_] = {"open": public_open, "overdue": overdue}
            for key, n in expected["bins"][bin_].items():
                area = expected["regions"].setdefault(region, {"open": 0, "overdue": 0})
                area[key] += n
    expected["country"] = {key: sum(r[key] for r in expected["regions"].values()) for key in ("open", "overdue")}
    return expected


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_chromium()
    var_dir = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{var_dir / 'demo.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=120, years=[2024, 2025], seed=11, progress=False)
    appeals = seed_appeals(engine)
    engine.dispose()
    # The default configuration, as on a fresh clone: no BOUNDARIES_PATH, the shipped shapes.
    with running_server(url, str(var_dir)) as base:
        yield base, appeals


@pytest.fixture(scope="module")
def server(site):
    return site[0]


@pytest.fixture(scope="module")
def appeals(site):
    """Expected public open/overdue appeal counts (see seed_appeals)."""
    return site[1]


@pytest.fixture
def page(browser, request):
    # A Russian-speaking visitor unless a test asks for another browser locale.
    locale = getattr(request, "param", "ru-RU")
    with visitor_page(browser, 1280, 900, locale) as page:
        yield page


def open_explorer(page, url):
    page.goto(url)
    page.wait_for_selector("#kpi-planned")
    page.wait_for_selector("#map .region-shape", state="attached")
    wait_for_dash(page)


def kpi(page, key):
    return page.inner_text(f"#kpi-{key}")


def test_loads_map_kpis_and_charts_in_russian(server, page, appeals):
    open_explorer(page, server + "/")
    assert page.inner_text("#page-title") == "Открытые бюджеты Казахстана"
    assert MONEY_RU.fullmatch(kpi(page, "planned"))
    assert kpi(page, "institutions") == "120"
    assert "ОТКРЫТЫЕ ОБРАЩЕНИЯ" in page.inner_text("#kpi-cards").upper()
    assert kpi(page, "appeals") == str(appeals["country"]["open"])
    assert kpi(page, "appeals-overdue") == str(appeals["country"]["overdue"])
    assert page.locator("#map .region-shape").count() == 20
    # Polygons (the shipped boundaries), not the circles drawn without any: straight segments only.
    outline = page.get_attribute("#map path.region-KZ-61", "d")
    assert outline.count("L") > 50 and "a" not in outline.lower()
    assert page.locator("#map .marker-cluster, #map .institution-point").count() > 0
    assert "Уточнённый план" in page.inner_text("#map-legend")
    for chart in ("top5-institutions", "top5-sectors", "top5-regions"):
        assert page.locator(f"#{chart} a.bar-link").count() == 5
    assert page.inner_text("#breadcrumb") == "Казахстан"
    assert page.locator("#region-table tbody tr").count() == 20
    turkistan = page.locator("#map path.region-KZ-61")
    box = turkistan.bounding_box()
    centre = {"clientX": box["x"] + box["width"] / 2, "clientY": box["y"] + box["height"] / 2}
    turkistan.dispatch_event("mouseover", centre)  # the region's tooltip
    assert re.fullmatch(r"Туркестанская область\nУточнённый план: " + MONEY_RU.pattern,
                        page.locator(".leaflet-tooltip").inner_text().replace("\xa0", " "))


def test_december_panels_follow_the_months_and_say_so(server, page):
    open_explorer(page, server + "/")
    year_top = page.locator("#top5-institutions .bar-value").first.inner_text()
    page.goto(server + "/#months=12-12&metric=execution")
    page.wait_for_function("want => (document.querySelector('#top5-institutions .panel-caption') || {}).innerText"
                           " === want", arg=f"{t('metric.plan', 'ru')} · 2025, декабрь")
    wait_for_dash(page)
    assert page.locator("#top5-institutions .bar-value").first.inner_text() != year_top
    assert page.inner_text("#kpi-cards").count("2025, декабрь") == 3
    assert page.inner_text("#top5-regions .panel-caption") == f"{t('metric.execution', 'ru')} · 2025, декабрь"
    legend = page.inner_text("#map-legend")
    assert "2025, декабрь" in legend and "< 80%" in legend and "95% – 99%" in legend and "≥ 99%" in legend
    fills = set(page.eval_on_selector_all("#map path.region-shape", "ps => ps.map(p => p.getAttribute('fill'))"))
    assert fills <= {"#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6", "#d9d9d9"}
    # The browser's class rule matches dashboard/map_classes.py: a class includes its lower bound.
    classes = page.evaluate("""() => [0.799, 0.8, 0.95, 0.99, 1.01].map(v => window.ashyq.classColor(v,
        {breaks: [0.8, 0.9, 0.95, 0.99], colors: ['a', 'b', 'c', 'd', 'e'], closed: 'lower'}))""")
    assert classes == ["a", "b", "d", "e", "e"]
    # Short names with their district, the full official name on hover.
    names = page.locator("#top5-institutions .bar-label")
    for i in range(names.count()):
        label = names.nth(i)
        assert label.locator(".bar-place").inner_text().strip()
        assert len(label.get_attribute("title")) > len(label.locator(".bar-name").inner_text())
    shown = [n.strip() for n in names.all_inner_texts()]
    assert len(set(shown)) == len(shown)


def test_sector_filter_narrows_everything(server, page):
    open_explorer(page, server + "/")
    before = kpi(page, "institutions")
    with page.expect_response(re.compile(r"/api/map/points\?.*sectors=education")):
        page.locator("#sector-filter label", has_text="Образование").click()
    page.wait_for_url(re.compile(r"#.*sectors=education"))
    wait_for_dash(page)
    assert int(kpi(page, "institutions")) < int(before)
    assert page.locator("#top5-sectors a.bar-link").count() == 1


def test_year_slider_changes_the_year(server, page):
    open_explorer(page, server + "/")
    assert "2025" in page.inner_text("#top5-institutions-title")
    paid = kpi(page, "paid")
    page.locator("#year-slider [role=slider]").press("ArrowLeft")
    page.wait_for_url(re.compile(r"#year=2024"))
    page.wait_for_function("() => document.querySelector('#top5-institutions-title').innerText.includes('2024')")
    wait_for_dash(page)
    assert kpi(page, "paid") != paid


def test_region_click_drills_in_and_back_climbs_out(server, page, appeals):
    open_explorer(page, server + "/")
    country_planned = kpi(page, "planned")
    page.locator("#map path.region-KZ-11").dispatch_event("click")  # Akmola Region
    page.wait_for_url(re.compile(r"#.*region=KZ-11"))
    page.wait_for_function("() => document.querySelector('#breadcrumb').innerText.includes('Акмолинская')")
    wait_for_dash(page)
    assert page.inner_text("#top5-regions-title") == "Первые 5 районов по показателю карты"
    assert kpi(page, "planned") != country_planned
    assert kpi(page, "appeals") == str(appeals["regions"]["KZ-11"]["open"])  # the KPI follows the drill
    assert kpi(page, "appeals-overdue") == str(appeals["regions"]["KZ-11"]["overdue"])
    assert page.locator("#region-table tbody tr").count() > 5  # Akmola's districts and cities
    assert "Кокшетау" in page.inner_text("#region-table")
    assert page.locator("#map .district-point").count() > 0
    page.go_back()
    page.wait_for_function("() => document.querySelector('#breadcrumb').innerText.trim() === 'Казахстан'")
    wait_for_dash(page)
    assert "region=" not in page.url
    assert kpi(page, "planned") == country_planned
    assert kpi(page, "appeals") == str(appeals["country"]["open"])
    assert page.inner_text("#top5-regions-title") == "Первые 5 регионов по показателю карты"


def test_bar_click_and_breadcrumb_and_reload_keep_the_place(server, page):
    open_explorer(page, server + "/#year=2025&region=KZ-71")  # a bookmarked view: Astana
    assert "Астана" in page.inner_text("#breadcrumb")
    page.locator("#top5-regions a.bar-link").first.click()
    page.wait_for_url(re.compile(r"region=KZ-71&district="))
    wait_for_dash(page)
    assert page.locator("#breadcrumb li").count() == 3
    page.reload()
    open_explorer(page, page.url)
    assert page.locator("#breadcrumb li").count() == 3
    page.locator("#breadcrumb a", has_text="Казахстан").click()
    page.wait_for_function("() => document.querySelector('#breadcrumb').innerText.trim() === 'Казахстан'")
    assert "region=" not in page.url


def test_language_switch_to_kazakh_keeps_the_view(server, page):
    open_explorer(page, server + "/#year=2024&region=KZ-11")
    page.click("#lang-switch >> text=Қазақша")
    page.wait_for_url(re.compile(r"\?lang=kk#year=2024&region=KZ-11$"))
    open_explorer(page, page.url)
    assert page.inner_text("#page-title") == "Қазақстанның ашық бюджеттері"
    assert "Ақмола облысы" in page.inner_text("#breadcrumb")
    assert {"ЖОСПАР", "ТӨЛЕНДІ", "АТҚАРЫЛУЫ"} <= set(page.inner_text("#kpi-cards").upper().split())
    assert MONEY_RU.fullmatch(kpi(page, "planned"))  # kk_KZ writes "12,3 млрд ₸" too
    assert "Нақтыланған жоспар" in page.inner_text("#map-legend")
    assert page.inner_text("#top5-regions-title") == "Карта көрсеткіші бойынша алғашқы 5 аудан"
    open_explorer(page, server + "/")  # no ?lang: the cookie keeps Kazakh
    assert page.inner_text("#page-title") == "Қазақстанның ашық бюджеттері"


def test_english_uses_english_number_format(server, page):
    open_explorer(page, server + "/?lang=en")
    assert page.inner_text("#page-title") == "Open budgets of Kazakhstan"
    assert re.fullmatch(r"[\d.]+[MBT] ₸", kpi(page, "planned"))
    assert "%" in kpi(page, "execution") and "." in kpi(page, "execution")


def test_appeals_metric_colours_the_map_and_ranks_regions(server, page, appeals):
    open_explorer(page, server + "/?lang=en#metric=appeals_overdue")
    assert "Overdue appeals" in page.inner_text("#map-legend")
    regions = appeals["regions"]
    leader = max(regions, key=lambda code: regions[code]["overdue"])
    top = page.locator("#top5-regions a.bar-link").first
    assert top.get_attribute("href").endswith(f"region={leader}")
    assert top.locator(".bar-value").inner_text() == str(regions[leader]["overdue"])
    # Regions without overdue appeals are neither ranked nor labelled "≤ 0".
    ranked = sum(1 for r in regions.values() if r["overdue"])
    assert page.locator("#top5-regions a.bar-link").count() == min(5, ranked)
    assert "≤ 0" not in page.inner_text("#map-legend") and "No overdue appeals" in page.inner_text("#map-legend")
    page.locator("#metric-select label", has_text="Open appeals").click()
    page.wait_for_url(re.compile(r"#.*metric=appeals_open"))
    page.wait_for_function("() => document.querySelector('#map-legend').innerText.includes('Open appeals')")
    wait_for_dash(page)
    akmola = page.locator("#map path.region-KZ-11")
    box = akmola.bounding_box()
    akmola.dispatch_event("mouseover", {"clientX": box["x"] + box["width"] / 2,
                                        "clientY": box["y"] + box["height"] / 2})
    assert page.locator(".leaflet-tooltip").inner_text() == f"Akmola Region\nOpen appeals: {regions['KZ-11']['open']}"


def test_popup_shows_the_institution_and_links_to_its_page(server, page, appeals):
    open_explorer(page, server + "/#region=KZ-75")  # Almaty city: zoomed in, points unclustered
    # The map flies to the city after the first draw: wait until a point has landed in view.
    inside = """() => {
        const m = document.querySelector('#map').getBoundingClientRect();
        return [...document.querySelectorAll('#map .institution-point')].findIndex(p => {
            const r = p.getBoundingClientRect();
            return r.left > m.left + 60 && r.right < m.right - 60 && r.top > m.top + 200 && r.bottom < m.bottom - 20;
        });
    }"""
    # In view and not moving between two polls (the flight is over), so the click hits it.
    page.wait_for_function(f"""() => {{
        const i = ({inside})();
        const rect = i < 0 ? null : JSON.stringify(document.querySelectorAll('#map .institution-point')[i]
                                                   .getBoundingClientRect());
        const settled = rect !== null && rect === window.__lastPointRect;
        window.__lastPointRect = rect;
        return settled;
    }}""", polling=300, timeout=15_000)
    visible = page.evaluate(inside)
    assert visible >= 0, "no institution point inside the visible map"
    # The points come as geobuf, brotli-compressed once on the server; each is coloured by its sector.
    sent = page.evaluate("""() => fetch('/api/map/points?year=2025').then(r =>
        [r.headers.get('content-type'), r.headers.get('content-encoding')])""")
    assert sent == ["application/x-protobuf", "br"]
    point = page.locator("#map .institution-point").nth(visible)
    fills = set(page.eval_on_selector_all("#map .institution-point", "ps => ps.map(p => p.getAttribute('fill'))"))
    assert len(fills) > 1 and fills <= set(SECTOR_COLOURS.values())
    fill = point.get_attribute("fill")
    point.click()
    popup = page.locator(".institution-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert popup.locator(".popup-name").inner_text().strip()
    assert popup.locator(".popup-type").inner_text().strip()
    assert "Бюджет, 2025, весь год" in text and MONEY_RU.search(text) and "%" in text
    link = popup.locator("a.popup-link")
    assert re.fullmatch(r"/institution/\d{12}\?year=2025&lang=ru", link.get_attribute("href"))
    bin_ = re.search(r"\d{12}", link.get_attribute("href")).group()
    assert fill == SECTOR_COLOURS[appeals["sectors"][bin_]]  # the popup opened the point's institution
    counts = appeals["bins"][bin_]
    assert popup.locator(".popup-appeals td").all_inner_texts() == [str(counts["open"]), str(counts["overdue"])]
    assert "Открытые обращения" in popup.locator(".popup-appeals").inner_text()
    assert popup.locator("a.popup-appeals-link").get_attribute("href") == f"/institution/{bin_}/appeals?lang=ru"
    # Followed from the keyboard once Dash is idle: once in CI (two workers, fresh clone) the mouse
    # click on the link started no navigation at all (cause not found: a click lands where the link
    # was a moment before, and the map can still be moving); Enter on the focused link does not
    # depend on where it is on the screen.
    wait_for_dash(page)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/institution/\d{12}\?year=2025&lang=ru$"))
    # The institution page shows the same public counts in its appeals section.
    page.wait_for_selector("#appeals-section #appeals-count-open strong")
    wait_for_dash(page)
    assert page.inner_text("#appeals-count-open strong") == str(counts["open"])
    assert page.inner_text("#appeals-count-overdue strong") == str(counts["overdue"])


@pytest.mark.parametrize("page", ["en-US"], indirect=True)
def test_browser_language_is_used_without_url_or_cookie(server, page):
    open_explorer(page, server + "/")
    assert page.inner_text("#page-title") == "Open budgets of Kazakhstan"


def test_institution_page_shows_its_appeals_section_with_counts(server, page, appeals):
    bin_ = sorted(appeals["bins"])[0]
    page.goto(f"{server}/institution/{bin_}?lang=en")
    page.wait_for_selector("#appeals-section #appeals-count-open strong")
    wait_for_dash(page)
    assert page.locator("#appeals-section h2").first.inner_text() == "Appeals"
    assert page.inner_text("#appeals-count-open strong") == str(appeals["bins"][bin_]["open"])
    assert page.inner_text("#appeals-count-overdue strong") == str(appeals["bins"][bin_]["overdue"])
    # Public appeals only: the one waiting for moderation and the hidden one are not listed.
    assert page.locator("#appeals-list .appeal-card").count() == appeals["bins"][bin_]["open"] + 1
