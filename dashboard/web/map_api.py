"""Map layers as cacheable endpoints (the map loads them by URL, not through callbacks).

- `/api/map/points?year=2025[&sectors=education,health][&asof=42]`: institutions as geobuf points
  (`properties.id` unique, `properties.s` = index of the sector in dashboard.reference.SECTOR_CODES),
  ~100 m coordinate precision (dashboard/map_layers.py). The points carry no money (the popup
  reads it), so a view as of publication `asof` differs only in which institutions are there:
  those that had a budget that year right after it (queries/asof.py).
- `/api/map/regions`: region polygons (imported, BOUNDARIES_PATH or the shipped OSM derivative),
  or the regions' centres as points when BOUNDARIES_PATH names a missing file (`source` says
  which), as GeoJSON.

Both carry a weak ETag built from the data version (the newest publication) and answer 304 to a
matching If-None-Match. Their bodies and brotli/gzip copies are made once per data version (and
year and sector set) and sent with their Content-Encoding, so Flask-Compress leaves them alone.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import orjson
from flask import Flask, Response, jsonify, request
from sqlalchemy import Engine

from dashboard import reference as ref
from dashboard.boundaries import SHIPPED_PATH, RegionShapes, from_file, from_table
from dashboard.map_layers import Body, PointsCache
from dashboard.explorer_state import asof_param
from dashboard.params import year_param
from dashboard.web.static_cache import best_encoding
from queries import asof as asof_q, explorer, reference
from queries.version import published_version

GEOBUF = "application/x-protobuf"
log = logging.getLogger(__name__)


class RegionShapesCache:
    """Region shapes per data version (one small query to check the version per call)."""

    def __init__(self, engine: Engine, boundaries_path: Path | None):
        """`boundaries_path`: BOUNDARIES_PATH; None means the shipped simplified file."""
        self.engine = engine
        self.path = boundaries_path or SHIPPED_PATH
        if not Path(self.path).exists():
            log.warning("BOUNDARIES_PATH=%s: no such file; the map draws the regions as circles "
                        "(unset it to use the shipped boundaries)", self.path)
        self._lock = threading.Lock()
        self._cached: tuple[int, RegionShapes | None] | None = None

    def get(self, conn=None) -> tuple[int, RegionShapes | None]:
        """(data version, shapes or None when there are no boundaries)."""
        if conn is None:
            with self.engine.connect() as own:
                return self.get(own)
        version = published_version(conn)
        cached = self._cached
        if cached and cached[0] == version:
            return cached
        shapes = from_table(explorer.boundary_geometries(conn))
        if shapes is None:
            shapes = from_file(self.path, {r["code"] for r in reference.list_regions(conn)})
        with self._lock:
            self._cached = (version, shapes)
        return self._cached


def _answer(body: Body | None, etag: str, mimetype: str, max_age: int = 300) -> Response:
    """`body` in the best encoding the client takes, or a 304 when its validator matches."""
    encoding = best_encoding() if body is not None else None
    response = Response(body.encoded(encoding) if body is not None else b"", mimetype=mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")  # on 304s too: the validator stands for several bodies
    # Weak: the same data in any encoding (RFC 9110).
    response.set_etag(etag, weak=True)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(request)


def _error(message: str, status: int = 400) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


def centres_collection(regions: list[dict]) -> dict:
    """The regions' administrative centres as points (the fallback without boundaries)."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": r["code"], "properties": {"id": r["code"], "code": r["code"]},
         "geometry": {"type": "Point", "coordinates": [r["center_lon"], r["center_lat"]]}}
        for r in regions]}


def register_map_api(server: Flask, engine: Engine, shapes: RegionShapesCache) -> None:
    """Attach the map endpoints to the Flask server."""
    points = PointsCache(explorer.institution_locations, explorer.institutions_with_budget,
                         load_year_asof=asof_q.institutions_with_budget)
    regions_body = {"entry": (None, None)}  # (etag, Body): one entry, replaced when the version moves
    known = frozenset(ref.SECTOR_CODES)

    @server.get("/api/map/points")
    def map_points():
        year_text = request.args.get("year", "")
        year = year_param(year_text)
        if year is None:
            return _error("year: expected a year from 2000 to 2100 such as 2025, got %r" % year_text)
        chosen = tuple(sorted(set(filter(None, request.args.get("sectors", "").split(",")))))
        unknown = sorted(set(chosen) - known)
        if unknown:
            return _error(f"sectors: unknown sector code(s) {', '.join(unknown)}")
        asof_text = request.args.get("asof")
        asof = asof_param(asof_text) if asof_text is not None else None
        if asof_text is not None and asof is None:
            return _error("asof: expected a publication id such as 42, got %r" % asof_text)
        with engine.connect() as conn:
            version = published_version(conn)
            asof = asof if asof is not None and asof < version else None  # the newest: today's points
            etag = f"points-gb-{version}-{year}-{'.'.join(chosen) or 'all'}" + (f"-asof{asof}" if asof else "")
            if request.if_none_match.contains_weak(etag):
                return _answer(None, etag, GEOBUF)  # answered 304 without touching the data
            body = points.body(conn, version, year, chosen, asof)
        return _answer(body, etag, GEOBUF)

    @server.get("/api/map/regions")
    def map_regions():
        with engine.connect() as conn:
            version, found = shapes.get(conn)
            source = found.source if found else "centres"
            etag = f"regions-{version}-{source}"
            if request.if_none_match.contains_weak(etag):
                return _answer(None, etag, "application/json")
            cached_etag, body = regions_body["entry"]
            if cached_etag != etag:
                payload = found.features if found else centres_collection(reference.list_regions(conn))
                body = Body(orjson.dumps({**payload, "source": source}))
                regions_body["entry"] = (etag, body)
        return _answer(body, etag, "application/json")
