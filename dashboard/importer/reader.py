"""Stage 1 of an import, reading: a file into a table of strings with the row numbers a user sees.

CSV (comma, semicolon or tab; UTF-8 with or without BOM, or Windows-1251) or XLSX (first
sheet). The header is found below any title rows (header.py); columns right of the last named
one are dropped when they are empty (trailing delimiters, an XLSX's used range), and a row
whose number of fields is wrong is remembered, not refused here: it may be a signature row
(rows.py decides). Every problem with the file as a whole becomes one clear error in the report.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dashboard.importer.header import MAX_TITLE_ROWS, Layout, find_layout
from dashboard.importer.report import ImportRejected, ImportReport
from dashboard.importer.xlsx import MAX_CELL_CHARS

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
MAX_LEADING_LINES = 10_000  # blank lines looked through for the title rows and the header
MAX_ODD_LINES = 10_000  # lines of another length parsed one by one beside Arrow's parse of the rest


@dataclass
class Table:
    """The cells of a file as stripped strings; `rows[i]` is the file row of frame row i."""

    frame: pd.DataFrame
    rows: np.ndarray
    source: str  # "csv" or "xlsx"
    layout: Layout | None = None
    numbers: np.ndarray | None = None  # XLSX: per row, bit c set when column c (0-based) held a number
    fields: np.ndarray | None = None  # per row: its number of fields where not the header's, else 0
    units: dict[str, int] = field(default_factory=dict)  # money column → unit (10**unit tenge), normalise.py

    def number_cells(self, header: str) -> np.ndarray:
        """Which cells of a column were number cells in the XLSX (none in a CSV)."""
        if self.numbers is None or not len(self.frame):
            return np.zeros(len(self.frame), dtype=bool)
        bit = 1 << list(self.frame.columns).index(header)
        return np.fromiter(((m & bit) != 0 for m in self.numbers), dtype=bool, count=len(self.numbers))

    def take(self, keep: np.ndarray) -> "Table":
        """The rows where keep is true."""
        frame = self.frame.loc[keep].reset_index(drop=True)
        return Table(frame, self.rows[keep], self.source, self.layout,
                     None if self.numbers is None else self.numbers[keep],
                     None if self.fields is None else self.fields[keep], self.units)

    def slice(self, start: int, stop: int) -> "Table":
        """Rows start:stop (a chunk of the file)."""
        return Table(self.frame.iloc[start:stop].reset_index(drop=True), self.rows[start:stop], self.source,
                     self.layout, None if self.numbers is None else self.numbers[start:stop],
                     None if self.fields is None else self.fields[start:stop], self.units)


def read_table(path: Path, report: ImportReport, max_bytes: int = DEFAULT_MAX_BYTES,
               kind: str = "lines") -> Table:
    """Read `path` or raise ImportRejected with one clear error in `report`."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            _reject(report, "too_big", size=_mb(size), limit=_mb(max_bytes))
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        _reject(report, "unreadable", reason=exc.strerror or str(exc))
    if size == 0:
        _reject(report, "empty")
    if head.startswith(b"PK\x03\x04"):
        table = _read_xlsx(path, report, kind)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        _reject(report, "xls")
    else:
        table = _read_csv(path.read_bytes(), report, kind)
    if len(table.frame.columns) == 0:
        _reject(report, "empty")
    if len(table.frame) == 0:
        _reject(report, "header_only")
    return table


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def _reject(report: ImportReport, code: str, **params):
    report.error(code, **params)
    raise ImportRejected(report)


