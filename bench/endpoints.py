"""Per-request cost of the JSON API, search and the appeal reads at two database sizes (issue 11).

Usage:
  python bench/endpoints.py [--n 100] [URL_SMALL URL_LARGE]

Default URLs: the full-country demo (full17k) and the 50,000-institution one (full50k), both
read only. Each request goes through the Flask test client of a real app (response cache off:
CACHE_MAX_MB=0, so every request reaches the queries), after 3 warm-ups; the two databases'
requests alternate, so both see the same machine. Per endpoint and
database: p50/p95 wall time, the app's CPU and PostgreSQL's CPU per request (the backends of this
app, read from /proc: same machine only), SQL statements and pool checkouts per request; then the
ratio large/small of p50 and of CPU (app + PostgreSQL). Prints a markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from layouts import ids  # noqa: E402

DEFAULT_URLS = ["postgresql+psycopg://postgres@127.0.0.1:5432/full17k",
                "postgresql+psycopg://postgres@127.0.0.1:5432/full50k"]
APP_NAME = "bench_endpoints"
TICK = os.sysconf("SC_CLK_TCK")


def _callback(output: str, inputs: list[dict], state: list[dict] | None = None) -> dict:
    """A Dash callback request body (what the browser posts to /_dash-update-component)."""
    return {"output": output, "outputs": {"id": output.split(".")[0], "property": output.split(".")[1]},
            "inputs": inputs, "state": state or [], "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def requests_for(conn) -> list[tuple[str, str, object]]:
    """(name, path, JSON body or None) for every endpoint measured; the sample institution is the
    first school by id (same place in both demo databases)."""
    school = conn.execute(text("SELECT bin FROM institutions WHERE type_code = 'school' ORDER BY id LIMIT 1")).scalar()
    year = conn.execute(text("SELECT max(year) FROM rollup_institution_year")).scalar()
    code = conn.execute(text("SELECT tracking_code FROM appeals ORDER BY id LIMIT 1")).scalar() or "AAAA-AAAA"
    search = [_callback(f"{ids.SEARCH_RESULTS}.children", [{"id": ids.SEARCH_INPUT, "property": "value", "value": q}],
                        [{"id": "page-lang", "property": "data", "value": "ru"}]) for q in ("школа", "больница Тараз")]
    appeals = {"bin": school, "year": year, "lang": "ru"}
    multi = f"..{ids.APPEALS_COUNTS}.children...{ids.APPEALS_LIST}.children.."
    section = {"output": multi, "outputs": [{"id": ids.APPEALS_COUNTS, "property": "children"},
                                            {"id": ids.APPEALS_LIST, "property": "children"}],
               "inputs": [{"id": ids.APPEALS_CTX, "property": "data", "value": appeals}], "state": [],
               "changedPropIds": [f"{ids.APPEALS_CTX}.data"]}
    track = _callback(f"{ids.TRACK_VIEW}.children", [{"id": ids.TRACK_CTX, "property": "data",
                                                      "value": {"code": code, "lang": "ru"}}])
    api = "/api/v1"
    return [
        ("API regions", f"{api}/regions", None),
        ("API region districts", f"{api}/regions/KZ-11/districts", None),
        ("API sectors", f"{api}/sectors", None),
        ("API classification", f"{api}/classification", None),
        ("API institutions (page 1)", f"{api}/institutions", None),
        ("API institutions (region, sector, year)", f"{api}/institutions?region=KZ-11&sector=education&year={year}",
         None),
        ("API institutions (q=школа)", f"{api}/institutions?q=%D1%88%D0%BA%D0%BE%D0%BB%D0%B0", None),
        ("API institution detail", f"{api}/institutions/{school}", None),
        ("API institution lines (a year)", f"{api}/institutions/{school}/lines?year={year}", None),
        ("API top (default)", f"{api}/top", None),
        ("API top (by paid, n=100)", f"{api}/top?by=paid&n=100&year={year}", None),
        ("API top (region, n=10)", f"{api}/top?region=KZ-11&year={year}", None),
        ("API bulk lines: first bytes", f"{api}/bulk/lines?year={year}", "first-bytes"),
        ("search suggest: школа", "/_dash-update-component", search[0]),
        ("search suggest: больница Тараз", "/_dash-update-component", search[1]),
        ("appeals section (institution)", "/_dash-update-component", section),
        ("appeal tracking page", "/_dash-update-component", track),
    ]


def backend_cpu(admin, app_name: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends of the app named `app_name`."""
    total = 0.0
    for (pid,) in admin.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"), {"n": app_name}):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


