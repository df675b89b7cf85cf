"""Ashyq Budget: the Dash application factory. `server` is the WSGI app for gunicorn; the
development server is `python3 -m dashboard run` (dashboard/cli.py imports this module, not the
other way round)."""
from __future__ import annotations

import logging

import dash
from flask import Flask, g, jsonify, request
from flask_compress import Compress
from werkzeug.routing import IntegerConverter

from dashboard.config import Config, load_config
from dashboard.db import engine_for
from dashboard.i18n import LANGUAGE_COOKIE, normalize
from queries.health import replay_lag_seconds, schema_revision

log = logging.getLogger(__name__)


def _register_health(server: Flask, engine, read_engine=None) -> None:
    @server.get("/healthz")
    def healthz():
        try:
            with engine.connect() as conn:
                revision = schema_revision(conn)
        except Exception as exc:  # noqa: BLE001 - any database failure means "unhealthy"
            log.warning("health check failed: %s", exc)
            return jsonify(status="unavailable", error=type(exc).__name__), 503
        if revision is None:
            return jsonify(status="unavailable", error="schema not migrated"), 503
        if read_engine is None or read_engine is engine:
            return jsonify(status="ok", revision=revision)
        try:  # public pages read from the replica: without it this server cannot serve them
            with read_engine.connect() as conn:
                lag = replay_lag_seconds(conn)
        except Exception as exc:  # noqa: BLE001
            log.warning("health check of DATABASE_READ_URL failed: %s", exc)
            return jsonify(status="unavailable", error=type(exc).__name__, database="read"), 503
        return jsonify(status="ok", revision=revision, read_lag_seconds=lag)


def _remember_language(server: Flask) -> None:
    @server.after_request
    def set_language_cookie(response):
        lang = normalize(request.args.get("lang"))
        if lang and request.cookies.get(LANGUAGE_COOKIE) != lang:
            response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
                                secure=request.is_secure, httponly=True)
        return response


