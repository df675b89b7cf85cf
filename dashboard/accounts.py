"""Accounts: argon2 password hashes, Flask-Login users, CSRF tokens, session cookie policy."""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import AnonymousUserMixin, LoginManager, current_user
from sqlalchemy import Engine

from dashboard import staff_sessions
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


def load_session_user(engine: Engine, user_id: str, policy: staff_sessions.SessionPolicy) -> User | None:
    """Flask-Login's loader: the user of this session unless it expired or was ended server-side."""
    reason = staff_sessions.stale_reason(policy)
    version = staff_sessions.session_version()
    user = None if reason or version is None else load_user(engine, user_id, version)
    if user is None:
        staff_sessions.refuse(reason or "session_ended")
    return user


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


def csrf_token() -> str:
    """The CSRF token of this session (created on first use) for hidden form fields."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Abort with 403 unless the form carries this session's CSRF token."""
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(403, description="CSRF token missing or wrong: reload the page and try again")


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to redirect to (never another site, never a scheme-relative URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def me():
    """The current user (User or Anonymous)."""
    return current_user


class SessionInterface(SecureCookieSessionInterface):
    """Session cookie marked Secure when configured or whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_accounts(server: Flask, engine: Engine, config) -> LoginManager:
    """Flask-Login with our user loader, the cookie policy (HttpOnly, SameSite=Lax, Secure) and
    the staff session limits (STAFF_IDLE_MINUTES, STAFF_SESSION_HOURS)."""
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         SESSION_COOKIE_SECURE=config.secure_cookies, SESSION_COOKIE_NAME="ashyq_session")
    policy = staff_sessions.SessionPolicy(config.staff_idle_minutes * 60, config.staff_session_hours * 3600)
    staff_sessions.install(server, policy)
    server.session_interface = SessionInterface()
    manager = LoginManager()
    manager.anonymous_user = Anonymous
    manager.session_protection = "basic"
    manager.user_loader(lambda user_id: load_session_user(engine, user_id, policy))
    manager.init_app(server)
    return manager
