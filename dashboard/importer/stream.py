"""Budget lines checked and written chunk by chunk.

On PostgreSQL the server stores one chunk while Python checks the next, so an import costs
about the slower of the two rather than their sum. Nothing of this is visible outside the
import's transaction: at the first wrong row the writes stop, the remaining rows are still
checked (the report lists every error) and the caller rolls everything back.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait

import numpy as np
import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from dashboard.importer.cells import Checker
from dashboard.importer.lines import check_line_cells, finish_line_checks, line_arrays
from dashboard.importer.reader import Table
from dashboard.importer.report import ImportReport
from queries import imports as q
from queries.rollups import combine_sums

CHUNK_ROWS = 200_000
KEY_COLUMNS = ["bin", "year", "month", "program_code", "subprogram_code", "specific_code"]


class _Writer:
    """Merges chunks in order: in one background thread on PostgreSQL, inline on SQLite (a
    SQLite connection belongs to the thread that opened it). Institution-years the import
    creates are carried from chunk to chunk (see queries.imports.merge_lines)."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="import-writer") \
            if conn.dialect.name == "postgresql" else None
        self.results: list[Future | q.LineChanges] = []
        self.created: set[int] = set()
        self.error: Exception | None = None
        # COPY goes through the driver's own cursor: its errors are the driver's, not SQLAlchemy's.
        self.db_errors = (DBAPIError, conn.dialect.loaded_dbapi.Error)

    def submit(self, chunk: dict[str, np.ndarray]) -> None:
        if self.pool is not None:
            pending = [r for r in self.results if not r.done()]
            if len(pending) >= 2:  # checking may run one chunk ahead, not the whole file
                wait(pending[:1])
            self.results.append(self.pool.submit(q.merge_lines, self.conn, chunk, self.created))
        elif self.error is None:
            try:
                self.results.append(q.merge_lines(self.conn, chunk, self.created))
            except self.db_errors as exc:
                self.error = exc

    def finish(self, explained: bool) -> list[q.LineChanges] | None:
        """Wait for every chunk. A database error is raised unless the checks already explain
        it (`explained`: a key repeated across chunks breaks the primary key before the check
        sees both rows); then None, and the caller rolls back."""
        try:
            results = []
            for r in self.results:
                try:
                    done = r.result() if isinstance(r, Future) else r
                except self.db_errors as exc:
                    self.error = self.error or exc
                    continue
                # Summed here while the writer stores the later chunks (numpy, no connection).
                results.append(q.sum_appended(done) if self.error is None else done)
            if self.error is not None:
                if explained:
                    return None
                raise self.error
            return results
        finally:
            self.close()

    def close(self) -> None:
        """Drop the chunks not started and wait for the running one (the connection is shared)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def check_and_write_lines(conn: Connection, report: ImportReport, table: Table, headers: dict[str, str],
                          cls: q.Classification, known_bins: set[str], ids: dict[str, int],
                          chunk_rows: int = CHUNK_ROWS) -> q.LineChanges | None:
    """Check every row and merge the lines chunk by chunk; None when any row is wrong (then
    some chunks may have been written: the caller must roll back). The lines of new
    institution-years come back summed in `appended_sums`, not yet in the rollups
    (roll_up_appended)."""
    writer = _Writer(conn)
    frames, key_ok, invalid, writing = [], [], [], True
    try:
        for start, stop in _chunks(table, headers, chunk_rows):
            part = table.slice(start, stop)
            checker = Checker(report, part.frame, part.rows, headers)
            frame, keys_present = check_line_cells(part, checker, cls, known_bins)
            frames.append(frame)
            key_ok.append(keys_present)
            invalid.append(checker.invalid)
            # A key twice in one chunk would stop the database write with a bare constraint error:
            # stop writing instead; finish_line_checks names both rows below.
            clean = not report.error_count and not frame[KEY_COLUMNS].duplicated().any()
            if clean and writing:
                writer.submit(line_arrays(frame, ids))
            writing = writing and clean
        # Duplicate keys can span chunks: checked once over the whole file.
        whole = Checker(report, table.frame, table.rows, headers)
        whole.invalid = np.concatenate(invalid)
        finish_line_checks(whole, pd.concat(frames, ignore_index=True), np.concatenate(key_ok))
        results = writer.finish(explained=bool(report.error_count))
    finally:
        writer.close()
    return None if report.error_count or results is None else combine(results)


def _chunks(table: Table, headers: dict[str, str], size: int):
    """(start, stop) row ranges of about `size` rows. Where the file is grouped by institution
    and year (the usual export), a chunk ends where such a group ends (looking up to a tenth of
    a chunk further), so each institution-year arrives whole and can be appended and rolled up
    directly (queries.imports.merge_lines)."""
    n = len(table.frame)
    bins, years = table.frame[headers["bin"]], table.frame[headers["year"]]
    start = 0
    while start < n:
        stop = min(start + size, n)
        if stop < n:
            end = min(stop + size // 10, n)
            window = (bins.iloc[stop - 1:end].astype(str) + "/" + years.iloc[stop - 1:end].astype(str)).to_numpy()
            change = np.flatnonzero(window[1:] != window[:-1])
            stop += int(change[0]) if len(change) else 0
        yield start, stop
        start = stop


def combine(parts: list[q.LineChanges]) -> q.LineChanges:
    """The chunks' changes as one; their appended lines' sums together, for roll_up_appended."""
    sums = combine_sums([p.appended_sums for p in parts if p.appended_sums is not None])
    affected = sorted({a for p in parts for a in p.affected})
    stale = {a for p in parts for a in p.affected if a not in p.rolled_up}
    return q.LineChanges(sum(p.inserted for p in parts), sum(p.updated for p in parts),
                         sum(p.unchanged for p in parts), affected, frozenset(affected) - stale,
                         appended_sums=sums)
