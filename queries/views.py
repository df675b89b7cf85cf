"""Page view counter: how often each institution page is opened, per calendar year."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from dashboard.schema import page_views


def record_view(conn: Connection, institution_id: int, when: dt.datetime | None = None) -> None:
    """Count one opening of an institution page (atomic upsert, safe under concurrency)."""
    year = (when or dt.datetime.now(dt.timezone.utc)).year
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(page_views).values(institution_id=institution_id, year=year, views=1)
    conn.execute(stmt.on_conflict_do_update(index_elements=["institution_id", "year"],
                                            set_={"views": page_views.c.views + 1}))


def view_counts(conn: Connection, institution_id: int) -> dict[int, int]:
    """{calendar year: views} for an institution."""
    q = select(page_views.c.year, page_views.c.views).where(page_views.c.institution_id == institution_id)
    return {int(y): int(v) for y, v in conn.execute(q)}
