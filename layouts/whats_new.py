""""What's new": newest published budgets, documents and answers to public appeals, each with how
long ago in the page's language and a link to its page. Two views of the same items: the
explorer's panel (`panel`) and the presentation's one-line ticker (`ticker`).

Items are those of queries/whats_new.py, as they come back from a dcc.Store (times as ISO text)
or straight from the query (datetimes)."""
from __future__ import annotations

import datetime as dt

from dashboard.i18n import catalog, localized, t
from dashboard.i18n.formatting import format_datetime, format_number, format_relative
from layouts.elements import el


def storable(items: list[dict]) -> list[dict]:
    """The items with their times as ISO text, for a dcc.Store."""
    return [{**item, "at": item["at"].isoformat()} for item in items]


_FIELDS = {"budget": {"source": str, "kind": str, "institutions": int, "lines": int},
           "document": {"title": str, "year": int, "bin": str, "name_ru": str},
           "answer": {"bin": str, "name_ru": str}}


def readable(items) -> list[dict]:
    """The items a browser sent back (from the dcc.Store) that have the fields of their type;
    anything else is left out (the store's data comes from the client)."""
    out = []
    for item in items if isinstance(items, list) else []:
        fields = _FIELDS.get(item.get("type")) if isinstance(item, dict) else None
        if fields is None or not isinstance(item.get("key"), str) or not isinstance(item.get("at"), str):
            continue
        if not all(isinstance(item.get(name), kind) for name, kind in fields.items()):
            continue
        try:
            _moment(item["at"])
        except ValueError:
            continue
        out.append(item)
    return out


def _moment(value) -> dt.datetime:
    at = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)


def relative_time(value, lang: str, now: dt.datetime | None = None) -> str:
    """'только что' within a minute, else Babel's words: '5 минут назад' / '5 минут бұрын'."""
    now = now or dt.datetime.now(dt.timezone.utc)
    at = _moment(value)
    if now - at < dt.timedelta(minutes=1):
        return t("whats_new.just_now", lang)
    return format_relative(at, lang, now)


def publication_text(p: dict, lang: str) -> str:
    """'Budget import: 1,234 lines, 5 institutions'; documents, boundaries and institution files say so."""
    known = catalog(lang)
    source_key = f"publications.source.{p['source']}"
    source = t(source_key, lang) if source_key in known else p["source"]
    if p["source"] == "documents":  # a published document: its year and title say more than counts
        return f"{source}: {p['description']}"
    kind_key = f"publications.kind.{p['kind']}"
    if kind_key in known:
        detail = t(kind_key, lang, institutions=format_number(p["institutions"], lang))
    else:
        detail = t("publications.lines", lang, lines=format_number(p["lines"], lang),
                   institutions=format_number(p["institutions"], lang))
    return f"{source}: {detail}"


def item_text(item: dict, lang: str) -> str:
    """What happened, in words."""
    if item["type"] == "document":
        return t("whats_new.document", lang, institution=localized(item, "name", lang), title=item["title"])
    if item["type"] == "answer":
        return t("whats_new.answer", lang, institution=localized(item, "name", lang))
    return publication_text(item, lang)  # the explorer's wording of a publication (boundaries left out)


def item_href(item: dict, lang: str) -> str | None:
    """The page of the item: the institution (its documents for the year), its public appeals;
    a budget publication of many institutions has no single page (None)."""
    if item["type"] == "document":
        return f"/institution/{item['bin']}?year={item['year']}&lang={lang}"
    if item["type"] == "answer":
        return f"/institution/{item['bin']}/appeals?lang={lang}"
    return None


def _time(item: dict, lang: str, now: dt.datetime | None) -> dict:
    at = _moment(item["at"])
    return el("Time", relative_time(at, lang, now), dateTime=at.isoformat(), title=format_datetime(at, lang),
              className="whats-new-time")


def _what(item: dict, lang: str) -> dict:
    href = item_href(item, lang)
    text = item_text(item, lang)
    return el("A", text, href=href, className="whats-new-link") if href else el("Span", text)


def panel(items: list[dict], lang: str, now: dt.datetime | None = None) -> list:
    """The explorer's list: one <li> per item (what, how long ago), or a line saying there is
    nothing yet."""
    if not items:
        return [el("Li", t("whats_new.empty", lang), className="text-muted")]
    return [el("Li", [_what(item, lang), " ", _time(item, lang, now)],
               className="whats-new-item", data_item=item["key"], data_type=item["type"])
            for item in items]


def ticker(items: list[dict], lang: str, now: dt.datetime | None = None, limit: int = 5) -> list:
    """The presentation's compact line: the newest `limit` items, separated by dots (no links to
    follow on a projector; the text says where)."""
    if not items:
        return []
    parts: list = [el("Strong", t("whats_new.title", lang), className="ticker-title me-2")]
    for i, item in enumerate(items[:limit]):
        if i:
            parts.append(el("Span", " · ", className="ticker-sep", aria_hidden="true"))
        parts.append(el("Span", [item_text(item, lang), " ", _time(item, lang, now)],
                        className="ticker-item", data_item=item["key"]))
    return parts
