"""Map explorer performance at full-country scale (issue 4).

1. Server time of every explorer callback: p50/p95/max over N randomised filter changes each,
   posted through Flask's test client to /_dash-update-component (Dash dispatch, queries and
   JSON included; no network).
2. The points layer: server time, bytes over the wire (gzip) and feature count.
3. Time to interactive in headless Chromium against gunicorn (optional, --browser): from
   navigation until KPIs, region shapes and point clusters are drawn and Dash is idle.

Reads only, but the page counts appeals, so the database must be migrated to the newest
revision: use a migrated copy of the full-country one, seeded with appeals by
`bench/appeals.py --into` (commands in docs/benchmarks.md, map explorer section), e.g.
  python bench/map_callbacks.py --url postgresql+psycopg://postgres@127.0.0.1:5432/counts_bench \
      --boundaries ../shared/data/geo/kz_regions.geojson --browser
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from dashboard import reference as ref  # noqa: E402
from dashboard.config import load_config  # noqa: E402
from dashboard.db import engine_for  # noqa: E402
from dashboard.explorer_state import METRICS, ExplorerState, to_hash  # noqa: E402
from dashboard.reference_districts import DISTRICTS  # noqa: E402
from layouts import ids  # noqa: E402


def random_state(rng: random.Random, years: list[int]) -> ExplorerState:
    region = rng.choice([None, *ref.REGION_CODES])
    district = None
    if region and rng.random() < 0.4:
        district = rng.choice([d[0] for d in DISTRICTS if d[1] == region])
    lo = rng.randint(1, 12)
    months = rng.choice([(1, 12), (lo, rng.randint(lo, 12))])
    sectors = tuple(s for s in ref.SECTOR_CODES if rng.random() < 0.2)
    return ExplorerState(year=rng.choice(years), months=months, sectors=sectors, metric=rng.choice(METRICS),
                         region=region, district=district)


class Dispatcher:
    """Builds /_dash-update-component requests for a registered callback, from a value per input."""

    def __init__(self, app):
        self.client = app.server.test_client()
        self.callbacks = {}
        for key, spec in app.callback_map.items():
            outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in key.strip(".").split("...")]
            self.callbacks[key] = (outputs, spec["inputs"], spec["state"])

    def key_for(self, first_output: str) -> str:
        return next(k for k in self.callbacks if k.strip(".").startswith(first_output))

    def post(self, key: str, values: dict, changed: str) -> float:
        outputs, inputs, state = self.callbacks[key]
        body = {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in inputs],
                "state": [{**s, "value": values.get(f"{s['id']}.{s['property']}")} for s in state],
                "changedPropIds": [changed]}
        start = time.perf_counter()
        response = self.client.post("/_dash-update-component", json=body)
        elapsed = time.perf_counter() - start
        if response.status_code not in (200, 204):
            raise RuntimeError(f"{key}: HTTP {response.status_code}: {response.data[:500]!r}")
        return elapsed * 1000


def summary(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=20)
    return f"p50 {statistics.median(samples):.1f} ms, p95 {q[18]:.1f} ms, max {max(samples):.1f} ms (n={len(samples)})"


def bench_callbacks(app, engine, rounds: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    d = Dispatcher(app)
    with engine.connect() as conn:
        years = [r[0] for r in conn.execute(text("SELECT DISTINCT year FROM rollup_region_sector_month ORDER BY 1"))]
        ids_sample = [r[0] for r in conn.execute(text("SELECT id FROM institutions ORDER BY random() LIMIT :n"),
                                                 {"n": rounds + 5})]
    nav, draw_map = d.key_for(f"{ids.EXPLORER_URL}.hash"), d.key_for(f"{ids.REGION_LAYER}.url")
    panels, popup = d.key_for(f"{ids.KPI_CARDS}.children"), d.key_for(f"{ids.POPUP_LAYER}.children")
    results: dict[str, list[float]] = {"navigate": [], "draw_map": [], "draw_panels": [], "show_popup": []}
    for i in range(rounds + 5):  # the first 5 warm the pool and caches and are not counted
        before, after = random_state(rng, years), random_state(rng, years)
        lang = rng.choice(["kk", "ru", "en"])
        trigger = rng.choice([ids.SECTOR_FILTER, ids.YEAR_SLIDER, ids.MONTH_RANGE, ids.METRIC_SELECT,
                              ids.REGION_LAYER, ids.EXPLORER_URL])
        values = {f"{ids.EXPLORER_STATE}.data": before.to_dict(), f"{ids.EXPLORER_URL}.hash": to_hash(after),
                  f"{ids.SECTOR_FILTER}.value": list(after.sectors), f"{ids.YEAR_SLIDER}.value": after.year,
                  f"{ids.MONTH_RANGE}.value": list(after.months), f"{ids.METRIC_SELECT}.value": after.metric,
                  f"{ids.REGION_LAYER}.n_clicks": i + 1,
                  f"{ids.REGION_LAYER}.clickData": {"properties": {"code": after.region or "KZ-11"}},
                  "page-lang.data": lang}
        timings = {
            "navigate": d.post(nav, values, f"{trigger}.n_clicks" if trigger == ids.REGION_LAYER else
                               f"{trigger}.hash" if trigger == ids.EXPLORER_URL else f"{trigger}.value"),
            "draw_map": d.post(draw_map, {f"{ids.EXPLORER_STATE}.data": after.to_dict(), "page-lang.data": lang},
                               f"{ids.EXPLORER_STATE}.data"),
            "draw_panels": d.post(panels, {f"{ids.EXPLORER_STATE}.data": after.to_dict(), "page-lang.data": lang},
                                  f"{ids.EXPLORER_STATE}.data"),
            "show_popup": d.post(popup, {f"{ids.INSTITUTION_LAYER}.n_clicks": 1, f"{ids.INSTITUTION_LAYER}.clickData":
                                         {"properties": {"id": ids_sample[i]}},
                                         f"{ids.EXPLORER_STATE}.data": after.to_dict(), "page-lang.data": lang},
                                 f"{ids.INSTITUTION_LAYER}.n_clicks"),  # a click, not a state change
        }
        if i >= 5:
            for name, ms in timings.items():
                results[name].append(ms)
    return results


def bench_points(app, years: list[int], rounds: int, seed: int) -> tuple[list[float], list[float], int, int, int]:
    """Server time of the points endpoint: first request of each year (cold: query and encode)
    and then randomised year and sector filters (warm); plus the size of a whole year."""
    rng = random.Random(seed)
    client = app.server.test_client()
    cold, warm = [], []
    for year in years:
        start = time.perf_counter()
        assert client.get(f"/api/map/points?year={year}", headers={"Accept-Encoding": "gzip"}).status_code == 200
        cold.append((time.perf_counter() - start) * 1000)
    for _ in range(rounds):
        sectors = ",".join(s for s in ref.SECTOR_CODES if rng.random() < 0.3)
        start = time.perf_counter()
        response = client.get(f"/api/map/points?year={rng.choice(years)}&sectors={sectors}",
                              headers={"Accept-Encoding": "gzip"})
        warm.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    full = client.get(f"/api/map/points?year={max(years)}", headers={"Accept-Encoding": "gzip"})
    raw = gzip.decompress(full.data)
    return cold, warm, len(full.data), len(raw), len(json.loads(raw)["features"])


def browser_tti(url: str, boundaries: str | None, runs: int) -> list[dict]:
    """Start gunicorn on the database and time the page until map, points and panels are drawn."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, serve_blank_tiles, wait_for_dash

    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "ASHYQ_VAR_DIR": tempfile.mkdtemp(), "LOG_LEVEL": "WARNING"}
    if boundaries:
        env["BOUNDARIES_PATH"] = boundaries
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--preload", "-w", "2", "-b", f"127.0.0.1:{port}",
                             "app:server"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        results = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for run in range(runs + 1):  # run 0 warms the server's caches and is not counted
                context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
                page = context.new_page()
                serve_blank_tiles(page)
                points = {}
                page.on("requestfinished", lambda r: points.update(
                    bytes=r.sizes()["responseBodySize"], encoding=r.response().headers.get("content-encoding"))
                    if "/api/map/points" in r.url else None)
                start = time.perf_counter()
                page.goto(base + "/")
                page.wait_for_selector("#kpi-planned")
                page.wait_for_selector("#map .region-shape", state="attached")
                page.wait_for_selector("#map .marker-cluster")
                wait_for_dash(page, timeout=30_000)
                elapsed = time.perf_counter() - start
                if run:
                    results.append({"seconds": elapsed, **points})
                context.close()
            browser.close()
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL (only read)")
    parser.add_argument("--boundaries", help="GeoJSON of the regions, used when the table is empty")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--browser", action="store_true", help="also measure time to interactive in Chromium")
    parser.add_argument("--browser-runs", type=int, default=5)
    args = parser.parse_args()
    env = {"DATABASE_URL": args.url, "ASHYQ_VAR_DIR": tempfile.mkdtemp(), "LOG_LEVEL": "WARNING"}
    if args.boundaries:
        env["BOUNDARIES_PATH"] = args.boundaries
    app = create_app(load_config(env))
    engine = engine_for(load_config(env).database_url)
    with engine.connect() as conn:
        institutions = conn.execute(text("SELECT COUNT(*) FROM institutions")).scalar_one()
        years = [r[0] for r in conn.execute(text("SELECT DISTINCT year FROM rollup_region_sector_month ORDER BY 1"))]
    print(f"database: {args.url.split('@')[-1]}, {institutions:,} institutions, years {years[0]}-{years[-1]}")
    for name, samples in bench_callbacks(app, engine, args.rounds, args.seed).items():
        print(f"callback {name:12s} {summary(samples)}")
    cold, warm, wire, raw, features = bench_points(app, years, args.rounds, args.seed)
    print("endpoint /api/map/points first request of each year: "
          + ", ".join(f"{ms:.0f}" for ms in cold) + " ms")
    print(f"endpoint /api/map/points warm, random year and sectors: {summary(warm)}")
    print(f"points {max(years)}: {features:,} features, {raw:,} bytes JSON, {wire:,} bytes gzip")
    if args.browser:
        runs = browser_tti(args.url, args.boundaries, args.browser_runs)
        for r in runs:
            print(f"browser: interactive in {r['seconds']:.2f} s; points {r.get('bytes', 0):,} bytes "
                  f"over the wire ({r.get('encoding')})")
        print(f"browser: median {statistics.median(r['seconds'] for r in runs):.2f} s over {len(runs)} runs")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
