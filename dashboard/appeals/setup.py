"""Install appeals and accounts into an app: uploads, sessions, rate limits, endpoints, pages."""
from __future__ import annotations

import dash
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy import Engine

from dashboard.web.auth import init_accounts
from dashboard.web.accounts import register_account_routes
from dashboard.web.appeals import register_appeal_routes
from dashboard.appeals.sandbox import Budget
from dashboard.appeals.storage import UploadRequest, UploadStore
from dashboard.web.appeal_tracking import register_track_routes
from dashboard.appeals.workflow import MAX_ATTACHMENTS
from dashboard.config import Config
from dashboard.web.frame_guard import install_frame_guard


def register_pages() -> None:
    """The appeals and account pages. Call before the institution page is registered: Dash
    takes the first matching template and `/institution/<bin>` would also match
    `/institution/<bin>/appeals`."""
    from layouts.pages import appeals as appeal_pages, staff

    # order: Dash sorts pages (by order, then name) and takes the first matching template.
    dash.register_page("institution_appeals", path_template=appeal_pages.INSTITUTION_PATH, order=1,
                       layout=appeal_pages.institution_layout, title="Ashyq Budget")
    dash.register_page("appeal_track", path_template=appeal_pages.TRACK_PATH, layout=appeal_pages.track_layout,
                       title="Ashyq Budget")
    dash.register_page("appeal_find", path=appeal_pages.FIND_PATH, layout=appeal_pages.find_layout,
                       title="Ashyq Budget")
    dash.register_page("login", path=staff.LOGIN_PATH, layout=staff.login_layout, title="Ashyq Budget")
    dash.register_page("moderation", path=staff.MODERATION_PATH, layout=staff.moderation_layout, title="Ashyq Budget")
    dash.register_page("official", path=staff.OFFICIAL_PATH, layout=staff.official_layout, title="Ashyq Budget")
    dash.register_page("admin_users", path=staff.ADMIN_PATH, layout=staff.admin_layout, title="Ashyq Budget")


def install_appeals(app: dash.Dash, engine: Engine, config: Config) -> Limiter:
    """Streaming uploads under UPLOAD_DIR, Flask-Login, Flask-Limiter, endpoints and callbacks."""
    from callbacks import appeals as appeal_callbacks, staff as staff_callbacks

    server = app.server
    server.request_class = UploadRequest
    store = UploadStore(config.upload_dir, Budget(
        config.attachment_cpu_seconds, config.attachment_video_cpu_seconds, config.attachment_memory_mb,
        config.attachment_wall_seconds, config.attachment_max_megapixels))
    store.sweep_staging()  # leftovers of uploads whose worker was killed
    biggest = max(config.max_photo_bytes, config.max_video_bytes)
    server.config.update(ASHYQ_UPLOADS=store, ASHYQ_DRAFTS_ENGINE=engine, ASHYQ_MAX_FILE_BYTES=biggest,
                         # The whole body: five of the largest files plus the form fields.
                         MAX_CONTENT_LENGTH=MAX_ATTACHMENTS * biggest + 1024 * 1024)
    init_accounts(server, engine, config)
    # No X-RateLimit-* headers: they cost two more storage round trips on every limited request
    # (a tenth of a worker's CPU under load with Redis); a refusal still says when to come back
    # (Retry-After, set by the 429 handler in dashboard/web/appeals.py).
    limiter = Limiter(get_remote_address, app=server, storage_uri=config.ratelimit_storage_uri,
                      key_prefix=config.ratelimit_key_prefix, headers_enabled=False)
    register_account_routes(server, engine, config, limiter)
    register_appeal_routes(server, engine, config, store, limiter)
    register_track_routes(server)
    install_frame_guard(server)
    appeal_callbacks.register(app, engine)
    staff_callbacks.register(app, engine)
    return limiter
