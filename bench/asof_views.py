"""Views as of a publication vs the current views (issue 14, part 3): the time of each explorer
and institution-page query now and as of an older publication, after a few imports that change
lines of the loaded data.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/asof17k python3 bench/asof_views.py --imports 3 --lines 2000

Each import rewrites `--lines` stored lines of random institutions of the newest year (adjusted
plan +1,000 tenge), through the real importer (dashboard.importer.run.import_lines); the asof
views are then timed as of the publication before the first of them (every change since is
undone by the asof computation). Prints the median of `--repeat` runs per query, in ms.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from dashboard.db import make_engine  # noqa: E402
from dashboard.importer.run import import_lines  # noqa: E402
from dashboard.schema import budget_line_versions, budget_lines, institutions, programs  # noqa: E402
from queries import asof, explorer  # noqa: E402
from queries.explorer import Selection  # noqa: E402

HEADER = ["bin", "year", "month", "functional_group", "program", "subprogram", "specific",
          "plan", "plan_adjusted", "obligations", "paid"]


def _tenge(tiyn: int) -> str:
    return f"{tiyn // 100}.{tiyn % 100:02d}"


def changed_file(conn, year: int, n: int, rng: random.Random, path: Path) -> Path:
    """A lines file rewriting `n` stored lines of random institutions of `year` (+1,000 tenge plan)."""
    ids = [i for (i,) in conn.execute(select(institutions.c.id))]
    picked = rng.sample(ids, min(len(ids), max(1, n // 40)))
    q = (select(institutions.c.bin, budget_lines, programs.c.functional_group)
         .select_from(budget_lines.join(institutions, institutions.c.id == budget_lines.c.institution_id)
                      .join(programs, programs.c.code == budget_lines.c.program_code))
         .where(budget_lines.c.year == year, budget_lines.c.institution_id.in_(picked)).limit(n))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for r in conn.execute(q).mappings():
            writer.writerow([r["bin"], year, r["month"], r["functional_group"], r["program_code"],
                             r["subprogram_code"], r["specific_code"], _tenge(r["plan"]),
                             _tenge(r["plan_adjusted"] + 100_000), _tenge(r["obligations"]), _tenge(r["paid"])])
    return path


def timed(fn, repeat: int) -> float:
    fn()  # warm: plans and pages
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def panels(conn, sel: Selection, pinned: int | None) -> None:
    """What the explorer's panels read for one selection (callbacks/explorer.py's draw_panels and
    draw_map): totals, regions, sectors and the largest institutions, now or as of `pinned`."""
    numbers = asof.ExplorerNumbers(pinned)
    numbers.totals(conn, sel)
    numbers.by_region(conn, sel)
    numbers.by_sector(conn, sel)
    numbers.top_institutions(conn, sel)


def institution_page(conn, iid: int, year: int, pinned: int | None) -> None:
    """What the institution page's year view reads (callbacks/institution.py's year_view), now or
    as of `pinned`: figures, lines, the year over year, the peers and the documents."""
    numbers = asof.InstitutionNumbers(pinned)
    numbers.yearly_totals(conn, iid)
    numbers.by_specific(conn, iid, year)
    numbers.by_program(conn, iid, year)
    numbers.lines(conn, iid, year)
    numbers.specific_by_year(conn, iid, [year - 1, year])
    inst = conn.execute(select(institutions.c.id, institutions.c.type_code, institutions.c.region_code,
                               institutions.c.capacity).where(institutions.c.id == iid)).mappings().one()
    numbers.peer_stats(conn, inst, year)
    numbers.documents(conn, iid, year)


def map_points(conn, year: int, pinned: int | None) -> None:
    """The ids the map's points layer draws for a year (dashboard/web/map_api.py, before its cache)."""
    asof.ExplorerNumbers(pinned).institutions_with_budget(conn, year)


