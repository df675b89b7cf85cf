"""Staff session lifetime: the row's session_version, an idle timeout and an absolute lifetime.

The session keeps the version and two timestamps from sign-in; the user loader refuses it when
any of them is stale, and `end_stale_session` then signs the browser out and sends it to /login.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from flask import Flask, g, jsonify, redirect, request, session
from flask_login import current_user, logout_user

from dashboard.web.http_errors import wants_json

VERSION, SIGNED_IN_AT, SEEN_AT = "_sv", "_signed_in_at", "_seen_at"
_STATIC = ("/assets/", "/_dash-component-suites/", "/_favicon")  # no data there: no database query
_SEEN_STEP = 15  # seconds: SEEN_AT is rewritten (a new cookie) at most this often


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class SessionPolicy:
    idle_seconds: int
    lifetime_seconds: int


def start(user) -> None:
    """Stamp a freshly signed-in session with the user's session_version and the time."""
    now = int(_now())
    session.update({VERSION: user.session_version, SIGNED_IN_AT: now, SEEN_AT: now})


def stale_reason(policy: SessionPolicy) -> str | None:
    """'session_expired' when the session idled or lived too long, else None (and it is touched)."""
    now = _now()
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return "session_ended"
    if now - seen > policy.idle_seconds or now - signed_in > policy.lifetime_seconds:
        return "session_expired"
    if now - seen >= _SEEN_STEP:
        session[SEEN_AT] = int(now)
    return None


def session_version() -> int | None:
    value = session.get(VERSION)
    return value if isinstance(value, int) else None


def refuse(reason: str) -> None:
    """Remember why the loader refused this request's session (for end_stale_session)."""
    g.staff_session_refused = reason


def end_stale_session():
    """Before each request: sign out a refused session; pages go to /login with the reason."""
    if request.path.startswith(_STATIC) or "_user_id" not in session or current_user.is_authenticated:
        return None  # (current_user runs the loader: version and times are checked on every request)
    reason = g.pop("staff_session_refused", "session_ended")
    logout_user()
    for key in (VERSION, SIGNED_IN_AT, SEEN_AT):
        session.pop(key, None)
    path = request.path
    if path.startswith(("/_", "/assets/", "/auth/", "/api/")):  # go on anonymously (Dash callbacks answer 403)
        return None
    if wants_json():
        return jsonify(error=reason), 401
    query = {"error": reason, **({"next": request.full_path.rstrip("?")} if request.method == "GET" else {})}
    return redirect("/login?" + urlencode(query), 303)


def install(server: Flask, policy: SessionPolicy) -> None:
    """Cookie signatures expire with the absolute lifetime (not Flask's 31 days); check every request."""
    server.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=policy.lifetime_seconds)
    server.before_request(end_stale_session)
