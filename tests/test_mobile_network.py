"""Fast on a slow phone network (issue 17): compressed, year-cached static files, a plotly.js of
only our traces, page weight and load time over Chromium's emulated 3G."""
import gzip
import importlib.util
import json
import re
import urllib.request
from pathlib import Path

import brotli
import pytest

from dashboard.db import make_engine, upgrade
from dashboard.demo.load import load_demo
from dashboard.web.static_cache import IMMUTABLE, PLOTLY_URL_META, TRACES
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, running_server
from tests.conftest import ROOT
from tests.network_load import FRONT_MARKS, INSTITUTION_MARKS, ThrottledPage

# The budgets over 3G (1.6 Mbit/s, 150 ms RTT). Name + KPIs is held to its 5 s target
# (the server-rendered first view paints them in 0.7-0.9 s); the chart (10 s) and front KPIs (6 s)
# targets are not met yet and not asserted: see docs/benchmarks.md.
COLD_BYTES = {"front": 1_500_000, "institution": 2_000_000}
WARM_BYTES = 100_000
# A regression guard until the time targets are met: before issue 17 these were 23, 56 and 22 s; on a
# 2-core machine loaded by other jobs they are now 9-15, 11-22 and 9-14 s (docs/benchmarks.md).
GUARD_SECONDS = {"name_kpis": 5, "chart": 25, "kpis": 15}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_chromium()
    var_dir = tmp_path_factory.mktemp("mobile")
    url = f"sqlite:///{var_dir / 'demo.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=120, years=[2024, 2025], seed=11, progress=False)
    engine.dispose()
    with running_server(url, str(var_dir), {"TILES_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"}) as base:
        yield base


def fetch(url: str, encoding: str = "identity") -> tuple[dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request) as response:
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


def decoded(headers: dict, body: bytes) -> bytes:
    encoding = headers.get("content-encoding")
    return brotli.decompress(body) if encoding == "br" else gzip.decompress(body) if encoding == "gzip" else body


def static_addresses(base: str) -> list[str]:
    _, page = fetch(base + "/?lang=ru")
    html = page.decode()
    found = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', html)
    plotly = re.search(rf'<meta name="{PLOTLY_URL_META}" content="([^"]+)"', html)
    assert plotly, "the page names the vendored plotly.js"
    return [*found, plotly.group(1)]


def test_javascript_and_css_are_served_compressed(server):
    addresses = [a for a in static_addresses(server) if a.split("?")[0].endswith((".js", ".css"))]
    assert any("dash_ag_grid" in a for a in addresses) and any("plotly" in a for a in addresses)
    for address in addresses:
        plain_headers, plain = fetch(server + address)
        for encoding in ("br", "gzip"):
            headers, body = fetch(server + address, encoding)
            if len(plain) >= 500:
                assert headers.get("content-encoding") == encoding, address
                assert "Accept-Encoding" in headers.get("vary", ""), address
                assert len(body) < len(plain) * (0.6 if len(plain) > 10_000 else 0.9), address
            assert decoded(headers, body) == plain, address
        assert "Cookie" not in plain_headers.get("vary", ""), address


def test_fingerprinted_static_files_are_cached_for_a_year(server):
    addresses = static_addresses(server)
    assert all(re.search(r"\?(m|v)=|\.v\d+_\d+_\d+m\d+", a) for a in addresses), addresses
    for address in addresses:
        headers, _ = fetch(server + address, "br")
        assert headers.get("cache-control") == IMMUTABLE, address
    # The same file under an address without (or with a wrong) fingerprint is revalidated.
    for address in ("/assets/app.css", "/assets/app.css?m=1", "/assets/vendor/bootstrap.min.css?v=0"):
        headers, _ = fetch(server + address)
        assert headers.get("cache-control") == "no-cache", address


def test_vendored_stylesheets_load_once(server):
    addresses = static_addresses(server)
    names = [a.split("?")[0].rsplit("/", 1)[-1] for a in addresses]
    assert names.count("bootstrap.min.css") == 1 and names.count("bootstrap-icons-subset.min.css") == 1
    assert "bootstrap-icons.min.css" not in names  # the full icon set (130 KB font) is not loaded


def test_vendored_plotly_draws_every_trace_type_the_app_uses():
    import plotly.graph_objects as go
    from plotly.basedatatypes import BaseTraceType

    trace_types = {name.lower() for name in dir(go)
                   if isinstance(getattr(go, name), type) and issubclass(getattr(go, name), BaseTraceType)}
    used = set()
    for folder in ("layouts", "callbacks", "dashboard"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            used |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][A-Za-z]+)\(", text)}
            # figures built as plain dicts name their traces {"type": "bar", ...}
            used |= {a or b for a, b in re.findall(r'"type":\s*"([a-z]+)"|\btype="([a-z]+)"', text)} & trace_types
            assert not re.search(r"\bplotly\.express\b|\bpx\.[a-z]+\(", text), path
    used -= {"figure"}
    assert used and used <= TRACES, f"traces missing from assets/vendor/plotly: {used - TRACES}"
    entry = Path(ROOT / "tools/plotly_bundle/entry.js").read_text()
    assert set(re.findall(r"plotly\.js/lib/(\w+)'", entry)) | {"scatter"} == TRACES | {"core"}


def test_icon_subset_has_every_icon_the_code_names():
    spec = importlib.util.spec_from_file_location("icons_subset", ROOT / "tools" / "icons_subset.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    subset = tool.subset_rules((ROOT / "assets/vendor/bootstrap-icons-subset.min.css").read_text())
    missing = tool.used_icons() - set(subset)
    assert not missing, f"run tools/icons_subset.py: {sorted(missing)} are not in the icon subset"


@pytest.fixture(scope="module")
def loads(server):
    """Each page cold over 3G then reloaded (warm), after one unthrottled load to warm the server."""
    from playwright.sync_api import sync_playwright

    _, body = fetch(server + "/api/v1/institutions?type=school&limit=1")
    school = json.loads(body)["data"][0]["bin"]
    pages = {"front": ("/?lang=ru", FRONT_MARKS), "institution": (f"/institution/{school}?lang=kk", INSTITUTION_MARKS)}
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for kind, (path, marks) in pages.items():
            warm_up = ThrottledPage(browser, server, None, marks)
            warm_up.load(path)
            warm_up.close()
            page = ThrottledPage(browser, server, "3G", marks)
            results[kind] = (page.load(path), page.load(None))
            page.close()
        browser.close()
    return results


@pytest.mark.parametrize("kind", ["front", "institution"])
def test_page_weight_cold_and_warm(loads, kind):
    cold, warm = loads[kind]
    assert cold.bytes <= COLD_BYTES[kind], cold.resources[:8]
    assert warm.bytes <= WARM_BYTES, warm.resources[:8]


@pytest.mark.parametrize("kind", ["front", "institution"])
def test_3g_load_time_does_not_regress(loads, kind):
    cold, _ = loads[kind]
    for mark, seconds in cold.seconds.items():
        assert seconds <= GUARD_SECONDS[mark], (mark, cold.seconds)
