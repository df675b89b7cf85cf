"""Sign-in, sign-out and user management endpoints (plain form POSTs with CSRF tokens)."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request, session
from flask_limiter import Limiter
from flask_login import current_user, login_user, logout_user
from sqlalchemy import Engine

from dashboard import staff_sessions
from dashboard.account_admin import UserInvalid, add_user
from dashboard.accounts import authenticate
from dashboard.config import Config
from dashboard.web.auth import check_csrf, safe_next
from dashboard.web.http_errors import json_errors, wants_json
from queries import users as user_queries

HOME = {"official": "/official", "moderator": "/moderation", "admin": "/admin/users", "analyst": "/analyst"}


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
