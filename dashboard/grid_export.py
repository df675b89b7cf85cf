"""Files of a grid exactly as shown: visible columns in their order, rows as filtered/sorted.

The CSV is for programs (UTF-8, comma separated, field names as headers, amounts as tenge with a
dot and no grouping: "2507023.00", like the API); the XLSX is the one for spreadsheets.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from dashboard.csvout import tenge_text
from dashboard.schema import MONEY_COLUMNS
from dashboard.spreadsheet_safety import neutralise


def visible_fields(column_defs: list[dict], column_state: list[dict] | None) -> list[str]:
    """The data columns shown, in the grid's order (row actions have no field)."""
    fields = [c["field"] for c in column_defs if c.get("field")]
    if not column_state:
        return fields
    return [s["colId"] for s in column_state if not s.get("hide") and s["colId"] in fields]


def grid_csv(column_defs: list[dict], column_state: list[dict] | None, rows: list[dict]) -> bytes:
    """UTF-8 CSV bytes (no BOM, no totals row): one header of field names, which do not change
    with the page language, and money (integer tiyn in the grid) as exact tenge text."""
    order = visible_fields(column_defs, column_state)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(order)
    for row in rows:
        writer.writerow(["" if row.get(f) in (None, "") else tenge_text(row[f]) if f in MONEY_COLUMNS
                         else neutralise(row.get(f)) for f in order])
    return out.getvalue().encode("utf-8")


def grid_xlsx(column_defs: list[dict], column_state: list[dict] | None, rows: list[dict],
              totals: list[dict] | None = None, title: str = "lines") -> bytes:
    """Workbook bytes. Money (integer tiyn in the grid) becomes exact tenge with 2 decimals."""
    by_field = {c["field"]: c for c in column_defs if c.get("field")}  # row actions have none
    order = visible_fields(column_defs, column_state)
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([neutralise(by_field[f].get("headerName", f)) for f in order])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate([*rows, *(totals or [])], start=2):
        ws.append([Decimal(int(row[f])) / 100 if f in MONEY_COLUMNS and row.get(f) not in (None, "")
                   else neutralise(row.get(f)) for f in order])
        for col, field in enumerate(order, start=1):
            if field in MONEY_COLUMNS:
                ws.cell(number, col).number_format = "#,##0.00"
        if totals and number >= len(rows) + 2:
            for cell in ws[number]:
                cell.font = Font(bold=True)
    for col, field in enumerate(order, start=1):
        ws.column_dimensions[ws.cell(1, col).column_letter].width = 18 if field in MONEY_COLUMNS else 40
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