def _decode(data: bytes, report: ImportReport) -> str:
    if b"\x00" in data[:65536] or _control_share(data[:65536]) > 0.01:
        _reject(report, "binary")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        _reject(report, "encoding")


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls / len(sample)


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ; , and tab in the header line (outside quotes)."""
    unquoted = "".join(part for i, part in enumerate(header_line.split('"')) if i % 2 == 0)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a huge or broken cell: not a header; the body's parse reports it
        return [line[:MAX_CELL_CHARS]]


def _width(cells: list[str]) -> int:
    """Cells up to the last non-empty one."""
    return max((i + 1 for i, c in enumerate(cells) if c.strip()), default=0)


def _read_csv(data: bytes, report: ImportReport, kind: str) -> Table:
    text = _decode(data, report)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    # The lines as one Arrow array: a million Python strings would cost more than the parse itself.
    lines = pc.split_pattern(pa.array([normalised], type=pa.large_string()), "\n").flatten()
    leading = []  # (row, cells, delimiter) of the first lines: title rows and the header among them
    for i in range(min(len(lines), MAX_LEADING_LINES)):
        line = lines[i].as_py()
        if line.strip():
            delimiter = sniff_delimiter(line)
            leading.append((i + 1, _split(line, delimiter), delimiter))
            if len(leading) > MAX_TITLE_ROWS + 1:
                break
    layout = find_layout([(row, cells) for row, cells, _ in leading], kind)
    if layout is None:
        _reject(report, "empty")
    _, header_cells, delimiter = leading[layout.header_at]
    first = layout.header_row - 1  # index of the header line
    header = [h.strip() for h in header_cells]
    width = _width(header)
    body = lines.slice(first + 1)
    quoted = pc.any(pc.match_substring(body, '"')).as_py() if len(body) else False
    if quoted:
        return _python_records(normalised, delimiter, header, width, layout, report)
    # Fast path: no quoting, so one physical line is one record (Arrow's C++ CSV reader).
    rows = np.arange(first + 2, first + 2 + len(body))
    blank = pc.equal(pc.utf8_trim_whitespace(body), "").to_numpy(zero_copy_only=False)
    kept = np.flatnonzero(~blank)
    if kept.size == 0:
        return _finish(pd.DataFrame(columns=range(width)), header[:width], rows[:0], "csv", layout, report)
    names = [str(i) for i in range(len(header))]
    # Usually only the empty string after the last newline is blank: a slice then, not a copy.
    kept_lines = body.slice(0, kept.size) if kept[-1] == kept.size - 1 else body.filter(pa.array(~blank))
    try:
        table = _arrow_parse(kept_lines, names, delimiter)
    except pa.ArrowInvalid:
        # Rows of other lengths (a signature row, trailing delimiters on some lines): when they are
        # few, Arrow parses the others and Python these; else everything row by row.
        counts = pc.count_substring(kept_lines, delimiter).to_numpy(zero_copy_only=False) + 1
        odd = counts != len(names)
        if not odd.any() or odd.sum() > MAX_ODD_LINES:
            return _python_records(normalised, delimiter, header, width, layout, report)
        try:
            table = _arrow_parse(kept_lines.filter(pa.array(~odd)), names, delimiter)
        except pa.ArrowInvalid:
            return _python_records(normalised, delimiter, header, width, layout, report)
        return _mixed(table, kept_lines, odd, names, delimiter, header, width, rows[kept], layout, report)
    columns = {n: pc.utf8_trim_whitespace(table.column(n)) for n in names}
    fields = None
    if width < len(names):  # a delimiter after the last named column: its cells must be empty
        extra = np.logical_or.reduce([pc.not_equal(columns[n], "").to_numpy(zero_copy_only=False)
                                      for n in names[width:]])
        if extra.any():
            fields = np.where(extra, len(names), 0)
    frame = pa.table({n: columns[n] for n in names[:width]}).to_pandas()
    frame.columns = range(width)
    return _finish(frame, header[:width], rows[kept], "csv", layout, report, stripped=True, fields=fields)


def _arrow_parse(lines: pa.Array, names: list[str], delimiter: str) -> pa.Table:
    """Unquoted lines of exactly len(names) fields, as string columns (Arrow's C++ CSV reader)."""
    joined = pc.binary_join(pa.LargeListArray.from_arrays([0, len(lines)], lines),
                            pa.scalar("\n", pa.large_string()))
    longest = pc.max(pc.binary_length(lines)).as_py() or 0
    return pacsv.read_csv(
        pa.BufferReader(joined[0].as_buffer()),  # a block holds at least one whole line
        read_options=pacsv.ReadOptions(column_names=names, block_size=max(1 << 20, longest + 2)),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))


def _mixed(table: pa.Table, lines: pa.Array, odd: np.ndarray, names: list[str], delimiter: str,
           header: list[str], width: int, rows: np.ndarray, layout: Layout, report: ImportReport) -> Table:
    """The regular lines parsed by Arrow (`table`) and the few `odd` ones by Python, in file order."""
    n = len(odd)
    fields = np.zeros(n, dtype=np.int64)
    cells = {}
    for i, name in enumerate(names):
        column = np.empty(n, dtype=object)
        column[~odd] = pc.utf8_trim_whitespace(table.column(name)).to_numpy(zero_copy_only=False)
        cells[i] = column
    good_extra = [cells[i][~odd] != "" for i in range(width, len(names))]
    if good_extra:
        fields[~odd] = np.where(np.logical_or.reduce(good_extra), len(names), 0)
    for at in np.flatnonzero(odd):
        record = [c.strip() for c in _split(lines[int(at)].as_py(), delimiter)]
        found = len(record)
        if found > width and not any(record[width:]):
            record = record[:width]
        if len(record) != width and any(record):
            fields[at] = found
        record = (record + [""] * width)[:width]
        for i in range(width):
            cells[i][at] = record[i]
    frame = pd.DataFrame({i: cells[i] for i in range(width)})
    return _finish(frame, header[:width], rows, "csv", layout, report, stripped=True,
                   fields=fields if fields.any() else None)


