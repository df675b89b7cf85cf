"""Map layers as cacheable JSON endpoints (the map loads them by URL, not through callbacks).

- `/api/map/points?year=2025[&sectors=education,health]`: institutions as compact GeoJSON
  points (`properties.id` unique, `properties.s` = sector code), ~100 m coordinate precision.
- `/api/map/regions`: region polygons, or the regions' centres as points when no boundaries
  are available (`source` says which).

Both carry an ETag built from the data version (the newest publication), answer 304 to a
matching If-None-Match, and are compressed by Flask-Compress.
"""
from __future__ import annotations

import threading
from pathlib import Path

import orjson
from flask import Flask, Response, jsonify, request
from sqlalchemy import Engine

from dashboard.boundaries import RegionShapes, from_file, from_table
from dashboard.params import year_param
from queries import explorer, reference
from queries.overview import data_version

POINT_DECIMALS = 3  # ~100 m: enough to place a building on a city map, and compact


class RegionShapesCache:
    """Region shapes per data version (one small query to check the version per call)."""

    def __init__(self, engine: Engine, boundaries_path: Path | None):
        self.engine = engine
        self.path = boundaries_path
        self._lock = threading.Lock()
        self._cached: tuple[int, RegionShapes | None] | None = None

    def get(self, conn=None) -> tuple[int, RegionShapes | None]:
        """(data version, shapes or None when there are no boundaries)."""
        if conn is None:
            with self.engine.connect() as own:
                return self.get(own)
        version = data_version(conn)
        cached = self._cached
        if cached and cached[0] == version:
            return cached
        shapes = from_table(explorer.boundary_geometries(conn))
        if shapes is None:
            shapes = from_file(self.path, {r["code"] for r in reference.list_regions(conn)})
        with self._lock:
            self._cached = (version, shapes)
        return self._cached


def _json(payload, etag: str, max_age: int = 300) -> Response:
    body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    response = Response(body, mimetype="application/json")
    # Weak: the same data in any encoding (Flask-Compress would suffix a strong tag with ":gzip",
    # so a browser's If-None-Match would never match it again).
    response.set_etag(etag, weak=True)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(request)


def _error(message: str, status: int = 400) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


def points_collection(rows: list[tuple]) -> dict:
    """Compact GeoJSON for (id, lat, lon, sector) rows."""
    d = POINT_DECIMALS
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, d), round(lat, d)]},
         "properties": {"id": i, "s": s}} for i, lat, lon, s in rows]}


def centres_collection(regions: list[dict]) -> dict:
    """The regions' administrative centres as points (the fallback without boundaries)."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": r["code"], "properties": {"id": r["code"], "code": r["code"]},
         "geometry": {"type": "Point", "coordinates": [r["center_lon"], r["center_lat"]]}}
        for r in regions]}


class PointsCache:
    """Institution points of a year as pre-serialised GeoJSON features, per data version.

    A request joins the features of the chosen sectors, so a filter change costs neither a
    query nor a JSON encoding of 17,000 features (only the first request of a year does).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._version: int | None = None
        self._years: dict[int, list[tuple[str, bytes]]] = {}

    def _features(self, conn, version: int, year: int) -> list[tuple[str, bytes]]:
        with self._lock:
            if self._version != version:
                self._version, self._years = version, {}
            features = self._years.get(year)
        if features is None:
            rows = explorer.institution_points(conn, year)
            features = [(row[3], orjson.dumps(f)) for row, f in zip(rows, points_collection(rows)["features"])]
            with self._lock:
                if self._version == version:
                    self._years[year] = features
        return features

    def geojson(self, conn, version: int, year: int, sector_codes: tuple[str, ...]) -> bytes:
        """The FeatureCollection (bytes) of a year's points, all sectors or only the chosen ones."""
        features = self._features(conn, version, year)
        if sector_codes:
            wanted = set(sector_codes)
            features = [f for f in features if f[0] in wanted]
        return b'{"type":"FeatureCollection","features":[' + b",".join(f[1] for f in features) + b"]}"


def register_map_api(server: Flask, engine: Engine, shapes: RegionShapesCache) -> None:
    """Attach the map endpoints to the Flask server."""
    points = PointsCache()

    @server.get("/api/map/points")
    def map_points():
        year_text = request.args.get("year", "")
        year = year_param(year_text)
        if year is None:
            return _error("year: expected a year from 2000 to 2100 such as 2025, got %r" % year_text)
        with engine.connect() as conn:
            known = {s["code"] for s in reference.list_sectors(conn)}
            chosen = tuple(sorted(filter(None, request.args.get("sectors", "").split(","))))
            unknown = sorted(set(chosen) - known)
            if unknown:
                return _error(f"sectors: unknown sector code(s) {', '.join(unknown)}")
            version = data_version(conn)
            etag = f"points-{version}-{year}-{'.'.join(chosen) or 'all'}"
            if request.if_none_match.contains_weak(etag):
                return _json(None, etag)  # answered 304 without touching the data
            body = points.geojson(conn, version, year, chosen)
        return _json(body, etag)

    @server.get("/api/map/regions")
    def map_regions():
        with engine.connect() as conn:
            version, found = shapes.get(conn)
            source = found.source if found else "centres"
            etag = f"regions-{version}-{source}"
            if request.if_none_match.contains_weak(etag):
                return _json(None, etag)
            payload = found.features if found else centres_collection(reference.list_regions(conn))
        return _json({**payload, "source": source}, etag)
