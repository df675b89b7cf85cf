"""What /healthz asks the database."""
from __future__ import annotations

from sqlalchemy import Connection, text


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is at (None before the first migration)."""
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - a missing table means "not migrated", not "down"
        conn.rollback()
        return None
