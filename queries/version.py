"""The data version: one cheap statement that changes whenever anything a public page shows
changes. Published data is written with a `publications` row (imports, demo loads, documents);
public appeal state changes with an `appeal_events` row (submission, moderation, answers)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, select

from dashboard.schema import appeal_events, publications

# Scalar subqueries in one statement, each a backward scan of a primary key index (a few buffer
# reads whatever the size of the tables). The newest publication's time as well as its id: a demo
# reload empties `publications`, and SQLite then hands out id 1 again.
_VERSION = select(select(func.max(publications.c.id)).scalar_subquery(),
                  select(func.max(appeal_events.c.id)).scalar_subquery(),
                  select(publications.c.published_at).order_by(publications.c.id.desc()).limit(1).scalar_subquery())
_PUBLISHED = select(func.coalesce(func.max(publications.c.id), 0))


def data_version(conn: Connection) -> str:
    """'<newest publication id>.<newest appeal event id>.<its publication time, µs>' (0 for none):
    the key of everything cached for the public pages and the API."""
    published, event, at = conn.execute(_VERSION).one()
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)  # SQLite stores UTC without a zone
    stamp = round(at.timestamp() * 1_000_000) if at is not None else 0
    return f"{published or 0}.{event or 0}.{stamp}"


def published_version(conn: Connection) -> int:
    """The newest publication id alone, for what shows published data only (map layers, API
    validators): appeal traffic does not invalidate a browser's copy of the points layer."""
    return conn.execute(_PUBLISHED).scalar_one()


def latest_publications(conn: Connection, limit: int = 5) -> list[dict]:
    """The newest entries of the publications log."""
    q = select(publications).order_by(publications.c.id.desc()).limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]
