"""Accounts (officials, moderators, admins) and the institutions officials answer for."""
from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update

from dashboard.schema import institutions, user_institutions as ui, users

PUBLIC_COLUMNS = [users.c.id, users.c.username, users.c.display_name, users.c.role, users.c.active,
                  users.c.created_at]


def create_user(conn: Connection, username: str, display_name: str, password_hash: str, role: str,
                institution_ids: list[int]) -> int:
    """Insert a user and their institution bindings; returns the new id."""
    user_id = conn.execute(insert(users).values(username=username, display_name=display_name,
                                                password_hash=password_hash, role=role)
                           .returning(users.c.id)).scalar_one()
    if institution_ids:
        conn.execute(insert(ui), [{"user_id": user_id, "institution_id": i} for i in institution_ids])
    return user_id


def user_by_username(conn: Connection, username: str) -> dict | None:
    row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    return dict(row) if row else None


def user_by_id(conn: Connection, user_id: int) -> dict | None:
    """A user's public columns and session_version (what signed-in sessions must match)."""
    row = conn.execute(select(*PUBLIC_COLUMNS, users.c.session_version).where(users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


def institution_ids_of(conn: Connection, user_id: int) -> list[int]:
    return sorted(r[0] for r in conn.execute(select(ui.c.institution_id).where(ui.c.user_id == user_id)))


def list_users(conn: Connection) -> list[dict]:
    """Every user with the BINs of their institutions, by username."""
    rows = [dict(r) for r in conn.execute(select(*PUBLIC_COLUMNS).order_by(users.c.username)).mappings()]
    bins: dict[int, list[str]] = {}
    q = (select(ui.c.user_id, institutions.c.bin).select_from(ui.join(institutions, institutions.c.id == ui.c.institution_id))
         .order_by(institutions.c.bin))
    for user_id, bin_ in conn.execute(q):
        bins.setdefault(user_id, []).append(bin_)
    for row in rows:
        row["bins"] = bins.get(row["id"], [])
    return rows


_NEXT_VERSION = {"session_version": users.c.session_version + 1}


def end_sessions(conn: Connection, user_id: int) -> None:
    """Bump the user's session_version: every session signed in before now is refused."""
    conn.execute(update(users).where(users.c.id == user_id).values(**_NEXT_VERSION))


def set_active(conn: Connection, username: str, active: bool) -> bool:
    """Enable or disable a user, ending their sessions; False when there is no such user."""
    return conn.execute(update(users).where(users.c.username == username)
                        .values(active=active, **_NEXT_VERSION)).rowcount == 1


def set_password_hash(conn: Connection, user_id: int, password_hash: str, keep_sessions: bool = False) -> None:
    """Store a new hash; a changed password ends every session (a rehash of the same one need not)."""
    values = {"password_hash": password_hash, **({} if keep_sessions else _NEXT_VERSION)}
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def set_role(conn: Connection, user_id: int, role: str) -> None:
    """Change a user's role, ending their sessions (bindings: see replace_institutions)."""
    conn.execute(update(users).where(users.c.id == user_id).values(role=role, **_NEXT_VERSION))


def replace_institutions(conn: Connection, user_id: int, institution_ids: list[int]) -> None:
    """Rebind an official to these institutions, ending their sessions."""
    end_sessions(conn, user_id)
    conn.execute(delete(ui).where(ui.c.user_id == user_id))
    if institution_ids:
        conn.execute(insert(ui), [{"user_id": user_id, "institution_id": i} for i in institution_ids])


def institution_ids_for_bins(conn: Connection, bins: list[str]) -> dict[str, int]:
    """BIN → institution id for the BINs that exist."""
    if not bins:
        return {}
    q = select(institutions.c.bin, institutions.c.id).where(institutions.c.bin.in_(bins))
    return {b: i for b, i in conn.execute(q)}
