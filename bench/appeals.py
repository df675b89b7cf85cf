"""Time the appeal count queries at full-country scale and the per-request costs of posting.

Usage:
  python bench/appeals.py --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
      [--institutions 17000] [--appeals 100000]

Creates a throwaway PostgreSQL database (dropped afterwards), migrates it, loads the demo
institutions for one year, inserts synthetic appeals (random statuses, deadlines, publication),
then prints the median of 7 runs of each query, plus the time to clean a 12-megapixel phone
photo and to hash/verify a password with argon2. Prints Markdown rows for docs/benchmarks.md.

With `--into`, only inserts the synthetic appeals into an existing migrated database (a copy
of the full-country one, never the original) so that other benchmarks (bench/map_callbacks.py)
run with appeals:
  python bench/appeals.py --into postgresql+psycopg://postgres@127.0.0.1:5432/my_copy --appeals 100000
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from dashboard.db import make_engine, upgrade  # noqa: E402
from dashboard.demo.load import load_demo  # noqa: E402
from dashboard.schema import appeals, institutions  # noqa: E402
from queries import appeals as q  # noqa: E402
from throwaway import throwaway_postgres  # noqa: E402 - bench/throwaway.py


def median_ms(fn, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def fill_appeals(engine, count: int) -> None:
    rng = random.Random(6)
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        ids = list(conn.execute(select(institutions.c.id)).scalars())
        rows = []
        for i in range(count):
            created = now - dt.timedelta(days=rng.randint(0, 365))
            status = rng.choices(["new", "in_review", "answered", "resolved", "rejected"], [2, 3, 3, 2, 1])[0]
            rows.append(dict(tracking_code=f"B{i:018d}", institution_id=rng.choice(ids), kind="question",
                             body="synthetic appeal for the benchmark", status=status,
                             published=status != "new" and status != "rejected", created_at=created,
                             due_at=created + dt.timedelta(days=21)))
            if len(rows) == 10_000:
                conn.execute(insert(appeals), rows)
                rows = []
        if rows:
            conn.execute(insert(appeals), rows)
        conn.execute(text("ANALYZE appeals"))


def photo_and_password_costs() -> tuple[float, float, float]:
    from PIL import Image

    from dashboard.accounts import hash_password, verify_password
    from dashboard.appeals.files import check_and_write

    img = Image.effect_noise((4000, 3000), 60).convert("RGB")  # worst case for JPEG size
    raw = io.BytesIO()
    img.save(raw, "JPEG", quality=92)
    data = raw.getvalue()
    with tempfile.TemporaryDirectory() as tmp:
        def clean():
            out = Path(tmp) / f"{uuid.uuid4().hex}.jpg"
            check_and_write(io.BytesIO(data), out, max_photo=10 * 1024 * 1024, max_video=1)
        photo = median_ms(clean, runs=3)
    hashed = hash_password("a long enough password")
    return photo, median_ms(lambda: hash_password("a long enough password"), 5), \
        median_ms(lambda: verify_password(hashed, "a long enough password"), 5)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="a PostgreSQL server URL (a database is created on it)")
    parser.add_argument("--institutions", type=int, default=17000)
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--into", help="insert the appeals into this migrated database and exit (a copy!)")
    args = parser.parse_args()
    if args.into:
        engine = make_engine(args.into)
        fill_appeals(engine, args.appeals)
        with engine.connect() as conn:
            print(f"{conn.execute(select(func.count()).select_from(appeals)).scalar_one():,} appeals in the database")
        engine.dispose()
        return 0
    if not args.url:
        parser.error("--url or --into is required")

    with throwaway_postgres(args.url, "ashyq_bench_appeals") as url:
        upgrade(url)
        engine = make_engine(url)
        load_demo(engine, institutions=args.institutions, years=[2025], seed=42, progress=False)
        fill_appeals(engine, args.appeals)
        with engine.connect() as conn:
            some = conn.execute(select(institutions.c.id).limit(50)).scalars().all()
            cases = {
                "open_appeals_by_region": lambda: q.open_appeals_by_region(conn),
                "appeal_counts_by_institution (all)": lambda: q.appeal_counts_by_institution(conn),
                "appeal_counts_by_institution (50 ids)": lambda: q.appeal_counts_by_institution(conn, some),
                "appeal_counts_for_institution": lambda: q.appeal_counts_for_institution(conn, some[0]),
                "appeal_totals": lambda: q.appeal_totals(conn),
                "open_counts (country; explorer KPI)": lambda: q.open_counts(conn),
                "open_counts (a region and 2 sectors)": lambda: q.open_counts(conn, region="KZ-11",
                                                                               sectors=("education", "health")),
                "open_counts_by_area (20 regions; map metric)": lambda: q.open_counts_by_area(conn),
                "open_counts_by_area (a region's districts)": lambda: q.open_counts_by_area(conn, region="KZ-11"),
                "moderation_queue (100)": lambda: q.moderation_queue(conn),
                "overdue_appeals (200)": lambda: q.overdue_appeals(conn),
            }
            results = {label: median_ms(fn) for label, fn in cases.items()}
        engine.dispose()
    today = dt.date.today().isoformat()
    for label, ms in results.items():
        print(f"| {today} | vm (2 cores) | postgresql | {args.institutions:,} | {args.appeals:,} | {label} | {ms:.1f} ms |")
    photo, hash_ms, verify_ms = photo_and_password_costs()
    print(f"\nclean a 12 MP JPEG (decode, re-encode without metadata): {photo:.0f} ms")
    print(f"argon2 hash: {hash_ms:.0f} ms, verify: {verify_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
