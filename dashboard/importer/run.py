"""Importing institutions and budget lines: read, validate, then write all or nothing.

One transaction per import: rows, rollups and the publications log commit together or not
at all (a dry run rolls back at the end, so its counts say what an import would do).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from tqdm import tqdm

from dashboard.geo import load_region_polygons
from dashboard.importer.cells import Checker
from dashboard.importer.columns import map_columns
from dashboard.importer.institutions import check_institutions
from dashboard.importer.lines import check_lines, line_arrays
from dashboard.importer.reader import DEFAULT_MAX_BYTES, Table, read_table
from dashboard.importer.report import ImportRejected, ImportReport
from dashboard.importer.stream import CHUNK_ROWS, check_and_write_lines
from queries import imports as q
from queries.bulk import log_publication
from queries.rollups import RollupOverflow, refresh_rollups
from queries.search import refresh_search_index

ROLLUP_ID_LIMIT = 2000  # above this many institutions, recompute the affected years whole


@dataclass
class Options:
    dry_run: bool = False
    skip_invalid: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    boundaries_path: Path | None = None  # polygons for "inside Kazakhstan"; else stored ones
    progress: bool = False
    source: str = "import"  # publications.source: "import" (CLI) or "upload" (web)
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
    """Read a file and match its header, or raise ImportRejected."""
    table = read_table(path, report, options.max_bytes)
    headers, unknown, duplicates, missing = map_columns(list(table.frame.columns), kind)
    for header in unknown:
        report.error("unknown_column", row=1, column=header or "(empty)")
    for canon, names in duplicates:
        report.error("duplicate_column", row=1, column=", ".join(names), canonical=canon)
    for canon in missing:
        report.error("missing_column", row=1, column=canon)
    if report.error_count:
        raise ImportRejected(report)
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
                    _validate_and_write(conn, report, options, inst_table, inst_report, lines_table, stages)
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
    other.issues.clear()
    other.error_count = other.warning_count = 0
    if not counts:
        report.rows_read += other.rows_read


def _validate_and_write(conn, report: ImportReport, options: Options, inst_table, inst_report,
                        lines_table, stages: _Stages) -> None:
    known = q.institution_ids(conn)
    inst_frame, named = None, set()
    if inst_table is not None:
        table, headers = inst_table
        polygons = (load_region_polygons(options.boundaries_path) if options.boundaries_path
                    else q.stored_polygons(conn)) or None
        checker = Checker(report, table.frame, table.rows, headers, file=inst_report.file)
        frame = check_institutions(table, checker, q.load_vocabulary(conn), polygons)
        inst_frame = frame[~checker.invalid]
        named = set(frame["bin"])  # normalised (XLSX BINs padded), valid or not
        if lines_table is None:
            report.rows_skipped = int(checker.invalid.sum())
        else:
            report.details["institutions_skipped"] = int(checker.invalid.sum())
    cls = q.load_classification(conn) if lines_table is not None else None
    # Every BIN of the companion file counts as known to the lines: a line whose institution row
    # is wrong is not a second error; with --skip-invalid it is skipped with its institution.
    known_bins = set(known) | named
    if lines_table is not None and not options.skip_invalid and not report.error_count:
        # All or nothing and nothing wrong so far: write while checking (stream.py), and let the
        # caller roll back if a later row turns out wrong.
        moved, known = _upsert_institutions(conn, report, inst_frame, known, with_lines=True)
        stages.next()
        changes = check_and_write_lines(conn, report, *lines_table, cls, known_bins, known, options.chunk_rows)
        if changes is None:
            report.rows_skipped = report.rows_read
            return
        lines_written = True
    else:
        lines_frame = None
        if lines_table is not None:
            table, headers = lines_table
            checker = Checker(report, table.frame, table.rows, headers)
            frame = check_lines(table, checker, cls, known_bins)
            if inst_frame is not None and options.skip_invalid:
                dropped = named - set(inst_frame["bin"]) - set(known)
                checker.flag(frame["bin"].isin(dropped).to_numpy() & ~checker.invalid, "institution_rejected", "bin")
            lines_frame = frame[~checker.invalid]
            report.rows_skipped = int(checker.invalid.sum())
        stages.next()
        if report.error_count and not options.skip_invalid:
            report.rows_skipped = report.rows_read
            return
        moved, known = _upsert_institutions(conn, report, inst_frame, known, with_lines=lines_frame is not None)
        changes = (q.roll_up_appended(conn, q.merge_lines(conn, line_arrays(lines_frame, known)))
                   if lines_frame is not None else None)
        lines_written = lines_frame is not None
    affected: list[tuple[int, int]] = []
    rolled_up: frozenset[tuple[int, int]] = frozenset()
    if changes is not None:
        report.inserted, report.updated, report.unchanged = changes.inserted, changes.updated, changes.unchanged
        affected, rolled_up = changes.affected, changes.rolled_up
    stages.next()
    if moved is not None and moved.moved_ids:
        refresh_rollups(conn, moved.moved_ids, None, moved.old_regions, moved.old_districts)
    stale = [a for a in affected if a not in rolled_up]
    if stale:
        ids = sorted({a[0] for a in stale})
        refresh_rollups(conn, ids if len(ids) <= ROLLUP_ID_LIMIT else None, {a[1] for a in stale})
    if not options.dry_run:
        _rescore(conn, affected, moved)
    stages.next()
    changed_inst = (moved.inserted + moved.updated) if moved else 0
    changed_lines = report.inserted + report.updated if lines_written else 0
    if changed_inst or changed_lines:
        report.publication_id = log_publication(
            conn, options.source, report.kind, _description(report),
            changed_inst or len({a[0] for a in affected}), changed_lines)
    report.written = True


def _rescore(conn, affected: list[tuple[int, int]], moved) -> None:
    """Rescore the anomaly flags of what the import touched, in its transaction: the years an
    institution's lines changed, and every year of an institution that moved (new peers)."""
    from dashboard.anomalies.scan import scan

    moved_ids = sorted(set(moved.moved_ids)) if moved is not None and moved.moved_ids else []
    if moved_ids:
        scan(conn, institution_ids=moved_ids)
    touched = sorted({i for i, _ in affected} - set(moved_ids))
    if touched:
        scan(conn, institution_ids=touched, years=sorted({y for _, y in affected}))


def _upsert_institutions(conn, report: ImportReport, frame: pd.DataFrame | None, ids: dict[str, int],
                         with_lines: bool):
    """Upsert the institutions file's valid rows, if any, and count them; returns what moved
    (None without a file) and BIN → id afterwards."""
    if frame is None:
        return None, ids
    moved = q.upsert_institutions(conn, frame)
    counts = (moved.inserted, moved.updated, moved.unchanged)
    if with_lines:
        report.details["institutions"] = dict(zip(("inserted", "updated", "unchanged"), counts))
    else:
        report.inserted, report.updated, report.unchanged = counts
    ids = q.institution_ids(conn)
    refresh_search_index(conn, [ids[b] for b in moved.changed_bins])
    return moved, ids


def _description(report: ImportReport) -> str:
    # Stored in English like every publication description; the UI shows the source label.
    if report.kind == "institutions":
        return f"{report.file}: {report.inserted} new and {report.updated} updated institutions"
    return f"{report.file}: {report.inserted} new and {report.updated} updated budget lines"
