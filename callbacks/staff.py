"""Wiring of the account pages: moderation queue and overdue list, official's desk, users (their
views: layouts/staff_views.py).

Each callback checks the signed-in role itself and raises Forbidden (HTTP 403) otherwise,
whatever the page showed: hiding a container is not authorization.
"""
from __future__ import annotations

from dash import Input, Output
from flask_login import current_user
from sqlalchemy import Engine
from werkzeug.exceptions import Forbidden

from layouts import ids
from layouts.staff_views import moderation_cards, official_desk, overdue_table, users_table
from queries import appeals as q, documents as doc_queries, users as user_queries
from queries.appeals import utcnow


def require_role(*roles: str) -> None:
    if not current_user.is_authenticated or not current_user.has_role(*roles):
        raise Forbidden("this account may not see this")


def register(app, engine: Engine) -> None:
    """Attach the staff callbacks; each one authorizes the session on the server."""

    @app.callback(Output(ids.MOD_QUEUE, "children"), Output(ids.MOD_OVERDUE, "children"),
                  Input(ids.STAFF_CTX, "data"))
    def fill_moderation(ctx):
        require_role("moderator")
        lang = (ctx or {}).get("lang", "ru")
        with engine.connect() as conn:
            rows = q.with_line_details(conn, q.moderation_queue(conn))
            files = q.attachments_for(conn, [r["id"] for r in rows])
            overdue = q.overdue_appeals(conn)
        return moderation_cards(rows, files, lang, utcnow()), overdue_table(overdue, lang)

    @app.callback(Output(ids.OFFICIAL_DESK, "children"), Input(ids.STAFF_CTX, "data"))
    def fill_desk(ctx):
        require_role("official")
        own = current_user.institution_ids
        with engine.connect() as conn:
            rows = q.with_line_details(conn, q.appeals_for_institutions(conn, own))
            files = q.attachments_for(conn, [r["id"] for r in rows])
            institutions = q.institutions_by_ids(conn, own)
            docs = doc_queries.documents_for_institutions(conn, own, limit=20)
        return official_desk(rows, files, institutions, docs, (ctx or {}).get("lang", "ru"), utcnow())

    @app.callback(Output(ids.ADMIN_USERS, "children"), Input(ids.STAFF_CTX, "data"))
    def fill_users(ctx):
        require_role("admin")
        with engine.connect() as conn:
            rows = user_queries.list_users(conn)
        return users_table(rows, current_user.username, (ctx or {}).get("lang", "ru"))
