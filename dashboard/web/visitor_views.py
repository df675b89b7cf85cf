"""Counting page views with a first-party visitor cookie (issue 14).

Each public page sends a beacon (assets/page_views.js: `POST /views`, the page's path as text)
when it is opened, also when Dash's router changes the path without a reload. The page HTML
itself stays cookie-free and is served from the response cache; only the beacon's answer sets
the cookie. The visitor is a random id in an HttpOnly, SameSite=Lax cookie; the database keeps
a hash of it for half an hour (queries/views.py), never an address, and nothing goes to a third
party.

Counted: the explorer, institution pages, an institution's appeals and the appeal search form.
Not counted: staff pages, tracking-code pages (the code is private), embeds (a frame on another
site does not get our first-party cookie, so every load would look like a new visitor), beacons
that other sites' pages send (Sec-Fetch-Site / Origin not ours), unknown BINs.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from urllib.parse import urlsplit

from flask import Response, request
from sqlalchemy import Engine

from queries.institution import institution_exists
from queries.views import record_view

PATH = "/views"
COOKIE = "visitor"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
COUNTED_MODULES = frozenset({"explorer", "institution", "institution_appeals", "appeal_find"})
_VISITOR_RE = re.compile(r"[0-9a-f]{32}")
MAX_PATH = 200


def visitor_key(cookie_value: str) -> str:
    """What the database stores for a visitor: a hash of the cookie, so the table alone cannot be
    matched against a browser's cookie jar."""
    return hashlib.sha256(cookie_value.encode()).hexdigest()[:32]


def _same_site() -> bool:
    """The beacon comes from one of our own pages (browsers say so in Sec-Fetch-Site; older ones
    send at least Origin)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")  # a browser's POST carries it; a bare script need not
    return origin is not None and urlsplit(origin).netloc == request.host


def page_key(app, path: str) -> tuple[str | None, str | None]:
    """(the page key to count, the BIN it names) for a counted page's path; (None, None) otherwise."""
    from dash._pages import _path_to_page

    if not path.startswith("/") or len(path) > MAX_PATH or "\x00" in path:
        return None, None
    page, variables = _path_to_page(app.strip_relative_path(path))
    module = (page or {}).get("module")
    if module not in COUNTED_MODULES:
        return None, None
    bin_ = (variables or {}).get("bin")
    if module == "explorer":
        return "/", None
    if module == "appeal_find":
        return page["path"], None
    if not isinstance(bin_, str) or not bin_.isdigit() or len(bin_) != 12:
        return None, None
    return (f"/institution/{bin_}" if module == "institution" else f"/institution/{bin_}/appeals"), bin_


def install_view_counter(app, engine: Engine, limiter=None, limit: str | None = None) -> None:
    """Add `POST /views` to the app's server, counting on `engine` (the primary); with a Flask-Limiter
    `limiter`, at most `limit` beacons per address (each is a write on the primary: a script
    posting in a loop must not flood it or inflate the counts without bound)."""
    server = app.server

    def count_view():
        cookie = request.cookies.get(COOKIE, "")
        new_visitor = not _VISITOR_RE.fullmatch(cookie)
        if new_visitor:
            cookie = secrets.token_hex(16)
        response = Response(status=204)
        response.headers["Cache-Control"] = "no-store"
        if new_visitor:
            response.set_cookie(COOKIE, cookie, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                                secure=request.is_secure)
        if not _same_site():
            return response
        path = request.stream.read(MAX_PATH + 1).decode("utf-8", "replace").strip()  # never the whole of a big body
        page, bin_ = page_key(app, path)
        if page is None:
            return response
        with engine.begin() as conn:
            if bin_ is None or institution_exists(conn, bin_):
                record_view(conn, page, visitor_key(cookie))
        return response

    if limiter is not None and limit:
        count_view = limiter.limit(lambda: limit, scope="page-views")(count_view)
    server.add_url_rule(PATH, "count_view", count_view, methods=["POST"])
