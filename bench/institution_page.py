"""Institution page callbacks (issue 11): the ones that draw a visitor's page (`show_year`,
`show_monthly`, `open_page`, `institution_bar`, `fill_section`) through the real app vs the same
SQL statements replayed on a bare connection.

For N random institutions (and a random year of each), each callback is posted to
/_dash-update-component with the body Chromium sends (Flask test client: Dash dispatch, queries
and JSON encoding included; no network; the response cache off, so every request is a miss). The
statements the callback ran are recorded and replayed right after on one bare psycopg connection
(execute + fetch, nothing else): the callback's SQL floor. Prints markdown rows:
  | database | callback | n | p50 app | p95 app | p50 SQL | p95 SQL | p95 ratio |
then the app's own CPU time per call (the test client runs in this thread: Python's share, not
the database's), which a busy machine disturbs less than wall time.
Reads only (these callbacks write nothing). The code needs the newest schema:
  python bench/institution_page.py --url postgresql+psycopg://postgres@127.0.0.1:5432/inst_full17k
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlite3  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app  # noqa: E402
from dashboard.config import load_config  # noqa: E402
from dashboard.db import engine_for  # noqa: E402
from layouts import ids  # noqa: E402


# The callbacks that draw a visitor's institution page: the year's figures, the monthly chart,
# the page's head, the as-of bar and the appeals section (the analyst's flag banner answers a
# visitor without SQL).
CALLBACKS = ("show_year", "show_monthly", "open_page", "institution_bar", "fill_section")


def callback_keys(app) -> dict[str, tuple[str, list, list, list]]:
    """name -> (output key, outputs, inputs, state) of the callbacks in CALLBACKS, found by their
    function's name as /_dash-dependencies lists them."""
    found = {}
    for key, spec in app.callback_map.items():
        name = getattr(spec.get("callback"), "__name__", None)
        if name in CALLBACKS:
            outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in key.strip(".").split("...")]
            found[name] = (key, outputs, spec["inputs"], spec["state"])
    missing = set(CALLBACKS) - set(found)
    if missing:
        raise SystemExit(f"callbacks not found in this app: {sorted(missing)}")
    return found


def body(spec, values: dict, changed: str) -> dict:
    key, outputs, inputs, state = spec
    return {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [{**i, "value": values[f"{i['id']}.{i['property']}"]} for i in inputs],
            "state": [{**s, "value": values[f"{s['id']}.{s['property']}"]} for s in state],
            "changedPropIds": [changed]}


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] if len(samples) > 1 else samples[0]


