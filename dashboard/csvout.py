"""CSV and money rendering for the API and the exports (money as exact tenge with two decimals;
text cells that a spreadsheet would run as a formula get a leading apostrophe, see
dashboard.spreadsheet_safety)."""
from __future__ import annotations

import csv
import io

from dashboard.schema import MONEY_COLUMNS
from dashboard.spreadsheet_safety import neutralise


def tenge_text(tiyn: int) -> str:
    """Integer tiyn → '1234567.89', by integer arithmetic (never through float)."""
    tiyn = int(tiyn)
    sign = "-" if tiyn < 0 else ""
    whole, cents = divmod(abs(tiyn), 100)
    return f"{sign}{whole}.{cents:02d}"


def money_to_tenge(row: dict) -> dict:
    """A copy of a row with its money columns as tenge text."""
    return {k: tenge_text(v) if k in MONEY_COLUMNS and v is not None else v for k, v in row.items()}


def csv_text(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) if c in MONEY_COLUMNS else neutralise(row.get(c))
                         for c in columns])
    return out.getvalue()


def csv_stream(rows, columns: list[str]):
    """Yield CSV text in chunks of about 1000 rows (header first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for i, row in enumerate(rows, 1):
        writer.writerow([tenge_text(row[c]) if c in MONEY_COLUMNS else neutralise(row[c]) for c in columns])
        if i % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
