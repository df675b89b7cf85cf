"""Static files for slow networks (issue 17): compressed once per process, cached for a year by
the browser when their address carries a fingerprint, and a plotly.js of only the traces we draw.

Dash serves its bundles as `text/javascript`, and /assets files come from Flask's
`send_from_directory`; both pass through `after_request` here. The body is compressed once
(brotli, else gzip) and kept in memory keyed by a hash of the content, so later requests
cost a dictionary lookup. Flask-Compress skips a response that already has a Content-Encoding.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import brotli
import dash
from flask import Response, request
from werkzeug.http import parse_accept_header

IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "image/x-icon")
# Brotli 11 takes 10 s for ag-grid's 1.3 MB bundle, too long for the request that meets it first;
# quality 9 takes a fraction of a second and is 5-9 % larger.
BROTLI_QUALITY = 9
MIN_SIZE = 500
# The trace types in assets/vendor/plotly/plotly.min.js (tools/plotly_bundle/entry.js).
TRACES = frozenset({"scatter", "bar", "box", "treemap"})
PLOTLY_BUNDLE = "vendor/plotly/plotly.min.js"
PLOTLY_URL_META = "ashyq-plotly-url"


def content_version(path: Path) -> str:
    """A fingerprint for a vendored file's address: the start of its SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def compress(body: bytes, encoding: str, fast: bool = False) -> bytes:
    """`body` in `encoding` ("br" or "gzip"), reproducibly (no timestamp in the gzip header).

    `fast` for data made at run time (map layers, cached answers): brotli 5 / gzip 6 come within
    about 1 % of the best sizes on this data at a fraction of the time of 9 / 9."""
    if encoding == "br":
        return brotli.compress(body, quality=5 if fast else BROTLI_QUALITY)
    return gzip.compress(body, compresslevel=6 if fast else 9, mtime=0)


class CompressedBodies:
    """Compressed copies of static bodies, one per content and encoding. Keyed by content, not
    address: made-up fingerprints in component-suite addresses then add nothing."""

    def __init__(self):
        self._bodies: dict[tuple, bytes] = {}
        self._lock = threading.Lock()

    def get(self, body: bytes, encoding: str) -> bytes:
        key = (hashlib.blake2b(body, digest_size=16).digest(), encoding)
        found = self._bodies.get(key)
        if found is None:
            found = compress(body, encoding)
            with self._lock:
                self._bodies[key] = found
        return found


class AssetVersions:
    """`?v=` fingerprints of files under /assets: the start of their SHA-256, read again when a
    file's mtime changes."""

    def __init__(self, folder: str):
        self.folder = Path(folder)
        self._known: dict[str, tuple[float, str]] = {}

    def __call__(self, relative: str) -> str | None:
        if relative != os.path.normpath(relative) or relative.startswith(("/", "..")):
            return None  # "./app.css" and the like: one entry per file, not per spelling of its path
        path = self.folder / relative
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        known = self._known.get(relative)
        if known is None or known[0] != mtime:
            known = self._known[relative] = (mtime, content_version(path))
        return known[1]


def _fingerprinted(response: Response, versions: AssetVersions) -> bool:
    """Whether the address names this exact content, so the browser may keep it for a year."""
    path = request.path
    if path.startswith("/_dash-component-suites/"):
        # Dash sets a year on the addresses it fingerprints (version and mtime in the file name).
        return response.cache_control.max_age == 31536000
    if path == "/_favicon.ico":
        return request.args.get("v") == dash.__version__
    relative = path[len("/assets/"):]
    if "v" in request.args:
        return request.args["v"] == versions(relative)
    stamp = request.args.get("m")  # Dash's asset fingerprint: the file's mtime at startup
    try:
        return stamp is not None and stamp == str(os.path.getmtime(versions.folder / relative))
    except OSError:
        return False


def best_encoding() -> str | None:
    """The encoding to send this request: brotli, else gzip, else None (plain)."""
    return _preferred(request.accept_encodings)


