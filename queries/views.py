"""Page view counter: how often each institution page is opened, per calendar year.

A viewer (a keyed hash of the client address) counts at most once per institution and
VIEW_WINDOW: the database remembers recent viewers, so every web worker sees the same memory
and replaying the page's callback does not inflate the counter."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.schema import page_views, recent_views

VIEW_WINDOW = dt.timedelta(minutes=30)


def _first_view_in_window(conn: Connection, institution_id: int, viewer: str, now: dt.datetime) -> bool:
    """Remember `viewer` on this page; False when they were already seen within VIEW_WINDOW."""
    cutoff = now - VIEW_WINDOW
    conn.execute(delete(recent_views).where(recent_views.c.institution_id == institution_id,
                                            recent_views.c.seen_at < cutoff))
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    # Atomic: of concurrent replays only one inserts (or refreshes a stale row); the others
    # meet the fresh row, the WHERE fails and nothing is returned.
    stmt = dialect.insert(recent_views).values(viewer=viewer, institution_id=institution_id, seen_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=["viewer", "institution_id"], set_={"seen_at": now},
                                      where=recent_views.c.seen_at < cutoff)
    return conn.execute(stmt.returning(recent_views.c.viewer)).first() is not None


def record_view(conn: Connection, institution_id: int, when: dt.datetime | None = None,
                viewer: str | None = None) -> bool:
    """Count one opening of an institution page (atomic upsert, safe under concurrency).

    With a `viewer` key the view counts only if that viewer has not opened this page within
    VIEW_WINDOW; returns whether it was counted."""
    now = when or dt.datetime.now(dt.timezone.utc)
    if viewer is not None and not _first_view_in_window(conn, institution_id, viewer, now):
        return False
    year = now.year
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(page_views).values(institution_id=institution_id, year=year, views=1)
    conn.execute(stmt.on_conflict_do_update(index_elements=["institution_id", "year"],
                                            set_={"views": page_views.c.views + 1}))
    return True


def view_counts(conn: Connection, institution_id: int) -> dict[int, int]:
    """{calendar year: views} for an institution."""
    q = select(page_views.c.year, page_views.c.views).where(page_views.c.institution_id == institution_id)
    return {int(y): int(v) for y, v in conn.execute(q)}
