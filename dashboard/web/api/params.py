"""Query-string validation for the API: every bad value is a 400 that names its parameter."""
from __future__ import annotations

from flask import request

from dashboard.bin import is_valid_bin

MAX_LIMIT = 500
DEFAULT_LIMIT = 50
MAX_TOP = 100


class ApiError(Exception):
    """An error answered as JSON: {"error": {"status", "message", "parameter"}}."""

    def __init__(self, status: int, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter

    def body(self) -> dict:
        error = {"status": self.status, "message": self.message}
        if self.parameter:
            error["parameter"] = self.parameter
        return {"error": error}


def reject_unknown(allowed: set[str]) -> None:
    """400 for a query parameter the endpoint does not take (typos must not pass silently)."""
    for name in request.args:
        if name not in allowed:
            raise ApiError(400, f"unknown parameter {name!r}; allowed: {', '.join(sorted(allowed))}", name)


def _one(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiError(400, f"{name} given {len(values)} times; give it once", name)
    return values[0] if values else None


def integer(name: str, default: int | None = None, lo: int | None = None, hi: int | None = None,
            cap: int | None = None) -> int | None:
    """An integer parameter in [lo, hi]; values above `cap` are lowered to it (limits)."""
    raw = _one(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 12:
        raise ApiError(400, f"{name} must be an integer, got {raw!r}", name)
    value = int(raw)
    if lo is not None and value < lo or hi is not None and value > hi:
        bounds = (f"between {lo} and {hi}" if lo is not None and hi is not None
                  else f"at least {lo}" if lo is not None else f"at most {hi}")
        raise ApiError(400, f"{name} must be {bounds}, got {value}", name)
    return min(value, cap) if cap is not None else value


def choice(name: str, allowed, default: str | None = None) -> str | None:
    """A parameter whose value must be one of `allowed` (a collection, or a callable returning
    one: called only when the parameter is given, so an absent filter costs no query)."""
    raw = _one(name)
    if raw is None or raw == "":
        return default
    if callable(allowed):
        allowed = allowed()
    if raw not in allowed:
        shown = ", ".join(sorted(allowed)) if len(allowed) <= 30 else f"{len(allowed)} known codes"
        raise ApiError(400, f"{name} must be one of {shown}, got {raw!r}", name)
    return raw


def text_param(name: str, max_length: int = 200) -> str | None:
    raw = _one(name)
    if raw is not None and len(raw) > max_length:
        raise ApiError(400, f"{name} must be at most {max_length} characters", name)
    return raw or None


def output_format() -> str:
    return choice("format", {"json", "csv"}, "json")


def bin_path(value: str) -> str:
    """A BIN from the URL path: malformed is 400, well-formed but unknown is the caller's 404."""
    if not is_valid_bin(value):
        raise ApiError(400, f"bin must be 12 digits with a valid check digit, got {value!r}", "bin")
    return value
