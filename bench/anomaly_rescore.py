"""Time the anomaly scan with storing, and the rescore a one-institution import triggers.

Usage:
  python bench/anomaly_rescore.py --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
      --template ashyq_anom42 [--bin BIN]

On a throwaway copy of TEMPLATE (a full-country demo):
  1. the whole scan as `python -m dashboard anomalies scan` runs it (load, detectors, store), twice
     (the first stores every flag, the second rewrites them);
  2. a lines import of one institution's 2025 lines with one amount changed, end to end, and the
     rescore inside it (the same `scan` call the importer makes, timed on its own in a rolled-back
     transaction).
Prints Markdown rows for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from dashboard.anomalies.scan import scan, scan_engine  # noqa: E402
from dashboard.db import make_engine, upgrade  # noqa: E402
from dashboard.importer.run import import_lines  # noqa: E402
from throwaway import throwaway_postgres  # noqa: E402 - bench/throwaway.py

HEADER = ["bin", "year", "month", "functional_group", "program", "subprogram", "specific",
          "plan", "plan_adjusted", "obligations", "paid"]


def _lines_file(conn, bin_: str, year: int, path: Path) -> int:
    rows = conn.execute(text(
        "SELECT i.bin, l.year, l.month, p.functional_group, l.program_code, l.subprogram_code, l.specific_code,"
        " l.plan, l.plan_adjusted, l.obligations, l.paid FROM budget_lines l"
        " JOIN institutions i ON i.id = l.institution_id JOIN programs p ON p.code = l.program_code"
        " WHERE i.bin = :bin AND l.year = :year ORDER BY l.month, l.program_code, l.subprogram_code, l.specific_code"),
        {"bin": bin_, "year": year}).all()
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for k, r in enumerate(rows):
            money = [int(v) for v in r[7:]]
            if k == 0:  # one changed amount: the import has something to write and rescore
                money[3] = max(0, money[3] - 100_00)
            out.writerow([*r[:7], *(f"{v // 100}.{v % 100:02d}" for v in money)])
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="PostgreSQL server URL (any database on it)")
    parser.add_argument("--template", required=True, help="full-country demo database to copy")
    parser.add_argument("--bin", help="institution to re-import (default: the first school)")
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    with throwaway_postgres(args.url, "ashyq_rescore", template=args.template) as url:
        upgrade(url)
        engine = make_engine(url)
        rows = []
        for run in ("first", "again"):
            result = scan_engine(engine)
            s = result.seconds
            detect = sum(v for k, v in s.items() if k not in ("load", "store"))
            rows.append(f"| full scan ({run}) | {len(result.flags):,} flags | {s['load']:.1f} s | {detect:.1f} s | "
                        f"{s['store']:.1f} s | **{result.total_seconds:.1f} s** |")
        with engine.connect() as conn:
            bin_ = args.bin or conn.execute(text(
                "SELECT bin FROM institutions WHERE type_code = 'school' ORDER BY id LIMIT 1")).scalar_one()
            iid = conn.execute(text("SELECT id FROM institutions WHERE bin = :b"), {"b": bin_}).scalar_one()
        with engine.connect() as conn, conn.begin() as tx:
            started = time.perf_counter()
            rescore = scan(conn, institution_ids=[iid], years=[args.year])
            rescore_s = time.perf_counter() - started
            tx.rollback()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "one.csv"
            with engine.connect() as conn:
                n = _lines_file(conn, bin_, args.year, path)
            started = time.perf_counter()
            report = import_lines(engine, path)
            import_s = time.perf_counter() - started
        assert report.status == "loaded" and report.updated == 1, (report.status, report.updated)
        rows.append(f"| rescore of one institution-year ({bin_}, {args.year}) | {len(rescore.flags)} flags | "
                    f"{rescore.seconds['load']:.2f} s | "
                    f"{sum(v for k, v in rescore.seconds.items() if k not in ('load', 'store')):.2f} s | "
                    f"{rescore.seconds['store']:.2f} s | **{rescore_s:.2f} s** |")
        rows.append(f"| lines import of that institution ({n} lines, 1 changed), rescore included | | | | | "
                    f"**{import_s:.2f} s** |")
        engine.dispose()
    print("| what | found | load | detectors | store | total |\n|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
