"""Accounts: roles, argon2 password hashes, the signed-in user as Flask-Login sees it, and
sign-in by username and password (the session, CSRF and cookie side: dashboard/web/auth.py)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import AnonymousUserMixin
from sqlalchemy import Engine

from dashboard.password_policy import MIN_PASSWORD_LENGTH, WeakPassword, check_password  # noqa: F401 (re-exported)
from queries import users as user_queries

ROLES = ("official", "moderator", "admin", "analyst")
_hasher = PasswordHasher()
# Verified when the username is unknown, so both cases cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(8))


def hash_password(password: str, username: str = "") -> str:
    """The Argon2id hash of an acceptable password; raises WeakPassword (a ValueError) otherwise."""
    check_password(password, username)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass
class User:
    """A signed-in account as Flask-Login sees it."""

    id: int
    username: str
    display_name: str
    role: str
    institution_ids: list[int] = field(default_factory=list)
    session_version: int = 0
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def answers_for(self, institution_id: int) -> bool:
        return self.role == "official" and institution_id in self.institution_ids


class Anonymous(AnonymousUserMixin):
    role = None
    institution_ids: list[int] = []
    username = ""

    def has_role(self, *roles: str) -> bool:
        return False

    def answers_for(self, institution_id: int) -> bool:
        return False


def load_user(engine: Engine, user_id: str, session_version: int | None = None) -> User | None:
    """The active user with this id; with `session_version`, only while the row still has it
    (logout, password, role, institution or active changes bump the row's version)."""
    if not (str(user_id).isascii() and str(user_id).isdigit()) or len(str(user_id)) > 12:
        return None
    with engine.connect() as conn:
        row = user_queries.user_by_id(conn, int(user_id))
        if not row or not row["active"]:
            return None
        if session_version is not None and session_version != row["session_version"]:
            return None
        ids = user_queries.institution_ids_of(conn, row["id"]) if row["role"] == "official" else []
    return User(row["id"], row["username"], row["display_name"], row["role"], ids, row["session_version"])


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user for a correct username and password of an active account, else None."""
    with engine.connect() as conn:
        row = user_queries.user_by_username(conn, username.strip())
    ok = verify_password(row["password_hash"] if row else None, password)
    if not ok or not row["active"]:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        with engine.begin() as conn:
            user_queries.set_password_hash(conn, row["id"], _hasher.hash(password), keep_sessions=True)
    return load_user(engine, str(row["id"]))
