"""Time the budget-lines importer on a 1-million-line CSV file.

Usage:
  python bench/import_lines.py sqlite [--lines 1000000]
  python bench/import_lines.py postgresql --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
  python bench/import_lines.py postgresql --url … --template ashyq_bench17k   # into a full-country copy

Writes an institutions file and a lines file (semicolon, UTF-8, amounts as "1 234 567,89"),
imports the institutions into a throwaway database (a temp SQLite file, or a new PostgreSQL
database, optionally a copy of TEMPLATE, dropped afterwards), then times three line imports
end to end (read, validate, stage, merge, rollups, publication, commit):
  1. new     – every line new;
  2. again   – the same file (every line unchanged: nothing written);
  3. changed – the same file with 1 % of the amounts changed.
Prints Markdown rows for docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import text  # noqa: E402

from dashboard.bin import make_bin  # noqa: E402
from dashboard.db import make_engine, upgrade  # noqa: E402
from dashboard.importer.run import Options, import_institutions, import_lines  # noqa: E402
from queries.reference import seed_reference  # noqa: E402
from throwaway import throwaway_postgres  # noqa: E402 - bench/throwaway.py

SPECIFICS = (111, 112, 113, 116, 121, 122, 124, 141, 142, 149, 151, 152, 159, 169)


def write_files(directory: Path, n_lines: int, seed: int = 1) -> tuple[Path, Path, int]:
    """Institutions (schools in Kokshetau) and their lines for 2026 onwards, n_lines in all."""
    per_institution = 12 * len(SPECIFICS) * 2  # months × specifics × subprograms, per year
    years = 2
    n_inst = -(-n_lines // (per_institution * years))
    bins, serial = [], 1
    while len(bins) < n_inst:
        b = make_bin(22, 7, serial)
        serial += 1
        if b:
            bins.append(b)
    inst = pd.DataFrame({
        "bin": bins, "name_kk": [f"№ {i} мектеп" for i in range(n_inst)],
        "name_ru": [f"Школа № {i}" for i in range(n_inst)], "type": "school", "sector": "education",
        "region": "KZ-11", "district": "KZ-11-01", "address": "г. Кокшетау", "lat": "53.28", "lon": "69.39",
        "budget_level": "district"})
    inst_path = directory / "bench_institutions.csv"
    inst.to_csv(inst_path, index=False)
    grid = np.array(np.meshgrid(np.arange(n_inst), [2026, 2027], np.arange(1, 13), [0, 1], SPECIFICS,
                                indexing="ij")).reshape(5, -1).T[:n_lines]
    rng = np.random.default_rng(seed)
    plan = rng.integers(0, 5_000_000_000, size=len(grid))
    adjusted = plan + rng.integers(0, 100_000_000, size=len(grid))
    obligations = adjusted - rng.integers(0, 1_000_000, size=len(grid)).clip(max=adjusted)
    paid = obligations - (obligations // 20)
    tiyn = np.stack([plan, adjusted, obligations, paid], axis=1)
    frame = pd.DataFrame({
        "bin": np.asarray(bins, dtype=object)[grid[:, 0]], "year": grid[:, 1], "month": grid[:, 2],
        "functional_group": "04", "program": "464-003", "subprogram": np.where(grid[:, 3] == 0, "015", "011"),
        "specific": grid[:, 4]})
    for i, name in enumerate(("plan", "plan_adjusted", "obligations", "paid")):
        frame[name] = _money_text(tiyn[:, i])
    lines_path = directory / "bench_lines.csv"
    frame.to_csv(lines_path, index=False, sep=";")
    return inst_path, lines_path, len(frame)


def _money_text(tiyn: np.ndarray) -> pd.Series:
    whole = pd.Series(tiyn // 100).map("{:,}".format).str.replace(",", " ")
    return whole + "," + pd.Series(tiyn % 100).map("{:02d}".format)


def _change_one_percent(src: Path, dst: Path) -> None:
    frame = pd.read_csv(src, sep=";", dtype=str)
    frame.loc[::100, "paid"] = "1,00"
    frame.to_csv(dst, index=False, sep=";")


def run(url: str, work: Path, n_lines: int) -> list[str]:
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_reference(conn)
    t0 = time.perf_counter()
    inst_path, lines_path, n = write_files(work, n_lines)
    print(f"files written in {time.perf_counter() - t0:.1f} s: {lines_path.stat().st_size / 1e6:.0f} MB, {n:,} lines")
    assert import_institutions(engine, inst_path).status == "loaded"
    changed = work / "bench_lines_changed.csv"
    _change_one_percent(lines_path, changed)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM budget_lines")).scalar_one()
    rows = []
    for label, path in (("new", lines_path), ("again", lines_path), ("changed", changed)):
        report = import_lines(engine, path, Options())
        assert report.status == "loaded", report.summary("en")
        rate = n / report.seconds
        print(f"{label}: {report.seconds:.1f} s, {rate:,.0f} lines/s, {report.inserted:,} new, "
              f"{report.updated:,} updated, {report.unchanged:,} unchanged")
        rows.append(f"| {dt.date.today()} | vm (2 cores) | {engine.dialect.name} | {before:,} | {label} | "
                    f"{n:,} | {report.inserted:,} / {report.updated:,} / {report.unchanged:,} | "
                    f"{report.seconds:.1f} s | {rate:,.0f} lines/s |")
    engine.dispose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--template", help="PostgreSQL database to copy first (e.g. ashyq_bench17k)")
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.backend == "sqlite":
            rows = run(f"sqlite:///{work / 'bench.sqlite3'}", work, args.lines)
        else:
            with throwaway_postgres(args.url, "ashyq_bench_import", args.template) as url:
                rows = run(url, work, args.lines)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