def _not_found_status(app: dash.Dash, engine) -> None:
    """Pages are drawn in the browser, but an unknown address or BIN still answers 404 (for
    crawlers, link checkers and API-minded users); the body is the app, which shows the page."""
    from dash._pages import _path_to_page

    from dashboard.params import text_param
    from queries.institution import institution_exists

    @app.server.after_request
    def page_status(response):
        if (g.get("response_cache_hit")  # a stored 200 passed this check for the same data version
                or request.method != "GET" or response.status_code != 200 or response.mimetype != "text/html"
                or request.path.startswith(("/_dash", "/assets", "/api/", "/files/", "/healthz"))):
            return response
        page, variables = _path_to_page(app.strip_relative_path(request.path))
        if not page:
            response.status_code = 404
        elif page.get("module") in ("institution", "institution_appeals"):
            # text_param: "" for a NUL byte, which PostgreSQL refuses in a text parameter.
            bin_ = text_param((variables or {}).get("bin"), 64)
            seen = g.get("institution_lookup")  # the first view of this request looked it up already
            if seen is not None and seen[0] == bin_:
                if not seen[1]:
                    response.status_code = 404
            else:
                with engine.connect() as conn:
                    if not institution_exists(conn, bin_):
                        response.status_code = 404
        return response


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` bounded to a BIGINT: /files/documents/<20 digits> is a 404, not an overflow in the
    database driver (and a 500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: Config | None = None) -> dash.Dash:
    """Build the Dash app (pages, callbacks, health endpoint) for a configuration."""
    from callbacks import explorer as explorer_callbacks, institution as institution_callbacks, \
        search as search_callbacks
    from dashboard.web.api import create_blueprint as create_api_blueprint
    from dashboard.appeals.setup import install_appeals, register_pages as register_appeal_pages
    from dashboard.web.cases import register_case_routes
    from dashboard.web.limits import install_limits
    from dashboard.web.response_cache import install_response_cache
    from dashboard.web.static_cache import install as install_static_cache
    from callbacks import cases as cases_callbacks
    from layouts.pages.cases import register_case_pages
    from dashboard.web.map_api import RegionShapesCache, register_map_api
    from layouts.components import appeals as appeals_component
    from callbacks import admin_import as admin_import_callbacks
    from dashboard.web.imports import register_import_routes
    from layouts.pages import admin_import, explorer, institution, not_found
    from callbacks import analyst as analyst_callbacks
    from dashboard.web.analyst_export import register_analyst_export
    from layouts.pages.analyst import register_workspace_page
    from callbacks import page_language as page_language_callbacks
    from callbacks import filter_status as filter_status_callbacks, map_legend as map_legend_callbacks

    config = config or load_config()
    engine = engine_for(config.database_url)
    # Public reads (explorer, map layers, institution pages, search, API, response cache) go to
    # the replica when DATABASE_READ_URL is set; writes and read-your-own-writes to the primary.
    read_engine = engine_for(config.database_read_url or config.database_url)
    server = Flask(__name__)
    server.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    server.config.update(SECRET_KEY=config.secret_key, COMPRESS_MIMETYPES=[
        "text/html", "text/css", "application/javascript", "application/json", "text/csv"])
    Compress(server)
    dash._pages.PAGE_REGISTRY.clear()  # each app gets its own pages (tests build several)
    app = dash.Dash(__name__, server=server, use_pages=True, pages_folder="",
                    # Vendored Bootstrap, loaded before our own assets/*.css.
                    external_stylesheets=["/assets/vendor/bootstrap.min.css",
                                          # only the icons the code names: tools/icons_subset.py
                                          "/assets/vendor/bootstrap-icons-subset.min.css"],
                    assets_path_ignore=["vendor"],  # a folder: assets_ignore sees only file names
                    suppress_callback_exceptions=True, title="Ashyq Budget",
                    update_title=None,  # Dash's "Updating..." tab title is English on every page
                    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}])
    dash.register_page("explorer", path=explorer.PATH, layout=explorer.layout_for(config.tiles_url),
                       title="Ashyq Budget")
    register_appeal_pages()  # /institution/<bin>/appeals sorts before /institution/<bin> (order)
    register_case_pages()
    dash.register_page("institution", path_template=institution.PATH_TEMPLATE, layout=institution.layout,
                       order=2, title="Ashyq Budget")
    institution.add_section(appeals_component.institution_page_section, after=institution.documents)
    register_workspace_page(config.tiles_url)
    from layouts.pages import present as present_page  # presentation mode (issue 12)
    dash.register_page("present", path=present_page.PATH, layout=present_page.layout_for(config.tiles_url),
                       title="Ashyq Budget")
    dash.register_page("present_print", path=present_page.PRINT_PATH, layout=present_page.print_layout,
                       title="Ashyq Budget")
    dash.register_page("admin_import", path=admin_import.PATH, layout=admin_import.layout, title="Ashyq Budget")
    dash.register_page(not_found.MODULE, path="/404", layout=not_found.layout, title="Ashyq Budget")
    from layouts.pages import embed as embed_page
    dash.register_page(embed_page.MODULE, path=embed_page.PATH, layout=embed_page.layout, title="Ashyq Budget")
    app.layout = dash.page_container
    # Dash wraps its scripts in a bare <footer>: a second contentinfo landmark beside the site's.
    app.index_string = app.index_string.replace("<footer>", "<div>").replace("</footer>", "</div>")
    install_static_cache(app)  # compressed, year-cached static files (issue 17)
    from dashboard.web.dash_json import install as install_dash_json
    install_dash_json()  # answers and layouts encoded by orjson in C, same text (issue 11)
    shapes = RegionShapesCache(read_engine, config.boundaries_path)
    explorer_callbacks.register(app, read_engine, shapes)
    from callbacks import live as live_callbacks
    live_callbacks.register(app, read_engine, config)  # version poll and "What's new" (issue 12)
    register_map_api(server, read_engine, shapes)
    institution_callbacks.register(app, read_engine, config.tiles_url, write_engine=engine)
    from callbacks import asof as asof_callbacks
    asof_callbacks.register(app, read_engine)  # citable views: banner, permalink, sources (issue 14)
    search_callbacks.register(app, read_engine)
    limiter = install_appeals(app, engine, config)
    install_response_cache(app, read_engine, config)  # before install_limits: its rate limit wraps hits too
    install_limits(app, limiter, config)  # proxies, body caps, callback rate limit
    register_case_routes(server, engine, config)
    from dashboard.web.visitor_views import install_view_counter
    install_view_counter(app, engine, limiter, config.callback_rate_limit)  # page views: POST /views from public pages
    from callbacks import counters as counters_callbacks
    counters_callbacks.register(app, read_engine, write_engine=engine)  # the front page's counters
    from callbacks import embed as embed_callbacks
    embed_callbacks.register(app, read_engine, shapes, config.tiles_url)  # /embed and the snippets
    cases_callbacks.register(app, engine)
    register_import_routes(server, engine, config)
    analyst_callbacks.register(app, engine)
    register_analyst_export(server, engine)
    admin_import_callbacks.register(app, config)
    page_language_callbacks.register(app, read_engine, write_engine=engine)  # after every page is registered
    filter_status_callbacks.register(app)
    map_legend_callbacks.register(app)
    from callbacks import present as present_callbacks
    present_callbacks.register(app, read_engine, shapes)
    _register_health(server, engine, read_engine)
    server.register_blueprint(create_api_blueprint(read_engine))
    _remember_language(server)
    _not_found_status(app, read_engine)
    from dashboard.web.static_cache import register_component_paths
    register_component_paths(app)  # every worker serves the scripts from its first request
    return app


def __getattr__(name: str):
    # Lazy `server` so importing app.py (e.g. in tests) does not touch the database.
    if name == "server":
        return create_app().server
    raise AttributeError(name)
