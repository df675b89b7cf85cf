"""Embeds (issue 14) in real Chromium: a page of another origin (a second local port, another host
name) frames /embed and the panel renders inside it; a staff page in a frame is refused."""
from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from tests.browser import free_port, require_chromium, running_server, serve_blank_tiles, wait_for_dash


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """(the app's base URL on 127.0.0.1, a host page's URL on localhost:<another port>)."""
    require_chromium()
    var_dir = tmp_path_factory.mktemp("embed")
    url = f"sqlite:///{var_dir / 'demo.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=40, years=[2024], seed=3, progress=False)
    engine.dispose()
    with running_server(url, str(var_dir)) as base:
        host_dir = tmp_path_factory.mktemp("host")
        (host_dir / "news.html").write_text(f"""<!doctype html><html><body><h1>News of the day</h1>
<iframe id="map" src="{base}/embed?panel=map&amp;lang=kk&amp;year=2024&amp;metric=execution"
        width="100%" height="460" style="border:0" title="map"></iframe>
<iframe id="top" src="{base}/embed?panel=institutions&amp;lang=ru&amp;year=2024"
        width="100%" height="330" style="border:0" title="top"></iframe>
<iframe id="staff" src="{base}/login" width="100%" height="300" title="staff"></iframe>
</body></html>""")
        handler = functools.partial(SimpleHTTPRequestHandler, directory=str(host_dir))
        handler.log_message = lambda *args: None
        server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield base, f"http://localhost:{server.server_address[1]}/news.html"
        finally:
            server.shutdown()
            server.server_close()


def test_embed_renders_inside_another_origins_page_and_staff_pages_refuse(browser, sites):
    base, host = sites
    context = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="kk-KZ")
    page = context.new_page()
    serve_blank_tiles(page)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(host)
        map_frame = next(f for f in page.frames if "panel=map" in f.url)
        wait_for_dash(map_frame)
        map_frame.wait_for_selector(".embed-map .region-shape, .embed-map path.leaflet-interactive", timeout=20_000)
        assert "Карта" in map_frame.inner_text(".embed-title")
        link = map_frame.locator("#embed-link")
        assert link.get_attribute("target") == "_blank"
        assert link.get_attribute("href") == "/?lang=kk#year=2024&metric=execution"
        assert "OpenStreetMap" in map_frame.inner_text(".embed-foot")
        assert map_frame.locator(".embed-legend .legend-row").count() >= 2  # the execution classes

        top_frame = next(f for f in page.frames if "panel=institutions" in f.url)
        wait_for_dash(top_frame)
        top_frame.wait_for_selector(".top5-bars .bar-link", timeout=20_000)
        bars = top_frame.locator(".top5-bars .bar-link")
        assert bars.count() == 5 and bars.first.get_attribute("target") == "_blank"
        assert "учреждений" in top_frame.inner_text(".embed-title")

        staff = next(f for f in page.frames if f.url.endswith("/login") or f.url.startswith("chrome-error"))
        assert staff.url.startswith("chrome-error") or staff.locator("form").count() == 0
        # The only console error: Chromium refusing to frame the sign-in page.
        assert len(errors) == 1 and "frame-ancestors 'self'" in errors[0], errors
    finally:
        context.close()
