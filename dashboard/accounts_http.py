"""Sign-in, sign-out and user management endpoints (plain form POSTs with CSRF tokens)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request, session
from flask_limiter import Limiter
from flask_login import current_user, login_user, logout_user
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from dashboard import staff_sessions
from dashboard.accounts import ROLES, WeakPassword, authenticate, check_csrf, hash_password, safe_next
from dashboard.config import Config
from dashboard.http_errors import json_errors, wants_json
from queries import users as user_queries

HOME = {"official": "/official", "moderator": "/moderation", "admin": "/admin/users", "analyst": "/analyst"}


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


def register_account_routes(server: Flask, engine: Engine, config: Config, limiter: Limiter) -> None:
    """Attach /auth/login, /auth/logout and the admin user endpoints to `server`."""

    @server.post("/auth/login")
    @json_errors
    @limiter.limit(lambda: config.login_rate_limit)
    def login():
        check_csrf()
        user = authenticate(engine, request.form.get("username", ""), request.form.get("password", ""))
        lang = request.form.get("lang") or ""
        if user is None:
            if wants_json():
                return jsonify(error="bad_credentials"), 401
            return redirect("/login?" + urlencode({"error": "bad_credentials", "lang": lang}), 303)
        session.clear()  # a fresh session (and CSRF token) for the signed-in user
        login_user(user)
        staff_sessions.start(user)
        target = safe_next(request.form.get("next"), HOME[user.role])
        return jsonify(ok=True, role=user.role) if wants_json() else redirect(target, 303)

    @server.post("/auth/logout")
    @json_errors
    def logout():
        check_csrf()
        if current_user.is_authenticated:  # every copy of this session cookie dies with it
            with engine.begin() as conn:
                user_queries.end_sessions(conn, current_user.id)
        logout_user()
        session.clear()
        return jsonify(ok=True) if wants_json() else redirect("/", 303)

    def require_admin():
        check_csrf()
        if not current_user.is_authenticated or not current_user.has_role("admin"):
            abort(403)

    @server.post("/admin/users")
    @json_errors
    def admin_add_user():
        require_admin()
        form = request.form
        try:
            add_user(engine, form.get("username", ""), form.get("display_name", ""), form.get("password", ""),
                     form.get("role", ""), form.get("bins", "").replace(",", " ").split())
        except UserInvalid as exc:
            if wants_json():
                return jsonify(error=exc.reason, detail=str(exc)), 400
            return redirect("/admin/users?" + urlencode({"error": exc.reason}), 303)
        return jsonify(ok=True) if wants_json() else redirect("/admin/users?saved=1", 303)

    @server.post("/admin/users/<username>/active")
    @json_errors
    def admin_set_active(username: str):
        require_admin()
        active = request.form.get("active") == "1"
        if username == current_user.username and not active:
            if wants_json():
                abort(400, description="an admin cannot disable their own account")
            return redirect("/admin/users?error=self_disable", 303)
        with engine.begin() as conn:
            if not user_queries.set_active(conn, username, active):
                abort(404)
        return jsonify(ok=True) if wants_json() else redirect("/admin/users", 303)
