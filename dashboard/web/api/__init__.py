"""The open-data API (/api/v1): read-only JSON or CSV over the same queries the pages use.

`create_blueprint(engine)` returns a Flask blueprint; app.py registers it. Every answer
carries CORS (GET from any origin) and caching headers derived from the data version.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, g, jsonify, request
from sqlalchemy import Connection
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date

from dashboard.web.api.params import ApiError
from queries.version import latest_publications, published_version

PREFIX = "/api/v1"


def request_connection(engine) -> Connection:
    """The request's one database connection: opened on first use, closed at the end of the
    request (for a streamed answer, when the stream ends). Each checkout used to cost a ping and
    a rollback; one API request took six (issue 11)."""
    conn = g.get("api_connection")
    if conn is None:
        conn = g.api_connection = engine.connect()
    return conn


def take_request_connection(engine) -> Connection:
    """The request's connection, no longer closed at the end of the request: the caller closes it
    (a streamed body, which Flask sends after tearing the request down)."""
    conn = request_connection(engine)
    g.pop("api_connection")
    return conn


def _cache_stamp(conn: Connection) -> tuple[str, dt.datetime | None]:
    version = published_version(conn)
    newest = latest_publications(conn, 1)
    published = newest[0]["published_at"] if newest else None
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=dt.timezone.utc)  # SQLite stores UTC without zone
    return f'"v{version}"', published


def _not_modified(etag: str, published: dt.datetime | None) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag.strip('"'))
    since = request.if_modified_since
    return bool(since and published and published.replace(microsecond=0) <= since)


def create_blueprint(engine) -> Blueprint:
    """The /api/v1 blueprint reading from `engine`."""
    from dashboard.web.api import routes

    bp = Blueprint("api_v1", __name__, url_prefix=PREFIX)

    @bp.before_request
    def conditional_get():
        if request.method not in ("GET", "HEAD") or request.path in (f"{PREFIX}/openapi.json", f"{PREFIX}/version"):
            return None
        g.api_etag, g.api_published = _cache_stamp(request_connection(engine))
        if _not_modified(g.api_etag, g.api_published):
            return "", 304
        return None

    @bp.teardown_request
    def close_connection(_exc):
        conn = g.pop("api_connection", None)
        if conn is not None:
            conn.close()

    @bp.after_request
    def headers(response):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        etag = g.get("api_etag")
        if etag and response.status_code in (200, 304):
            response.headers["ETag"] = etag
            if g.get("api_published"):
                response.headers["Last-Modified"] = http_date(g.api_published)
            response.headers["Cache-Control"] = "public, max-age=300"
        return response

    @bp.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return jsonify(exc.body()), exc.status

    @bp.app_errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # Only API paths answer in JSON; the Dash pages keep Flask's own responses.
        if not request.path.startswith(PREFIX + "/") and request.path != PREFIX:
            return exc
        response = jsonify(ApiError(exc.code or 500, exc.description or exc.name).body())
        response.status_code = exc.code or 500
        response.headers["Access-Control-Allow-Origin"] = "*"
        if exc.code == 405:
            response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response

    routes.register(bp, engine)
    return bp
