"""Anomaly detectors against the demo's planted ground truth: timing, precision, recall.

Usage:
  python bench/anomaly_quality.py --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
      --template ashyq_anom42 [--years 2020-2025] [--store]

Reads the template database (a full-country demo) directly and never writes to it; with --store
it runs the lead's `dashboard.anomalies.scan.scan` (load, detect, store) on a throwaway copy.
Only this script reads demo_anomalies, to score. Clean flags (on institution-years with no plant)
are re-checked from raw budget_lines with independent SQL; prints Markdown tables.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from dashboard.anomalies import thresholds as th  # noqa: E402
from dashboard.anomalies.detectors import DETECTORS, PLANTED_KIND  # noqa: E402
from dashboard.db import make_engine  # noqa: E402
from queries.anomaly_data import load_scan_data  # noqa: E402
from throwaway import throwaway_postgres  # noqa: E402 - bench/throwaway.py

LINES = "FROM budget_lines WHERE institution_id = :i AND year = :y"
# Independent re-checks of a clean flag from raw budget_lines (plain SQL, not the detectors' code).
CHECKS = {
    "paid_above_plan": lambda c, f: bool(c.execute(text(
        f"SELECT COUNT(*) {LINES} AND paid - plan_adjusted >= :e"), dict(i=f.institution_id, y=f.year,
                                                                          e=th.PAP_MIN_EXCESS)).scalar()),
    "year_end_dumping": lambda c, f: _december(c, f),
    "unit_cost": lambda c, f: _unit_cost(c, f),
    "spike": lambda c, f: _spike(c, f),
    "round_amounts": lambda c, f: _round(c, f),
}


def _december(conn, f) -> bool:
    rows = conn.execute(text("SELECT year, month, SUM(paid) FROM budget_lines WHERE institution_id = :i "
                             "GROUP BY year, month"), dict(i=f.institution_id)).all()
    m = pd.DataFrame(rows, columns=["year", "month", "paid"]).astype(float).pivot(index="year", columns="month")
    ratio = m[("paid", 12)] / m.drop(columns=("paid", 12)).replace(0, float("nan")).mean(axis=1)
    return ratio[f.year] >= th.DUMP_MIN_RATIO and ratio[f.year] >= 1.5 * ratio.drop(f.year).median()


def _unit_cost(conn, f) -> bool:
    sql = ("SELECT i.id, SUM(l.paid) * 1.0 / i.capacity FROM budget_lines l JOIN institutions i ON i.id = "
           "l.institution_id WHERE l.year = :y AND l.specific_code < 400 AND i.capacity > 0 AND i.type_code = "
           "(SELECT type_code FROM institutions WHERE id = :i) GROUP BY i.id, i.capacity")
    cost = dict(conn.execute(text(sql), dict(i=f.institution_id, y=f.year)).all())
    if f.institution_id not in cost:
        return f.evidence.get("basis") == "history"
    return cost[f.institution_id] >= th.UNIT_MIN_RATIO * float(pd.Series(cost).astype(float).median())


def _spike(conn, f) -> bool:
    line, month = f.lines[0], f.lines[0]["months"][0]
    rows = conn.execute(text(f"SELECT month, paid {LINES} AND program_code = :p AND subprogram_code = :s "
                             "AND specific_code = :k"), dict(i=f.institution_id, y=f.year, p=line["program"],
                                                              s=line["subprogram"], k=line["specific"])).all()
    paid = pd.Series(dict(rows)).astype(float)
    return paid[month] >= th.SPIKE_MIN_RATIO * paid.drop(month).median()


def _round(conn, f) -> bool:
    line = f.lines[0]
    rows = conn.execute(text(f"SELECT paid {LINES} AND program_code = :p AND subprogram_code = :s "
                             "AND specific_code = :k AND paid > 0"), dict(i=f.institution_id, y=f.year,
                                                                         p=line["program"], s=line["subprogram"],
                                                                         k=line["specific"])).scalars().all()
    return sum(int(p) % th.ROUND_UNIT == 0 for p in rows) >= 3 or len(rows) - len(set(rows)) >= 3


def run(url: str, years: list[int] | None, store: bool) -> None:
    engine = make_engine(url)
    seconds: dict[str, float] = {}
    with engine.begin() as conn:
        started = time.perf_counter()
        data = load_scan_data(conn, years=years)
        seconds["load"] = time.perf_counter() - started
        flags = {}
        for name, detect in DETECTORS.items():
            started = time.perf_counter()
            flags[name] = detect(data)
            seconds[name] = time.perf_counter() - started
        truth = pd.DataFrame(conn.execute(text("SELECT kind, institution_id, year FROM demo_anomalies")).all(),
                             columns=["kind", "institution_id", "year"])
        if years:
            truth = truth[truth["year"].isin(years)]
        report(conn, data, flags, truth, seconds)
        if store:
            from dashboard.anomalies.scan import scan

            result = scan(conn, years=years)
            print(f"\nscan() with storing: {result.total_seconds:.1f} s "
                  + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()))
    engine.dispose()


def report(conn, data, flags, truth, seconds) -> None:
    planted = {(int(r.institution_id), int(r.year)): r.kind for r in truth.itertuples()}
    pairs = data.lines[["institution_id", "year"]].drop_duplicates()
    all_pairs = len(pairs)
    print(f"institution-years: {all_pairs:,}; planted: {len(truth)} "
          f"({', '.join(f'{k} {v}' for k, v in truth['kind'].value_counts().sort_index().items())})\n")
    print("| planted kind | detector | planted | found | recall | flags | on this kind | precision "
          "| on another kind | clean | clean that hold up |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    examples = []
    for kind, name in PLANTED_KIND.items():
        mine = {p for p, k in planted.items() if k == kind}
        got = {(f.institution_id, f.year) for f in flags[name]}
        other = {p for p in got - mine if p in planted}
        clean = [f for f in flags[name] if (f.institution_id, f.year) not in planted]
        holds = [f for f in clean if CHECKS[name](conn, f)]
        examples += [(name, f) for f in clean[:3]]
        recall = len(mine & got) / len(mine) if mine else float("nan")
        precision = len(mine & got) / len(got) if got else float("nan")
        print(f"| {kind} | {name} | {len(mine)} | {len(mine & got)} | {recall:.3f} | {len(got)} | "
              f"{len(mine & got)} | {precision:.3f} | {len(other)} | {len(clean)} | {len(holds)} |")
    print("\n| detector | flagged institution-years | share | seconds |")
    print("|---|---:|---:|---:|")
    print(f"| load_scan_data | | | {seconds['load']:.1f} |")
    for name, found in flags.items():
        n = len({(f.institution_id, f.year) for f in found})
        warn = " ⚠ above 10 %" if n > 0.1 * all_pairs else ""
        print(f"| {name} | {n:,} | {n / all_pairs:.2%}{warn} | {seconds[name]:.1f} |")
    print(f"| **total load + detect** | | | **{sum(seconds.values()):.1f}** |")
    cross = [(n, f, planted[(f.institution_id, f.year)]) for n, fl in flags.items() if n in PLANTED_KIND.values()
             for f in fl if (f.institution_id, f.year) in planted
             and PLANTED_KIND.get(planted[(f.institution_id, f.year)]) != n]
    print("\nFlags on institution-years planted with another kind (detector ← planted kind): "
          + (", ".join(f"{k} ← {v}: {c}" for (k, v), c in
                       pd.Series([(n, k) for n, _, k in cross]).value_counts().items()) or "none"))
    for name, f in examples[:6]:
        print(f"  clean example: {name} institution {f.institution_id} {f.year}: {f.evidence}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="PostgreSQL server URL (any database on it)")
    parser.add_argument("--template", required=True, help="the full-country demo database, e.g. ashyq_anom42")
    parser.add_argument("--years", help="e.g. 2020-2025 (default: all)")
    parser.add_argument("--store", action="store_true", help="also run scan() with storing, on a throwaway copy")
    args = parser.parse_args()
    years = None
    if args.years:
        first, last = (int(y) for y in args.years.split("-"))
        years = list(range(first, last + 1))
    print(f"## Anomaly detectors on {args.template}\n")
    if args.store:
        with throwaway_postgres(args.url, "ashyq_anom_bench", template=args.template) as url:
            run(url, years, store=True)
    else:
        run(make_url(args.url).set(database=args.template).render_as_string(hide_password=False), years, store=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
