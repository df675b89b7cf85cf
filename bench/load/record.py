"""Record a journey from what headless Chromium really sends (Playwright, /usr/bin/chromium).

Drives a fresh browser context (empty cache: a first-time visitor) through the steps of a flow,
keeps every request to the app with its body and headers, and drops the ones the browser
answered from its own cache: a request counts only if the server's access log has it. The
visitor's values (BIN, region, district, search word) are replaced by placeholders.
"""
from __future__ import annotations

import collections
import time
from urllib.parse import urlsplit, unquote

from bench.load.journey import REPLAYED_HEADERS, callback_name, parametrise_text, route_name, waves
from tests.browser import CHROMIUM, CHROMIUM_ARGS, wait_for_dash

# Tab-separated; the headers as the server received them (Playwright does not see the ones the
# network stack adds, such as Accept-Encoding).
# Base-map tiles during recording: a closed loopback port (no internet here; they are not the app's
# requests anyway). Routing them in Playwright would switch the browser cache off.
RECORDING_TILES_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
ACCESS_LOG_FORMAT = "%(m)s\t%(U)s\t%(q)s\t%(s)s\t%({accept-encoding}i)s"
SEARCH_WORD = "школ"


def _hash(page) -> dict[str, str]:
    return dict(p.split("=", 1) for p in page.evaluate("location.hash").lstrip("#").split("&") if "=" in p)


def app_flow(page, base: str, step) -> dict[str, str]:
    """The explorer and an institution page, as a citizen uses them; returns the values chosen."""
    values: dict[str, str] = {}
    step("front page")
    page.goto(f"{base}/?lang=ru")
    wait_for_dash(page, 60_000)
    page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length >= 20", timeout=60_000)
    page.wait_for_selector("#top5-institutions a", timeout=60_000)
    step("sector filter")
    page.locator("#sector-filter input").nth(0).check()
    page.wait_for_function("location.hash.includes('sectors=')")
    wait_for_dash(page, 60_000)
    step("region")
    page.locator("#region-table a").first.click()
    page.wait_for_function("location.hash.includes('region=')")
    wait_for_dash(page, 60_000)
    values["region"] = _hash(page)["region"]
    step("district")
    page.locator("#region-table a").first.click()
    page.wait_for_function("location.hash.includes('district=')")
    wait_for_dash(page, 60_000)
    values["district"] = _hash(page)["district"]
    step("institution page")
    page.locator("#top5-institutions a").first.click()
    page.wait_for_url("**/institution/**")
    wait_for_dash(page, 60_000)
    page.wait_for_selector("#inst-kpis .kpi-value, #inst-kpis div", timeout=60_000)
    values["bin"] = urlsplit(page.url).path.rstrip("/").rsplit("/", 1)[1]
    year = int(page.evaluate("new URLSearchParams(location.search).get('year')") or 2025)
    step("institution year")
    page.locator("#inst-year").click()
    page.get_by_role("option", name=str(year - 1), exact=True).click()
    time.sleep(0.3)
    wait_for_dash(page, 60_000)
    step("search")
    page.locator("#search-input").press_sequentially(SEARCH_WORD, delay=120)
    page.wait_for_selector("#search-results a", timeout=30_000)
    wait_for_dash(page, 30_000)
    values["query"] = SEARCH_WORD
    region, district, bin_ = values["region"], values["district"], values["bin"]
    for name, path in (
            ("api regions", "/api/v1/regions"),
            ("api districts", f"/api/v1/regions/{region}/districts"),
            ("api institutions", f"/api/v1/institutions?region={region}&district={district}&year={year}&limit=50"),
            ("api institution", f"/api/v1/institutions/{bin_}"),
            ("api lines", f"/api/v1/institutions/{bin_}/lines?year={year}&limit=100"),
            ("api top", f"/api/v1/top?year={year}&region={region}&n=10")):
        step(name)
        page.goto(base + path)
    return values


def bare_flow(page, base: str, step) -> dict[str, str]:
    """The floor: the bare Dash app's page and its one callback."""
    step("bare page")
    page.goto(f"{base}/")
    wait_for_dash(page, 30_000)
    return {}


def _served(access_log: str, offset: int) -> dict[tuple[str, str], collections.deque]:
    """{(method, path?query): [Accept-Encoding of each time the server answered it]}, from
    gunicorn's access log after `offset` (the harness's own readiness probes)."""
    seen: dict[tuple[str, str], collections.deque] = collections.defaultdict(collections.deque)
    with open(access_log, encoding="utf-8") as f:
        f.seek(offset)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 5:
                method, path, query, _status, encoding = parts
                seen[(method, unquote(path + ("?" + query if query not in ("-", "") else "")))].append(encoding)
    return seen


def record(base: str, access_log: str, offset: int, flow, name: str, callback_names: dict[str, str]) -> dict:
    """Drive Chromium through `flow` against `base`; the journey as a dict (see journey.py)."""
    from playwright.sync_api import sync_playwright

    host = urlsplit(base).netloc
    steps: list[tuple[str, list]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
        page = context.new_page()  # no page.route(): routing turns Chromium's HTTP cache off
        page.on("requestfinished", lambda r: steps[-1][1].append(r) if urlsplit(r.url).netloc == host else None)
        page.on("requestfailed", lambda r: steps[-1][1].append(r) if urlsplit(r.url).netloc == host else None)
        values = flow(page, base, lambda step_name: steps.append((step_name, [])))
        time.sleep(1.0)  # the last answers reach the access log
        raw = []
        for step_name, requests in steps:
            for r in requests:
                response = r.response()
                timing = r.timing
                start = timing["startTime"]
                end = start + max(timing.get("responseEnd", 0), 0)
                parts = urlsplit(r.url)
                path = parts.path + ("?" + parts.query if parts.query else "")
                raw.append({"step": step_name, "method": r.method, "path": path, "body": r.post_data,
                            "all_headers": r.all_headers(), "status": response.status if response else None,
                            "cache_control": response.all_headers().get("cache-control") if response else None,
                            "start": start, "end": end})
        context.close()
        browser.close()
    served = _served(access_log, offset)
    journey_steps = []
    dropped = 0
    for step_name, _ in steps:
        kept = []
        for r in sorted((r for r in raw if r["step"] == step_name), key=lambda r: r["start"]):
            key = (r["method"], unquote(r["path"]))
            if not served[key]:
                dropped += 1  # answered from the browser's cache: a visitor's browser would too
                continue
            encoding = served[key].popleft()
            headers = {k: v for k, v in r["all_headers"].items() if k in REPLAYED_HEADERS}
            if encoding not in ("-", ""):
                headers["accept-encoding"] = encoding
            path = parametrise_text(r["path"], values)
            body = parametrise_text(r["body"], values) if r["body"] is not None else None
            kept.append({"method": r["method"], "path": path, "body": body, "headers": headers,
                         "cookie": r["all_headers"].get("cookie"), "status": r["status"],
                         "cache_control": r["cache_control"], "start": r["start"], "end": r["end"],
                         "name": callback_name(r["body"], callback_names)
                         if r["path"].startswith("/_dash-update-component") else route_name(r["method"], path)})
        grouped = waves(kept)
        for wave in grouped:
            for r in wave:
                r["start"], r["end"] = round(r["start"] - grouped[0][0]["start"], 1), round(r["end"] - grouped[0][0]["start"], 1)
        journey_steps.append({"name": step_name, "waves": grouped})
    return {"name": name, "recorded_values": values, "dropped_browser_cache_hits": dropped,
            "steps": journey_steps}
