"""Fill a database with the demo data set in one transaction."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from tqdm import tqdm

from dashboard.demo.generate import anomaly_rows, generate_year, plan_demo
from dashboard.geo import load_region_polygons
from dashboard.schema import demo_anomalies
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
    polygons = load_region_polygons(boundaries) if boundaries else None
    with engine.begin() as conn:
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
                                f"{dependent['analyst_records']} analysts' cases and flag reviews; --replace would "
                                "delete the institutions they refer to: load the demo into a fresh database")
            bulk.clear_budget_data(conn)
        regions = pd.DataFrame(list_regions(conn))
        districts = pd.DataFrame(list_districts(conn))
        plan = plan_demo(institutions, seed, regions, districts, years, polygons)
        bulk.insert_institutions(conn, plan.institutions)
        refresh_search_index(conn)
        bulk.begin_fast_line_load(conn)
        total = 0
        bar = tqdm(total=len(years), unit="year", desc="budget lines", disable=not progress)
        for year in years:
            total += bulk.write_lines(conn, generate_year(plan, year, seed))
            bar.set_postfix(lines=f"{total:,}")
            bar.update()
        bar.close()
        bulk.end_fast_line_load(conn)
        anomalies = anomaly_rows(plan)
        bulk.insert_rows(conn, demo_anomalies, anomalies)
        refresh_rollups(conn)
        bulk.log_publication(conn, "demo", "full",
                             f"Demo data: {institutions} institutions, {years[0]}–{years[-1]}, seed {seed}",
                             institutions, total)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            bulk.analyze(conn)
    return DemoResult(institutions, total, len(anomalies), time.perf_counter() - started)