def _preferred(accepted) -> str | None:
    return "br" if accepted["br"] else "gzip" if accepted["gzip"] else None


def _vendored_urls(app: dash.Dash, versions: AssetVersions) -> None:
    """Fingerprint the vendored stylesheets' addresses and tell dcc.Graph where our plotly.js is."""
    sheets = app.config.external_stylesheets
    for i, sheet in enumerate(sheets):
        if isinstance(sheet, str) and sheet.startswith("/assets/") and versions(sheet[len("/assets/"):]):
            sheets[i] = f"{sheet}?v={versions(sheet[len('/assets/'):])}"
    # Read by assets/plotly_url.js; dcc.Graph fetches plotly.js only on pages that draw a chart.
    app.config.meta_tags.append({"name": PLOTLY_URL_META,
                                 "content": app.get_asset_url(PLOTLY_BUNDLE) + f"?v={versions(PLOTLY_BUNDLE)}"})


def _encoding_of(environ) -> str | None:
    """best_encoding() from a WSGI environ (the static answers are looked up before Flask runs)."""
    return _preferred(parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING")))


class StaticAnswers:
    """The WSGI layer of static paths: whole answers kept per process, and headers fixed for all.

    A first visit fetches ~40 static files, a third of what a visitor sends (measured under load:
    2 ms of CPU each through Flask on a slow machine, file read and content hash included). Their
    bodies cannot change while the process runs: a component package's files (any address), and
    the /assets and favicon addresses that carry a fingerprint (served immutable). Such a 200 is
    kept whole (status, headers, the body for the negotiated encoding) and a repeat is answered
    here without a Flask request. Kept: no cookie set, no `lang` or percent-encoded query, no
validator asked, the body in the key's encoding. Bounded
    (MAX_ENTRIES, MAX_BYTES, least recently used out): made-up fingerprints are still addresses.

    Static paths answer whole bodies only (no Range). Flask adds `Vary: Cookie` when a hook touched
    the session, after every after_request hook. A static body does not depend on cookies, and
    with that header a language cookie set by ?lang= would make the browser fetch every cached
    file again."""

    MAX_ENTRIES = 512
    MAX_BYTES = 64 * 1024 * 1024

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self._answers: OrderedDict[tuple, tuple[str, list, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(STATIC_PREFIXES):
            return self.wsgi_app(environ, start_response)
        # No byte ranges of static files: a range would index the plain body while the validator
        # a client resumes with may stand for a compressed copy (and the files are small).
        environ.pop("HTTP_RANGE", None)
        environ.pop("HTTP_IF_RANGE", None)
        key = None
        query = environ.get("QUERY_STRING", "")
        # ?lang= sets the language cookie unless the visitor's already says so: never kept (nor
        # any percent-encoded query, which could spell it).
        if environ.get("REQUEST_METHOD") == "GET" and "HTTP_IF_NONE_MATCH" not in environ \
                and "lang" not in query and "%" not in query:
            key = (path, query, _encoding_of(environ))
            with self._lock:
                found = self._answers.get(key)
                if found is not None:
                    self._answers.move_to_end(key)
            if found is not None:
                start_response(found[0], list(found[1]))
                return [found[2]]
        # Compressed copies carry the weak form of the file's ETag; Dash's component-suite route
        # compares If-None-Match literally with the strong one, so it gets the strong form.
        if "HTTP_IF_NONE_MATCH" in environ:
            environ["HTTP_IF_NONE_MATCH"] = environ["HTTP_IF_NONE_MATCH"].replace('W/"', '"')
        answer = []

        def start(status, headers, exc_info=None):
            headers = [(k, ", ".join(x for x in v.split(", ") if x != "Cookie")) if k.lower() == "vary" else (k, v)
                       for k, v in headers]
            headers = [(k, v) for k, v in headers if v]
            answer[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, start)
        if key is None or not answer or not self._keeps(path, key[2], *answer):
            return body
        try:
            chunks = list(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._keep(key, (answer[0], answer[1], data))
        return [data]

    @staticmethod
    def _keeps(path: str, encoding: str | None, status: str, headers: list) -> bool:
        if not status.startswith("200 "):
            return False
        names = {k.lower(): v for k, v in headers}
        # Flask-Compress may answer a client that takes neither br nor gzip with deflate or zstd:
        # such a body is not for every client of the key's encoding.
        if "set-cookie" in names or names.get("content-encoding") != encoding:
            return False
        return path.startswith("/_dash-component-suites/") or names.get("cache-control") == IMMUTABLE

    def _keep(self, key: tuple, answer: tuple[str, list, bytes]) -> None:
        if len(answer[2]) > self.MAX_BYTES:
            return  # alone over the bound: would push out everything, itself included
        with self._lock:
            old = self._answers.pop(key, None)
            if old is not None:
                self._size -= len(old[2])
            self._answers[key] = answer
            self._size += len(answer[2])
            while self._size > self.MAX_BYTES or len(self._answers) > self.MAX_ENTRIES:
                self._size -= len(self._answers.popitem(last=False)[1][2])


def register_component_paths(app: dash.Dash) -> None:
    """Register the component scripts Dash may serve when the app is made (call once every
    component library is imported), before gunicorn forks its workers. Dash otherwise registers
    them on a process's first request, and a new thread-worker's concurrent first requests (a page
    and a script) raced: the script was "not a registered library" (a 500 in bare Dash; this app
    answered 404) and the page broke."""
    with app.server.test_request_context("/"):
        app._generate_scripts_html()  # noqa: SLF001 - Dash registers the paths as it lists them
        app._generate_css_dist_html()  # noqa: SLF001


def install(app: dash.Dash) -> None:
    """Compress and cache static responses of `app` (call after creating the Dash app)."""
    versions = AssetVersions(app.config.assets_folder)
    _vendored_urls(app, versions)
    bodies = CompressedBodies()
    app.server.wsgi_app = StaticAnswers(app.server.wsgi_app)

    @app.server.errorhandler(FileNotFoundError)
    @app.server.errorhandler(dash.exceptions.DependencyException)
    def missing_static_file(exc):
        # Dash lets a file a component package does not ship (the source maps its scripts point
        # to) or a name it never registered escape as a 500: a wrong address is a 404.
        if request.path.startswith("/_dash-component-suites/"):
            return Response("Not Found", status=404, mimetype="text/plain")
        raise exc

    @app.server.after_request
    def static_response(response: Response) -> Response:
        if request.method not in ("GET", "HEAD") or not request.path.startswith(STATIC_PREFIXES):
            return response
        if response.status_code not in (200, 304):
            return response
        if _fingerprinted(response, versions) and "Set-Cookie" not in response.headers:
            # A response that sets a cookie (?lang=) is never public: a shared cache would replay it.
            response.headers["Cache-Control"] = IMMUTABLE
        else:
            response.headers["Cache-Control"] = "no-cache"  # revalidate with the ETag: 304 if unchanged
        if "Content-Encoding" in response.headers or not response.mimetype.startswith(COMPRESSIBLE):
            return response
        response.vary.add("Accept-Encoding")  # on 304s too: the validator stands for several bodies
        if response.status_code != 200:
            return response
        encoding = best_encoding()
        response.direct_passthrough = False  # send_file's body: read it to compress it
        body = response.get_data()
        if encoding is None or len(body) < MIN_SIZE:
            return response
        response.set_data(bodies.get(body, encoding))
        response.headers["Content-Encoding"] = encoding
        # One ETag names the plain body and its compressed copies: weak, as for the map's shapes
        # (RFC 9110), and no byte ranges, which would index the plain body, not this one.
        etag, weak = response.get_etag()
        if etag and not weak:
            response.set_etag(etag, weak=True)
        response.headers.pop("Accept-Ranges", None)
        return response
