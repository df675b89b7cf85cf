"""Citable views in real headless Chromium: an asof permalink shows the banner, the numbers as
they were then and a link to the current ones (issue 14, part 3)."""
from __future__ import annotations

import pytest

from dashboard.db import make_engine, upgrade
from dashboard.i18n.formatting import format_money
from queries import asof, explorer
from queries.explorer import Selection
from queries.reference import seed_reference
from tests.asof_support import YEAR, make_history
from tests.browser import require_chromium, running_server, visitor_page, wait_for_dash


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_chromium()
    var_dir = tmp_path_factory.mktemp("asof-browser")
    url = f"sqlite:///{var_dir / 'asof.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_reference(conn)
    history = make_history(engine, var_dir)
    sel = Selection(YEAR, region="KZ-11")
    with engine.connect() as conn:
        history["then"] = asof.totals(conn, sel, history["a"])["plan_adjusted"]
        history["now"] = explorer.totals(conn, sel)["plan_adjusted"]
    engine.dispose()
    assert history["then"] != history["now"]
    with running_server(url, str(var_dir)) as base:
        yield base, history


def test_an_asof_permalink_shows_the_numbers_then_and_links_to_the_current_ones(site, browser):
    base, history = site
    with visitor_page(browser, 1366, 900, "ru-RU") as page:
        page.goto(f"{base}/?lang=ru#year={YEAR}&region=KZ-11&asof={history['a']}")
        wait_for_dash(page, 60_000)
        banner = page.locator(".asof-banner")
        banner.wait_for(timeout=30_000)
        assert banner.get_attribute("data-asof") == str(history["a"])
        assert "b.csv" in banner.inner_text()  # what was published since
        assert banner.locator(".asof-now-parts").count() == 1  # and what is shown as it is now
        kpis = page.locator("#kpi-cards")
        assert format_money(history["then"], "ru") in kpis.inner_text()
        # A reader who opens an institution from the top 5 stays in the view as of then.
        hrefs = page.locator("#top5-institutions a.bar-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert hrefs and all(h.endswith(f"&asof={history['a']}") for h in hrefs), hrefs
        # The permalink to share pins the shown version.
        assert page.input_value("#asof-share-url").endswith(f"asof={history['a']}")
        # So does the map's embed snippet, whose frame asks for room for the pinned note.
        page.click("#embed-open-map")  # the snippet's popover
        page.wait_for_function("() => (document.querySelector('#embed-code-map') || {}).value")
        snippet = page.input_value("#embed-code-map")
        assert f"asof={history['a']}" in snippet and 'height="524"' in snippet, snippet
        page.click("#embed-open-map")
        banner.get_by_role("link").click()
        page.wait_for_function("() => !document.querySelector('.asof-banner')", timeout=30_000)
        wait_for_dash(page, 60_000)
        assert format_money(history["now"], "ru") in kpis.inner_text()
        assert page.input_value("#asof-share-url").endswith(f"asof={history['b']}")
        page.click("#embed-open-map")
        page.wait_for_function(
            "() => !((document.querySelector('#embed-code-map') || {}).value || '').includes('asof')")
        assert 'height="460"' in page.input_value("#embed-code-map")
