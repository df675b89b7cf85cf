"""Load time and page weight over an emulated mobile network, cold and warm (issue 17).

Usage:
  python bench/mobile_network.py [--runs 3] [--networks 3G,4G] [--langs kk,ru] [--verbose]

Builds a seeded demo database (SQLite, 120 institutions, 2024–2025, seed 11) in a temporary
folder, serves it with gunicorn as the README deploys it (`--preload`, 2 workers × 8 threads, no proxy:
compression and caching come from the app), and drives Debian Chromium at 390×844 with
Chromium's network throttling (3G: 1.6 Mbit/s down, 150 ms RTT; 4G for reference). For each
language and network: the front page and a school's page in a fresh browser context (cold,
empty cache), then a reload in the same context (warm). Times are from navigation start to
the institution's name and KPIs, its monthly chart, and the front page's KPIs; bytes are
compressed bytes plus headers from the app's origin (map tiles come from elsewhere and are
refused here). Each page is first loaded unthrottled to warm the server (not counted). Prints the median of --runs and a markdown table ready for docs/benchmarks.md.
Targets (3G): name+KPIs ≤ 5 s, chart ≤ 10 s, front KPIs ≤ 6 s; cold ≤ 1.5 MB front,
≤ 2 MB institution; warm reload ≤ 100 KB.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.db import make_engine, upgrade  # noqa: E402
from dashboard.demo.load import load_demo  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402
from tests.network_load import FRONT_MARKS, INSTITUTION_MARKS, ThrottledPage  # noqa: E402

TARGETS = {("front", "kpis"): 6, ("institution", "name_kpis"): 5, ("institution", "chart"): 10}
COLD_BUDGET = {"front": 1_500_000, "institution": 2_000_000}
WARM_BUDGET = 100_000
THREADS = 8  # as the README runs gunicorn: a slow phone holds a thread, not a whole worker


def seeded_database(folder: str) -> str:
    url = f"sqlite:///{folder}/demo.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    load_demo(engine, institutions=120, years=[2024, 2025], seed=11, progress=False)
    engine.dispose()
    return url


def start_gunicorn(url: str, folder: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # Tiles from a closed local port: the machine may have no internet, and tiles are not ours.
    env = {**os.environ, "DATABASE_URL": url, "ASHYQ_VAR_DIR": folder, "LOG_LEVEL": "WARNING",
           "TILES_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png", "CALLBACK_RATE_LIMIT": "100000 per minute"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--preload", "-w", "2", "--threads", str(THREADS),
                             "-b", f"127.0.0.1:{port}", "app:server"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not come up")


def measure(browser, base: str, network: str, kind: str, path: str, verbose: bool) -> dict:
    marks = INSTITUTION_MARKS if kind == "institution" else FRONT_MARKS
    page = ThrottledPage(browser, base, network, marks)
    try:
        cold = page.load(path)
        warm = page.load(None)
    finally:
        page.close()
    if verbose:
        print(f"  {network} {path}: cold {cold.bytes:,} B, warm {warm.bytes:,} B; largest cold:")
        for size, url in cold.resources[:12]:
            print(f"    {size:>9,}  {url.removeprefix(base)[:110]}")
        for size, url in warm.resources[:5]:
            print(f"    warm {size:>6,}  {url.removeprefix(base)[:110]}")
        print(f"  cold timeline (s from first request; milestones {cold.seconds}):")
        for start, end, size, url in cold.timeline:
            print(f"    {start:6.2f} {end:6.2f} {size:>9,}  {url.removeprefix(base)[:100]}")
    return {"cold": cold.seconds, "warm": warm.seconds, "cold_bytes": cold.bytes, "warm_bytes": warm.bytes}


def warm_up(browser, base: str, school: str) -> None:
    """Load each page unthrottled first (not counted): a running server has compressed its static
    files and warmed its caches before the phone that matters arrives."""
    for lang in ("kk", "ru"):
        for kind, path in (("front", f"/?lang={lang}"), ("institution", f"/institution/{school}?lang={lang}")):
            for _ in range(2):  # two workers
                page = ThrottledPage(browser, base, None, INSTITUTION_MARKS if kind == "institution" else FRONT_MARKS)
                try:
                    page.load(path)
                finally:
                    page.close()


def median_of(runs: list[dict]) -> dict:
    out = {"cold_bytes": statistics.median(r["cold_bytes"] for r in runs),
           "warm_bytes": statistics.median(r["warm_bytes"] for r in runs)}
    for phase in ("cold", "warm"):
        out[phase] = {k: statistics.median(r[phase][k] for r in runs) for k in runs[0][phase]}
    return out


def table(results: dict, runs: int) -> str:
    rows = ["| page | lang | network | name + KPIs (s) | monthly chart (s) | front KPIs (s) | cold transfer | "
            "warm reload transfer | warm: first milestone (s) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for (kind, lang, network), r in results.items():
        def cell(key):
            value = r["cold"].get(key)
            if value is None:
                return "—"
            target = TARGETS.get((kind, key)) if network == "3G" else None
            return f"{value:.1f}" + (f" (≤ {target})" if target else "")
        first = min(r["warm"].values())
        budget = f" (≤ {COLD_BUDGET[kind] / 1e6:g} MB)" if network == "3G" else ""
        warm_budget = f" (≤ {WARM_BUDGET / 1e3:g} KB)" if network == "3G" else ""
        rows.append(f"| {kind} | {lang} | {network} | {cell('name_kpis')} | {cell('chart')} | {cell('kpis')} | "
                    f"{r['cold_bytes'] / 1e6:.2f} MB{budget} | {r['warm_bytes'] / 1e3:.0f} KB{warm_budget} | {first:.1f} |")
    return "\n".join(rows) + f"\n\nMedian of {runs} run(s) each; cold = new browser context, warm = reload in it."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--networks", default="3G,4G")
    parser.add_argument("--langs", default="kk,ru")
    parser.add_argument("--verbose", action="store_true", help="list the largest transfers of each load")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="mobile-bench-") as folder:
        url = seeded_database(folder)
        proc, base = start_gunicorn(url, folder)
        try:
            with urllib.request.urlopen(base + "/api/v1/institutions?type=school&limit=1") as response:
                school = json.loads(response.read())["data"][0]["bin"]
            results = {}
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                warm_up(browser, base, school)
                for network in args.networks.split(","):
                    for lang in args.langs.split(","):
                        for kind, path in (("front", f"/?lang={lang}"), ("institution", f"/institution/{school}?lang={lang}")):
                            runs = [measure(browser, base, network, kind, path, args.verbose and i == 0)
                                    for i in range(args.runs)]
                            results[(kind, lang, network)] = median_of(runs)
                            r = results[(kind, lang, network)]
                            print(f"{network} {lang} {kind}: cold {r['cold']} {r['cold_bytes']:,.0f} B; "
                                  f"warm {r['warm']} {r['warm_bytes']:,.0f} B", flush=True)
                browser.close()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print()
    print(table(results, args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
