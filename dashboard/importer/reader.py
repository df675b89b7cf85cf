"""Reading an import file into a table of strings with the row numbers a user sees.

CSV (comma, semicolon or tab; UTF-8 with or without BOM, or Windows-1251) or XLSX (first
sheet). Every problem with the file as a whole becomes one clear error in the report.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dashboard.importer.report import ImportRejected, ImportReport
from dashboard.importer.xlsx import MAX_CELL_CHARS

DEFAULT_MAX_BYTES = 200 * 1024 * 1024


@dataclass
class Table:
    """The cells of a file as stripped strings; `rows[i]` is the file row of frame row i."""

    frame: pd.DataFrame
    rows: np.ndarray
    source: str  # "csv" or "xlsx"


def read_table(path: Path, report: ImportReport, max_bytes: int = DEFAULT_MAX_BYTES) -> Table:
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
        table = _read_xlsx(path, report)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        _reject(report, "xls")
    else:
        table = _read_csv(path.read_bytes(), report)
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


def _read_csv(data: bytes, report: ImportReport) -> Table:
    text = _decode(data, report)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    # The lines as one Arrow array: a million Python strings would cost more than the parse itself.
    lines = pc.split_pattern(pa.array([normalised], type=pa.large_string()), "\n").flatten()
    first = next((i for i in range(len(lines)) if lines[i].as_py().strip()), None)
    if first is None:
        _reject(report, "empty")
    header_line = lines[first].as_py()
    delimiter = sniff_delimiter(header_line)
    header = [h.strip() for h in next(csv.reader([header_line], delimiter=delimiter))]
    width = len(header)
    if '"' in text:
        records, rows = _parse_quoted(text, delimiter, width, report)
        frame = pd.DataFrame([(r + [""] * width)[:width] for r in records], dtype=object)
        return _finish(frame, header, np.asarray(rows, dtype=np.int64), "csv", report)
    # Fast path: no quoting, so one physical line is one record (Arrow's C++ CSV reader).
    body = lines.slice(first + 1)
    rows = np.arange(first + 2, first + 2 + len(body))
    blank = pc.equal(pc.utf8_trim_whitespace(body), "").to_numpy(zero_copy_only=False)
    kept = np.flatnonzero(~blank)
    if kept.size == 0:
        return _finish(pd.DataFrame(columns=range(width)), header, rows[:0], "csv", report)
    names = [str(i) for i in range(width)]
    # Usually only the empty string after the last newline is blank: a slice then, not a copy.
    kept_lines = body.slice(0, kept.size) if kept[-1] == kept.size - 1 else body.filter(pa.array(~blank))
    joined = pc.binary_join(pa.LargeListArray.from_arrays([0, len(kept_lines)], kept_lines),
                            pa.scalar("\n", pa.large_string()))
    longest = pc.max(pc.binary_length(kept_lines)).as_py() or 0
    try:
        table = pacsv.read_csv(
            pa.BufferReader(joined[0].as_buffer()),  # a block holds at least one whole line
            read_options=pacsv.ReadOptions(column_names=names, block_size=max(1 << 20, longest + 2)),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        _field_counts(body, blank, rows, delimiter, width, report)  # counted only when the parse fails
        _reject(report, "unreadable", reason=str(exc)[:120])
    frame = pa.table({n: pc.utf8_trim_whitespace(table.column(n)) for n in names}).to_pandas()
    frame.columns = range(width)
    return _finish(frame, header, rows[kept], "csv", report, stripped=True)


def _field_counts(body: pa.Array, blank: np.ndarray, rows: np.ndarray, delimiter: str, width: int,
                  report: ImportReport) -> None:
    """Reject the file if a line that is not blank has too few or too many fields."""
    fields = pc.count_substring(body, delimiter).to_numpy(zero_copy_only=False) + 1
    bad = np.flatnonzero((fields != width) & ~blank)
    if bad.size:
        for i in bad[:20]:
            report.error("field_count", row=int(rows[i]), expected=width, found=int(fields[i]))
        if bad.size > 20:
            report.error("more_errors", count=int(bad.size - 20))
        raise ImportRejected(report)


def _parse_quoted(text: str, delimiter: str, width: int, report: ImportReport):
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records, rows, bad = [], [], []
    header_seen = False
    try:
        while True:
            row = reader.line_num + 1  # a quoted record may span lines: the user sees its first
            record = next(reader, None)
            if record is None:
                break
            if not header_seen:
                if any(c.strip() for c in record):
                    header_seen = True
                continue
            if len(record) != width and any(c.strip() for c in record):
                bad.append((row, len(record)))
            records.append(record)
            rows.append(row)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # the limit (131,072) is above MAX_CELL_CHARS
            _reject(report, "cell_too_long", row=row, length=f"> {csv.field_size_limit()}", limit=MAX_CELL_CHARS)
        _reject(report, "unreadable", reason=f"{exc} (line {reader.line_num})")
    if bad:
        for row, n in bad[:20]:
            report.error("field_count", row=row, expected=width, found=n)
        raise ImportRejected(report)
    return records, rows


def _read_xlsx(path: Path, report: ImportReport) -> Table:
    from dashboard.importer.xlsx import read_xlsx_cells  # noqa: PLC0415 - openpyxl only when needed

    filled = read_xlsx_cells(path, report)  # bounded: see xlsx.py
    header_at = next((i for i, (_, cells) in enumerate(filled) if any(c.strip() for c in cells.values())), None)
    if header_at is None:
        _reject(report, "empty")
    cells = filled[header_at][1]
    width = max((col for col, text in cells.items() if text.strip()), default=0)
    header = [cells.get(col, "") for col in range(1, width + 1)]
    records, rows = [], []
    for row, cells in filled[header_at + 1:]:
        last = max(cells)
        if last > width and any(text.strip() for col, text in cells.items() if col > width):
            report.error("field_count", row=row, expected=width, found=last)
        records.append([cells.get(col, "") for col in range(1, width + 1)])
        rows.append(row)
    if report.error_count:
        raise ImportRejected(report)
    frame = pd.DataFrame(records, dtype=object)
    return _finish(frame, [h.strip() for h in header], np.asarray(rows, dtype=np.int64), "xlsx", report)


def _long_cells(frame: pd.DataFrame, rows: np.ndarray, report: ImportReport) -> None:
    """Reject the file if a cell holds more than MAX_CELL_CHARS characters (named, cut short)."""
    for i, name in enumerate(frame.columns):
        lengths = frame.iloc[:, i].str.len().to_numpy()
        for at in np.flatnonzero(lengths > MAX_CELL_CHARS)[:20]:
            report.error("cell_too_long", row=int(rows[at]), column=name, value=frame.iat[at, i][:60],
                         length=int(lengths[at]), limit=MAX_CELL_CHARS)
    if report.error_count:
        raise ImportRejected(report)


def _finish(frame: pd.DataFrame, header: list[str], rows: np.ndarray, source: str, report: ImportReport,
            stripped: bool = False) -> Table:
    if not any(header):
        return Table(pd.DataFrame(), rows[:0], source)
    if not stripped:
        frame = frame.reindex(columns=range(len(header))).fillna("").astype(str)
        for i in range(len(header)):
            frame[i] = frame[i].str.strip()
    # Blank lines (all cells empty) are not rows for the user either.
    keep = np.logical_or.reduce([(frame[c] != "").to_numpy() for c in frame.columns])
    frame = frame.loc[keep].reset_index(drop=True)
    frame.columns = header
    _long_cells(frame, rows[keep], report)
    return Table(frame, rows[keep], source)
