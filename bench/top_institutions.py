"""Time the explorer's top-5 institutions for a whole year and for month ranges.

Usage: python bench/top_institutions.py --url postgresql+psycopg://…/DB --year 2025 [--runs 15]
Prints the median and worst of `runs` calls per case (country-wide and inside one region),
after one warm-up call each.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.db import make_engine  # noqa: E402
from queries.explorer import Selection, top_institutions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--region", default="KZ-11")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    engine = make_engine(args.url)
    cases = [(label, Selection(args.year, months, region=region))
             for region in (None, args.region)
             for label, months in (("full year", (1, 12)), ("December", (12, 12)), ("January–March", (1, 3)),
                                   ("January–November", (1, 11)))]
    with engine.connect() as conn:
        for label, sel in cases:
            top_institutions(conn, sel)
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                top_institutions(conn, sel)
                times.append((time.perf_counter() - start) * 1000)
            print(f"{sel.region or 'country':8} {label:17} median {statistics.median(times):7.1f} ms"
                  f"  max {max(times):7.1f} ms")


if __name__ == "__main__":
    main()
