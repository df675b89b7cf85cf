"""Stage 2 of an import (the reader calls it): the header row below any title rows, and the unit.

Real financing plans and execution reports open with title rows (organisation, form title,
«Регион: …», «Период: 2026 год», «Единицы измерения: тыс. тенге», …) and may number the
columns on the row under the header (1, 2, 3, …). The header is the first row, among the
first MAX_TITLE_ROWS, that names at least MIN_KNOWN columns of the file's kind; a unit is
declared in a header cell («План, тыс. тенге») or a title row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashboard.importer.columns import known_header
from dashboard.importer.units import unit_of

MAX_TITLE_ROWS = 60  # rows looked at for the header
MIN_KNOWN = 3  # recognised column names that make a row the header

_REGION_TITLE = re.compile(r"^\s*(?:регион|область|облыс|өңір|region)\s*[:\-–]\s*(?P<name>\S.*?)\s*$", re.IGNORECASE)


@dataclass
class Layout:
    """Where the table starts and what the rows above it declare."""

    header_at: int  # index of the header among the rows given to find_layout
    header_row: int  # the header's row number in the file
    title: list[tuple[int, str]] = field(default_factory=list)  # (row, text) of the rows above it
    numbering_row: int | None = None  # a row numbering the columns (1, 2, 3, …) right under the header
    unit: int = 0  # digits: 0 tenge, 3 thousands, 6 millions
    unit_row: int | None = None  # the title row that declared it
    region: tuple[int, str] | None = None  # (row, name) of a «Регион: …» title row


def find_layout(rows: list[tuple[int, list[str]]], kind: str) -> Layout | None:
    """The layout of the first rows of a file, [(row number, cells)]; None when all are blank."""
    filled = [i for i, (_, cells) in enumerate(rows) if any(c.strip() for c in cells)]
    if not filled:
        return None
    header_at = next((i for i in filled[:MAX_TITLE_ROWS]
                      if sum(known_header(c, kind) for c in rows[i][1] if c.strip()) >= MIN_KNOWN), filled[0])
    layout = Layout(header_at, rows[header_at][0])
    for row, cells in rows[:header_at]:
        text = " ".join(c.strip() for c in cells if c.strip())
        if not text:
            continue
        layout.title.append((row, text))
        unit = unit_of(text)
        if unit is not None and layout.unit_row is None:
            layout.unit, layout.unit_row = unit, row
        match = _REGION_TITLE.match(text)
        if match and layout.region is None:
            layout.region = (row, match["name"])
    after = header_at + 1
    if after < len(rows) and _numbering(rows[after][1]):
        layout.numbering_row = rows[after][0]
    return layout


def _numbering(cells: list[str]) -> bool:
    """A row of column numbers 1, 2, 3, … (Excel forms number their columns under the header)."""
    values = [c.strip() for c in cells if c.strip()]
    return len(values) >= MIN_KNOWN and values == [str(i) for i in range(1, len(values) + 1)]
