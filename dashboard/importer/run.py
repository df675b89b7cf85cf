"""Importing institutions and budget lines: one straight pipeline, all or nothing.

read (reader.py, xlsx.py) → find the header and unit (header.py, units.py) → map the columns
(columns.py) → skip numbering, totals and signature rows (rows.py) → normalise cells
(normalise.py) → check and write (write.py: lines.py or institutions.py on cells.py, stream.py).
One transaction per import: rows, rollups and the publications log commit together or not
at all (a dry run rolls back at the end, so its counts say what an import would do).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from tqdm import tqdm

from dashboard.importer.columns import match_columns
from dashboard.importer.normalise import normalise
from dashboard.importer.reader import DEFAULT_MAX_BYTES, Table, read_table
from dashboard.importer.report import ImportRejected, ImportReport
from dashboard.importer.rows import skip_non_data
from dashboard.importer.stream import CHUNK_ROWS
from dashboard.importer.write import check_and_write
from queries.rollups import RollupOverflow


@dataclass
class Options:
    dry_run: bool = False
    skip_invalid: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    boundaries_path: Path | None = None  # polygons for "inside Kazakhstan"; else stored ones
    progress: bool = False
    source: str = "import"  # publications.source: "import" (CLI) or "upload" (web)
    published_by: str | None = None  # the uploader's display name (web); the citable views show it
    chunk_rows: int = CHUNK_ROWS  # lines checked and written per step (see stream.py)


class _Stages:
    def __init__(self, names: list[str], enabled: bool):
        self.bar = tqdm(total=len(names), unit="step", disable=not enabled, leave=False)
        self.names = iter(names)

    def next(self) -> None:
        self.bar.set_description(next(self.names, ""))
        self.bar.update()

    def close(self) -> None:
        self.bar.close()


def _read(path: Path, kind: str, report: ImportReport, options: Options) -> tuple[Table, dict[str, str]]:
    """The stages before the database, in order; raises ImportRejected when the file cannot go on."""
    table = read_table(path, report, options.max_bytes, kind)  # reader.py, xlsx.py, header.py
    headers = match_columns(table, kind, report)  # columns.py
    table = skip_non_data(table, headers.get("bin"), report)  # rows.py
    table = normalise(table, headers, kind, report)  # normalise.py
    report.rows_read += len(table.frame)
    return table, headers


def import_institutions(engine: Engine, path: Path, options: Options | None = None) -> ImportReport:
    """Import an institutions file (upsert by BIN)."""
    options = options or Options()
    report = ImportReport("institutions", Path(path).name, dry_run=options.dry_run)
    return _run(engine, report, options, institutions_path=Path(path), lines_path=None)


def import_lines(engine: Engine, path: Path, options: Options | None = None,
                 institutions_path: Path | None = None) -> ImportReport:
    """Import a budget-lines file, optionally with the institutions it introduces."""
    options = options or Options()
    report = ImportReport("lines", Path(path).name, dry_run=options.dry_run)
    return _run(engine, report, options, institutions_path=institutions_path, lines_path=Path(path))


def _run(engine: Engine, report: ImportReport, options: Options, institutions_path: Path | None,
         lines_path: Path | None) -> ImportReport:
    started = time.perf_counter()
    stages = _Stages(["read", "validate", "write", "rollups", "commit"], options.progress)
    try:
        inst_table = lines_table = None
        inst_report = ImportReport("institutions", institutions_path.name) if institutions_path else None
        if institutions_path:
            try:
                inst_table = _read(institutions_path, "institutions", inst_report, options)
            finally:
                _merge_reports(report, inst_report, counts=lines_path is not None)
        if lines_path:
            lines_table = _read(lines_path, "lines", report, options)
        stages.next()
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                try:
                    check_and_write(conn, report, options, inst_table, inst_report, lines_table, stages)
                except RollupOverflow:
                    report.error("totals_overflow")
                    report.rows_skipped, report.written = report.rows_read, False
                if options.dry_run or not report.written:
                    transaction.rollback()
                else:
                    transaction.commit()
                    stages.next()
            except BaseException:
                transaction.rollback()
                raise
    except ImportRejected:
        report.written = False
    finally:
        stages.close()
    report.seconds = time.perf_counter() - started
    return report


def _merge_reports(report: ImportReport, other: ImportReport, counts: bool) -> None:
    """Fold a companion file's issues into the main report."""
    report.issues.extend(other.issues)
    report.error_count += other.error_count
    report.warning_count += other.warning_count
    report.note_count += other.note_count
    other.issues.clear()
    other.error_count = other.warning_count = other.note_count = 0
    if not counts:
        report.rows_read += other.rows_read
