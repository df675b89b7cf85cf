"""Account administration: create accounts and change roles, with the rules an admin form and the
command line share (passwords checked, officials tied to existing institutions)."""
from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from dashboard.accounts import ROLES, WeakPassword, hash_password
from queries import users as user_queries


class UserInvalid(ValueError):
    """A user that cannot be created; `reason` is an i18n key suffix (admin.error.*)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _role_bins(role: str, bins: list[str]) -> list[str]:
    """The cleaned BINs, if they suit the role (officials need some, other roles take none)."""
    if role not in ROLES:
        raise UserInvalid("bad_role", f"role must be one of {', '.join(ROLES)}")
    bins = [b.strip() for b in bins if b.strip()]
    if role == "official" and not bins:
        raise UserInvalid("needs_bin", "an official needs at least one institution BIN")
    if role != "official" and bins:
        raise UserInvalid("bins_for_official_only", "only officials are bound to institutions")
    return bins


def existing_institutions(conn, bins: list[str]) -> list[int]:
    """The ids of the institutions with these BINs; UserInvalid("unknown_bin") names any missing."""
    found = user_queries.institution_ids_for_bins(conn, bins)
    missing = sorted(set(bins) - set(found))
    if missing:
        raise UserInvalid("unknown_bin", f"no institution with BIN {', '.join(missing)}")
    return sorted(found.values())


def checked_hash(password: str, username: str) -> str:
    """hash_password, its refusal as UserInvalid ("weak_password" when too short, else "password_<rule>")."""
    try:
        return hash_password(password, username)
    except WeakPassword as exc:
        raise UserInvalid("weak_password" if exc.reason == "short" else f"password_{exc.reason}", str(exc)) from None


def add_user(engine: Engine, username: str, display_name: str, password: str, role: str,
             bins: list[str]) -> int:
    """Create an account (officials need at least one existing BIN). Raises ValueError."""
    username = username.strip()
    if not username or len(username) > 64 or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise UserInvalid("bad_username", "username: letters, digits, '.', '_' or '-' (at most 64)")
    bins = _role_bins(role, bins)
    password_hash = checked_hash(password, username)
    try:
        with engine.begin() as conn:
            institution_ids = existing_institutions(conn, bins)
            return user_queries.create_user(conn, username, display_name.strip() or username, password_hash,
                                            role, institution_ids)
    except IntegrityError:
        raise UserInvalid("exists", f"user {username!r} already exists") from None


def change_role(engine: Engine, username: str, role: str, bins: list[str]) -> None:
    """Give a user another role (officials: these BINs, others: none), ending their sessions."""
    bins = _role_bins(role, bins)
    with engine.begin() as conn:
        row = user_queries.user_by_username(conn, username)
        if row is None:
            raise UserInvalid("unknown_user", f"no user {username!r}")
        institution_ids = existing_institutions(conn, bins)
        user_queries.set_role(conn, row["id"], role)
        user_queries.replace_institutions(conn, row["id"], institution_ids)
