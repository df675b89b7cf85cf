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
from pathlib import Path

import brotli
import dash
from flask import Response, request

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
    accepted = request.accept_encodings
    if accepted["br"]:
        return "br"
    if accepted["gzip"]:
        return "gzip"
    return None


def _vendored_urls(app: dash.Dash, versions: AssetVersions) -> None:
    """Fingerprint the vendored stylesheets' addresses and tell dcc.Graph where our plotly.js is."""
    sheets = app.config.external_stylesheets
    for i, sheet in enumerate(sheets):
        if isinstance(sheet, str) and sheet.startswith("/assets/") and versions(sheet[len("/assets/"):]):
            sheets[i] = f"{sheet}?v={versions(sheet[len('/assets/'):])}"
    # Read by assets/plotly_url.js; dcc.Graph fetches plotly.js only on pages that draw a chart.
    app.config.meta_tags.append({"name": PLOTLY_URL_META,
                                 "content": app.get_asset_url(PLOTLY_BUNDLE) + f"?v={versions(PLOTLY_BUNDLE)}"})


def _without_cookie_vary(wsgi_app):
    """Static paths answer whole bodies only (no Range). Flask adds `Vary: Cookie` when a hook touched the session, after every after_request
    hook. A static body does not depend on cookies, and with that header a language cookie set
    by ?lang= would make the browser fetch every cached file again."""
    def app(environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(STATIC_PREFIXES):
            return wsgi_app(environ, start_response)
        # No byte ranges of static files: a range would index the plain body while the validator
        # a client resumes with may stand for a compressed copy (and the files are small).
        environ.pop("HTTP_RANGE", None)
        environ.pop("HTTP_IF_RANGE", None)
        # Compressed copies carry the weak form of the file's ETag; Dash's component-suite route
        # compares If-None-Match literally with the strong one, so it gets the strong form.
        if "HTTP_IF_NONE_MATCH" in environ:
            environ["HTTP_IF_NONE_MATCH"] = environ["HTTP_IF_NONE_MATCH"].replace('W/"', '"')

        def start(status, headers, exc_info=None):
            headers = [(k, ", ".join(x for x in v.split(", ") if x != "Cookie")) if k.lower() == "vary" else (k, v)
                       for k, v in headers]
            return start_response(status, [(k, v) for k, v in headers if v], exc_info)
        return wsgi_app(environ, start)
    return app


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
    app.server.wsgi_app = _without_cookie_vary(app.server.wsgi_app)

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
