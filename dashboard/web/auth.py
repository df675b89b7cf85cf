"""Sessions of signed-in staff: Flask-Login with our user loader, CSRF tokens for forms, safe
redirects and the session cookie policy (the accounts themselves: dashboard/accounts.py)."""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Flask, abort, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from sqlalchemy import Engine

from dashboard import staff_sessions
from dashboard.accounts import Anonymous, User, load_user


def load_session_user(engine: Engine, user_id: str, policy: staff_sessions.SessionPolicy) -> User | None:
    """Flask-Login's loader: the user of this session unless it expired or was ended server-side."""
    reason = staff_sessions.stale_reason(policy)
    version = staff_sessions.session_version()
    user = None if reason or version is None else load_user(engine, user_id, version)
    if user is None:
        staff_sessions.refuse(reason or "session_ended")
    return user


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
