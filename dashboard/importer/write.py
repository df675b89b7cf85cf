"""Stage 6 of an import, checking and writing: in the caller's transaction, all or nothing.

Without --skip-invalid and with nothing wrong so far, the lines are checked and written chunk by
chunk (stream.py); otherwise every row is checked first and only the valid ones are written.
Then the rollups the import touched, the anomaly scores and the publications log.
"""
from __future__ import annotations

import pandas as pd

from dashboard.geo import load_region_polygons
from dashboard.importer.cells import Checker
from dashboard.importer.institutions import check_institutions
from dashboard.importer.lines import check_lines, line_arrays
from dashboard.importer.normalise import note_title_region
from dashboard.importer.report import ImportReport
from dashboard.importer.stream import check_and_write_lines
from queries import imports as q
from queries.bulk import log_publication, release_publication, reserve_publication
from queries.rollups import refresh_derived, refresh_rollups
from queries.search import refresh_search_index

ROLLUP_ID_LIMIT = 2000  # above this many institutions, recompute the affected years whole


def check_and_write(conn, report: ImportReport, options, inst_table, inst_report, lines_table, stages) -> None:
    """Check both files' rows and write what may be written; `report.written` says whether it was."""
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
    if lines_table is not None and lines_table[0].layout is not None and lines_table[0].layout.region:
        vocab = q.load_vocabulary(conn)
        note_title_region(lines_table[0], vocab.regions, vocab.districts, report)
    # Every BIN of the companion file counts as known to the lines: a line whose institution row
    # is wrong is not a second error; with --skip-invalid it is skipped with its institution.
    known_bins = set(known) | named
    if lines_table is not None and not options.skip_invalid and not report.error_count:
        # All or nothing and nothing wrong so far: write while checking (stream.py), and let the
        # caller roll back if a later row turns out wrong.
        publication_id = reserve_publication(conn)
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
        publication_id = reserve_publication(conn)  # from the first write on, not while checking
        moved, known = _upsert_institutions(conn, report, inst_frame, known, with_lines=lines_frame is not None)
        changes = q.merge_lines(conn, line_arrays(lines_frame, known)) if lines_frame is not None else None
        lines_written = lines_frame is not None
    affected = changes.affected if changes is not None else []
    if changes is not None:
        report.inserted, report.updated, report.unchanged = changes.inserted, changes.updated, changes.unchanged
    stages.next()

    def publish() -> None:  # nothing here is read by the rescore: it may run beside its detectors
        _roll_up(conn, changes, moved)
        changed_inst = (moved.inserted + moved.updated) if moved else 0
        changed_lines = report.inserted + report.updated if lines_written else 0
        if changed_inst or changed_lines:
            report.publication_id = log_publication(
                conn, options.source, report.kind, _description(report),
                changed_inst or len({a[0] for a in affected}), changed_lines, by=options.published_by,
                publication_id=publication_id)

    if options.dry_run or not _rescore(conn, affected, moved, alongside=publish):
        publish()
    stages.next()
    release_publication(conn)
    report.written = True


def _roll_up(conn, changes: q.LineChanges | None, moved) -> None:
    """Bring the rollups up to date with what the import wrote: its new institution-years added
    from the lines in hand, the rest recomputed from budget_lines (in this order: a moved
    institution's slices are recomputed whole, its appended lines included); then the peer
    groups and month-range leaders, once (the chunks' updates were added to the sums as they were
    written)."""
    if changes is not None:
        changes = q.roll_up_appended(conn, changes)
    if moved is not None and moved.moved_ids:
        refresh_rollups(conn, moved.moved_ids, None, moved.old_regions, moved.old_districts, derived=False)
    stale = [a for a in changes.affected if a not in changes.rolled_up] if changes is not None else []
    if stale:
        ids = sorted({a[0] for a in stale})
        refresh_rollups(conn, ids if len(ids) <= ROLLUP_ID_LIMIT else None, {a[1] for a in stale}, derived=False)
    if moved is not None and (moved.moved_ids or moved.peer_regions):
        # Every year of the regions an institution left, joined or changed capacity in.
        refresh_derived(conn, None, moved.old_regions, moved.moved_ids, moved.peer_regions)
    if changes is not None and changes.affected:
        ids = sorted({a[0] for a in changes.affected})
        refresh_derived(conn, {a[1] for a in changes.affected}, None, ids if len(ids) <= ROLLUP_ID_LIMIT else None)


def _rescore(conn, affected: list[tuple[int, int]], moved, alongside) -> bool:
    """Rescore the anomaly flags of what the import touched, in its transaction: the years an
    institution's lines changed, and every year of an institution that moved (new peers).
    `alongside` runs during the last scan (see anomalies.scan); False if nothing was scanned
    (then it has not run)."""
    from dashboard.anomalies.scan import scan

    moved_ids = sorted(set(moved.moved_ids)) if moved is not None and moved.moved_ids else []
    touched = sorted({i for i, _ in affected} - set(moved_ids))
    if moved_ids:
        scan(conn, institution_ids=moved_ids, alongside=None if touched else alongside)
    if touched:
        scan(conn, institution_ids=touched, years=sorted({y for _, y in affected}), alongside=alongside)
    return bool(moved_ids or touched)


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
