"""Stage 5 of an import: cells put in the form the checks expect, and what was taken noted.

- A BIN typed as a number in Excel lost its leading zeros: a number cell of 9 to 11 digits is
  padded back to 12 (a BIN registered in January–September 2000 starts with 000). Text cells
  are left alone: a 9-digit BIN typed as text is a typo, and the check says so.
- Codes in cells of their own (administrator 224 | program 004, as financing plans give them)
  become the program code 224-004.
- Amounts are in tenge unless the column's header («План, тыс. тенге») or a title row
  («Единицы измерения: тыс. тенге») declares thousands or millions; the amount checks then
  convert exactly (cells.parse_amounts).
The header row, when title rows stand above it, and a declared unit and region are noted in
the report, so that a person sees how the file was read.
"""
from __future__ import annotations

import numpy as np

from dashboard.importer.columns import MONEY_FIELDS
from dashboard.importer.places import Places, place_names
from dashboard.importer.reader import Table
from dashboard.importer.report import ImportReport, Term
from dashboard.importer.units import UNIT_NAMES, split_unit


def normalise(table: Table, headers: dict[str, str], kind: str, report: ImportReport) -> Table:
    """The table with BINs padded, program codes joined and amount units set (notes in `report`)."""
    _note_layout(table, report)
    _pad_number_bins(table, headers.get("bin"), report)
    if kind == "lines":
        _join_program_codes(table, headers, report)
        _units(table, headers, report)
    return table


def note_title_region(table: Table, regions: dict[str, str], districts: dict, report: ImportReport) -> None:
    """Note the region a «Регион: …» title row names (informative: each line's institution
    already has its region)."""
    if table.layout is None or table.layout.region is None:
        return
    row, name = table.layout.region
    code = Places(regions, districts).region(name)
    if code:
        report.note("title_region", row=row, value=name, place=place_names(code))
    else:
        report.note("title_region_unknown", row=row, value=name)


def _note_layout(table: Table, report: ImportReport) -> None:
    layout = table.layout
    if layout is not None and layout.title:
        first, last = layout.title[0][0], layout.title[-1][0]
        report.note("header_found", row=layout.header_row, value=" | ".join(table.frame.columns),
                    first=first, last=last)


def _pad_number_bins(table: Table, header: str | None, report: ImportReport) -> None:
    if header is None or table.numbers is None:
        return
    numbers = table.number_cells(header)
    if not numbers.any():
        return
    cells = table.frame[header]
    at = np.flatnonzero(numbers)
    short = cells.iloc[at].str.fullmatch(r"\d{9,11}").to_numpy(dtype=bool)
    if not short.any():
        return
    at = at[short]
    padded = cells.to_numpy(dtype=object, copy=True)
    padded[at] = [v.zfill(12) for v in padded[at]]
    table.frame[header] = padded
    report.note("bin_padded", row=int(table.rows[at[0]]), column=header, value=str(cells.iat[at[0]]),
                padded=padded[at[0]], count=len(at))


def _join_program_codes(table: Table, headers: dict[str, str], report: ImportReport) -> None:
    if "administrator" not in headers or "program" not in headers:
        return
    admin, program = table.frame[headers["administrator"]], table.frame[headers["program"]]
    short = (admin.str.fullmatch(r"\d{1,3}") & program.str.fullmatch(r"\d{1,3}")).to_numpy(dtype=bool)
    joined = program.to_numpy(dtype=object, copy=True)
    joined[short] = (admin[short].str.zfill(3) + "-" + program[short].str.zfill(3)).to_numpy(dtype=object)
    table.frame[headers["program"]] = joined
    if short.any():
        first = int(np.flatnonzero(short)[0])
        report.note("program_joined", row=int(table.rows[first]),
                    column=f"{headers['administrator']}, {headers['program']}", value=joined[first])


def _units(table: Table, headers: dict[str, str], report: ImportReport) -> None:
    layout = table.layout
    declared = layout.unit if layout is not None and layout.unit_row is not None else None
    by_title = []
    for canon in MONEY_FIELDS:
        header = headers.get(canon)
        if header is None:
            continue
        own = split_unit(header)[1]
        unit = own if own is not None else (declared or 0)
        table.units[canon] = unit
        if own is not None:
            report.note("unit_header", row=layout.header_row if layout else 1, column=header,
                        unit=Term(UNIT_NAMES[unit]))
        elif declared is not None:
            by_title.append(header)
    if by_title:
        title = dict(layout.title)[layout.unit_row]
        report.note("unit_title", row=layout.unit_row, value=title, columns=", ".join(by_title),
                    unit=Term(UNIT_NAMES[declared]))
