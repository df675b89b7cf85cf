"""Page view counting under concurrent visitors on PostgreSQL (issue 14).

Usage:
  python bench/page_views.py --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
      [--visitors 100] [--views 2000] [--pool 20]

Creates a throwaway database (dropped afterwards), migrates it, then `--visitors` threads count
new visitors' views of the same page ("/", the hottest counter row) through a pool of `--pool`
connections, as web workers would: each view is one transaction of queries.views.record_view
(the visitor's mark, then the counter upsert). Runs once with every view on one counter row
(VIEW_SHARDS=1) and with the shipped sharding, each with commits that wait for the WAL flush
and with the shipped asynchronous commit; prints views/s and latency percentiles as Markdown
rows for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from bench.throwaway import throwaway_postgres  # noqa: E402
from dashboard.db import upgrade  # noqa: E402
from dashboard.schema import page_view_totals  # noqa: E402
import queries.views as views  # noqa: E402


def run(url: str, visitors: int, total: int, pool: int, shards: int, durable: bool = False) -> dict:
    engine = create_engine(url, pool_size=pool, max_overflow=0, pool_timeout=300)
    views.VIEW_SHARDS = shards
    # durable: every view waits for its WAL flush (what record_view avoids with synchronous_commit off)
    views._ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO " + ("ON" if durable else "OFF"))
    page = f"/bench-{shards}-{durable}"
    latencies: list[float] = []
    lock = threading.Lock()
    per_visitor = total // visitors

    def visitor(_):
        mine = []
        for _ in range(per_visitor):
            start = time.perf_counter()
            with engine.begin() as conn:
                assert views.record_view(conn, page, uuid.uuid4().hex)  # a new visitor: always counted
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(visitors) as threads:
        list(threads.map(visitor, range(visitors)))
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        counted = conn.execute(select(func.sum(page_view_totals.c.views)).where(page_view_totals.c.page == page)
                               ).scalar_one()
    engine.dispose()
    latencies.sort()
    assert counted == len(latencies), (counted, len(latencies))
    return {"shards": shards, "durable": durable, "views": len(latencies), "per_second": len(latencies) / elapsed,
            "p50": statistics.median(latencies) * 1000, "p95": latencies[int(0.95 * len(latencies))] * 1000,
            "p99": latencies[int(0.99 * len(latencies))] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="an admin URL of the PostgreSQL server")
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--views", type=int, default=2000)
    parser.add_argument("--pool", type=int, default=20)
    args = parser.parse_args()
    shipped = views.VIEW_SHARDS
    with throwaway_postgres(args.url, "bench_views") as url:
        upgrade(url)
        print("| counter rows per page | commit | views | views/s | p50 ms | p95 ms | p99 ms |")
        print("|---|---|---|---|---|---|---|")
        for shards, durable in ((1, True), (1, False), (shipped, True), (shipped, False)):
            r = run(url, args.visitors, args.views, args.pool, shards, durable)
            print(f"| {r['shards']} | {'waits for WAL flush' if durable else 'asynchronous (shipped)'} "
                  f"| {r['views']} | {r['per_second']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} |")


if __name__ == "__main__":
    main()