def popup(conn, iid: int, year: int, pinned: int | None) -> None:
    """The map popup's card of one institution (callbacks/explorer.py show_popup)."""
    asof.ExplorerNumbers(pinned).institution_card(conn, iid, year)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--imports", type=int, default=3)
    parser.add_argument("--lines", type=int, default=2000, help="lines each import changes")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--asof", type=int, help="pin this publication (default: the newest before the imports)")
    args = parser.parse_args()
    engine = make_engine(os.environ["DATABASE_URL"])
    rng = random.Random(args.seed)
    with engine.connect() as conn:
        year = explorer.available_years(conn)[-1]
        pinned = args.asof or asof.latest_publication_id(conn)
        lines = conn.execute(select(func.count()).select_from(budget_lines)).scalar_one()
    print(f"{engine.dialect.name}: {lines:,} lines, newest year {year}, pinned publication {pinned}")
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.imports):
            with engine.connect() as conn:
                path = changed_file(conn, year, args.lines, rng, Path(tmp) / f"changed{k}.csv")
            started = time.perf_counter()
            report = import_lines(engine, path)
            print(f"import {k + 1}: {report.status}, {report.updated} lines changed, "
                  f"{time.perf_counter() - started:.1f} s, publication {report.publication_id}")
    with engine.connect() as conn:
        versions = conn.execute(select(func.count()).select_from(budget_line_versions)).scalar_one()
        top = explorer.top_institutions(conn, Selection(year), 1)[0]["id"]
        region = explorer.by_region(conn, Selection(year))[0]["code"]
        print(f"history rows: {versions:,}")
        cases = [("country, year", Selection(year)), ("country, months 3-5", Selection(year, (3, 5))),
                 ("region", Selection(year, region=region)),
                 ("region, education", Selection(year, sectors=("education",), region=region))]
        print(f"{'view':34} {'now ms':>9} {'asof ms':>9} {'ratio':>6}")
        worst = 0.0
        for name, sel in cases:
            now_ms = timed(lambda: panels(conn, sel, None), args.repeat)
            then_ms = timed(lambda: panels(conn, sel, pinned), args.repeat)
            worst = max(worst, then_ms / now_ms)
            print(f"explorer panels: {name:17} {now_ms:9.1f} {then_ms:9.1f} {then_ms / now_ms:6.2f}")
        now_ms = timed(lambda: institution_page(conn, top, year, None), args.repeat)
        then_ms = timed(lambda: institution_page(conn, top, year, pinned), args.repeat)
        worst = max(worst, then_ms / now_ms)
        print(f"institution page (largest)         {now_ms:9.1f} {then_ms:9.1f} {then_ms / now_ms:6.2f}")
        changed = conn.execute(select(func.min(budget_line_versions.c.institution_id)).where(
            budget_line_versions.c.valid_until > pinned)).scalar()
        if changed is not None:
            now_ms = timed(lambda: institution_page(conn, changed, year, None), args.repeat)
            then_ms = timed(lambda: institution_page(conn, changed, year, pinned), args.repeat)
            worst = max(worst, then_ms / now_ms)
            print(f"institution page (changed lines)   {now_ms:9.1f} {then_ms:9.1f} {then_ms / now_ms:6.2f}")
            now_ms = timed(lambda: popup(conn, changed, year, None), args.repeat)
            then_ms = timed(lambda: popup(conn, changed, year, pinned), args.repeat)
            worst = max(worst, then_ms / now_ms)
            print(f"map popup (changed lines)          {now_ms:9.1f} {then_ms:9.1f} {then_ms / now_ms:6.2f}")
        now_ms = timed(lambda: explorer.available_years(conn), args.repeat)
        then_ms = timed(lambda: asof.available_years(conn, pinned), args.repeat)
        worst = max(worst, then_ms / now_ms)
        print(f"year slider (available years)      {now_ms:9.1f} {then_ms:9.1f} {then_ms / now_ms:6.2f}")
        now_ms = timed(lambda: map_points(conn, year, None), args.repeat)
        then_ms = timed(lambda: map_points(conn, year, pinned), args.repeat)
        worst = max(worst, then_ms / now_ms)
        print(f"map points layer ids (year)        {now_ms:9.1f} {then_ms:9.1f} {then_ms / now_ms:6.2f}")
    print(f"worst asof/now ratio: {worst:.2f} (target ≤ 2)")


if __name__ == "__main__":
    main()
