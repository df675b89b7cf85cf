"""Parsing numbers that come from URLs and forms: ASCII digits only, bounded, never an exception.

`str.isdigit()` accepts '²' and '٣' (int() then raises) and any length (int() then overflows
64-bit JSON encoders); these helpers accept what a person means by a year or a month.
"""
from __future__ import annotations

YEAR_RANGE = (2000, 2100)


def whole_number(value, low: int, high: int) -> int | None:
    """The int in [low, high] that `value` spells in ASCII digits, else None."""
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > 9 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None


def year_param(value) -> int | None:
    """A budget year (2000–2100) from a URL or form value, else None."""
    return whole_number(value, *YEAR_RANGE)


def text_param(value, max_length: int = 200) -> str:
    """A client-sent string without NUL bytes, cut to `max_length`; "" for anything else
    (Dash stores and inputs arrive as whatever JSON the client chose to send)."""
    if not isinstance(value, str) or "\x00" in value:
        return ""
    return value[:max_length]


def lang_param(value) -> str:
    """A client-sent language ('page-lang' store, a context's "lang") as one of the supported
    codes; anything else (a list, a dict, junk) is the default language."""
    from dashboard.i18n import DEFAULT_LANGUAGE, normalize

    return normalize(value) or DEFAULT_LANGUAGE


def dict_param(value) -> dict:
    """A client-sent JSON object, or {} for null, lists, numbers and strings."""
    return value if isinstance(value, dict) else {}


def bin_shaped(value) -> bool:
    """Twelve ASCII digits (the shape of a BIN; the check digit is checked elsewhere)."""
    return isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit()
