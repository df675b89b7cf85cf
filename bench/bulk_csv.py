"""Bulk CSV download: time and peak memory of streaming one year's lines through /api/v1/bulk/lines.

Usage: python bench/bulk_csv.py DATABASE_URL YEAR
Runs the real Flask app in-process (test client, no network) and reads the stream to the end.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from dashboard.config import load_config  # noqa: E402


def main() -> int:
    url, year = sys.argv[1], int(sys.argv[2])
    app = create_app(load_config({"DATABASE_URL": url, "ASHYQ_VAR_DIR": tempfile.mkdtemp()}))
    client = app.server.test_client()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(f"/api/v1/bulk/lines?year={year}", buffered=False)
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{lines - 1:,} lines, {size / 1e6:.0f} MB CSV in {seconds:.1f} s "
          f"({(lines - 1) / seconds:,.0f} lines/s); peak RSS {before / 1024:.0f} MB before, {peak / 1024:.0f} MB after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