class Side:
    """One database's app (Flask test client, response cache off), its SQL counters and the
    requests to send it."""

    def __init__(self, url: str, label: str):
        from app import create_app
        from dashboard.config import load_config
        from dashboard.db import engine_for

        self.app_name = f"{APP_NAME}_{label}"
        app_url = make_url(url).update_query_dict({"application_name": self.app_name}).render_as_string(
            hide_password=False)
        self.var = tempfile.mkdtemp(prefix="bench_endpoints_")
        try:
            config = load_config({"DATABASE_URL": app_url, "ASHYQ_VAR_DIR": self.var, "CACHE_MAX_MB": "0",
                                  "CALLBACK_RATE_LIMIT": "1000000 per minute"})
            self.client = create_app(config).server.test_client()
            self.engine = engine_for(config.database_url)
            self.counts = {"statements": 0, "checkouts": 0}
            event.listen(self.engine, "before_cursor_execute",
                         lambda *a: self.counts.__setitem__("statements", self.counts["statements"] + 1))
            event.listen(self.engine.pool, "checkout",
                         lambda *a: self.counts.__setitem__("checkouts", self.counts["checkouts"] + 1))
            self.admin = create_engine(url, isolation_level="AUTOCOMMIT").connect()
            self.requests = requests_for(self.admin)
        except BaseException:
            shutil.rmtree(self.var, ignore_errors=True)
            raise

    def send(self, name: str, path: str, body) -> None:
        client = self.client
        if body == "first-bytes":
            response = client.get(path, buffered=False)
            first = next(iter(response.response))
            response.close()
            assert response.status_code == 200 and first, name
        elif body is None:
            response = client.get(path)
            assert response.status_code == 200, (name, response.status_code, response.get_data()[:300])
        else:
            response = client.post(path, json=body, headers={"X-CSRFToken": "x"})
            assert response.status_code in (200, 204), (name, response.status_code, response.get_data()[:300])

    def pg_cpu(self) -> float:
        return backend_cpu(self.admin, self.app_name)

    def close(self) -> None:
        self.admin.close()
        self.engine.dispose()
        shutil.rmtree(self.var, ignore_errors=True)


def measure(urls: list[str], n: int) -> list[dict[str, dict]]:
    """Per endpoint, the databases' requests interleaved (one to each in turn, the first one
    alternating), so that a drift of the machine's speed during the run falls on every database
    alike: on a shared virtual machine the speed moved ±30 % within a minute (2026-12-04), and
    measuring one database after the other turned that into ratios of 0.56–2.59× for endpoints
    that do not depend on the database's size."""
    sides: list[Side] = []
    try:
        for i, url in enumerate(urls):
            sides.append(Side(url, str(i)))
        results: list[dict[str, dict]] = [{} for _ in sides]
        for index, (name, _, _) in enumerate(sides[0].requests):
            for side in sides:
                for _ in range(3):
                    side.send(*side.requests[index])
                side.counts.update(statements=0, checkouts=0)
            times: list[list[float]] = [[] for _ in sides]
            cpu = [0.0 for _ in sides]
            pg0 = [side.pg_cpu() for side in sides]
            for round_ in range(n):
                order = list(enumerate(sides)) if round_ % 2 == 0 else list(enumerate(sides))[::-1]
                for i, side in order:
                    request = side.requests[index]
                    cpu0, start = time.process_time(), time.perf_counter()
                    side.send(*request)
                    times[i].append(time.perf_counter() - start)
                    cpu[i] += time.process_time() - cpu0
            for i, side in enumerate(sides):
                ts = sorted(times[i])
                results[i][name] = {"p50": statistics.median(ts) * 1000, "p95": ts[int(0.95 * (n - 1))] * 1000,
                                    "app_cpu": cpu[i] / n * 1000, "pg_cpu": (side.pg_cpu() - pg0[i]) / n * 1000,
                                    "statements": side.counts["statements"] / n,
                                    "checkouts": side.counts["checkouts"] / n}
        return results
    finally:
        for side in sides:
            side.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*", default=DEFAULT_URLS)
    parser.add_argument("--n", type=int, default=100, help="requests per endpoint and database")
    parser.add_argument("--json", help="also write the raw numbers to this file")
    args = parser.parse_args()
    if len(args.urls) != 2:
        parser.error("give two database URLs (small, large) or none")
    small, large = measure(args.urls, args.n)
    names = [make_url(u).database for u in args.urls]
    print(f"| endpoint | {names[0]} p50 / p95 ms | {names[1]} p50 / p95 ms | CPU app + PG ms ({names[0]} → "
          f"{names[1]}) | statements / checkouts per request | ratio p50 | ratio CPU |")
    print("|---|---|---|---|---|---|---|")
    for name, a in small.items():
        b = large[name]
        cpu_a, cpu_b = a["app_cpu"] + a["pg_cpu"], b["app_cpu"] + b["pg_cpu"]
        print(f"| {name} | {a['p50']:.1f} / {a['p95']:.1f} | {b['p50']:.1f} / {b['p95']:.1f} | "
              f"{a['app_cpu']:.1f} + {a['pg_cpu']:.1f} → {b['app_cpu']:.1f} + {b['pg_cpu']:.1f} | "
              f"{a['statements']:g} / {a['checkouts']:g} | {b['p50'] / a['p50']:.2f}× | "
              f"{cpu_b / cpu_a if cpu_a else float('nan'):.2f}× |")
    if args.json:
        Path(args.json).write_text(json.dumps({"urls": args.urls, "small": small, "large": large}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
