"""Time `/api/v1/spending`'s query (queries.spending.spending) per grouping on a database.

    python bench/spending.py --url postgresql+psycopg://postgres@127.0.0.1:5432/ashyq

Prints, for the newest year, each grouping's source table, row count and the median of 3 runs.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select  # noqa: E402

from dashboard.schema import institutions, rollup_institution_year  # noqa: E402
from queries.explorer import Selection  # noqa: E402
from queries.spending import source_for, spending  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--region", default="KZ-11", help="the region of the district grouping")
    args = parser.parse_args()
    engine = create_engine(args.url)
    with engine.connect() as conn:
        year = conn.execute(select(func.max(rollup_institution_year.c.year))).scalar()
        count = conn.execute(select(func.count()).select_from(institutions)).scalar()
        print(f"{engine.url.database}: {count} institutions, year {year}")
        cases = [((), Selection(year)), (("region",), Selection(year)),
                 (("region", "sector"), Selection(year, (1, 6))),
                 (("district",), Selection(year, (1, 12), (), args.region)), (("month",), Selection(year)),
                 (("type",), Selection(year)), (("type", "month"), Selection(year, (3, 5))),
                 (("specific",), Selection(year)), (("specific",), Selection(year, (1, 6))),
                 (("program",), Selection(year))]
        for group_by, sel in cases:
            times = []
            for _ in range(3):
                started = time.perf_counter()
                rows = spending(conn, sel, group_by)
                times.append(time.perf_counter() - started)
            print(f"  group_by={','.join(group_by) or '-':14} months={sel.months[0]}-{sel.months[1]:<2} "
                  f"{source_for(group_by, sel):20} {len(rows):4} rows {statistics.median(times) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