def _python_records(text: str, delimiter: str, header: list[str], width: int, layout: Layout,
                    report: ImportReport) -> Table:
    """Quoted cells (which may hold delimiters and line breaks), or rows of different lengths."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records, rows, fields = [], [], []
    row = 1
    try:
        while True:
            row = reader.line_num + 1  # a quoted record may span lines: the user sees its first
            record = next(reader, None)
            if record is None:
                break
            if row <= layout.header_row:
                continue
            found = len(record)
            if found > width and not any(c.strip() for c in record[width:]):
                record = record[:width]  # trailing delimiters, empty cells right of the table
            wrong = len(record) != width and any(c.strip() for c in record)
            fields.append(found if wrong else 0)
            records.append((record + [""] * width)[:width])
            rows.append(row)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # the limit (131,072) is above MAX_CELL_CHARS
            _reject(report, "cell_too_long", row=row, length=f"> {csv.field_size_limit()}", limit=MAX_CELL_CHARS)
        _reject(report, "unreadable", reason=f"{exc} (line {reader.line_num})")
    frame = pd.DataFrame(records, columns=range(width), dtype=object)
    fields = np.asarray(fields, dtype=np.int64)
    return _finish(frame, header[:width], np.asarray(rows, dtype=np.int64), "csv", layout, report,
                   fields=fields if fields.any() else None)


def _read_xlsx(path: Path, report: ImportReport, kind: str) -> Table:
    from dashboard.importer.xlsx import MAX_COLUMNS, read_xlsx_cells  # noqa: PLC0415 - openpyxl only when needed

    filled = read_xlsx_cells(path, report)  # bounded: see xlsx.py
    leading = [(row, [cells.get(c, "") for c in range(1, min(max(cells), MAX_COLUMNS) + 1)])
               for row, cells, _ in filled[:MAX_TITLE_ROWS + 1]]
    layout = find_layout(leading, kind)
    if layout is None:
        _reject(report, "empty")
    header = [h.strip() for h in leading[layout.header_at][1]]
    width = _width(header)
    records, rows, numbers, fields = [], [], [], []
    for row, cells, number_bits in filled[layout.header_at + 1:]:
        last = max(cells)
        wrong = last > width and any(text.strip() for col, text in cells.items() if col > width)
        fields.append(last if wrong else 0)
        records.append([cells.get(col, "") for col in range(1, width + 1)])
        rows.append(row)
        numbers.append(number_bits >> 1)  # bit c for 0-based column c
    frame = pd.DataFrame(records, columns=range(width), dtype=object)
    fields = np.asarray(fields, dtype=np.int64)
    return _finish(frame, header[:width], np.asarray(rows, dtype=np.int64), "xlsx", layout, report,
                   numbers=np.asarray(numbers, dtype=object), fields=fields if fields.any() else None)


def _long_cells(frame: pd.DataFrame, rows: np.ndarray, report: ImportReport) -> None:
    """Reject the file if a cell holds more than MAX_CELL_CHARS characters (named, cut short)."""
    for i, name in enumerate(frame.columns):
        lengths = frame.iloc[:, i].str.len().to_numpy()
        for at in np.flatnonzero(lengths > MAX_CELL_CHARS)[:20]:
            report.error("cell_too_long", row=int(rows[at]), column=name, value=frame.iat[at, i][:60],
                         length=int(lengths[at]), limit=MAX_CELL_CHARS)
    if report.error_count:
        raise ImportRejected(report)


def _finish(frame: pd.DataFrame, header: list[str], rows: np.ndarray, source: str, layout: Layout,
            report: ImportReport, stripped: bool = False, numbers: np.ndarray | None = None,
            fields: np.ndarray | None = None) -> Table:
    if not any(header):
        return Table(pd.DataFrame(), rows[:0], source, layout)
    if not stripped:
        frame = frame.reindex(columns=range(len(header))).fillna("").astype(str)
        for i in range(len(header)):
            frame[i] = frame[i].str.strip()
    # Blank lines (all cells empty) are not rows for the user either.
    keep = np.logical_or.reduce([(frame[c] != "").to_numpy() for c in frame.columns])
    if fields is not None:
        keep |= fields > 0  # a row with cells only beyond the header's columns is not blank
    if not keep.all():
        frame = frame.loc[keep].reset_index(drop=True)
        rows = rows[keep]
        numbers = None if numbers is None else numbers[keep]
        fields = None if fields is None else fields[keep]
    frame.columns = header
    _long_cells(frame, rows, report)
    return Table(frame, rows, source, layout, numbers, fields)
