"""Shared pieces of the case tests: anomaly flags written directly (as a scan would) and row counts."""
from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DatabaseError

from dashboard.schema import anomaly_flags, case_documents, case_events, case_links, cases, flag_reviews

_detectors = itertools.count(1)
LOGGED = (cases, case_links, case_events, case_documents, flag_reviews)


def add_flag(world, institution_id: int, fingerprint: str = "a" * 32, score: float = 0.8, year: int = 2024) -> int:
    """A stored flag under a fresh detector name (one key per call); returns its id."""
    with world.engine.begin() as conn:
        return conn.execute(insert(anomaly_flags).values(
            institution_id=institution_id, year=year, detector=f"test_{next(_detectors)}", score=score,
            evidence=json.dumps({"paid_december": 125_000_00, "share": 0.41}), appeal_ids="[]",
            lines=json.dumps([{"program": "464-003", "subprogram": "015", "specific": 159, "months": [12]}]),
            fingerprint=fingerprint, scanned_at=dt.datetime.now(dt.timezone.utc),
        ).returning(anomaly_flags.c.id)).scalar_one()


def rescan(world, flag_id: int, **values) -> None:
    """What a later scan does to a surviving flag: new numbers in the same row."""
    with world.engine.begin() as conn:
        conn.execute(update(anomaly_flags).where(anomaly_flags.c.id == flag_id).values(**values))


def counts(world) -> dict[str, int]:
    """Rows in every table a case or review change writes."""
    with world.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in LOGGED}


def assert_append_only(engine, table, *statements) -> None:
    """Each statement (and TRUNCATE on PostgreSQL) is refused by the table's append-only triggers."""
    if engine.dialect.name == "postgresql":
        statements += (text(f"TRUNCATE {table.name}"),)
    for statement in statements:
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
