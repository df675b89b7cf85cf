"""Server-side role guards for Flask routes and Dash callbacks (hiding a page is not authorization)."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from dashboard.web.http_errors import wants_json

ANALYST = "analyst"


def is_analyst() -> bool:
    """True when the signed-in account is an analyst."""
    return bool(current_user.is_authenticated and current_user.has_role(ANALYST))


def require_analyst() -> None:
    """Raise 403 unless an analyst is signed in.

    Works in Flask views and Dash callbacks alike: the exception carries its own response,
    `{"error": "forbidden"}` for JSON clients, else Flask's normal 403 page.
    """
    if is_analyst():
        return
    if wants_json():
        response = jsonify(error="forbidden", detail="analysts only")
        response.status_code = 403
        raise Forbidden("analysts only", response=response)
    raise Forbidden("analysts only")
