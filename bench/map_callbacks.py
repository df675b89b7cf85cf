"""Map explorer performance at full-country scale (issue 4).

1. Server time of every explorer callback: p50/p95/max over N randomised filter changes each,
   posted through Flask's test client to /_dash-update-component (Dash dispatch, queries and
   JSON included; no network), next to the same SQL statements replayed on a bare psycopg
   connection right after each call (issue 11: a callback should cost ≤ 1.5× its SQL).
2. The points layer: first request per process (each year), warm requests, the SELECTs alone,
   bytes raw / gzip / brotli (geobuf) and feature count; the regions layer's first and warm
   requests. Ends with markdown table rows for docs/benchmarks.md.
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
from dataclasses import replace
import gzip
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

import brotli  # noqa: E402
import geobuf  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

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


class SqlReplay:
    """Records the statements a callback sends through the app's engine and replays them, with
    the same parameters, on a bare psycopg connection (no pool, no SQLAlchemy): the callback's
    SQL floor in the same moment."""

    def __init__(self, engine, url: str):
        self.statements: list[tuple[str, object]] = []
        self.recording = False
        self.bare = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)

        @event.listens_for(engine, "before_cursor_execute")
        def record(conn, cursor, statement, parameters, context, executemany):
            if self.recording:
                self.statements.append((statement, parameters))

    def start(self) -> None:
        self.statements, self.recording = [], True

    def replay(self) -> float:
        """Milliseconds to run the recorded statements again and fetch their rows."""
        self.recording = False
        start = time.perf_counter()
        with self.bare.cursor() as cur:
            for statement, parameters in self.statements:
                cur.execute(statement, parameters or None)
                if cur.description:
                    cur.fetchall()
        return (time.perf_counter() - start) * 1000


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def summary(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=20)
    return f"p50 {statistics.median(samples):.1f} ms, p95 {q[18]:.1f} ms, max {max(samples):.1f} ms (n={len(samples)})"


def bench_callbacks(app, engine, rounds: int, seed: int, replay: SqlReplay | None = None, asof: int | None = None,
                    year: int | None = None) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Callback times, and (with `replay`) their SQL replayed on a bare connection; with `asof`,
    every state is pinned to that publication (the same states as without, for the same seed)."""
    rng = random.Random(seed)
    d = Dispatcher(app)
    with engine.connect() as conn:
        years = [year] if year else [
            r[0] for r in conn.execute(text("SELECT DISTINCT year FROM rollup_region_sector_month ORDER BY 1"))]
        ids_sample = [r[0] for r in conn.execute(text("SELECT id FROM institutions ORDER BY random() LIMIT :n"),
                                                 {"n": rounds + 5})]
    nav, draw_map = d.key_for(f"{ids.EXPLORER_URL}.hash"), d.key_for(f"{ids.REGION_LAYER}.url")
    panels, popup = d.key_for(f"{ids.KPI_CARDS}.children"), d.key_for(f"{ids.POPUP_LAYER}.children")
    results: dict[str, list[float]] = {"navigate": [], "draw_map": [], "draw_panels": [], "show_popup": []}
    sql: dict[str, list[float]] = {name: [] for name in results}

    def timed(name: str, *args) -> tuple[float, float]:
        """(callback ms, its SQL replayed ms or 0 without a replay)."""
        if replay:
            replay.start()
        ms = d.post(*args)
        return ms, replay.replay() if replay else 0.0

    for i in range(rounds + 5):  # the first 5 warm the pool and caches and are not counted
        before, after = random_state(rng, years), random_state(rng, years)
        if asof is not None:
            before, after = replace(before, asof=asof), replace(after, asof=asof)
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
            "navigate": timed("navigate", nav, values, f"{trigger}.n_clicks" if trigger == ids.REGION_LAYER else
                              f"{trigger}.hash" if trigger == ids.EXPLORER_URL else f"{trigger}.value"),
            "draw_map": timed("draw_map", draw_map, {f"{ids.EXPLORER_STATE}.data": after.to_dict(),
                                                     "page-lang.data": lang}, f"{ids.EXPLORER_STATE}.data"),
            "draw_panels": timed("draw_panels", panels, {f"{ids.EXPLORER_STATE}.data": after.to_dict(),
                                                         "page-lang.data": lang}, f"{ids.EXPLORER_STATE}.data"),
            "show_popup": timed("show_popup", popup, {
                f"{ids.INSTITUTION_LAYER}.n_clicks": 1, f"{ids.INSTITUTION_LAYER}.clickData":
                {"properties": {"id": ids_sample[i]}}, f"{ids.EXPLORER_STATE}.data": after.to_dict(),
                "page-lang.data": lang}, f"{ids.INSTITUTION_LAYER}.n_clicks"),  # a click, not a state change
        }
        if i >= 5:
            for name, (ms, sql_ms) in timings.items():
                results[name].append(ms)
                sql[name].append(sql_ms)
    return results, sql


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def bench_points(app, engine, years: list[int], rounds: int, seed: int) -> dict:
    """The points and regions endpoints: first request per process (each year: query, encoding,
    compression), warm requests (the same body; random sector subsets, each computed once and
    then cached), the SELECTs alone, and the bytes of a whole year in each encoding."""
    from queries import explorer

    rng = random.Random(seed)
    client = app.server.test_client()
    br = {"Accept-Encoding": "gzip, deflate, br"}
    out: dict = {"first": [], "warm_same": [], "warm_sectors": []}
    for year in years:
        start = time.perf_counter()
        assert client.get(f"/api/map/points?year={year}", headers=br).status_code == 200
        out["first"].append(_ms(start))
    for _ in range(rounds):
        start = time.perf_counter()
        assert client.get(f"/api/map/points?year={max(years)}", headers=br).status_code == 200
        out["warm_same"].append(_ms(start))
        sectors = ",".join(s for s in ref.SECTOR_CODES if rng.random() < 0.3)
        start = time.perf_counter()
        assert client.get(f"/api/map/points?year={rng.choice(years)}&sectors={sectors}", headers=br).status_code == 200
        out["warm_sectors"].append(_ms(start))
    with engine.connect() as conn:
        start = time.perf_counter()
        explorer.institution_locations(conn)
        explorer.institutions_with_budget(conn, max(years))
        out["select"] = _ms(start)
    url = f"/api/map/points?year={max(years)}"
    out["br"] = len(client.get(url, headers={"Accept-Encoding": "br"}).data)
    out["gzip"] = len(client.get(url, headers={"Accept-Encoding": "gzip"}).data)
    raw = client.get(url, headers={"Accept-Encoding": "identity"}).data
    out["raw"], out["features"] = len(raw), len(geobuf.decode(raw)["features"])
    start = time.perf_counter()
    first_regions = client.get("/api/map/regions", headers=br)
    out["regions_first"] = _ms(start)
    start = time.perf_counter()
    client.get("/api/map/regions", headers=br)
    out["regions_warm"] = _ms(start)
    out["regions_br"] = len(first_regions.data)
    out["regions_raw"] = len(brotli.decompress(first_regions.data))
    return out


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
    parser.add_argument("--asof", type=int, help="also time every callback pinned to this publication (the same "
                                                   "filter changes) and print asof/now per callback")
    parser.add_argument("--year", type=int, help="every state in this year (default: a random year each)")
    parser.add_argument("--response-cache", action="store_true",
                        help="keep the whole-response cache on (default off: every call runs the callback)")
    args = parser.parse_args()
    env = {"DATABASE_URL": args.url, "ASHYQ_VAR_DIR": tempfile.mkdtemp(), "LOG_LEVEL": "WARNING",
           "CALLBACK_RATE_LIMIT": "100000 per minute", **({} if args.response_cache else {"CACHE_MAX_MB": "0"})}
    if args.boundaries:
        env["BOUNDARIES_PATH"] = args.boundaries
    app = create_app(load_config(env))
    engine = engine_for(load_config(env).database_url)
    with engine.connect() as conn:
        institutions = conn.execute(text("SELECT COUNT(*) FROM institutions")).scalar_one()
        years = [r[0] for r in conn.execute(text("SELECT DISTINCT year FROM rollup_region_sector_month ORDER BY 1"))]
    print(f"database: {args.url.split('@')[-1]}, {institutions:,} institutions, years {years[0]}-{years[-1]}")
    replay = SqlReplay(engine, args.url) if args.url.startswith("postgresql") else None
    callbacks, sql = bench_callbacks(app, engine, args.rounds, args.seed, replay, year=args.year)
    rows = []
    for name, samples in callbacks.items():
        print(f"callback {name:12s} {summary(samples)}")
        if replay:
            print(f"   its SQL replayed {summary(sql[name])}; p95 ratio {p95(samples) / p95(sql[name]):.2f}")
            rows.append(f"| `{name}` | p95 {p95(samples):.1f} (p50 {statistics.median(samples):.1f}) | "
                        f"p95 {p95(sql[name]):.1f} (p50 {statistics.median(sql[name]):.1f}) | "
                        f"{p95(samples) / p95(sql[name]):.2f}× |")
    if args.asof is not None:
        pinned, _ = bench_callbacks(app, engine, args.rounds, args.seed, None, asof=args.asof, year=args.year)
        print(f"\n| callback | now p50 / p95, ms | as of publication {args.asof} p50 / p95, ms | ratio p50 / p95 |"
              "\n|---|---|---|---|")
        for name, samples in pinned.items():
            now = callbacks[name]
            print(f"| `{name}` | {statistics.median(now):.1f} / {p95(now):.1f} | {statistics.median(samples):.1f} / "
                  f"{p95(samples):.1f} | {statistics.median(samples) / statistics.median(now):.2f} / "
                  f"{p95(samples) / p95(now):.2f} |")
    points = bench_points(app, engine, years, args.rounds, args.seed)
    print("endpoint /api/map/points first request of each year: "
          + ", ".join(f"{ms:.0f}" for ms in points["first"]) + f" ms; its SELECTs alone {points['select']:.0f} ms")
    print(f"endpoint /api/map/points warm, same year: {summary(points['warm_same'])}")
    print(f"endpoint /api/map/points warm, random year and sectors: {summary(points['warm_sectors'])}")
    print(f"points {max(years)}: {points['features']:,} features, geobuf {points['raw']:,} B raw, "
          f"{points['gzip']:,} B gzip, {points['br']:,} B brotli")
    print(f"endpoint /api/map/regions first {points['regions_first']:.1f} ms, warm {points['regions_warm']:.2f} ms, "
          f"{points['regions_raw']:,} B raw, {points['regions_br']:,} B brotli")
    scale = f"{institutions // 1000}k"
    print(f"\n| scale | callback | server p95 (p50), ms | its SQL replayed, p95 (p50), ms | ratio |\n|---|---|---|---|---|")
    for row in rows:
        print(f"| {scale} {row}")
    print(f"\n| scale | points features | geobuf raw / gzip / br, B | first request per year, ms | SELECTs, ms "
          f"| warm same / sector subsets p95, ms |\n|---|---|---|---|---|---|")
    print(f"| {scale} | {points['features']:,} | {points['raw']:,} / {points['gzip']:,} / {points['br']:,} | "
          f"{min(points['first']):.0f}–{max(points['first']):.0f} | {points['select']:.0f} | "
          f"{p95(points['warm_same']):.1f} / {p95(points['warm_sectors']):.1f} |")
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
