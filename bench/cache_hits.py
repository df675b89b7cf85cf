"""Response cache (issue 11): a cached callback answer vs computing it, and the data version read.

Posts every map and institution callback a visitor's browser posts (the explorer's navigate,
draw_map, draw_panels and show_popup on the country view of the newest year; the institution
page's show_year, show_monthly, institution_bar and fill_section for the institution with the
largest budget of that year; open_page shows the live view counter and is computed every time)
through Flask's test client, as a browser would (Accept-Encoding: br). A miss is timed with the
cache emptied before each request (the callback, its SQL and JSON, plus storing the entry and its
brotli and gzip copies); a hit is the same request answered from the cache: with one data version
read (DATA_VERSION_TTL=0), and with the version reused (DATA_VERSION_TTL=1, the production
default: no database round trip at all). Reads only.

  python bench/cache_hits.py --url postgresql+psycopg://postgres@127.0.0.1:5432/full17k
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from dashboard.config import load_config  # noqa: E402
from dashboard.db import engine_for  # noqa: E402
from dashboard.web.response_cache import Entry  # noqa: E402
from queries.version import data_version  # noqa: E402


def body_for(app, name: str, values: list, state: list) -> dict:
    output, spec = next((o, s) for o, s in app.callback_map.items()
                        if getattr(s.get("callback"), "__name__", None) == name)
    many = output.startswith("..")
    parts = output[2:-2].split("...") if many else [output]
    outputs = [dict(zip(("id", "property"), p.rsplit(".", 1))) for p in parts]
    inputs = [{**i, "value": v} for i, v in zip(spec["inputs"], values)]
    return {"output": output, "outputs": outputs if many else outputs[0], "inputs": inputs,
            "state": [{**s, "value": v} for s, v in zip(spec["state"], state)],
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(client, body) -> tuple[float, object]:
    start = time.perf_counter()
    response = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": "br, gzip"})
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.data[:300]!r}")
    return elapsed, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--hits", type=int, default=200)
    parser.add_argument("--misses", type=int, default=10)
    args = parser.parse_args()
    app = create_app(load_config({"DATABASE_URL": args.url, "DATA_VERSION_TTL": "0",
                                  "CALLBACK_RATE_LIMIT": "1000000 per minute",
                                  "ASHYQ_VAR_DIR": tempfile.mkdtemp(prefix="cache-bench-")}))
    cache = app.server.extensions["response_cache"]
    engine = engine_for(args.url)
    with engine.connect() as conn:
        year = conn.execute(text("SELECT max(year) FROM rollup_institution_year")).scalar_one()
        institution_id, bin_ = conn.execute(text(
            "SELECT i.id, i.bin FROM rollup_institution_year r JOIN institutions i ON i.id = r.institution_id "
            "WHERE r.year = :y ORDER BY r.plan_adjusted DESC LIMIT 1"), {"y": year}).one()
        version_ms = []
        for _ in range(1000):
            start = time.perf_counter()
            data_version(conn)
            version_ms.append((time.perf_counter() - start) * 1000)
    client = app.server.test_client()
    country = {"year": year, "months": [1, 12], "sectors": [], "metric": "plan_adjusted", "region": None,
               "district": None}
    views = {
        "navigate": body_for(app, "navigate", [f"#y={year}", [], year, [1, 12], "plan_adjusted", None, None],
                             [None, None, None]),
        "draw_map": body_for(app, "draw_map", [country, None], ["ru"]),
        "draw_panels": body_for(app, "draw_panels", [country, None], ["ru"]),
        "show_popup": body_for(app, "show_popup", [1, country], [{"properties": {"id": institution_id}}, "ru"]),
        "show_year": body_for(app, "show_year", [year, None], [{"bin": bin_}, None, "ru"]),
        "show_monthly": body_for(app, "show_monthly", [year, "monthly", None], [{"bin": bin_}, "ru"]),
        "institution_bar": body_for(app, "institution_bar", [year], [{"bin": bin_}, "ru"]),
        "fill_section": body_for(app, "fill_section", [{"bin": bin_, "year": year, "lang": "ru"}], []),
    }
    print(f"data version read (1000 on one connection): p50 {pct(version_ms, .5):.3f} ms, "
          f"p95 {pct(version_ms, .95):.3f} ms\n")
    print("| callback | miss p50 / p95 (ms) | hit p50 / p95 (ms) | hit, DATA_VERSION_TTL=1 (ms) "
          "| body / br / gzip bytes |")
    print("|---|---|---|---|---|")
    for name, body in views.items():
        timed(client, body)  # warm the process (first queries, imports)
        misses = []
        for _ in range(args.misses):
            cache.store._items.clear()
            cache.store.size = 0
            misses.append(timed(client, body)[0])
        hits, reused = [], []
        for ttl, times in ((0, hits), (1, reused)):
            cache.versions.ttl = ttl
            for _ in range(args.hits):
                elapsed, response = timed(client, body)
                assert response.headers["X-Cache"] == "hit"
                times.append(elapsed)
        cache.versions.ttl = 0
        entry = next(iter(cache.store._items.values()))[1]
        stored = Entry.from_bytes(entry)
        print(f"| {name} | {statistics.median(misses):.1f} / {pct(misses, .95):.1f} | "
              f"{statistics.median(hits):.2f} / {pct(hits, .95):.2f} | "
              f"{statistics.median(reused):.2f} / {pct(reused, .95):.2f} | "
              f"{len(stored.body):,} / {len(stored.br):,} / {len(stored.gzip):,} |")


if __name__ == "__main__":
    main()
