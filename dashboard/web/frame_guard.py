"""Clickjacking protection for the staff pages and the form endpoints.

Sign-in, moderation, the official's desk, admin pages and the endpoints their forms post to
may only be framed by this site. The public map, institution pages and the API stay
embeddable (newsrooms and municipal sites frame them), so they get no such headers; /embed,
the panels made for other sites' frames (issue 14), says so explicitly (`frame-ancestors *`).
"""
from __future__ import annotations

from flask import Flask, request

GUARDED_PAGES = ("/login", "/moderation", "/official", "/analyst")
GUARDED_PREFIXES = ("/admin/", "/auth/", "/appeals/", "/documents/", "/analyst/")
FRAME_ANCESTORS = "frame-ancestors 'self'"
EMBED_PATH = "/embed"
EMBED_ANCESTORS = "frame-ancestors *"


def is_guarded(path: str) -> bool:
    """Whether responses for `path` must refuse to be framed by other sites."""
    return path in GUARDED_PAGES or path.rstrip("/") in GUARDED_PAGES or path.startswith(GUARDED_PREFIXES)


def install_frame_guard(server: Flask) -> None:
    """Send X-Frame-Options and CSP frame-ancestors on the guarded paths; allow any frame on /embed."""

    @server.after_request
    def refuse_foreign_frames(response):
        if is_guarded(request.path):
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
            policy = response.headers.get("Content-Security-Policy")
            if not policy:
                response.headers["Content-Security-Policy"] = FRAME_ANCESTORS
            elif "frame-ancestors" not in policy:
                response.headers["Content-Security-Policy"] = f"{policy}; {FRAME_ANCESTORS}"
        elif request.path.rstrip("/") == EMBED_PATH and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = EMBED_ANCESTORS
        return response
