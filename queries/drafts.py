"""Appeal drafts: a form's typed values kept briefly after an error (see dashboard/appeals/drafts.py)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, insert, select

from dashboard.schema import appeal_drafts


def save_draft(conn: Connection, token: str, data: str, now: dt.datetime, older_than: dt.datetime) -> None:
    """Store one draft and drop the expired ones (drafts nobody came back for)."""
    conn.execute(delete(appeal_drafts).where(appeal_drafts.c.created_at < older_than))
    conn.execute(insert(appeal_drafts).values(token=token, data=data, created_at=now))


def take_draft(conn: Connection, token: str, newer_than: dt.datetime) -> str | None:
    """The draft's data if it has not expired; it is deleted either way (one-time)."""
    data = conn.execute(select(appeal_drafts.c.data).where(appeal_drafts.c.token == token,
                                                           appeal_drafts.c.created_at >= newer_than)).scalar()
    conn.execute(delete(appeal_drafts).where(appeal_drafts.c.token == token))
    return data
