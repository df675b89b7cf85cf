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


def replay_lag_seconds(conn: Connection) -> float | None:
    """How far a streaming replica's data is behind, in seconds: 0 once it has replayed all it has
    received (an idle primary writes nothing, so the last replay's age alone would grow forever);
    None on a primary."""
    value = conn.execute(text(
        "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL"
        " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
        " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END")).scalar()
    return None if value is None else float(value)
