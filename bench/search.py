"""Search latency: `search_institutions` over a database's institutions (issue 5; target ≤ 50 ms).

Usage:
  python bench/search.py DATABASE_URL [--repeat 20] [--migrate]

The database must hold institutions (e.g. `python -m dashboard demo --institutions 17000
--years 2025`); `--migrate` first upgrades it to the newest migration, which builds the
search index. Each query runs `--repeat` times after one warm-up; the table shows the median
and the worst time per query and how many institutions matched (up to the suggestion limit).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from dashboard.db import make_engine, upgrade  # noqa: E402
from dashboard.schema import institution_search, institutions  # noqa: E402
from queries.search import search_institutions  # noqa: E402


def queries(conn) -> list[tuple[str, str]]:
    """Realistic queries: whole and partial names in three languages, Kazakh letters, BINs."""
    sample = conn.execute(select(institutions.c.bin, institutions.c.name_ru, institutions.c.name_kk)
                          .where(institutions.c.type_code == "school").order_by(institutions.c.id)
                          .limit(1)).one()
    return [
        ("common word (ru)", "школа"),
        ("common partial (ru, upper case)", "ШКОЛ"),
        ("two partial words (ru)", "сред шко"),
        ("place name, Kazakh letters", "Көкшетау"),
        ("same, typed without Kazakh letters", "кокшетау"),
        ("kk name words", "орта мектебі"),
        ("en words", "secondary school"),
        ("rare: hospital in a city", "больница Тараз"),
        ("full school name (ru)", sample.name_ru),
        ("full school name (kk)", sample.name_kk),
        ("full BIN", sample.bin),
        ("BIN prefix (6 digits)", sample.bin[:6]),
        ("two letters", "ко"),
        ("no match", "qwertyzz"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--migrate", action="store_true")
    args = parser.parse_args()
    if args.migrate:
        upgrade(args.url)
    engine = make_engine(args.url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(institutions)).scalar_one()
        indexed = conn.execute(select(func.count()).select_from(institution_search)).scalar_one()
        print(f"{engine.dialect.name}: {n:,} institutions, {indexed:,} indexed; {args.repeat} runs per query")
        print("| query | text | found | median ms | max ms |\n|---|---|---|---|---|")
        medians = []
        for label, text in queries(conn):
            found = len(search_institutions(conn, text, limit=8))  # warm-up
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                search_institutions(conn, text, limit=8)
                times.append((time.perf_counter() - started) * 1000)
            medians.append(statistics.median(times))
            shown = text if len(text) <= 40 else text[:37] + "…"
            print(f"| {label} | {shown} | {found} | {statistics.median(times):.1f} | {max(times):.1f} |")
        print(f"\nworst median {max(medians):.1f} ms, mean of medians {statistics.mean(medians):.1f} ms")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
