"""Time and peak memory of importing an XLSX whose used range reaches column 16,149 (issue 13).

Usage:
  python bench/import_phantom_range.py [--lines 100000]

Writes two XLSX files of bench/import_lines.py's budget lines (numbers typed as numbers, as
Excel users do; BINs as numbers too, amounts with tiyn):
plain, and with one styled empty cell in column 16,149 (WVD) on the header row — the used
range real financing plans declare. Each is imported (a dry run: read, check every cell,
write, roll back) into a throwaway SQLite database in a child process of its own, which
reports its wall time and peak resident memory (ru_maxrss). Prints one Markdown row per file.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PHANTOM_COLUMN = 16_149


def write_xlsx(path: Path, bins: list[str], n_lines: int, phantom: bool) -> None:
    """The lines bench/import_lines.py writes as CSV, as a write-only workbook of numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from import_lines import SPECIFICS  # noqa: PLC0415 - bench/import_lines.py

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    header = ["bin", "year", "month", "functional_group", "program", "subprogram", "specific",
              "plan", "plan_adjusted", "obligations", "paid"]
    if phantom:
        styled = WriteOnlyCell(sheet, value=None)
        styled.number_format = "0.00"
        sheet.append(header + [None] * (PHANTOM_COLUMN - len(header) - 1) + [styled])
    else:
        sheet.append(header)
    lines = ((b, year, month, sub, spec) for b in bins for year in (2026, 2027) for month in range(1, 13)
             for sub in (15, 11) for spec in SPECIFICS)
    for _, (b, year, month, sub, spec) in zip(range(n_lines), lines):
        base = 1_000_000 + spec * 1000 + month
        sheet.append([int(b), year, month, 4, "464-003", sub, spec, base + 0.5, base + 100.25, base, base - 1 + 0.99])
    book.save(path)


def child(args) -> None:
    """Import one file into a fresh SQLite database; print wall time and peak RSS as JSON."""
    from dashboard.db import make_engine, upgrade
    from dashboard.importer.run import Options, import_institutions, import_lines
    from queries.reference import seed_reference

    folder = Path(args.folder)
    url = f"sqlite:///{folder / (Path(args.file).stem + '.sqlite3')}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        seed_reference(conn)
    assert import_institutions(engine, folder / "institutions.csv").status == "loaded"
    started = time.perf_counter()
    report = import_lines(engine, Path(args.file), Options(dry_run=True))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "status": report.status, "rows": report.rows_read, "errors": report.error_count}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        from import_lines import write_files  # noqa: PLC0415 - bench/import_lines.py

        inst_path, _, _ = write_files(folder, args.lines)
        inst_path.rename(folder / "institutions.csv")
        bins = (folder / "institutions.csv").read_text(encoding="utf-8").splitlines()
        bins = [line.split(",")[0] for line in bins[1:]]
        results = {}
        for phantom in (False, True):
            path = folder / ("phantom.xlsx" if phantom else "plain.xlsx")
            write_xlsx(path, bins, args.lines, phantom)
            out = subprocess.run([sys.executable, __file__, "--child", "--file", str(path), "--folder", tmp],
                                 check=True, capture_output=True, text=True).stdout
            results[phantom] = json.loads(out.strip().splitlines()[-1])
            r = results[phantom]
            print(f"| {'phantom range (WVD)' if phantom else 'plain'} | {path.stat().st_size / 1e6:.1f} MB | "
                  f"{r['rows']:,} | {r['status']} | {r['seconds']:.1f} s | {r['rss_mb']:.0f} MB |", flush=True)
        print(f"time ratio phantom/plain: {results[True]['seconds'] / results[False]['seconds']:.2f}")


if __name__ == "__main__":
    main()
