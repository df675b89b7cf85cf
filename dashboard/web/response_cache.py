"""Whole responses cached by data version and view (issue 11): a thousand visitors on one view
cost one computation per data version, and a hit sends stored bytes (no Dash dispatch, no JSON
encoding, no compression).

What is cached, for visitors without a staff session only (staff may see flags and drafts):
- POSTs to Dash's callback endpoint whose output belongs to a callback in PURE_CALLBACKS: their
  answer depends on the request body and the data only. Key: version, host, path, raw body.
- GETs of the read-only /api/v1 endpoints in API_ENDPOINTS. Key: version, host, path and query.
- GETs of the explorer (/) and institution (/institution/<bin>) pages: the index is written per
  request in the page's language with the institution's name and KPIs (callbacks/page_language.py).
  Key: version, host, path and query, and the language the page resolves to (?lang=, the `lang`
  cookie, Accept-Language: exactly what dashboard.i18n.request_language reads).

The data version (queries/version.py) is one index-only statement per request, or one per
DATA_VERSION_TTL seconds per process. Only 200 answers without cookies are stored; the language
cookie set by ?lang= is left out of the entry and set again on a hit by its own after_request
hook. Every hook still runs on a hit: body caps, the callback rate limit (it wraps this cache's
view), the frame guard, CORS. Bodies from MIN_SIZE bytes are stored with their brotli and gzip
copies, made once; Flask-Compress leaves a response that has a Content-Encoding alone.

Backends: an LRU in process memory bounded by CACHE_MAX_MB, or Redis (REDIS_URL, keys
`ashyq:cache:<sha256>`) shared by every worker and host. Both expire entries after CACHE_TTL
seconds: the "overdue" appeal counts change with the clock, not with the data. Concurrent misses
of one key in one process wait for the first computation.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import struct
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

import orjson
from flask import Response, g, request
from flask_login import current_user
from sqlalchemy import Engine

from dashboard.config import Config
from dashboard.i18n import LANGUAGE_COOKIE, request_language
from dashboard.web.static_cache import MIN_SIZE, best_encoding, compress
from queries.version import data_version

log = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"
REDIS_PREFIX = "ashyq:cache:"
FLIGHT_WAIT = 5.0  # seconds a concurrent miss waits for the first computation of its key
# Part of every key: entries made by another build (other markup, texts, asset fingerprints, or
# Dash) are never served, e.g. by Redis during a rolling deploy. APP_BUILD (a commit id) when the
# deployment sets it; the fingerprint of the code that draws the answers otherwise.
def _build_id() -> str:
    import os
    from pathlib import Path

    import dash

    digest = hashlib.sha256(f"{os.environ.get('APP_BUILD', '')}|{dash.__version__}".encode())
    root = Path(__file__).resolve().parents[2]
    for folder, suffixes in (("callbacks", {".py"}), ("layouts", {".py"}), ("queries", {".py"}),
                             ("dashboard/i18n", {".py", ".json"}), ("assets", {".js", ".css"})):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in suffixes and "__pycache__" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


BUILD_ID = _build_id()
# (module, function) of the server callbacks whose answer depends only on the request body and
# the data version (each read for this: no session, cookie, current_user, request or clock other
# than what the key holds; the analyst flag of show_year and the exports is shown only to a
# signed-in analyst, and signed-in staff are never served from here).
PURE_CALLBACKS = frozenset({
    ("callbacks.explorer", "navigate"), ("callbacks.explorer", "draw_map"),
    ("callbacks.explorer", "draw_panels"), ("callbacks.explorer", "show_popup"),
    ("callbacks.institution", "show_year"), ("callbacks.institution", "show_monthly"),
    ("callbacks.institution", "export_csv"), ("callbacks.institution", "export_xlsx"),
    ("callbacks.search", "suggest"), ("callbacks.filter_status", "show_filters"),
    ("callbacks.page_language", "explorer_tab_title"), ("callbacks.embed", "draw_embed"),
    ("callbacks.live", "load_whats_new"),  # not its views: their relative times follow the clock
    ("callbacks.asof", "explorer_bar"),  # its share link holds request.host_url: part of the key
    ("callbacks.asof", "institution_bar"),  # the same, for an institution page
    # Public appeals, their counts and responsiveness: appeal events move the data version, the
    # clock ("overdue") is bounded by CACHE_TTL as for show_popup's counts; an analyst's fuller
    # list is never stored (signed-in users bypass the cache).
    ("callbacks.appeals", "fill_section"),
})
# The read-only /api/v1 endpoints (not bulk/lines: a streamed CSV of a whole year).
API_ENDPOINTS = frozenset(f"api_v1.{name}" for name in (
    "openapi", "regions_list", "region_districts", "sectors_list", "institutions_list",
    "institution_detail", "institution_lines", "top", "classification",
    "spending_totals", "datapackage_descriptor", "bulk_reference", "responsiveness_list", "explorer_view"))
PAGE_MODULES = frozenset({"explorer", "institution", "embed"})
# Headers an entry does not keep: recomputed for each answer, or (cookies) never shared.
_DROPPED = frozenset({"content-length", "content-encoding", "set-cookie", "vary"})
_HEAD = struct.Struct(">I")


class Entry:
    """A stored answer: status, headers and the body with its compressed copies (b"" if none)."""

    __slots__ = ("status", "headers", "body", "br", "gzip")

    def __init__(self, status: int, headers: list, body: bytes, br: bytes = b"", gzip: bytes = b""):
        self.status, self.headers, self.body, self.br, self.gzip = status, headers, body, br, gzip

    @classmethod
    def of(cls, response: Response) -> Entry:
        body = response.get_data()
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _DROPPED]
        if len(body) < MIN_SIZE:
            return cls(response.status_code, headers, body)
        return cls(response.status_code, headers, body, compress(body, "br", fast=True), compress(body, "gzip", fast=True))

    def to_bytes(self) -> bytes:
        head = orjson.dumps([self.status, self.headers, len(self.body), len(self.br)])
        return _HEAD.pack(len(head)) + head + self.body + self.br + self.gzip

    @classmethod
    def from_bytes(cls, data: bytes) -> Entry:
        (size,) = _HEAD.unpack_from(data)
        status, headers, body_len, br_len = orjson.loads(data[_HEAD.size:_HEAD.size + size])
        start = _HEAD.size + size
        return cls(status, [tuple(h) for h in headers], data[start:start + body_len],
                   data[start + body_len:start + body_len + br_len], data[start + body_len + br_len:])

    def response(self) -> Response:
        """The answer for this request: the compressed copy the client accepts, else the body."""
        response = Response(status=self.status, headers=self.headers)
        encoding = best_encoding() if self.br else None
        response.set_data(self.br if encoding == "br" else self.gzip if encoding == "gzip" else self.body)
        if self.br:
            response.vary.add("Accept-Encoding")
        if encoding:
            response.headers["Content-Encoding"] = encoding
            etag, weak = response.get_etag()
            if etag and not weak:  # one validator for the body and its copies (RFC 9110)
                response.set_etag(etag, weak=True)
        return response


class MemoryStore:
    """Serialised entries in an LRU bounded in bytes, each kept `ttl` seconds (this process only)."""

    def __init__(self, max_bytes: int, ttl: int):
        self.max_bytes, self.ttl = max_bytes, ttl
        self.size = 0
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if found[0] <= time.monotonic():
                self.size -= len(self._items.pop(key)[1])
                return None
            self._items.move_to_end(key)
            return found[1]

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old:
                self.size -= len(old[1])
            self._items[key] = (time.monotonic() + self.ttl, value)
            self.size += len(value)
            while self.size > self.max_bytes:
                self.size -= len(self._items.popitem(last=False)[1][1])


class RedisStore:
    """Entries in Redis, shared by every worker and host; a Redis outage only means misses."""

    def __init__(self, url: str, ttl: int):
        import redis

        self.ttl = ttl
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str) -> bytes | None:
        try:
            return self.client.get(REDIS_PREFIX + key)
        except Exception as exc:  # noqa: BLE001 - serve from the database rather than fail
            log.warning("response cache: Redis read failed: %s", exc)
            return None

    def set(self, key: str, value: bytes) -> None:
        try:
            self.client.set(REDIS_PREFIX + key, value, ex=self.ttl)
        except Exception as exc:  # noqa: BLE001
            log.warning("response cache: Redis write failed: %s", exc)


class TieredStore:
    """This process's LRU in front of Redis. An entry never changes under its key (the key holds
    the data version), so a copy kept here is as good as Redis's and a repeat costs no round trip
    (measured under load: Redis client work was a fifth of a worker's CPU)."""

    def __init__(self, near: MemoryStore, far: RedisStore):
        self.near, self.far = near, far

    def get(self, key: str) -> bytes | None:
        found = self.near.get(key)
        if found is None:
            found = self.far.get(key)
            if found is not None:
                self.near.set(key, found)
        return found

    def set(self, key: str, value: bytes) -> None:
        self.near.set(key, value)
        self.far.set(key, value)


class VersionReader:
    """The data version from the engine the data is read from, reused for `ttl` seconds."""

    def __init__(self, engine: Engine, ttl: float):
        self.engine, self.ttl = engine, ttl
        self._last: tuple[float, str] | None = None

    def __call__(self) -> str:
        last = self._last
        now = time.monotonic()
        if self.ttl and last and now - last[0] < self.ttl:
            return last[1]
        with self.engine.connect() as conn:
            version = data_version(conn)
        self._last = (now, version)
        return version


class ResponseCache:
    """Lookup, storage and the per-key wait of concurrent misses."""

    def __init__(self, store, versions: VersionReader, max_entry: int):
        self.store, self.versions, self.max_entry = store, versions, max_entry
        self._flights: dict[str, list] = {}  # key → [lock, holders]
        self._flights_lock = threading.Lock()

    def key(self, *parts) -> str:
        digest = hashlib.sha256(BUILD_ID.encode())
        for part in parts:
            digest.update(part if isinstance(part, bytes) else str(part).encode())
            digest.update(b"\x00")
        return digest.hexdigest()

    def get(self, key: str) -> Entry | None:
        data = self.store.get(key)
        if not data:
            return None
        try:
            return Entry.from_bytes(data)
        except Exception:  # noqa: BLE001 - an entry another build wrote in another form: a miss
            log.warning("response cache: unreadable entry ignored")
            return None

    def put(self, key: str, response: Response) -> Entry | None:
        """Store a 200 answer that sets no cookie and is not streamed; None when not stored."""
        if response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers \
                or "Content-Encoding" in response.headers:
            return None
        entry = Entry.of(response)
        data = entry.to_bytes()
        if len(data) > self.max_entry:
            return None  # one huge answer (a big export) should not push out everything else
        self.store.set(key, data)
        return entry

    @contextmanager
    def flight(self, key: str):
        """Hold the key's lock: a concurrent miss of the same key waits here, then finds the entry."""
        with self._flights_lock:
            flight = self._flights.setdefault(key, [threading.Lock(), 0])
            flight[1] += 1
        try:
            # Wait for the first computation, but not forever: a stuck statement must not pin
            # every worker thread asking for the same view; after FLIGHT_WAIT this one computes too.
            acquired = flight[0].acquire(timeout=FLIGHT_WAIT)
            try:
                yield
            finally:
                if acquired:
                    flight[0].release()
        finally:
            with self._flights_lock:
                flight[1] -= 1
                if not flight[1]:
                    del self._flights[key]


def _hit(entry: Entry) -> Response:
    g.response_cache_hit = True  # app.py's page status check: this answer passed it for this version
    response = entry.response()
    response.headers["X-Cache"] = "hit"
    return response


def _anonymous() -> bool:
    return not current_user.is_authenticated


def _cache_callbacks(app, cache: ResponseCache) -> None:
    """Wrap Dash's callback view (call before install_limits: its rate limit then wraps this)."""
    server = app.server
    endpoint = next(rule.endpoint for rule in server.url_map.iter_rules() if rule.rule.endswith(CALLBACK_PATH))
    dispatch = server.view_functions[endpoint]

    @functools.cache
    def pure_outputs() -> frozenset:
        # Read at the first callback: Dash adds some callbacks only when it starts serving.
        return frozenset(output for output, spec in app.callback_map.items()
                         if (getattr(spec.get("callback"), "__module__", None),
                             getattr(spec.get("callback"), "__name__", None)) in PURE_CALLBACKS)

    @functools.wraps(dispatch)
    def cached_dispatch(*args, **kwargs):
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("output") not in pure_outputs() or not _anonymous():
            return dispatch(*args, **kwargs)
        key = cache.key("callback", cache.versions(), request.host_url, request.path, request.get_data())
        entry = cache.get(key)
        if entry is None:
            with cache.flight(key):
                entry = cache.get(key)
                if entry is None:
                    response = server.make_response(dispatch(*args, **kwargs))
                    entry = cache.put(key, response)
                    if entry is None:
                        return response
                    response = entry.response()
                    response.headers["X-Cache"] = "miss"
                    return response
        return _hit(entry)

    server.view_functions[endpoint] = cached_dispatch


def _cache_pages_and_api(app, cache: ResponseCache) -> None:
    """Public pages and API answers: looked up before the view, stored after it."""
    from dash._pages import _path_to_page

    server = app.server

    def request_key() -> str | None:
        """The key of a cacheable request (and the data version read); None for any other."""
        if request.method != "GET":
            return None
        if request.endpoint in API_ENDPOINTS:
            if not _anonymous():
                return None
            # With asof= too: such an answer also reads today's institutions, names and newest year.
            return cache.key("api", cache.versions(), request.host_url, request.full_path)
        if request.endpoint not in ("/", "/<path:path>"):
            return None
        page, _ = _path_to_page(app.strip_relative_path(request.path))
        if not page or page.get("module") not in PAGE_MODULES or not _anonymous():
            return None
        return cache.key("page", cache.versions(), request.host_url, request.full_path,
                         request_language(request.args.get("lang")))

    @server.before_request
    def cached_answer():
        key = request_key()
        if key is None:
            return None
        entry = cache.get(key)
        if entry is None:
            flight = cache.flight(key)
            flight.__enter__()  # left in teardown_request, whatever happens in between
            g.response_cache_flight = flight
            entry = cache.get(key)  # a concurrent miss may have stored it while this one waited
            if entry is None:
                g.response_cache_key = key
                return None
        response = _hit(entry)
        return response.make_conditional(request) if request.endpoint in API_ENDPOINTS else response

    @server.after_request
    def store_answer(response: Response) -> Response:
        key = g.pop("response_cache_key", None)
        if key is None:
            return response
        # The language cookie of ?lang= is set again on every hit by its own hook; the entry
        # must not carry it (nor any other cookie: put() refuses those).
        cookies = response.headers.getlist("Set-Cookie")
        if cookies and all(c.startswith(LANGUAGE_COOKIE + "=") for c in cookies):
            stored = Response(response.get_data(), status=response.status_code, headers=[
                (k, v) for k, v in response.headers.items() if k.lower() != "set-cookie"])
            entry = cache.put(key, stored)
        else:
            entry = cache.put(key, response)
        if entry is None:
            return response
        served = entry.response()
        for cookie in cookies:
            served.headers.add("Set-Cookie", cookie)
        served.headers["X-Cache"] = "miss"
        return served

    @server.teardown_request
    def end_flight(_exc):
        flight = g.pop("response_cache_flight", None)
        if flight is not None:
            flight.__exit__(None, None, None)


def install_response_cache(app, read_engine: Engine, config: Config) -> ResponseCache | None:
    """Cache public answers of `app`, keyed by the data version of `read_engine` (the engine the
    pages read from). Call after install_appeals (Flask-Login, frame guard) and before
    install_limits (the callback rate limit must wrap the cached view). None when CACHE_MAX_MB=0
    and no Redis is set."""
    if config.redis_url and config.cache_max_mb:
        # the near copy expires sooner: an entry stored in Redis by another worker minutes ago
        # must not outlive the TTL that bounds the clock-driven "overdue" counts
        store = TieredStore(MemoryStore(config.cache_max_mb * 1024 * 1024, max(1, config.cache_ttl_seconds // 10)),
                            RedisStore(config.redis_url, config.cache_ttl_seconds))
    elif config.redis_url:
        store = RedisStore(config.redis_url, config.cache_ttl_seconds)
    elif config.cache_max_mb:
        store = MemoryStore(config.cache_max_mb * 1024 * 1024, config.cache_ttl_seconds)
    else:
        return None
    # An eighth of the memory bound (32 MB by default) for one entry, in Redis too.
    max_entry = max(config.cache_max_mb, 8) * 1024 * 1024 // 8
    cache = ResponseCache(store, VersionReader(read_engine, config.data_version_ttl), max_entry)
    _cache_callbacks(app, cache)
    _cache_pages_and_api(app, cache)
    app.server.extensions["response_cache"] = cache
    return cache
