"""Fill a database with the demo data set in one transaction."""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from tqdm import tqdm

from dashboard.demo.generate import anomaly_rows, generate_year, plan_demo
from dashboard.geo import load_region_polygons
from dashboard.schema import ROLLUP_TABLES, demo_anomalies, institution_search
from queries import bulk
from queries.reference import list_districts, list_regions, seed_reference
from queries.rollups import refresh_rollups
from queries.search import refresh_search_index

log = logging.getLogger(__name__)
DEFAULT_INSTITUTIONS = 2000
DEFAULT_YEARS = (2020, 2025)


class DemoError(RuntimeError):
    """The demo cannot be loaded as asked (e.g. the database already holds data)."""


@dataclass
class DemoResult:
    institutions: int
    lines: int
    anomalies: int
    seconds: float
    # Wall seconds per phase, in order ("lines" is generation and COPY overlapped; "generation"
    # is the generating thread's own time inside it).
    phases: dict[str, float] = field(default_factory=dict)


class _Phases(dict):
    """Wall seconds per named step."""

    @contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self[name] = self.get(name, 0.0) + time.perf_counter() - started


def _years_ahead(plan, years: list[int], seed: int, encode: bool, phases: _Phases) -> Iterator[tuple]:
    """(lines, their binary COPY bytes or None) per year; the next year is generated in a
    thread while the caller writes this one (numpy and the COPY release the GIL)."""
    def make(year: int):
        started = time.perf_counter()
        chunk = generate_year(plan, year, seed)
        encoded = bulk.encode_lines(chunk) if encode else None
        keys = bulk.LineKeys()
        keys.add(chunk)
        phases["generation"] = phases.get("generation", 0.0) + time.perf_counter() - started
        return chunk, encoded, keys

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(make, years[0])
        for following in [*years[1:], None]:
            ready = pending.result()
            if following is not None:
                pending = pool.submit(make, following)
            yield ready


def parse_years(text: str) -> list[int]:
    """'2020-2025' → [2020..2025]; '2024' → [2024]."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
        else:
            first = last = int(text)
    except ValueError:
        raise DemoError(f"--years must look like 2020-2025, got {text!r}") from None
    if not 2000 <= first <= last <= 2100:
        raise DemoError(f"--years must be a range within 2000-2100, got {text!r}")
    return list(range(first, last + 1))


def load_demo(engine: Engine, institutions: int = DEFAULT_INSTITUTIONS, years: list[int] | None = None,
              seed: int = 42, replace: bool = False, boundaries: Path | None = None,
              progress: bool = True) -> DemoResult:
    """Generate and load the demo set; all or nothing (one transaction)."""
    years = years or list(range(DEFAULT_YEARS[0], DEFAULT_YEARS[1] + 1))
    started = time.perf_counter()
    phases = _Phases()
    postgres = engine.dialect.name == "postgresql"
    polygons = load_region_polygons(boundaries) if boundaries else None
    # No lines' history for a demo load: it rewrites every line (see bulk.history_paused).
    with engine.begin() as conn, bulk.history_paused(conn):
        with phases("reference"):
            seed_reference(conn)
            existing = bulk.count_institutions(conn)
            if existing and not replace:
                raise DemoError(f"the database already holds {existing} institutions; "
                                "pass --replace to delete them and load the demo instead")
            if existing:
                dependent = bulk.rows_depending_on_institutions(conn)
                if any(dependent.values()):
                    raise DemoError(f"the database holds {dependent['appeals']} citizens' appeals, "
                                    f"{dependent['officials']} official-to-institution bindings and "
                                    f"{dependent['analyst_records']} analysts' cases and flag reviews; --replace "
                                    "would delete the institutions they refer to: load the demo into a fresh database")
                bulk.clear_budget_data(conn)
            regions = pd.DataFrame(list_regions(conn))
            districts = pd.DataFrame(list_districts(conn))
        with phases("plan"):
            plan = plan_demo(institutions, seed, regions, districts, years, polygons)
        with phases("institutions"):
            bulk.insert_institutions(conn, plan.institutions)
        with phases("search index"), bulk.filled_in_bulk(conn, [institution_search]):
            refresh_search_index(conn)
        total = 0
        keys = bulk.LineKeys()
        bar = tqdm(total=len(years), unit="year", desc="budget lines", disable=not progress)
        with phases("lines"):
            dropped = bulk.begin_fast_line_load(conn)
            for chunk, encoded, chunk_keys in _years_ahead(plan, years, seed, postgres, phases):
                with phases("copy"):
                    total += bulk.write_lines(conn, chunk, encoded=encoded)
                keys.update(chunk_keys)
                bar.set_postfix(lines=f"{total:,}")
                bar.update()
        bar.close()
        # Rollups before the primary key: with the key in place (and no statistics yet) the
        # planner read all lines through it (29 s instead of a sequential scan). A duplicate line
        # still fails the key below and rolls everything back.
        with phases("rollups"), bulk.filled_in_bulk(conn, ROLLUP_TABLES):
            refresh_rollups(conn)
        with phases("primary key and references"):
            bulk.end_fast_line_load(conn, keys, dropped)
        with phases("anomalies"):
            anomalies = anomaly_rows(plan)
            bulk.insert_rows(conn, demo_anomalies, anomalies)
        with phases("publication"):
            bulk.log_publication(conn, "demo", "full",
                                 f"Demo data: {institutions} institutions, {years[0]}–{years[-1]}, seed {seed}",
                                 institutions, total)
    if postgres:
        with phases("analyze"), engine.begin() as conn:
            bulk.analyze(conn)
    return DemoResult(institutions, total, len(anomalies), time.perf_counter() - started, dict(phases))