def run(url: str, n: int, seed: int, asof: int | None = None, changed_since: int | None = None) -> list[str]:
    """The rows for one database; with `asof`, every page pinned to that publication; with
    `changed_since`, only institution-years whose lines changed after that publication."""
    config = load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": tempfile.mkdtemp(), "LOG_LEVEL": "WARNING",
                          "CACHE_MAX_MB": "0", "CALLBACK_RATE_LIMIT": "1000000 per minute"})
    app = create_app(config)
    engine = engine_for(config.database_url)
    client = app.server.test_client()
    specs = callback_keys(app)
    recorded: list[tuple[str, object]] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, parameters, context, many: recorded.append((statement, parameters)))
    with engine.connect() as conn:
        institutions = conn.execute(text("SELECT count(*) FROM institutions")).scalar_one()
        changed = ("" if changed_since is None else
                   " JOIN (SELECT DISTINCT institution_id, year FROM line_history_sums WHERE valid_until > :since) c"
                   " ON c.institution_id = y.institution_id AND c.year = y.year")
        pairs = conn.execute(text(f"SELECT i.bin, y.year FROM institutions i JOIN rollup_institution_year y "
                                  f"ON y.institution_id = i.id{changed} ORDER BY i.bin, y.year"),
                             {"since": changed_since}).all()
    # The same random sample on both databases (SQLite has no md5()).
    pairs = random.Random(seed).sample(pairs, min(len(pairs), n + 5))
    recorded.clear()
    u = make_url(url)
    if u.get_backend_name() == "sqlite":  # the statements replayed on a bare sqlite3 connection
        bare = sqlite3.connect(u.database, isolation_level=None)
    else:
        bare = psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname=u.database, autocommit=True)
    rng = random.Random(seed)
    app_ms: dict[str, list[float]] = {name: [] for name in CALLBACKS}
    sql_ms: dict[str, list[float]] = {name: [] for name in CALLBACKS}
    cpu_ms: dict[str, list[float]] = {name: [] for name in CALLBACKS}
    for i, (bin_, year) in enumerate(pairs):
        lang = rng.choice(["kk", "ru", "en"])
        store = {"bin": bin_, **({"asof": asof} if asof is not None else {})}
        values = {f"{ids.INST_YEAR}.value": year, f"{ids.INST_BIN}.data": store,
                  f"{ids.INST_MONTHLY_MODE}.value": rng.choice(["monthly", "cumulative"]), "page-lang.data": lang,
                  "live-version.data": None, f"{ids.INST_DRAWN}.data": None,  # a first draw (callbacks/live.py)
                  f"{ids.APPEALS_CTX}.data": {"bin": bin_, "year": year, "lang": lang}}
        for name, (_, _, inputs, _) in specs.items():
            recorded.clear()
            payload = body(specs[name], values, f"{inputs[0]['id']}.{inputs[0]['property']}")
            start, cpu = time.perf_counter(), time.thread_time()
            response = client.post("/_dash-update-component", json=payload)
            elapsed, cpu = (time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{name} {bin_} {year}: HTTP {response.status_code} {response.data[:300]!r}")
            statements = list(recorded)
            start = time.perf_counter()
            cur = bare.cursor()
            for statement, parameters in statements:
                cur.execute(statement, parameters or ())
                if cur.description is not None:
                    cur.fetchall()
            cur.close()
            replay = (time.perf_counter() - start) * 1000
            if i >= 5:  # the first five warm the pool, the caches and the bare connection
                app_ms[name].append(elapsed)
                sql_ms[name].append(replay)
                cpu_ms[name].append(cpu)
    bare.close()
    engine.dispose()
    where = f"{u.database} ({institutions:,} inst.)" + (f", as of publication {asof}" if asof is not None else "") \
        + (f", lines changed since {changed_since}" if changed_since is not None else "")
    rows = []
    for name in CALLBACKS:
        a, s = app_ms[name], sql_ms[name]
        rows.append(f"| {where} | {name} | {len(a)} | {statistics.median(a):.1f} ms | {pct(a, 95):.1f} ms | "
                    f"{statistics.median(s):.1f} ms | {pct(s, 95):.1f} ms | {pct(a, 95) / pct(s, 95):.2f}× |")
    return rows + [f"app CPU per call, {u.database}: " + ", ".join(
        f"{name} p50 {statistics.median(c):.1f} ms, p95 {pct(c, 95):.1f} ms" for name, c in cpu_ms.items())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="database URL (only read); repeatable")
    parser.add_argument("-n", type=int, default=100, help="institution-years per database")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--asof", type=int, help="also time the same pages pinned to this publication, on "
                                                 "institution-years whose lines changed since it")
    args = parser.parse_args()
    print("| database | callback | n | p50 app | p95 app | p50 SQL | p95 SQL | p95 app/SQL |")
    print("|---|---|---|---|---|---|---|---|")
    notes = []
    runs = [(url, None, None) for url in args.url] if args.asof is None else \
        [(url, pinned, args.asof) for url in args.url for pinned in (None, args.asof)]
    for url, pinned, since in runs:
        for row in run(url, args.n, args.seed, pinned, since):
            if row.startswith("|"):
                print(row, flush=True)
            else:
                notes.append(row)
    print("\n" + "\n".join(notes))
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
