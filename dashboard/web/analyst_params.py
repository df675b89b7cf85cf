"""The analysts' workspace filters as URL query parameters, and the grid's sort.

One parser serves the page (initial control values), the grid callback and the export
endpoint, so a bookmarked address, the screen and a downloaded file always agree.
Unknown or malformed values are dropped, never raised.
"""
from __future__ import annotations

from urllib.parse import urlencode

from dashboard import reference as ref
from dashboard.anomalies.detectors import DETECTORS as ALL_DETECTORS
from dashboard.params import year_param
from dashboard.reference_districts import DISTRICTS
from queries.anomalies import STATUSES, FlagFilter

DETECTORS = tuple(ALL_DETECTORS)
DISTRICT_REGION = {d[0]: d[1] for d in DISTRICTS}
TYPE_CODES = {t[0] for t in ref.INSTITUTION_TYPES}
SORTABLE = ("institution", "bin", "region", "district", "type", "year", "detector", "score", "amount",
            "sentence", "status")
DEFAULT_SORT = ("score", "desc")


def _one(args, key: str) -> str | None:
    value = args.get(key)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return str(value).strip() if value not in (None, "") else None


def _many(args, key: str) -> list[str]:
    """Repeated (?d=a&d=b) or comma-separated (?d=a,b) values."""
    values = args.getlist(key) if hasattr(args, "getlist") else args.get(key)
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [v.strip() for value in values for v in str(value).split(",") if v.strip()]


def _score(value: str | None) -> float:
    try:
        score = float(value) if value else 0.0
    except ValueError:
        return 0.0
    return min(max(score, 0.0), 1.0) if score == score else 0.0  # NaN → 0


def parse_filters(args) -> FlagFilter:
    """A FlagFilter from query parameters (a dict of strings or Flask's MultiDict)."""
    region = _one(args, "region")
    region = region if region in ref.REGION_CODES else None
    district = _one(args, "district")
    district = district if region and DISTRICT_REGION.get(district) == region else None
    sector, kind, status = _one(args, "sector"), _one(args, "type"), _one(args, "status")
    detectors = [d for d in DETECTORS if d in _many(args, "detector")]
    return FlagFilter(year=year_param(_one(args, "year")), region=region, district=district,
                      sector=sector if sector in ref.SECTOR_CODES else None,
                      type=kind if kind in TYPE_CODES else None, detectors=detectors or None,
                      min_score=_score(_one(args, "min_score")), status=status if status in STATUSES else None)


def parse_sort(value: str | None) -> tuple[str, str]:
    """'amount:asc' → ('amount', 'asc'); anything else → the default (score, highest first)."""
    column, _, direction = (value or "").partition(":")
    if column in SORTABLE and direction in ("asc", "desc"):
        return column, direction
    return DEFAULT_SORT


def to_query(f: FlagFilter, sort: tuple[str, str] | None = None, lang: str | None = None) -> str:
    """The query string ('' or '?…') of a filter, the inverse of `parse_filters`."""
    pairs = [(k, v) for k, v in (("year", f.year), ("region", f.region), ("district", f.district),
                                 ("sector", f.sector), ("type", f.type)) if v]
    pairs += [("detector", d) for d in f.detectors or []]
    if f.min_score:
        pairs.append(("min_score", f"{f.min_score:g}"))
    if f.status:
        pairs.append(("status", f.status))
    if sort and tuple(sort) != DEFAULT_SORT:
        pairs.append(("sort", f"{sort[0]}:{sort[1]}"))
    if lang:
        pairs.append(("lang", lang))
    return "?" + urlencode(pairs) if pairs else ""


def sort_rows(rows: list[dict], sort: tuple[str, str]) -> list[dict]:
    """Rows sorted like the grid sorts them: by the shown value, empty values first when ascending,
    ties in the query's order (score, highest first)."""
    column, direction = sort
    filled = [r for r in rows if r.get(column) not in (None, "")]
    empty = [r for r in rows if r.get(column) in (None, "")]
    filled = sorted(filled, key=lambda r: r[column], reverse=direction == "desc")
    return empty + filled if direction == "asc" else filled + empty
