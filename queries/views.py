"""Page view counter: how often each public page is opened, per calendar year (issue 14).

A visitor (a hash of the random first-party visitor-id cookie; no address, no third party) counts
at most once per page and VIEW_WINDOW: the database remembers recent visitors, so every web worker
sees the same memory and a reload or a replayed beacon does not inflate the counter.

Cost per view: one upsert of the visitor's mark (its RETURNING says whether the view counts) and,
for a counted view, one upsert of a counter row. Counter rows are sharded by visitor
(VIEW_SHARDS rows per page and year), so concurrent visitors of the front page do not queue on
one row lock. None of these tables is part of the data version: views never invalidate the
response cache.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import Connection, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.schema import page_view_totals as totals, recent_page_views as recent

VIEW_WINDOW = dt.timedelta(minutes=30)
VIEW_SHARDS = 8
# A counted view prunes the marks older than the window with this probability: the table holds
# about one window of visitors, and no request pays for a full sweep each time.
PRUNE_CHANCE = 0.01
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


def institution_page(bin_: str) -> str:
    """The page key of an institution page."""
    return f"/institution/{bin_}"


def _dialect(conn: Connection):
    return postgresql if conn.dialect.name == "postgresql" else sqlite


def _first_view_in_window(conn: Connection, page: str, visitor: str, now: dt.datetime) -> bool:
    """Remember `visitor` on `page`; False when they were already seen within VIEW_WINDOW."""
    cutoff = now - VIEW_WINDOW
    # Atomic: of concurrent replays only one inserts (or refreshes a stale row); the others
    # meet the fresh row, the WHERE fails and nothing is returned.
    stmt = _dialect(conn).insert(recent).values(visitor=visitor, page=page, seen_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=["visitor", "page"], set_={"seen_at": now},
                                      where=recent.c.seen_at < cutoff)
    return conn.execute(stmt.returning(recent.c.visitor)).first() is not None


def record_view(conn: Connection, page: str, visitor: str, when: dt.datetime | None = None) -> bool:
    """Count one opening of `page` by `visitor` unless they opened it within VIEW_WINDOW;
    returns whether it was counted (safe under concurrency). On PostgreSQL the transaction
    commits without waiting for its WAL flush: give it a transaction of its own."""
    now = when or dt.datetime.now(dt.timezone.utc)
    if conn.dialect.name == "postgresql":
        # A counter may lose its last views if the server crashes; it need not wait for the WAL
        # flush of every view (measured: bench/page_views.py). LOCAL: this transaction only, so
        # call record_view in a transaction of its own.
        conn.execute(_ASYNC_COMMIT)
    if not _first_view_in_window(conn, page, visitor, now):
        return False
    try:
        shard = int(visitor[:4], 16) % VIEW_SHARDS
    except ValueError:
        shard = 0
    stmt = _dialect(conn).insert(totals).values(page=page, year=now.year, shard=shard, views=1)
    conn.execute(stmt.on_conflict_do_update(index_elements=["page", "year", "shard"],
                                            set_={"views": totals.c.views + 1}))
    if random.random() < PRUNE_CHANCE:
        prune(conn, now)
    return True


def prune(conn: Connection, now: dt.datetime | None = None) -> int:
    """Forget the marks older than VIEW_WINDOW (they can no longer stop a count); returns how many."""
    cutoff = (now or dt.datetime.now(dt.timezone.utc)) - VIEW_WINDOW
    return conn.execute(delete(recent).where(recent.c.seen_at < cutoff)).rowcount


def view_counts(conn: Connection, page: str) -> dict[int, int]:
    """{calendar year: views} of a page."""
    q = (select(totals.c.year, func.sum(totals.c.views)).where(totals.c.page == page)
         .group_by(totals.c.year))
    return {int(y): int(v) for y, v in conn.execute(q)}


def site_views(conn: Connection) -> dict[int, int]:
    """{calendar year: views} of every page together (the front page's counter)."""
    q = select(totals.c.year, func.sum(totals.c.views)).group_by(totals.c.year)
    return {int(y): int(v) for y, v in conn.execute(q)}
