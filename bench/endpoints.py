"""Per-request cost of the JSON API, search and the appeal reads at two database sizes (issue 11).

Usage:
  python bench/endpoints.py [--n 100] [URL_SMALL URL_LARGE]

Default URLs: the full-country demo (full17k) and the 50,000-institution one (full50k), both
read only. Each request goes through the Flask test client of a real app (response cache off:
CACHE_MAX_MB=0, so every request reaches the queries), after 3 warm-ups. Per endpoint and
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


def backend_cpu(admin) -> float:
    """CPU seconds used so far by this app's PostgreSQL backends."""
    total = 0.0
    for (pid,) in admin.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"), {"n": APP_NAME}):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def measure(url: str, n: int) -> dict[str, dict]:
    from app import create_app
    from dashboard.config import load_config
    from dashboard.db import engine_for

    app_url = make_url(url).update_query_dict({"application_name": APP_NAME}).render_as_string(hide_password=False)
    var = tempfile.mkdtemp(prefix="bench_endpoints_")
    try:
        config = load_config({"DATABASE_URL": app_url, "ASHYQ_VAR_DIR": var, "CACHE_MAX_MB": "0",
                              "CALLBACK_RATE_LIMIT": "1000000 per minute"})
        client = create_app(config).server.test_client()
        engine = engine_for(config.database_url)
        counts = {"statements": 0, "checkouts": 0}
        event.listen(engine, "before_cursor_execute",
                     lambda *a: counts.__setitem__("statements", counts["statements"] + 1))
        event.listen(engine.pool, "checkout", lambda *a: counts.__setitem__("checkouts", counts["checkouts"] + 1))
        admin = create_engine(url, isolation_level="AUTOCOMMIT").connect()
        results = {}
        for name, path, body in requests_for(admin):
            def once():
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
            for _ in range(3):
                once()
            counts.update(statements=0, checkouts=0)
            cpu0, pg0 = time.process_time(), backend_cpu(admin)
            times = []
            for _ in range(n):
                start = time.perf_counter()
                once()
                times.append(time.perf_counter() - start)
            app_cpu = (time.process_time() - cpu0) / n
            pg_cpu = (backend_cpu(admin) - pg0) / n
            times.sort()
            results[name] = {"p50": statistics.median(times) * 1000, "p95": times[int(0.95 * (n - 1))] * 1000,
                             "app_cpu": app_cpu * 1000, "pg_cpu": pg_cpu * 1000,
                             "statements": counts["statements"] / n, "checkouts": counts["checkouts"] / n}
        admin.close()
        engine.dispose()
        return results
    finally:
        shutil.rmtree(var, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*", default=DEFAULT_URLS)
    parser.add_argument("--n", type=int, default=100, help="requests per endpoint and database")
    parser.add_argument("--json", help="also write the raw numbers to this file")
    args = parser.parse_args()
    if len(args.urls) != 2:
        parser.error("give two database URLs (small, large) or none")
    small, large = (measure(u, args.n) for u in args.urls)
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
