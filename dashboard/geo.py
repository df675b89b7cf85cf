"""Region boundaries: reading GeoJSON and testing which points fall inside."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# Kazakhstan's extent with a small margin (degrees).
KZ_BBOX = (40.5, 46.4, 55.5, 87.4)  # min lat, min lon, max lat, max lon


def load_region_polygons(path: Path, code_property: str = "iso_3166_2") -> dict[str, list[list[np.ndarray]]]:
    """{region code: [polygon: [outer ring, holes...] as (n, 2) lon/lat arrays]}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    result: dict[str, list[list[np.ndarray]]] = {}
    for feature in data["features"]:
        code = feature["properties"][code_property]
        geom = feature["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        result.setdefault(code, []).extend(
            [[np.asarray(ring, dtype=float)[:, :2] for ring in poly] for poly in polys])
    return result


def _ring_contains(ring: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Even-odd ray casting of many points against one ring.

    Each edge is paired only with the points whose latitude lies in its span (points sorted by
    latitude, one searchsorted per edge end), not with every point: rings have thousands of
    short edges, so that is a few pairs per point instead of points × edges.
    """
    x1, y1 = ring[:-1, 0], ring[:-1, 1]
    x2, y2 = ring[1:, 0], ring[1:, 1]
    order = np.argsort(lat, kind="stable")
    # (y1 > lat) != (y2 > lat)  ⇔  min(y1, y2) <= lat < max(y1, y2)
    first = np.searchsorted(lat[order], np.minimum(y1, y2), side="left")
    counts = np.searchsorted(lat[order], np.maximum(y1, y2), side="left") - first
    edge = np.repeat(np.arange(x1.size), counts)
    point = order[np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts - first, counts)]
    a1, b1, a2, b2 = x1[edge], y1[edge], x2[edge], y2[edge]
    x_at = a1 + (lat[point] - b1) * (a2 - a1) / (b2 - b1)  # the same arithmetic as per pair before
    return np.bincount(point[lon[point] < x_at], minlength=lon.size) % 2 == 1


def points_in_polygons(polygons: list[list[np.ndarray]], lat, lon) -> np.ndarray:
    """Boolean mask: which (lat, lon) points lie inside any of the polygons."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    result = np.zeros(lat.shape, dtype=bool)
    for rings in polygons:
        outer, holes = rings[0], rings[1:]
        # Cheap bounding-box prefilter before the exact test.
        cand = ((lon >= outer[:, 0].min()) & (lon <= outer[:, 0].max())
                & (lat >= outer[:, 1].min()) & (lat <= outer[:, 1].max()) & ~result)
        if not cand.any():
            continue
        idx = np.flatnonzero(cand)
        inside = _ring_contains(outer, lon[idx], lat[idx])
        for hole in holes:
            inside &= ~_ring_contains(hole, lon[idx], lat[idx])
        result[idx[inside]] = True
    return result


def inside_bbox(lat, lon) -> np.ndarray:
    """Boolean mask: points inside Kazakhstan's bounding box."""
    lat, lon = np.asarray(lat), np.asarray(lon)
    return (lat >= KZ_BBOX[0]) & (lat <= KZ_BBOX[2]) & (lon >= KZ_BBOX[1]) & (lon <= KZ_BBOX[3])
