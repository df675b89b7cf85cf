"""Time the demo generator + loader and check its calibration.

Usage:
  python bench/demo_load.py sqlite [--institutions 2000]
  python bench/demo_load.py postgresql --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
      [--institutions 17000]

Creates a throwaway database (a temp SQLite file, or a new PostgreSQL database that is
dropped afterwards), migrates it, loads the demo for 2020-2025 and prints one Markdown row
for docs/benchmarks.md plus the per-year national totals.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from dashboard.db import make_engine, upgrade  # noqa: E402
from dashboard.demo.load import load_demo  # noqa: E402
from throwaway import throwaway_postgres  # noqa: E402 - bench/throwaway.py

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "geo" / "kz_regions.geojson"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--institutions", type=int, default=2000)
    parser.add_argument("--years", default="2020-2025")
    args = parser.parse_args()
    first, last = (int(y) for y in args.years.split("-"))
    years = list(range(first, last + 1))
    with contextlib.ExitStack() as stack:
        if args.backend == "sqlite":
            url = f"sqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/bench.sqlite3"
        else:
            if not args.url:
                parser.error("--url or TEST_DATABASE_URL is required for postgresql")
            url = stack.enter_context(throwaway_postgres(args.url, "ashyq_bench"))
        report(url, args, years)
    return 0


def report(url: str, args, years: list[int]) -> None:
    """Load the demo into `url` and print the benchmark row and the yearly totals."""
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    result = load_demo(engine, institutions=args.institutions, years=years, seed=42,
                       boundaries=SHARED if SHARED.exists() else None, progress=True)
    wall = time.perf_counter() - started
    with engine.connect() as conn:
        totals = conn.execute(text("SELECT year, SUM(plan_adjusted), SUM(paid) FROM rollup_institution_year "
                                   "GROUP BY year ORDER BY year")).all()
        size = None
        if args.backend == "postgresql":
            size = conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
    engine.dispose()
    if args.backend == "sqlite":
        size = f"{Path(url[len('sqlite:///'):]).stat().st_size / 2**20:.0f} MB"
    print(f"\n| {time.strftime('%Y-%m-%d')} | {platform.node()} ({os.cpu_count()} cores) | {args.backend} | "
          f"{result.institutions:,} | {years[0]}–{years[-1]} | {result.lines:,} | {wall:.1f} s | "
          f"{result.lines / wall:,.0f} lines/s | {size} |")
    for year, plan, paid in totals:
        print(f"  {year}: adjusted plan {int(plan) / 100 / 1e12:.2f} trn ₸, paid {int(paid) / 100 / 1e12:.2f} trn ₸")


if __name__ == "__main__":
    raise SystemExit(main())
