"""The anomaly scan: load what the detectors read, run them, store their flags.

A full scan (`python -m dashboard anomalies scan`) rewrites the flags of the years scanned; a
rescore (after a lines import, in the import's transaction) rewrites only the flags of the
institution-years the import touched, reading their peers and history as a full scan would.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from dashboard.anomalies.detectors import APPEAL_DETECTORS, BASELINES, DETECTORS
from dashboard.anomalies.model import Flag
from queries.anomalies import store_baselines, store_flags
from queries.anomaly_data import load_scan_data

log = logging.getLogger(__name__)


@dataclass
class ScanResult:
    """What a scan found and wrote, with where the time went (seconds)."""

    flags: list[Flag]
    counts: dict[str, int]
    stored: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def scan(conn: Connection, years: list[int] | None = None, institution_ids: list[int] | None = None,
         detectors: list[str] | None = None, now: dt.datetime | None = None, progress=None,
         alongside: Callable[[], object] | None = None) -> ScanResult:
    """Score `years` (all when None) for every institution, or only `institution_ids`, with
    `detectors` (all when None); store the flags on `conn` (the caller's transaction).

    `alongside`: database work of the caller's that the scan does not read (an import's rollups
    and publication), run on `conn` while the detectors compute, which needs no connection: in a
    second thread on PostgreSQL, before the detectors on SQLite (its connection belongs to one
    thread). Its exception, if any, is raised once the detectors are done (logged instead when a
    detector failed too)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    names = list(detectors or DETECTORS)
    unknown = [n for n in names if n not in DETECTORS]
    if unknown:
        raise ValueError(f"unknown detector(s): {', '.join(unknown)}; known: {', '.join(DETECTORS)}")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    data = load_scan_data(conn, years=years, institution_ids=institution_ids, now=now,
                          with_lines=any(n not in APPEAL_DETECTORS for n in names))
    seconds["load"] = time.perf_counter() - started
    flags: list[Flag] = []
    counts: dict[str, int] = {}
    with _Alongside(conn, alongside):
        for name in names:
            started = time.perf_counter()
            found = [f for f in DETECTORS[name](data) if data.is_target(f.institution_id, f.year)
                     and (not years or f.year in years)]
            seconds[name] = time.perf_counter() - started
            counts[name] = len(found)
            flags.extend(found)
            if progress is not None:
                progress(name, len(found))
    started = time.perf_counter()
    if data.targets is None:  # a full scan: the national statistics later rescores reuse
        store_baselines(conn, {n: BASELINES[n](data) for n in names if n in BASELINES}, now)
    stored = store_flags(conn, flags, data.targets, years, names if detectors else None, now)
    seconds["store"] = time.perf_counter() - started
    return ScanResult(flags, counts, stored, seconds)


class _Alongside:
    """Runs `work` on the connection while the body computes without it (see `scan`)."""

    def __init__(self, conn: Connection, work: Callable[[], object] | None):
        self.work = work
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="scan-alongside") \
            if work is not None and conn.dialect.name == "postgresql" else None

    def __enter__(self) -> None:
        if self.pool is not None:
            self.future = self.pool.submit(self.work)
        elif self.work is not None:
            self.work()

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.pool is None:
            return
        try:
            error = self.future.exception()  # waits: the connection is shared
        finally:
            self.pool.shutdown(wait=True)
        if error is None:
            return
        if exc is None:
            raise error
        # The body's own error goes on; this one would otherwise be lost.
        log.error("the work beside the scan failed too", exc_info=error)


def rescore_appeals(conn: Connection, institution_id: int, now: dt.datetime | None = None) -> ScanResult | None:
    """Rescore an institution's appeal signals (silence, citizens' reports) in the caller's
    transaction, so a posted or moderated appeal shows in the workspace at once. Best effort, in
    a savepoint: a citizen's appeal is never lost because scoring failed (the nightly scan
    catches up); the failure is logged."""
    try:
        with conn.begin_nested():
            return scan(conn, institution_ids=[institution_id], detectors=list(APPEAL_DETECTORS), now=now)
    except Exception:  # noqa: BLE001 - the appeal matters more than its signal
        log.exception("appeal signals of institution %s not rescored", institution_id)
        return None


def scan_engine(engine: Engine, **kwargs) -> ScanResult:
    """`scan` in a transaction of its own."""
    with engine.begin() as conn:
        return scan(conn, **kwargs)
