"""Site-wide protection: trusted proxies, request body caps and the Dash callback rate limit.

Uploads (appeals, documents, case files, imports) keep MAX_CONTENT_LENGTH; every other request,
Dash callbacks first of all, is refused with 413 beyond CALLBACK_MAX_BYTES before its body is
read (Content-Length checked at once, chunked bodies cut off while they stream).
"""
from __future__ import annotations

import logging
import os
import sys

from flask import Flask, abort, request
from flask_limiter import Limiter
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.config import Config, ConfigError

log = logging.getLogger(__name__)

# Endpoints that take files; each keeps the app-wide MAX_CONTENT_LENGTH.
UPLOAD_ENDPOINTS = frozenset({"new_appeal", "new_document", "case_document_upload", "admin_import"})
CALLBACK_ENDPOINT = "/_dash-update-component"
CALLBACK_SCOPE = "dash-callbacks"


def trust_proxies(server: Flask, hops: int) -> None:
    """Believe X-Forwarded-For/-Proto/-Host set by `hops` reverse proxies (none when 0)."""
    if hops:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def is_upload() -> bool:
    """The request goes to an endpoint that accepts files."""
    return request.endpoint in UPLOAD_ENDPOINTS


def cap_bodies(server: Flask, max_bytes: int) -> None:
    """413 for non-upload requests whose body is over `max_bytes` (runs before any other hook)."""

    def cap_body():
        if is_upload():
            return
        if request.content_length is not None and request.content_length > max_bytes:
            abort(413, description=f"request body over {max_bytes:,} bytes")
        request.max_content_length = max_bytes + 1
        # A chunked body (no Content-Length): read at most one byte past the cap, kept for the view.
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower() \
                and len(request.get_data(cache=True)) > max_bytes:
            abort(413, description=f"request body over {max_bytes:,} bytes")

    server.before_request_funcs.setdefault(None, []).insert(0, cap_body)


def limit_callbacks(server: Flask, limiter: Limiter, limit: str) -> None:
    """CALLBACK_RATE_LIMIT per address on Dash callbacks; signed-in staff are not counted."""
    endpoint = next(rule.endpoint for rule in server.url_map.iter_rules() if rule.rule.endswith(CALLBACK_ENDPOINT))
    server.view_functions[endpoint] = limiter.limit(
        lambda: limit, scope=CALLBACK_SCOPE, exempt_when=lambda: current_user.is_authenticated,
    )(server.view_functions[endpoint])


def limit_pinned_points(server: Flask, limiter: Limiter, limit: str) -> None:
    """The callback limit also on the map's points of a pinned view (`/api/map/points?asof=`): each
    new pinned publication reads the lines' history once, so an address may not ask for many."""
    endpoint = next((rule.endpoint for rule in server.url_map.iter_rules() if rule.rule == "/api/map/points"), None)
    if endpoint is None:
        return
    server.view_functions[endpoint] = limiter.limit(
        lambda: limit, scope=CALLBACK_SCOPE,
        exempt_when=lambda: "asof" not in request.args or current_user.is_authenticated,
    )(server.view_functions[endpoint])


def guard_page_router(server: Flask) -> None:
    """400 for a page-router callback whose pathname or search is not a path or query string: Dash's
    own router (`_pages_location`) assumes strings starting with "/" and raises otherwise."""

    def check_router():
        if request.method != "POST" or not request.path.endswith(CALLBACK_ENDPOINT):
            return
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400, description="a callback body is a JSON object")
        for arg in body.get("inputs") or []:
            if not isinstance(arg, dict) or arg.get("id") != "_pages_location":
                continue
            value = arg.get("value")
            if arg.get("property") == "pathname" and not (
                    isinstance(value, str) and value.startswith("/") and "\x00" not in value):
                abort(400, description="pathname must be a path")
            if arg.get("property") == "search" and not (value is None or isinstance(value, str)):
                abort(400, description="search must be a string")

    server.before_request(check_router)


def gunicorn_workers(argv: list[str] | None = None, environ=None) -> int:
    """How many workers the gunicorn command line starting this process asks for (1 when this is
    not gunicorn): `-w N`, `-wN`, `--workers N`, `--workers=N`, else WEB_CONCURRENCY."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    if not argv or "gunicorn" not in os.path.basename(argv[0]):
        return 1
    workers = environ.get("WEB_CONCURRENCY", "1")
    for i, arg in enumerate(argv[1:], start=1):
        if arg in ("-w", "--workers") and i + 1 < len(argv):
            workers = argv[i + 1]
        elif arg.startswith("--workers="):
            workers = arg.split("=", 1)[1]
        elif arg.startswith("-w") and arg[2:].isdigit():
            workers = arg[2:]
    return int(workers) if str(workers).isdigit() else 1


def install_limits(app, limiter: Limiter, config: Config) -> None:
    """Proxy trust, body caps and the callback limit on a Dash app (after install_appeals)."""
    if config.ratelimit_storage_uri.startswith("memory://"):  # refused in production (load_config)
        workers = gunicorn_workers()
        if workers > 1:
            raise ConfigError("RATELIMIT_STORAGE_URI=memory:// keeps rate limits per worker process, so "
                              f"{workers} gunicorn workers would multiply every limit; "
                              "set RATELIMIT_STORAGE_URI=redis://HOST:6379")
        log.warning("rate limits are kept in memory (RATELIMIT_STORAGE_URI=memory://): each worker "
                    "counts on its own; use redis://HOST:6379 with several workers")
    trust_proxies(app.server, config.trusted_proxies)
    cap_bodies(app.server, config.callback_max_bytes)
    limit_callbacks(app.server, limiter, config.callback_rate_limit)
    limit_pinned_points(app.server, limiter, config.callback_rate_limit)
    guard_page_router(app.server)
