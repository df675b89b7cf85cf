"""Translations (kk, ru, en) and the choice of language for a request.

Catalogs live in `messages/<lang>.json` plus one folder per feature area,
`messages/<area>/<lang>.json`, merged into one catalog per language (a key defined twice is
an error). Every key must exist in all three languages (tested).
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "ru"
LANGUAGE_COOKIE = "lang"
_DIR = Path(__file__).parent / "messages"


def catalog(lang: str) -> dict[str, str]:
    """The message catalog of a language (Russian for anything else: `lang` may come from a client)."""
    return _catalog(lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT_LANGUAGE)


@functools.cache
def _catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in [_DIR / f"{lang}.json", *sorted(_DIR.glob(f"*/{lang}.json"))]:
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"message key {key!r} is defined twice ({path})")
            merged[key] = text
    return merged


def t(key: str, lang: str, **params) -> str:
    """The message `key` in `lang`, with {placeholders} filled; falls back to Russian."""
    lang = lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT_LANGUAGE
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE)[key]
    return text.format(**params) if params else text


def normalize(value: str | None) -> str | None:
    """'kk-KZ', 'KK', 'kz' → 'kk'; anything unknown → None."""
    if not value or not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    code = {"kz": "kk"}.get(code, code)
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported language of an Accept-Language header, by q weight."""
    if not header:
        return None
    choices = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = normalize(tag)
        if lang and q > 0:
            choices.append((-q, position, lang))
    return min(choices)[2] if choices else None


def resolve_language(url_lang: str | None, cookie: str | None, accept_language: str | None) -> str:
    """URL first, then the cookie, then Accept-Language; Russian by default."""
    return (normalize(url_lang) or normalize(cookie) or from_accept_language(accept_language)
            or DEFAULT_LANGUAGE)


def request_language(url_lang: str | None = None) -> str:
    """The language for the current Flask request (outside a request: URL or default)."""
    from flask import has_request_context, request

    if not has_request_context():
        return normalize(url_lang) or DEFAULT_LANGUAGE
    return resolve_language(url_lang, request.cookies.get(LANGUAGE_COOKIE),
                            request.headers.get("Accept-Language"))


def localized(row: dict, field: str, lang: str) -> str:
    """row[f'{field}_{lang}'], falling back to Russian when a translation is missing."""
    return row.get(f"{field}_{lang}") or row.get(f"{field}_ru") or ""
