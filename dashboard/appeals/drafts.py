"""Refilling the appeal form after an error: the typed values (never the files) wait in the
database under a one-time token that goes into the redirect and into this browser's session.

The session check means a leaked URL shows nothing: only the browser that posted gets its own
name and contact back. Drafts live DRAFT_TTL and are read once.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets

from flask import current_app, has_request_context, session
from sqlalchemy import Engine

from dashboard.appeals.workflow import BODY_MAX, CONTACT_MAX, NAME_MAX
from queries import drafts as q
from queries.appeals import utcnow

DRAFT_TTL = dt.timedelta(minutes=15)
SESSION_KEY = "appeal_draft"
# Field → longest kept value (a bit over the form's limit so a "too long" error keeps the text).
FIELDS = {"kind": 40, "body": BODY_MAX + 500, "author_name": NAME_MAX + 50, "author_contact": CONTACT_MAX + 50,
          "line": 40, "line_month": 2}
CONFIG_KEY = "ASHYQ_DRAFTS_ENGINE"


def keep_draft(engine: Engine, form) -> str:
    """Store the form's text fields; returns the token for the redirect."""
    token = secrets.token_urlsafe(24)
    data = {name: str(form.get(name) or "")[:limit] for name, limit in FIELDS.items() if form.get(name)}
    now = utcnow()
    with engine.begin() as conn:
        q.save_draft(conn, token, json.dumps(data, ensure_ascii=False), now, now - DRAFT_TTL)
    session[SESSION_KEY] = token
    return token


def take_draft(token: str | None) -> dict:
    """The values kept under `token` for this browser (empty when unknown, expired, used or not ours)."""
    if not token or not has_request_context() or CONFIG_KEY not in current_app.config:
        return {}
    if session.get(SESSION_KEY) != token:
        return {}
    session.pop(SESSION_KEY, None)
    with current_app.config[CONFIG_KEY].begin() as conn:
        data = q.take_draft(conn, token, utcnow() - DRAFT_TTL)
    return {k: v for k, v in json.loads(data).items() if k in FIELDS} if data else {}
