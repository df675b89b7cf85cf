"""Time the demo generator + loader and check its calibration.

Usage:
  python bench/demo_load.py sqlite [--institutions 2000]
  python bench/demo_load.py postgresql --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
      [--institutions 17000]

Creates a throwaway database (a temp SQLite file, or a new PostgreSQL database that is
dropped afterwards), migrates it, loads the demo for 2020-2025 and prints one Markdown row
for docs/benchmarks.md, the per-year national totals and the time of each phase.

The floor (skip with --no-floor), measured first in the same database: the same rows (same
plan, seed and years, generated beforehand and not timed) written the plain way into
`floor_lines`, a bare copy of budget_lines' columns and types (no key, constraint, trigger or
index): one binary COPY per year on PostgreSQL (the bytes the loader sends), one executemany
per year on SQLite, all in one transaction. A CHECKPOINT before each timed part on PostgreSQL
so neither pays for the other's dirty buffers.
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

from dashboard.schema import budget_lines  # noqa: E402

from dashboard.db import make_engine, upgrade  # noqa: E402
from dashboard.demo.generate import generate_year, plan_demo  # noqa: E402
from dashboard.demo.load import load_demo  # noqa: E402
from dashboard.geo import load_region_polygons  # noqa: E402
from queries import bulk  # noqa: E402
from queries.reference import list_districts, list_regions, seed_reference  # noqa: E402
from throwaway import throwaway_postgres  # noqa: E402 - bench/throwaway.py

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "geo" / "kz_regions.geojson"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--institutions", type=int, default=2000)
    parser.add_argument("--years", default="2020-2025")
    parser.add_argument("--no-floor", action="store_true", help="skip the plain-COPY floor")
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
    boundaries = SHARED if SHARED.exists() else None
    if boundaries is None:  # other placements, so other totals: not comparable with a run that had it
        print(f"warning: no regions file at {SHARED}; institutions are placed without the region polygons",
              file=sys.stderr)
    floor = None if args.no_floor else copy_floor(engine, args.institutions, years, boundaries)
    checkpoint(engine)
    started = time.perf_counter()
    result = load_demo(engine, institutions=args.institutions, years=years, seed=42,
                       boundaries=boundaries, progress=True)
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
    print("\nphases (s): " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in result.phases.items()))
    if floor is not None:
        print(f"\n| demo load | plain {'COPY' if args.backend == 'postgresql' else 'executemany'} of the same rows "
              f"(floor) | ratio |\n|---|---|---|\n| {wall:.1f} s | {floor:.1f} s | {wall / floor:.2f}× |")


def checkpoint(engine) -> None:
    """Write out dirty buffers now, so the next timed part does not pay for the previous one's."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CHECKPOINT"))


def copy_floor(engine, institutions: int, years: list[int], boundaries) -> float:
    """Seconds to write the demo's rows the plain way into a bare table (see the module docstring)."""
    import pandas as pd

    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        seed_reference(conn)
        regions, districts = pd.DataFrame(list_regions(conn)), pd.DataFrame(list_districts(conn))
        columns = ", ".join(f"{c.name} {c.type.compile(dialect=engine.dialect)} NOT NULL"
                            for c in budget_lines.columns)
        conn.execute(text(f"CREATE TABLE floor_lines ({columns})"))
    plan = plan_demo(institutions, 42, regions, districts, years,
                     load_region_polygons(boundaries) if boundaries else None)
    checkpoint(engine)
    seconds = 0.0
    with engine.begin() as conn:
        if postgres:
            conn.execute(text("SET LOCAL synchronous_commit = off"))  # as the loader does
        for year in years:
            chunk = generate_year(plan, year, 42)
            encoded = bulk.encode_lines(chunk) if postgres else None
            started = time.perf_counter()
            bulk.write_lines(conn, chunk, table="floor_lines", encoded=encoded)
            seconds += time.perf_counter() - started
        started = time.perf_counter()
    seconds += time.perf_counter() - started  # the commit
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE floor_lines"))
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())
