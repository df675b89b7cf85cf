"""JSON answers for the form endpoints (appeals, documents, accounts) when a client asks for JSON.

Browsers posting forms keep Flask's own error pages or the endpoint's redirects; a client
sending `Accept: application/json` gets `{"error": ..., "detail": ...}` with the same status.
"""
from __future__ import annotations

import functools

from flask import jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge


# The same names the browser forms get in ?error= (and translate as appeals.error.*).
ERROR_NAMES = {429: "rate_limited"}


def wants_json() -> bool:
    """True when the client prefers JSON over HTML."""
    return request.accept_mimetypes.best == "application/json"


def json_errors(view):
    """Decorate an endpoint so HTTP errors it raises (403, 404, 409...) reach JSON clients as JSON."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except HTTPException as exc:
            # Oversized bodies have their own handler with a form-specific answer.
            if not wants_json() or isinstance(exc, RequestEntityTooLarge) or exc.code is None:
                raise
            error = ERROR_NAMES.get(exc.code) or exc.name.lower().replace(" ", "_").replace("'", "")
            return jsonify(error=error, detail=exc.description), exc.code

    return wrapped
